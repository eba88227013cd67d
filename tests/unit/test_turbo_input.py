"""The turbo engine given the data beside the ontology encoded once (`turbo_input`) reports what it
reported when given one rdflib graph of data plus ontology: every result, message and value."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from iscg_graph.rdf import validation
from iscg_graph.rdf.turbo_input import engine_input

pytestmark = pytest.mark.skipif("turbo" not in validation.available_engines(), reason="no pyshacl-turbo")

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "shapes"
CASES = sorted(FIXTURES.glob("*/*.ttl"))


def _full(report: Graph) -> list[tuple[str, ...]]:
    return [(*r.key, r.message, str(r.value), str(r.source_shape)) for r in validation._results(report)]


def _merged_graph_results(data: Graph) -> list[tuple[str, ...]]:
    """What `validate` did before: the ontology added to the data graph, the graph handed over."""
    combined = Graph()
    combined += data
    combined += validation.load_ontology()
    program = validation._turbo_program(str(validation.DEFAULT_SHAPES_DIR.resolve()))
    _, report, _ = program.validate(combined, allow_warnings=True, allow_infos=True)
    return _full(report)


def _encoded_results(data: Graph) -> list[tuple[str, ...]]:
    program = validation._turbo_program(str(validation.DEFAULT_SHAPES_DIR.resolve()))
    _, report, _ = program.validate(engine_input(data, validation.load_ontology()),
                                    allow_warnings=True, allow_infos=True)
    return _full(report)


def test_the_fixtures_are_found() -> None:
    assert len(CASES) > 100


@pytest.mark.parametrize("path", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_same_report_on_every_shape_fixture(path: Path) -> None:
    data = Graph().parse(path)
    assert _encoded_results(data) == _merged_graph_results(data)


def test_ontology_triples_in_the_data_and_blank_nodes() -> None:
    """A data triple that is an ontology triple is one triple, as in the merged graph; blank nodes
    (focus nodes of results) come back as the caller's."""
    ontology = validation.load_ontology()
    s, p, o = next(iter(ontology.triples((None, RDFS.subClassOf, None))))
    data = Graph().parse(next(p for p in CASES if p.parent.name == "invalid"))
    data.add((s, p, o))
    node = BNode()
    data.add((node, RDF.type, SKOS.Concept))
    data.add((node, SKOS.prefLabel, Literal("x", lang="en")))
    data.add((URIRef("https://example.org/n"), SKOS.notation, Literal(" x ", datatype=URIRef(
        "http://www.w3.org/2001/XMLSchema#token"))))
    assert _encoded_results(data) == _merged_graph_results(data)


def test_in_place_leaves_the_callers_graph_as_it_was() -> None:
    data = Graph().parse(CASES[0])
    before = set(data)
    validation.validate(data, in_place=True, engine="turbo")
    assert set(data) == before
    # and the encoded ontology is not changed by a validation either (the next one starts from it)
    assert _encoded_results(data) == _merged_graph_results(data)


def test_the_encoded_ontologies_stay_bounded_when_each_call_brings_a_new_graph() -> None:
    from iscg_graph.rdf import turbo_input

    data = Graph()
    data.add((URIRef("urn:x:a"), RDF.type, URIRef("urn:x:C")))
    for n in range(3 * turbo_input._CACHED_ONTOLOGIES):
        ontology = Graph()
        ontology.add((URIRef(f"urn:x:C{n}"), RDFS.subClassOf, URIRef("urn:x:C")))
        engine_input(data, ontology)
        assert len(turbo_input._CACHE) <= turbo_input._CACHED_ONTOLOGIES


def _focus(data: Graph) -> set[URIRef]:
    return {s for s in data.subjects() if isinstance(s, URIRef)}


@pytest.mark.parametrize("path", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_the_data_given_as_a_set_of_triples_is_validated_as_its_graph(path: Path) -> None:
    """`validate_triples` (a focus validation's data, no rdflib graph built) reports what validating
    a new graph of the same triples in place reports: every result, message and value."""
    data = Graph().parse(path)
    triples, focus = set(data), _focus(data)
    fresh = Graph()
    for triple in triples:
        fresh.add(triple)
    assert validation.validate_triples(triples, focus_nodes=focus, engine="turbo").results == \
        validation.validate(fresh, in_place=True, focus_nodes=focus, engine="turbo").results


def test_the_data_given_as_a_set_of_triples_with_the_reference_engine() -> None:
    data = Graph().parse(next(p for p in CASES if p.parent.name == "invalid"))
    triples, focus = set(data), _focus(data)
    report = validation.validate_triples(triples, focus_nodes=focus, engine="pyshacl")
    assert report.violations and report.engine == "pyshacl"
    assert report.results == validation.validate_triples(triples, focus_nodes=focus, engine="turbo").results


def test_a_set_of_triples_carries_the_prefixes_of_a_new_graph() -> None:
    data = Graph().parse(CASES[0])
    fresh = Graph()
    for triple in data:
        fresh.add(triple)
    given = engine_input(set(data), validation.load_ontology())
    assert given.namespaces == engine_input(fresh, validation.load_ontology()).namespaces
    assert given.namespaces  # (a new graph binds rdflib's prefixes)
