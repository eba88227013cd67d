"""A review decision updates the coverage rows' "linked" flag from the decided mapping alone
(`iscg_graph.rdf.derived_linked`), and the derived graph still equals a full recompute.

On the fixture, two unlinked entries are first put in one area (an exact match) and given an item
each; then, with the full recompute refused: a mapping between the two items links the area's row
only (an entry linked to its area), a mapping between two items on one entry links that entry's
rows too, a fresh rejected decision links nothing, and rejecting the mappings again (which can
unlink: the themes' aggregates recomputed) takes the flags back; a decision written together with a
change to what the aggregates read (an entry's names) is not updated from the mapping alone. Each
step names the path it must take, so a decision that silently fell back to the recompute would fail
too.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest

from iscg_graph.curation.writes import Author, WritePath
from iscg_graph.rdf import derived_linked, derived_scope
from iscg_graph.rdf.derived import derived_graph, materialise_store
from iscg_graph.rdf.derived_source import digest
from iscg_graph.rdf.store import EmbeddedStore, StoreMeta
from iscg_graph.vocab import DEFAULT_BASE

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "queries"
ISCG = "https://w3id.org/iscg/ontology#"
DV = "https://w3id.org/iscg/derived#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
GRAPH = ox.NamedNode(derived_graph(DEFAULT_BASE))
REVIEWS = ox.NamedNode(DEFAULT_BASE + "graph/reviews")
DATA = ox.NamedNode(DEFAULT_BASE + "graph/test")
A = ox.NamedNode(DEFAULT_BASE + "id/theme/resolution-areas/7")  # two entries of the fixture, unlinked
B = ox.NamedNode(DEFAULT_BASE + "id/theme/resolution-areas/24")  # and unmatched: B < A, B the area


class _Conforms:
    conforms = True
    violations: list[object] = []


def _row(mode: str, unit: ox.NamedNode) -> ox.NamedNode:
    return ox.NamedNode(f"{DEFAULT_BASE}derived/coverage/{digest(mode, unit.value)}")


def _linked(store: ox.Store, mode: str, unit: ox.NamedNode) -> str:
    """The row's flag, "-" when there is no such row."""
    linked = ox.NamedNode(DV + "coverageLinked")
    flags = [q.object.value for q in store.quads_for_pattern(_row(mode, unit), linked, None, GRAPH)]
    assert len(flags) <= 1, (mode, unit, flags)
    return flags[0] if flags else "-"


def _mapping(n: int, left: ox.NamedNode, right: ox.NamedNode, status: str) -> list[ox.Quad]:
    m = ox.NamedNode(f"{DEFAULT_BASE}id/mapping/L{n}")
    return [ox.Quad(m, RDF_TYPE, ox.NamedNode(ISCG + "Mapping"), REVIEWS),
            ox.Quad(m, ox.NamedNode(ISCG + "subject"), left, REVIEWS),
            ox.Quad(m, ox.NamedNode(ISCG + "object"), right, REVIEWS),
            ox.Quad(m, ox.NamedNode(ISCG + "status"), ox.NamedNode(ISCG + status), REVIEWS)]


def _rejected(n: int) -> ox.Quad:
    return ox.Quad(ox.NamedNode(f"{DEFAULT_BASE}id/mapping/L{n}"), ox.NamedNode(ISCG + "status"),
                   ox.NamedNode(ISCG + "Rejected"), REVIEWS)


def test_a_decision_updates_the_linked_flags_from_its_mapping(monkeypatch: pytest.MonkeyPatch) -> None:
    mem = ox.Store()
    mem.load(path=str(FIXTURES / "mini.trig"), format=ox.RdfFormat.TRIG)
    store = EmbeddedStore(ox.Store(), meta=StoreMeta(data_version="linked-test", built_at=""))
    store.load_nquads(mem.dump(format=ox.RdfFormat.N_QUADS) or b"")
    store.inner.extend(ox.Quad(t.subject, t.predicate, t.object, GRAPH)
                       for t in materialise_store(store.inner, GRAPH.value))
    assert [_linked(store.inner, mode, t) for mode in ("items", "areas") for t in (A, B)] == ["false"] * 4
    path = WritePath(store, validate=lambda _g: _Conforms())
    addresses = ox.NamedNode(ISCG + "addressesTheme")
    x, y, z, v = (ox.NamedNode(f"{DEFAULT_BASE}id/item/linked-{n}") for n in "xyzv")
    exact = ox.NamedNode(SKOS + "exactMatch")
    setup = [ox.Quad(A, exact, B, DATA), ox.Quad(x, addresses, A, DATA), ox.Quad(y, addresses, B, DATA),
             ox.Quad(z, addresses, A, DATA), ox.Quad(v, addresses, B, DATA)]
    path.apply(lambda w: w.extend(setup), Author("test"))

    taken: list[str] = []
    original = derived_linked.linked_change

    def spied(*args: object) -> object:
        out = original(*args)  # type: ignore[arg-type]
        taken.append("recomputed" if out is None else "updated")
        return out

    monkeypatch.setattr(derived_scope, "linked_change", spied)
    monkeypatch.setattr("iscg_graph.rdf.derived.materialise_store",
                        lambda *_a: pytest.fail("recomputed the whole derived graph"))

    def write(change: Callable[[ox.Store], None], path_taken: str | None, flags: list[str]) -> None:
        taken.clear()
        path.apply(change, Author("test"))
        assert taken == ([path_taken] if path_taken else [])
        assert [_linked(store.inner, "items", A), _linked(store.inner, "items", B),
                _linked(store.inner, "areas", B)] == flags
        expected = {ox.Quad(t.subject, t.predicate, t.object, GRAPH)  # this module's name: not refused
                    for t in materialise_store(store.inner, GRAPH.value)}
        assert set(store.inner.quads_for_pattern(None, None, None, GRAPH)) == expected

    # x on A, y on B, A and B one area: the area's row is linked, neither entry's own row
    write(lambda w: w.extend(_mapping(1, x, y, "Accepted")), "updated", ["false", "false", "true"])
    # x and z both on A: A's own row too
    write(lambda w: w.extend(_mapping(2, z, x, "Accepted")), "updated", ["true", "false", "true"])
    # a rejected decision joins nothing
    write(lambda w: w.extend(_mapping(3, y, x, "Rejected")), "updated", ["true", "false", "true"])
    # rejecting an accepted mapping can unlink: recomputed from the themes
    write(lambda w: w.add(_rejected(2)), "recomputed", ["false", "false", "true"])
    write(lambda w: w.add(_rejected(1)), "recomputed", ["false", "false", "false"])
    # reinstating one cannot unlink: updated again
    write(lambda w: w.remove(_rejected(1)), "updated", ["false", "false", "true"])
    # a decision in a write that also changes what the aggregates read (B's names taken off: B is no
    # longer an entry, its own row goes): not updated from the mapping, the themes recomputed
    names = [q for q in store.inner.quads_for_pattern(B, ox.NamedNode(SKOS + "prefLabel"), None)
             if q.graph_name != GRAPH]
    assert names

    def unnamed(w: ox.Store) -> None:
        for q in names:
            w.remove(q)
        w.extend(_mapping(4, y, v, "Accepted"))

    write(unnamed, None, ["false", "-", "true"])
