"""Retired items drop out of every report: a Question retired through the curation write path
(`owl:deprecated true`, never deleted) is in no row of the canned reports afterwards, while it was
before, and keeps its IRI and statements."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from iscg_graph.curation.edits import retire
from iscg_graph.curation.writes import Author, WritePath
from iscg_graph.query.catalog import QueryCatalog
from iscg_graph.query.engine import InProcessEngine
from iscg_graph.query.reports import run_select
from iscg_graph.rdf.derived import derived_graph, materialise_store
from iscg_graph.rdf.store import EmbeddedStore, StoreMeta

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "queries" / "mini.trig"
ID = "https://w3id.org/iscg/id/"
Q = ID + "question/itu-t/2017-2020/9-5"  # ITU-T Q9/5: climate change, mapped to ITU-D Q6/2
CLIMATE = ID + "theme/resolution-areas/27"
REPORTS = [
    ("sector-overlap-detail", {"sector_a": "ITU-T", "sector_b": "ITU-R"}),
    ("sector-overlap-detail", {"sector_a": "ITU-D", "sector_b": "ITU-T"}),
    ("question-duplicate-candidates", {"min_score": "0.1"}),
    ("theme-dossier", {"theme": CLIMATE}),
]


class Ok:
    conforms = True
    violations = ()


def _cells(engine: InProcessEngine, catalog: QueryCatalog) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for name, params in REPORTS:
        table = run_select(engine, catalog[name], params)
        found.setdefault(name, set()).update(
            term.value for row in table.rows for term in row.values() if term is not None)
    return found


def _store() -> EmbeddedStore:
    store = EmbeddedStore(ox.Store(), meta=StoreMeta(data_version="fixture-1",
                                                     built_at="2026-01-01T00:00:00Z"))
    store.inner.load(path=str(FIXTURE), format=ox.RdfFormat.TRIG)
    graph = ox.NamedNode(derived_graph("https://w3id.org/iscg/"))  # as a build has it; writes keep it current
    store.inner.extend(ox.Quad(t.subject, t.predicate, t.object, graph)
                       for t in materialise_store(store.inner, graph.value))
    return store


def test_a_retired_question_drops_out_of_the_reports(catalog: QueryCatalog) -> None:
    store = _store()
    before = _cells(InProcessEngine(store), catalog)
    assert all(Q in cells for cells in before.values()), "the fixture no longer shows Q9/5 in a report"

    record = WritePath(store, validate=lambda graph: Ok()).apply(
        lambda work: retire(work, Q, "https://w3id.org/iscg/"), Author("ed", "merged into Q6/2"))
    assert record is not None

    after = _cells(InProcessEngine(store), catalog)
    assert not [name for name, cells in after.items() if Q in cells]
    # the rest of each report is still there: only rows about the retired Question went
    assert ID + "question/itu-d/2018-2021/6-2" in after["theme-dossier"]
    assert ID + "study-group/itu-r/2019-2023/wp-7c" in after["sector-overlap-detail"]
    # never deleted: the Question keeps its statements and says it is retired
    assert store.ask(f"ASK {{ <{Q}> a <https://w3id.org/iscg/ontology#Question> ; "
                     "<http://www.w3.org/2002/07/owl#deprecated> true }")
