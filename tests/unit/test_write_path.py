"""The write path keeps one rdflib graph of the dataset and patches it from write to write instead of
converting the whole store again: after every write (and a refused one) it must be exactly the
graph a full conversion gives, so validating it gives the full validation's result."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef

from iscg_graph.build.pipeline import write_store
from iscg_graph.curation.history import CHANGES_GRAPH
from iscg_graph.curation.writes import Author, WritePath, to_rdflib
from iscg_graph.errors import ValidationFailed
from iscg_graph.rdf.validation import Severity, ValidationResult

P = ox.NamedNode("http://e/p")
G1, G2 = ox.NamedNode("http://e/g1"), ox.NamedNode("http://e/g2")


class Report:
    def __init__(self, bad: bool):
        self.conforms = not bad
        self.violations = [ValidationResult(URIRef("http://e/bad"), None, "bad", Severity.VIOLATION,
                                            URIRef("http://e/c"), URIRef("http://e/s"))] if bad else []


def _data(store) -> Graph:  # type: ignore[no-untyped-def]
    return to_rdflib([q for q in store.inner if q.graph_name != ox.NamedNode(CHANGES_GRAPH)])


def test_the_patched_graph_equals_a_full_conversion_after_each_write(tmp_path: Path) -> None:
    nq = (b"<http://e/a> <http://e/p> \"1\" <http://e/g1> .\n"
          b"<http://e/a> <http://e/p> \"1\" <http://e/g2> .\n")
    store = write_store(tmp_path / "s", nq, "t")
    seen: list[Graph] = []

    def validator(graph: Graph) -> Report:
        seen.append(graph)
        return Report(any("bad" in str(s) for s in graph.subjects()))

    writes = WritePath(store, validate=validator)
    a1 = ox.Quad(ox.NamedNode("http://e/a"), P, ox.Literal("1"), G1)
    steps = [
        lambda w: w.remove(a1),                                       # still in g2: stays in the union
        lambda w: w.add(ox.Quad(ox.NamedNode("http://e/b"), P, ox.Literal("2"), G1)),
        lambda w: w.remove(ox.Quad(ox.NamedNode("http://e/a"), P, ox.Literal("1"), G2)),  # leaves it
        lambda w: w.add(ox.Quad(ox.NamedNode("http://e/c"), P, ox.NamedNode("http://e/b"), G2)),
    ]
    for step in steps:
        writes.apply(step, Author("t"))
        assert set(seen[-1]) == set(_data(store))
    with pytest.raises(ValidationFailed):
        writes.apply(lambda w: w.add(ox.Quad(ox.NamedNode("http://e/bad"), P, ox.Literal("x"), G1)),
                     Author("t"))
    # the refused write left the kept graph as the store is
    writes.apply(lambda w: w.add(ox.Quad(ox.NamedNode("http://e/d"), P, ox.Literal("4"), G1)), Author("t"))
    assert set(seen[-1]) == set(_data(store))
    assert not any("bad" in str(s) for s in seen[-1].subjects())


def test_validating_the_patched_graph_gives_the_full_validation(tmp_path: Path) -> None:
    """With the real shapes: the report on the kept graph equals the report on a fresh conversion."""
    from iscg_graph.rdf.validation import validate

    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "candidates" / "mini.trig"
    mem = ox.Store()
    mem.load(path=str(fixture), format=ox.RdfFormat.TRIG)
    store = write_store(tmp_path / "s", mem.dump(format=ox.RdfFormat.N_QUADS) or b"", "t")
    reports: list[tuple] = []

    def validator(graph: Graph):  # type: ignore[no-untyped-def]
        report = validate(graph, in_place=True)
        reports.append(tuple(sorted(r.key for r in report.results)))
        return report

    writes = WritePath(store, validate=validator)
    q = ox.NamedNode("https://w3id.org/iscg/id/question/itu-d/2018-2021/3-2")
    label = ox.NamedNode("http://www.w3.org/2004/02/skos/core#altLabel")
    writes.apply(lambda w: w.add(ox.Quad(q, label, ox.Literal("a", language="en"),
                                         ox.NamedNode("https://w3id.org/iscg/graph/itu-d"))), Author("t"))
    writes.apply(lambda w: w.remove(ox.Quad(q, label, ox.Literal("a", language="en"),
                                            ox.NamedNode("https://w3id.org/iscg/graph/itu-d"))), Author("t"))
    full = validate(_data(store))
    assert reports[-1] == tuple(sorted(r.key for r in full.results))


def test_a_write_commits_its_entailed_triples_and_records_only_its_own(tmp_path: Path) -> None:
    """The RDFS closure follows every write in the same commit; the journal keeps the change itself."""
    from iscg_graph.curation.history import get_change
    from iscg_graph.rdf.entailment import ENTAILMENT_GRAPH, refresh_store

    rdfs = "http://www.w3.org/2000/01/rdf-schema#"
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    nq = (f"<http://e/Sub> <{rdfs}subClassOf> <http://e/Super> <http://e/onto> .\n"
          f"<http://e/x> <{rdf_type.value}> <http://e/Other> <http://e/g1> .\n"
          f"<http://e/y> <{rdf_type.value}> <http://e/Sub> <http://e/g1> .\n").encode()
    store = write_store(tmp_path / "s", nq, "t")
    ent = ox.NamedNode(ENTAILMENT_GRAPH)
    assert refresh_store(store, ENTAILMENT_GRAPH) == 1  # as the build leaves it: y a Super
    writes = WritePath(store, validate=lambda graph: Report(False))
    record = writes.apply(lambda w: w.add(ox.Quad(ox.NamedNode("http://e/x"), rdf_type,
                                                  ox.NamedNode("http://e/Sub"), G1)), Author("t"))
    assert record is not None
    entailed = ox.Quad(ox.NamedNode("http://e/x"), rdf_type, ox.NamedNode("http://e/Super"), ent)
    assert entailed in set(store.inner)
    kept = get_change(store.inner, writes.base, record.number)
    assert kept is not None and ENTAILMENT_GRAPH not in kept.patch_text
    # taking the sub-type away takes the entailed super-type with it
    writes.apply(lambda w: w.remove(ox.Quad(ox.NamedNode("http://e/x"), rdf_type,
                                            ox.NamedNode("http://e/Sub"), G1)), Author("t"))
    assert entailed not in set(store.inner)
