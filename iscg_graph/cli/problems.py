"""The one table of import problems (sheet, row, column, value, message) that every import command
prints on stderr before it exits non-zero."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

from ..imports.upload import Problem

__all__ = ["print_problems"]

_err = Console(stderr=True)


def print_problems(problems: Sequence[Problem], name: str) -> None:
    t = Table(title=f"{name}: {len(problems)} problem(s); nothing written", header_style="bold")
    for col in ("sheet", "row", "column", "value", "message"):
        t.add_column(col, overflow="fold")
    for p in problems:
        t.add_row(p.sheet, str(p.row), p.column, p.value, p.message)
    _err.print(t)
