"""The candidates page as a table people can work with: the candidates the form selected, filtered
on every word shown (labels, Sectors, study groups, periods, the evidence in words), sorted by score
or by either side's label (natural order), one page at a time, with the counts to show.

The rows are the candidates' own table (`candidate_table`, the one the downloads write), so what
the page filters on is what the CSV and Excel files hold.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import ParameterError
from ..render.table_view import TableView, view
from .index import Candidate, candidate_table

__all__ = ["SORTABLE", "CandidateView", "view_candidates"]

# the columns a visitor can sort the page by, and their headings
SORTABLE = {"score": "Score", "left_label": "One side", "right_label": "Other side"}


@dataclass(frozen=True)
class CandidateView:
    candidates: list[Candidate]  # the page, in the order chosen
    table: TableView  # counts, page and sort of that page


def view_candidates(
    candidates: Sequence[Candidate],
    *,
    sort: str | None = None,
    descending: bool = False,
    filter: str = "",
    page: int = 1,
    per_page: int = 50,
) -> CandidateView:
    """One sorted, filtered page of ``candidates`` (already ranked by score: the order with no sort).

    ``sort`` must name a column of `SORTABLE` (else a `ParameterError` naming ``sort``)."""
    if sort is not None and sort not in SORTABLE:
        raise ParameterError("sort", f"must be one of {', '.join(SORTABLE)}; got {sort!r}")
    table, columns = candidate_table(list(candidates))
    by_row = {id(row): c for row, c in zip(table.rows, candidates, strict=True)}
    shown = view(
        table, columns, sort=sort, descending=descending, filter=filter, page=page, per_page=per_page
    )
    return CandidateView([by_row[id(r)] for r in shown.rows], shown)
