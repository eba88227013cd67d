"""The evidence of the Question pairs in the derived graph (`iscg_graph.rdf.derived_evidence`): what
the duplicate-candidate query lists, in a fixed order, and kept exact by the bounded updates of a
curated write when a mapping's kind, agent, status or confidence, a label it shows, or its
retirement changes (each write compared with a full recompute; with the reach of one of them
declared as nothing, the same writes leave a stale graph)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest

from iscg_graph.curation.writes import Author, WritePath
from iscg_graph.query.catalog import QueryCatalog
from iscg_graph.query.engine import InProcessEngine
from iscg_graph.query.reports import run_select
from iscg_graph.rdf import derived_delta
from iscg_graph.rdf.derived import derived_graph, materialise_store
from iscg_graph.rdf.derived_aggregates import Lit
from iscg_graph.rdf.derived_evidence import View, pair_evidence
from iscg_graph.rdf.store import EmbeddedStore, StoreMeta
from iscg_graph.vocab import DEFAULT_BASE

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "queries"
GRAPH = ox.NamedNode(derived_graph(DEFAULT_BASE))
ISCG = "https://w3id.org/iscg/ontology#"
SKOS_PREF = "http://www.w3.org/2004/02/skos/core#prefLabel"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
OWL_DEPRECATED = "http://www.w3.org/2002/07/owl#deprecated"
TRUE = ox.Literal("true", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))
BASE = "https://w3id.org/iscg/id/"
M1 = ox.NamedNode(BASE + "mapping/M0001")  # live, between ITU-D Q6/2 and ITU-T Q9/5
Q_D = ox.NamedNode(BASE + "question/itu-d/2018-2021/6-2")
Q_T = ox.NamedNode(BASE + "question/itu-t/2017-2020/9-5")
MAPPINGS = ox.NamedNode("https://w3id.org/iscg/graph/mappings")
PROV = "http://www.w3.org/ns/prov#"
KIND, AGENT, SURE = (ox.NamedNode(BASE + f"term/{name}") for name in ("complements", "curators", "sure"))


class _Conforms:
    conforms = True
    violations: list[object] = []


def _ok(_graph: object) -> object:
    return _Conforms()


def _store(nquads: bytes) -> EmbeddedStore:
    store = EmbeddedStore(ox.Store(), meta=StoreMeta(data_version="evidence-test", built_at=""))
    store.load_nquads(nquads)
    store.inner.extend(ox.Quad(t.subject, t.predicate, t.object, GRAPH)
                       for t in materialise_store(store.inner, GRAPH.value))
    return store


def _fixture() -> ox.Store:
    mem = ox.Store()
    mem.load(path=str(FIXTURES / "mini.trig"), format=ox.RdfFormat.TRIG)
    return mem


def _label(node: ox.NamedNode, text: str) -> ox.Quad:
    return ox.Quad(node, ox.NamedNode(RDFS_LABEL), ox.Literal(text, language="en"), MAPPINGS)


def _on(predicate: str, value: ox.NamedNode | ox.Literal) -> ox.Quad:
    return ox.Quad(M1, ox.NamedNode(predicate), value, MAPPINGS)


# (added or removed, quad): each step one curated write
STEPS: list[tuple[bool, ox.Quad]] = [
    (True, _on(ISCG + "relationKind", KIND)),
    (True, _label(KIND, "complementary")),
    (True, _on(PROV + "wasAttributedTo", AGENT)),
    (True, _label(AGENT, "the curators")),
    (True, _on(ISCG + "confidence", SURE)),
    (True, _label(SURE, "confirmed")),
    (True, _label(ox.NamedNode(ISCG + "Asserted"), "asserted")),
    (True, _label(KIND, "complements")),  # a second English label: two texts
    (False, _label(KIND, "complementary")),
    (False, _on(ISCG + "status", ox.NamedNode(ISCG + "Asserted"))),
    (True, _on(ISCG + "status", ox.NamedNode(ISCG + "Proposed"))),
    (True, _on(OWL_DEPRECATED, TRUE)),  # the mapping retired: no mapping evidence
    (False, _on(OWL_DEPRECATED, TRUE)),
    (True, _on(ISCG + "status", ox.NamedNode(ISCG + "Rejected"))),
    (False, _on(ISCG + "status", ox.NamedNode(ISCG + "Rejected"))),
    (False, _on(ISCG + "relationKind", KIND)),  # each labelled term taken off again
    (False, _on(PROV + "wasAttributedTo", AGENT)),
    (False, _on(ISCG + "confidence", SURE)),
]


def _evidence(engine: InProcessEngine, catalog: QueryCatalog) -> str | None:
    table = run_select(engine, catalog["question-duplicate-candidates"], {"min_score": "0"})
    for row in table.rows:
        if {row["qa"].value, row["qb"].value} == {Q_D.value, Q_T.value}:
            return row["evidence"].value
    return None


def _apply_steps(check: Callable[[int, EmbeddedStore], None]) -> None:
    store = _store(_fixture().dump(format=ox.RdfFormat.N_QUADS) or b"")
    path = WritePath(store, validate=_ok)
    for n, (add, quad) in enumerate(STEPS):
        path.apply(lambda w, add=add, quad=quad: w.add(quad) if add else w.remove(quad), Author("test"))
        full = {ox.Quad(t.subject, t.predicate, t.object, GRAPH)
                for t in materialise_store(store.inner, GRAPH.value)}
        kept = set(store.inner.quads_for_pattern(None, None, None, GRAPH))
        assert kept == full, (f"step {n}: {len(kept - full)} stale, {len(full - kept)} missing derived "
                              f"statements, e.g. {sorted(map(str, kept ^ full))[:3]}")
        check(n, store)


def test_the_evidence_follows_a_mappings_terms_labels_and_retirement(catalog: QueryCatalog) -> None:
    seen: dict[int, str | None] = {}
    _apply_steps(lambda n, store: seen.__setitem__(n, _evidence(InProcessEngine(store), catalog)))
    assert seen[0] is not None and seen[0].startswith("recorded as related")
    assert seen[6] is not None and seen[6].startswith(
        "recorded as complementary by the curators, asserted, confirmed")
    assert seen[8] is not None and seen[8].startswith("recorded as complements by the curators, asserted")
    assert seen[10] is not None and "recorded as complements by the curators, confirmed" in seen[10]
    assert seen[11] is None or "recorded as" not in seen[11]  # retired: not counted
    assert seen[13] is None or "recorded as" not in seen[13]  # rejected: not counted
    assert seen[14] == seen[10]
    assert seen[15] is not None and seen[15].startswith("recorded as related by the curators, confirmed")
    assert seen[17] == seen[0] == "recorded as related | both address the theme Climate Change"


@pytest.mark.parametrize("predicate", [ISCG + "relationKind", ISCG + "status", RDFS_LABEL,
                                       OWL_DEPRECATED, PROV + "wasAttributedTo", ISCG + "confidence"])
def test_a_wrong_reach_of_the_evidence_is_caught(predicate: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Declared as changing nothing, each of these leaves a stale pair evidence after the steps."""
    monkeypatch.setitem(derived_delta.READS, predicate, lambda _q, _s: derived_delta.NOTHING)
    with pytest.raises(AssertionError, match="derived statements"):
        _apply_steps(lambda _n, _store: None)


