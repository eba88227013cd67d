"""``iscg import`` of the project's own table formats (Questions, study groups, Resolutions, their
versions, theme links, the mappings register): every problem by sheet/row/column and exit 1, else
the preview (items added, changed, unchanged, to retire), and with ``--commit`` one change."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from ..errors import ImportFailed, ISCGError
from ..imports.data_tables import TablePreview, preview_data_table
from ..imports.upload import Problem, Sheet
from ..imports.workbooks import error_workbook
from .problems import print_problems
from .targets import Target

__all__ = ["run_data_table"]

out = Console()
err = Console(stderr=True)


def _preview(preview: TablePreview, name: str) -> None:
    out.print(f"{name} ({preview.format}): {len(preview.add)} to add, {len(preview.change)} to change, "
              f"{len(preview.unchanged)} unchanged, {len(preview.retire)} recorded but no longer listed "
              "(to retire)")
    t = Table(header_style="bold")
    for col in ("change", "row", "item", "triples removed", "triples added"):
        t.add_column(col, overflow="fold")
    for what, items in (("add", preview.add), ("change", preview.change)):
        for c in items:
            t.add_row(what, str(c.row), c.label, str(len(c.removed)), str(len(c.added)))
    for iri, label in preview.retire[:20]:
        t.add_row("retire", "", f"{label} ({iri})", "", "")
    if len(preview.retire) > 20:
        t.add_row("retire", "", f"… and {len(preview.retire) - 20} more", "", "")
    if preview.add or preview.change or preview.retire:
        out.print(t)


def run_data_table(sheets: list[Sheet], target: Target, *, data: bytes, name: str, author: str, comment: str,
                   base: str, format: str | None, commit: bool, errors_xlsx: Path | None) -> None:
    preview = preview_data_table(sheets, target.snapshot(), base=base, format=format)
    if preview.problems:
        print_problems(preview.problems, name)
        if errors_xlsx is not None:
            errors_xlsx.write_bytes(error_workbook(sheets, preview.problems))
            err.print(f"the table, {len(preview.problems)} problem(s) highlighted -> {errors_xlsx}")
        raise typer.Exit(1)
    _preview(preview, name)
    if not commit:
        return
    if preview.empty:
        out.print("nothing to change: every row is already recorded as it is; nothing written")
        return
    from ..imports.data_commit import commit_table

    try:
        path = target.write_path(base)
        record = commit_table(preview, path, data=data, file_name=name, author=author, comment=comment)
    except ImportFailed as exc:
        untraced = [Problem("", 0, "", "", f"would break the shapes: {v.message}")
                    for v in exc.report.violations]
        print_problems(exc.problems or untraced, name)
        if errors_xlsx is not None and exc.problems:
            errors_xlsx.write_bytes(error_workbook(sheets, exc.problems))
        raise typer.Exit(1) from None
    except ISCGError as exc:
        err.print(f"[red]not written:[/red] {exc}")
        raise typer.Exit(1) from None
    if record is None:
        out.print("nothing changed; nothing written")
    else:
        out.print(f"committed as one change: {len(preview.add)} item(s) added, {len(preview.change)} "
                  f"changed ({record.iri})")
