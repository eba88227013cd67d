"""A table people can work with: one sorted, filtered page of a `ResultTable`, worked out on the
server from plain query parameters (so it works without JavaScript), with the counts to show.

Sorting is natural (``SG2`` before ``SG11``, ``1.2`` before ``1.10``) on the text a person reads;
numeric columns sort by number. Filtering keeps the rows whose shown text contains every word of
the filter (case-insensitive). Downloads use `sort_and_filter` only: they hold the whole result.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .tabular import Cell, Column, ResultTable

Row = Mapping[str, Cell]

__all__ = ["DEFAULT_PER_PAGE", "PER_PAGE_CHOICES", "TableView", "natural_key", "sort_and_filter", "view"]

DEFAULT_PER_PAGE = 50
PER_PAGE_CHOICES = (25, 50, 100, 250)
_CHUNKS = re.compile(r"(\d+)")


def natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key reading runs of digits as numbers: "SG2" < "SG11", "1.2" < "1.10", "Q9/5" < "Q10/5"."""
    parts = _CHUNKS.split(text.casefold())
    return tuple((0, int(p)) if i % 2 else (1, p) for i, p in enumerate(parts) if p != "")


@dataclass(frozen=True)
class TableView:
    rows: list[Row]
    total: int  # rows of the result
    matching: int  # rows left by the filter
    page: int  # 1-based
    pages: int
    per_page: int
    sort: str | None
    descending: bool
    filter: str

    @property
    def first(self) -> int:
        """1-based position of the first row shown (0 when none)."""
        return (self.page - 1) * self.per_page + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1 if self.rows else 0


def _text(row: Row, col: Column) -> str:
    cell = row.get(col.name)
    return cell.text if cell is not None else ""


def sort_and_filter(
    table: ResultTable,
    columns: Sequence[Column],
    *,
    sort: str | None = None,
    descending: bool = False,
    filter: str = "",
) -> tuple[list[Row], str | None]:
    """The rows matching ``filter``, ordered by column ``sort`` (a shown column, else the query's order).

    Returns the rows and the sort column actually used (None when ``sort`` names no shown column)."""
    words = [w for w in filter.casefold().split() if w]
    rows = list(table.rows)
    if words:
        rows = [r for r in rows if all(any(w in _text(r, c).casefold() for c in columns) for w in words)]
    by = next((c for c in columns if c.name == sort), None)
    if by is None:
        return rows, None

    def key(row: Row) -> tuple:
        cell = row.get(by.name)
        if cell is None:
            return (1, ())  # empty cells last
        if by.numeric and cell.number is not None:
            return (0, ((0, float(cell.number)),))
        return (0, natural_key(cell.text))

    present = [r for r in rows if r.get(by.name) is not None]
    empty = [r for r in rows if r.get(by.name) is None]
    present.sort(key=key, reverse=descending)
    return present + empty, by.name


def view(
    table: ResultTable,
    columns: Sequence[Column],
    *,
    sort: str | None = None,
    descending: bool = False,
    filter: str = "",
    page: int = 1,
    per_page: int = DEFAULT_PER_PAGE,
) -> TableView:
    """One page of the sorted, filtered rows; a page past the end shows the last page."""
    rows, used = sort_and_filter(table, columns, sort=sort, descending=descending, filter=filter)
    per_page = max(1, per_page)
    pages = max(1, math.ceil(len(rows) / per_page))
    page = min(max(1, page), pages)
    start = (page - 1) * per_page
    return TableView(
        rows[start : start + per_page],
        len(table.rows),
        len(rows),
        page,
        pages,
        per_page,
        used,
        descending,
        filter.strip(),
    )
