"""The known terms stored as build data (``dv:knownTerm`` in the derived graph) are the set the
whole-store query finds, on the real build and after curated writes; a store without them still
gets the set, from the query."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from iscg_graph.build.pipeline import write_store
from iscg_graph.curation.writes import Author, WritePath
from iscg_graph.query.engine import InProcessEngine
from iscg_graph.query.terms import TERMS_QUERY, KnownTerms, _run, load_terms, stored_terms_query
from iscg_graph.rdf.derived import DV_KNOWN_TERM, derived_graph, refresh_store
from iscg_graph.rdf.store import EmbeddedStore
from iscg_graph.vocab import DEFAULT_BASE

REPO = Path(__file__).resolve().parents[2]
MINI = REPO / "tests" / "fixtures" / "queries" / "mini.trig"
EX = "https://example.org/terms-test#"


def _scanned(engine: InProcessEngine) -> frozenset[str]:
    return _run(engine, TERMS_QUERY, None)


def _stored_only(engine: InProcessEngine) -> frozenset[str]:
    return _run(engine, stored_terms_query(), None)


def test_the_real_build_stores_the_terms_the_query_finds(real_store: EmbeddedStore) -> None:
    engine = InProcessEngine(real_store)
    stored, scanned = _stored_only(engine), _scanned(engine)
    assert DV_KNOWN_TERM in stored and len(stored) > 50  # the ontology's terms at least
    assert load_terms(engine) == scanned
    # the dataset description (graph/meta, written after the derivation) is read live
    assert "http://rdfs.org/ns/void#dataDump" in scanned - stored


def _ok(graph: object) -> object:
    class Conforms:
        conforms = True
        violations: list[object] = []

    return Conforms()


def test_the_stored_terms_follow_curated_writes(tmp_path: Path) -> None:
    mem = ox.Store()
    mem.load(path=str(MINI), format=ox.RdfFormat.TRIG)
    store = write_store(tmp_path / "s", mem.dump(format=ox.RdfFormat.N_QUADS) or b"", "t")
    refresh_store(store, derived_graph(DEFAULT_BASE))
    engine = InProcessEngine(store)
    terms = KnownTerms()
    assert terms.get(engine) == _scanned(engine)
    graph = ox.NamedNode(DEFAULT_BASE + "graph/questions")
    thing, prop = ox.NamedNode(EX + "thing"), ox.NamedNode(EX + "newProperty")
    cls = ox.NamedNode(EX + "NewClass")
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    writes = WritePath(store, validate=_ok)

    writes.apply(lambda w: w.extend([ox.Quad(thing, prop, ox.Literal("x"), graph),
                                     ox.Quad(thing, rdf_type, cls, graph)]), Author("test"))
    after = terms.get(engine)  # reloaded: the data generation changed
    assert {prop.value, cls.value} <= after
    assert after == _scanned(engine)  # the journal's own terms included (read live)
    assert {prop.value, cls.value} <= _stored_only(engine)  # written by the write, not read live

    writes.apply(lambda w: w.remove(ox.Quad(thing, prop, ox.Literal("x"), graph)), Author("test"))
    again = terms.get(engine)
    assert prop.value not in again and cls.value in again
    assert again == _scanned(engine)


def test_a_store_without_stored_terms_gets_them_from_the_whole_store_query(tmp_path: Path) -> None:
    mem = ox.Store()
    mem.load(path=str(MINI), format=ox.RdfFormat.TRIG)
    store = write_store(tmp_path / "s", mem.dump(format=ox.RdfFormat.N_QUADS) or b"", "t")
    engine = InProcessEngine(store)
    assert _stored_only(engine) == frozenset()
    found = load_terms(engine)
    assert found == _scanned(engine) and len(found) > 10


@pytest.mark.parametrize("graph", ["", "x> } <y", "with space"])
def test_a_live_graph_must_be_an_iri(graph: str) -> None:
    with pytest.raises(ValueError):
        stored_terms_query([graph])
