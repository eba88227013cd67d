"""What the service no longer does eagerly at start-up (docs/notes/scale.md §7): graph counts come
from Oxigraph, not a Python loop, and a query does not wait for the known-terms load."""

from __future__ import annotations

import json
import threading
from types import SimpleNamespace

import pyoxigraph as ox

from api import query_assist
from iscg_graph.errors import QueryTimeout
from iscg_graph.query.engine import EngineResult
from iscg_graph.rdf.store import count_graphs


def _by_loop(store: ox.Store) -> dict[str, int]:
    counts: dict[str, int] = {}
    for quad in store:
        key = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else ""
        counts[key] = counts.get(key, 0) + 1
    return counts


def test_count_graphs_counts_every_graph_as_a_loop_over_the_quads_does() -> None:
    store = ox.Store()
    s, p = ox.NamedNode("urn:s"), ox.NamedNode("urn:p")
    store.add(ox.Quad(s, p, ox.Literal("in the default graph")))
    for g, n in (("urn:g1", 3), ("urn:g2", 1)):
        for i in range(n):
            store.add(ox.Quad(s, p, ox.Literal(str(i)), ox.NamedNode(g)))
    store.add(ox.Quad(s, p, ox.Literal("same triple, other graph"), ox.NamedNode("urn:g2")))
    store.add(ox.Quad(s, p, ox.Literal("2"), ox.NamedNode("urn:g2")))  # a triple also in g1
    store.add(ox.Quad(s, p, ox.Literal("2"), ox.NamedNode("urn:g2")))  # a duplicate: one quad
    assert count_graphs(store) == _by_loop(store) == {"": 1, "urn:g1": 3, "urn:g2": 3}
    assert count_graphs(ox.Store()) == {}


class _SlowEngine:
    """An engine whose terms query waits for ``release`` (or fails when ``fail`` is set)."""

    def __init__(self) -> None:
        self.generation = 0
        self.runs = 0
        self.release = threading.Event()
        self.fail = False

    def graphs(self, wait: float = 0.0) -> frozenset[str]:
        return frozenset({"urn:g"})

    def run(self, sparql: str, **kwargs: object) -> EngineResult:
        if "knownTerm" in sparql:  # a store without stored terms: the whole-store query follows
            empty = {"head": {"vars": ["t"]}, "results": {"bindings": []}}
            return EngineResult(json.dumps(empty).encode(), "application/sparql-results+json", "bindings")
        self.runs += 1
        self.release.wait(30)
        if self.fail:
            raise QueryTimeout("the query ran longer than 30 s and was stopped")
        body = {"head": {"vars": ["t"]}, "results": {"bindings": [{"t": {"type": "uri", "value": "urn:t"}}]}}
        return EngineResult(json.dumps(body).encode(), "application/sparql-results+json", "bindings")


def test_a_query_waits_at_most_the_bound_for_the_known_terms_then_gets_them_once_loaded() -> None:
    state, engine = SimpleNamespace(), _SlowEngine()
    assert query_assist.terms_soon(state, engine, 30.0, wait=0.05) is None  # type: ignore[arg-type]
    assert query_assist.terms_soon(state, engine, 30.0, wait=0.05) is None  # type: ignore[arg-type]
    assert engine.runs == 1  # one load under way, not one per query
    engine.release.set()
    state.terms_loader.join(10)
    assert query_assist.terms_soon(state, engine, 30.0, wait=0.05) == {"urn:t"}  # type: ignore[arg-type]
    assert engine.runs == 1


def test_a_terms_load_that_failed_is_not_retried_by_every_query() -> None:
    state, engine = SimpleNamespace(), _SlowEngine()
    engine.fail = True
    engine.release.set()
    assert query_assist.terms_soon(state, engine, 30.0, wait=5.0) is None  # type: ignore[arg-type]
    state.terms_loader.join(10)
    assert query_assist.terms_soon(state, engine, 30.0, wait=0.05) is None  # type: ignore[arg-type]
    assert engine.runs == 1 and state.terms_failed_at is not None
    state.terms_failed_at -= query_assist.TERMS_RETRY + 1  # the retry delay has passed
    engine.fail = False
    assert query_assist.terms_soon(state, engine, 30.0, wait=5.0) == {"urn:t"}  # type: ignore[arg-type]
    assert engine.runs == 2
