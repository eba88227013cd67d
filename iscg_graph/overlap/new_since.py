"""What is new since a release or a study period: the candidate overlaps and the recorded mappings
that involve a new item ("the overlaps that came with the 2022-2025 Questions").

An item is new since a study period if its own study period starts after the chosen one starts
(items without a study period, Resolutions and themes, are never new by period); it is new since a
release if the release did not hold it (`release_items`: every typed subject of the release). With
both chosen an item is new by either test; with neither, everything is (new since the beginning).

The recorded side is the canned query ``queries/new-since.rq`` (with the period as its parameter;
for a release it lists every record with its items' periods and the rows are kept here); the
candidate side is the precomputed candidate index (Question and Resolution pairs), filtered to pairs
with a new item. `new_since_table` puts both into one table for the CSV and Excel downloads.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import pyoxigraph as ox

from ..errors import ParameterError
from ..query.catalog import DEFAULT_BASE_IRI, QueryCatalog
from ..query.engine import QueryEngine
from ..query.reports import run_select
from ..rdf.store import EmbeddedStore
from ..render.tabular import Cell, Column, ResultTable
from ..vocab import RDF
from .index import Candidate, CandidateIndex

__all__ = ["QUERY", "NewSince", "Since", "new_since", "new_since_table", "release_items"]

QUERY = "new-since"
KINDS = ("question", "resolution")  # theme pairs have no study period and no Sector
_DECIMAL = "http://www.w3.org/2001/XMLSchema#decimal"
_MAX_CANDIDATES = 100_000


@dataclass(frozen=True)
class Since:
    """The point of comparison: a study period ("2018-2021") or a release (its name and items)."""

    period: str | None = None
    release: str | None = None
    items: frozenset[str] | None = None

    def __post_init__(self) -> None:
        if self.release is not None and self.items is None:
            raise ParameterError("release", "the release's items are needed")
        if self.period is not None and not re.fullmatch(r"[0-9]{4}-[0-9]{4}", self.period):
            raise ParameterError("since_period", f"a study period is written YYYY-YYYY; got {self.period!r}")

    @property
    def start(self) -> int:
        return int((self.period or "0")[:4])

    def is_new(self, iri: str, period: str = "") -> bool:
        if self.items is None and self.period is None:
            return True
        by_release = self.items is not None and iri not in self.items
        by_period = self.period is not None and period[:4].isdigit() and int(period[:4]) > self.start
        return by_release or by_period


def release_items(store: EmbeddedStore) -> frozenset[str]:
    """Every subject with a type in a release (its Questions, groups, Resolutions, themes …)."""
    return frozenset(q.subject.value for q in store.quads(None, ox.NamedNode(RDF + "type"), None, None)
                     if isinstance(q.subject, ox.NamedNode))


@dataclass(frozen=True)
class NewSince:
    since: Since
    recorded: ResultTable  # rows of queries/new-since.rq with an item new since `since`
    recorded_columns: list[Column]
    candidates: tuple[Candidate, ...]  # unrecorded candidate pairs with a new item, best first


def _side(row: Mapping[str, Cell], name: str) -> tuple[str, str]:
    iri = row[name].value if name in row else ""
    period = row[f"{name}Period"].value if f"{name}Period" in row else ""
    return iri, period


def _relabel(row: Mapping[str, Cell], since: Since) -> Mapping[str, Cell] | None:
    """Keep a row whose one side is new since the release, saying which side."""
    a, b = (since.is_new(*_side(row, n)) for n in ("a", "b"))
    if not (a or b):
        return None
    which = "both" if a and b else "one side" if a else "other side"
    return {**row, "newSide": Cell(which)}


def new_since(engine: QueryEngine, catalog: QueryCatalog, index: CandidateIndex | None, since: Since, *,
              base_iri: str = DEFAULT_BASE_IRI, min_score: float = 0.2,
              timeout: float | None = None) -> NewSince:
    """The recorded mappings/links and the candidate overlaps that involve an item new since ``since``."""
    spec = catalog[QUERY]
    # the query filters by period alone; with a release the rows are kept here (by either test)
    params = {"since_period": since.period} if since.period and since.items is None else {}
    table = run_select(engine, spec, params, base_iri=base_iri, timeout=timeout)
    if since.items is not None:
        kept = [r for r in (_relabel(row, since) for row in table.rows) if r is not None]
        table = ResultTable(table.variables, tuple(kept))
    columns = table.columns(spec.columns, hide=[p.name for p in spec.params] + ["status", "link"])
    found: list[Candidate] = []
    if index is not None:
        for kind in KINDS:
            page = index.query(kind, min_score=min_score, limit=_MAX_CANDIDATES)
            found += [c for c in page.candidates
                      if since.is_new(c.left["iri"], c.left.get("period", ""))
                      or since.is_new(c.right["iri"], c.right.get("period", ""))]
    found.sort(key=lambda c: (-c.score, c.left["iri"], c.right["iri"]))
    return NewSince(since, table, columns, tuple(found))


NEW_SINCE_COLUMNS = [
    Column("what", "What"),
    Column("score", "Score", numeric=True),
    Column("aLabel", "One side", link="a"),
    Column("aPeriod", "Its study period"),
    Column("bLabel", "Other side", link="b"),
    Column("bPeriod", "Its study period"),
    Column("newSide", "New item"),
    Column("statusLabel", "Status"),
    Column("why", "Why"),
]


def new_since_table(result: NewSince) -> tuple[ResultTable, list[Column]]:
    """Candidates and recorded rows in one table (what the downloads hold)."""
    rows: list[Mapping[str, Cell]] = []
    for c in result.candidates:
        a = result.since.is_new(c.left["iri"], c.left.get("period", ""))
        b = result.since.is_new(c.right["iri"], c.right.get("period", ""))
        rows.append({
            "what": Cell("candidate overlap"),
            "score": Cell(f"{c.score:.4f}", datatype=_DECIMAL),
            "a": Cell(c.left["iri"], "uri"), "aLabel": Cell(c.left.get("label", "")),
            "aPeriod": Cell(c.left.get("period", "")),
            "b": Cell(c.right["iri"], "uri"), "bLabel": Cell(c.right.get("label", "")),
            "bPeriod": Cell(c.right.get("period", "")),
            "newSide": Cell("both" if a and b else "one side" if a else "other side"),
            "statusLabel": Cell("not recorded"),
            "why": Cell(c.explanation()),
        })
    for r in result.recorded.rows:
        rows.append({
            "what": Cell("recorded mapping or link"),
            **{k: r[k] for k in ("a", "aLabel", "aPeriod", "b", "bLabel", "bPeriod", "newSide", "statusLabel")
               if k in r},
            "why": Cell(" ".join(x for x in (r["kindLabel"].value if "kindLabel" in r else "",
                                              r["origin"].value if "origin" in r else "") if x)),
        })
    variables = ("what", "score", "a", "aLabel", "aPeriod", "b", "bLabel", "bPeriod", "newSide",
                 "statusLabel", "why")
    return ResultTable(variables, tuple(rows)), list(NEW_SINCE_COLUMNS)