def test_the_evidence_text_has_a_fixed_order_and_counts_distinct_rows() -> None:
    """Mappings, then Resolutions, then themes, each in code-point order; identical texts count once
    (the query's DISTINCT rows)."""
    q1, q2 = "urn:q1", "urn:q2"
    objects: dict[tuple[str, str], set[str]] = {
        (q1, ISCG + "addressesTheme"): {"urn:t2", "urn:t1"},
        (q2, ISCG + "addressesTheme"): {"urn:t1", "urn:t2"},
        (q1, ISCG + "relatedResolution"): {"urn:r"}, (q2, ISCG + "relatedResolution"): {"urn:r"},
        ("urn:m1", RDF_TYPE): {ISCG + "Mapping"}, ("urn:m2", RDF_TYPE): {ISCG + "Mapping"},
    }
    labels = {("urn:t1", SKOS_PREF): {Lit("b theme", "en"), Lit("x", "fr")},
              ("urn:t2", SKOS_PREF): {Lit("a theme", "en")},
              ("urn:r", RDFS_LABEL): {Lit("Res. 1", "en")}}
    subjects = {(ISCG + "subject", q1): {"urn:m1"}, (ISCG + "object", q2): {"urn:m1"},
                (ISCG + "subject", q2): {"urn:m2"}, (ISCG + "object", q1): {"urn:m2"}}
    view = View(lambda s, p: {*objects.get((s, p), set()), *labels.get((s, p), set())},
                lambda p, o: subjects.get((p, o), set()))
    found = pair_evidence(view, q1, q2)
    assert found is not None
    # two mappings with the same text: one row (3 points), one Resolution (2), two themes (1 each)
    assert (found.points, found.mappings, found.resolutions, found.themes) == (7, 1, 1, 2)
    assert found.text == ("recorded as related | both follow Res. 1 | both address the theme a theme"
                          " | both address the theme b theme")
    assert pair_evidence(view, q1, "urn:other") is None
