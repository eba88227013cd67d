"""The two tables of the "new since" page, sorted, filtered and paged on the server like every other
report table (`iscg_graph.render.table_view`, `api.table_params`), so they work without JavaScript.

The filter (``q``) and the rows per page (``per_page``) are shared by both tables; each table has
its own sort and page: ``cand_sort``/``cand_dir``/``cand_page`` for the candidate overlaps,
``rec_sort``/``rec_dir``/``rec_page`` for the recorded mappings. Downloads keep both sorts and the
filter but never a page: they hold the whole selection.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from iscg_graph.errors import ParameterError
from iscg_graph.overlap.candidate import Candidate
from iscg_graph.overlap.new_since import NewSince
from iscg_graph.render.table_view import TableView, sort_and_filter, view
from iscg_graph.render.tabular import Cell, Column, ResultTable

from .i18n.messages import N_
from .table_params import ViewParams, parse_view

__all__ = ["CANDIDATE_COLUMNS", "PREFIXES", "Shown", "parse_shown", "selection", "views"]

CANDIDATES, RECORDED = "cand_", "rec_"
PREFIXES = (CANDIDATES, RECORDED)
_DECIMAL = "http://www.w3.org/2001/XMLSchema#decimal"
CANDIDATE_COLUMNS = [
    Column("score", N_("Score"), numeric=True),
    Column("aLabel", N_("One side"), link="a"),
    Column("aPeriod", N_("Its study period")),
    Column("bLabel", N_("Other side"), link="b"),
    Column("bPeriod", N_("Its study period")),
    Column("why", N_("Why (evidence)")),
]
_VARIABLES = ("score", "a", "aLabel", "aPeriod", "b", "bLabel", "bPeriod", "why")


@dataclass(frozen=True)
class Shown:
    """What the visitor asked to see of each table."""

    candidates: ViewParams = ViewParams(prefix=CANDIDATES)
    recorded: ViewParams = ViewParams(prefix=RECORDED)

    def link(self, table: str, values: Mapping[str, str], **changes: object) -> str:
        """A link's query string for one table (``cand`` or ``rec``), keeping the other's sort and page."""
        mine, other = self.candidates, self.recorded
        if table != "cand":
            mine, other = other, mine
        return mine.query({**values, **other.own()}, **changes)

    def download_query(self, values: Mapping[str, str]) -> str:
        """Both sorts and the filter, never a page."""
        return self.candidates.download_query({**values, **replace(self.recorded, page=1).own()})

    def unfiltered(self, values: Mapping[str, str]) -> str:
        """Every row again: no filter, first pages, the sorts kept."""
        c, r = (replace(v, filter="", page=1) for v in (self.candidates, self.recorded))
        return c.query({**values, **r.own()})


def parse_shown(params: Mapping[str, str]) -> Shown:
    """Both tables' view parameters (a bad one is a `ParameterError` naming it)."""
    return Shown(parse_view(params, CANDIDATES), parse_view(params, RECORDED))


def _row(c: Candidate) -> dict[str, Cell]:
    return {
        "score": Cell(f"{c.score:.2f}", datatype=_DECIMAL),
        "a": Cell(c.left["iri"], "uri"), "aLabel": Cell(c.left.get("label", "")),
        "aPeriod": Cell(c.left.get("period", "")),
        "b": Cell(c.right["iri"], "uri"), "bLabel": Cell(c.right.get("label", "")),
        "bPeriod": Cell(c.right.get("period", "")),
        "why": Cell(c.explanation()),
    }


def _candidate_rows(result: NewSince) -> tuple[ResultTable, dict[int, Candidate]]:
    rows = [_row(c) for c in result.candidates]
    by_row = {id(r): c for r, c in zip(rows, result.candidates, strict=True)}
    return ResultTable(_VARIABLES, tuple(rows)), by_row


def _check_sort(shown: ViewParams, columns: list[Column]) -> None:
    names = [c.name for c in columns]
    if shown.sort and shown.sort not in names:
        raise ParameterError(f"{shown.prefix}sort",
                             f"is not a column of this table (columns: {', '.join(names)})")


def views(result: NewSince, shown: Shown) -> tuple[TableView, TableView]:
    """One sorted, filtered page of each table, with its counts."""
    _check_sort(shown.candidates, CANDIDATE_COLUMNS)
    _check_sort(shown.recorded, result.recorded_columns)
    table, _ = _candidate_rows(result)
    out = []
    for t, columns, v in ((table, CANDIDATE_COLUMNS, shown.candidates),
                          (result.recorded, result.recorded_columns, shown.recorded)):
        out.append(view(t, columns, sort=v.sort, descending=v.descending, filter=v.filter, page=v.page,
                         per_page=v.per_page))
    return out[0], out[1]


def selection(result: NewSince, shown: Shown) -> NewSince:
    """The whole result the page's filter selects, each table in its shown order (what downloads hold)."""
    _check_sort(shown.candidates, CANDIDATE_COLUMNS)
    _check_sort(shown.recorded, result.recorded_columns)
    table, by_row = _candidate_rows(result)
    c, r = shown.candidates, shown.recorded
    cand_rows, _ = sort_and_filter(table, CANDIDATE_COLUMNS, sort=c.sort, descending=c.descending,
                                   filter=c.filter)
    rec_rows, _ = sort_and_filter(result.recorded, result.recorded_columns, sort=r.sort,
                                  descending=r.descending, filter=r.filter)
    return replace(result, candidates=tuple(by_row[id(row)] for row in cand_rows),
                   recorded=replace(result.recorded, rows=tuple(rec_rows)))
