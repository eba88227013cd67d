"""iscg_graph.rdf.validation: the typed outcome of SHACL validation."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH

from iscg_graph.errors import SourceError
from iscg_graph.rdf.validation import (
    Severity,
    ValidationReport,
    ValidationResult,
    available_engines,
    default_engine,
    load_data,
    load_shapes,
    shapes_graph,
    validate,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "shapes"
MEETING_NO_BODY = FIXTURES / "invalid" / "MeetingShape-001-no-body.ttl"
MEETING_NO_DATE = FIXTURES / "invalid" / "MeetingDetailsShape-001-no-date.ttl"
VALID_MAPPING = FIXTURES / "valid" / "MappingShape-001.ttl"
ISCG = "https://w3id.org/iscg/ontology#"
MEETING = URIRef("https://w3id.org/iscg/id/meeting/iscg-2019-2")


@pytest.mark.parametrize("engine", ["pyshacl", "turbo"])
def test_a_violation_gives_a_typed_failing_report(engine):
    report = validate(Graph().parse(MEETING_NO_BODY), engine=engine)
    assert isinstance(report, ValidationReport)
    assert report.engine == engine
    assert report.conforms is False
    assert report.warnings == ()
    (result,) = report.violations
    assert isinstance(result, ValidationResult)
    assert result.focus_node == MEETING
    assert result.result_path == URIRef(ISCG + "meetingOf")
    assert result.severity is Severity.VIOLATION
    assert result.constraint_component == SH.MinCountConstraintComponent
    assert result.source_shape == URIRef("https://w3id.org/iscg/shapes#Meeting-meetingOf")
    assert result.message == "a meeting needs exactly one iscg:meetingOf, a CoordinationBody"
    assert result.value is None


def test_warnings_alone_conform():
    report = validate(Graph().parse(MEETING_NO_DATE), engine="pyshacl")
    assert report.conforms is True
    assert report.violations == ()
    assert [r.severity for r in report.warnings] == [Severity.WARNING]
    assert report.results == report.warnings


def test_report_and_results_are_frozen():
    report = validate(Graph().parse(MEETING_NO_BODY), engine="pyshacl")
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.conforms = True  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.results[0].message = "x"  # type: ignore[misc]


def test_a_dataset_is_validated_as_the_merge_of_its_named_graphs():
    graph = Graph().parse(MEETING_NO_BODY)
    dataset = Dataset()
    first = dataset.graph(URIRef("https://w3id.org/iscg/graph/coordination"))
    second = dataset.graph(URIRef("https://w3id.org/iscg/graph/organisations"))
    for i, triple in enumerate(sorted(graph)):
        (first if i % 2 else second).add(triple)
    assert validate(dataset, engine="pyshacl").results == validate(graph, engine="pyshacl").results


def test_results_are_sorted_and_repeatable():
    graph = Graph().parse(FIXTURES / "invalid" / "ThemeInSchemeShape-002-duplicate-notation.ttl")
    first = validate(graph, engine="pyshacl").results
    assert len(first) == 2
    assert [r.key for r in first] == sorted(r.key for r in first)
    assert validate(graph, engine="pyshacl").results == first


def test_a_resource_without_label_source_and_confidence_fails_on_each():
    graph = Graph()
    question = URIRef("https://w3id.org/iscg/id/question/itu-t/2017-2020/4-17")
    graph.add((question, RDF.type, URIRef(ISCG + "Question")))
    report = validate(graph, engine="pyshacl")
    paths = {str(r.result_path) for r in report.violations if "#DataResource-" in str(r.source_shape)}
    assert paths == {str(RDFS.label), "http://purl.org/dc/terms/source", ISCG + "confidence"}


def test_subclass_instances_are_targeted_through_the_ontology():
    graph = Graph()
    body = URIRef("https://w3id.org/iscg/id/body/isc-tf")
    graph.add((body, RDF.type, URIRef(ISCG + "TaskForce")))  # DataResourceShape targets CoordinationBody
    report = validate(graph, engine="pyshacl")
    assert {r.focus_node for r in report.violations} == {body}
    assert any("#DataResource-" in str(r.source_shape) for r in report.violations)
    without_ontology = validate(graph, engine="pyshacl", ontology=Graph())
    assert not any("#DataResource-" in str(r.source_shape) for r in without_ontology.results)
    # ... and with no ontology the class is unknown, which KnownClassShape reports
    assert [str(r.source_shape) for r in without_ontology.violations] == [
        "https://w3id.org/iscg/shapes#KnownClassShape"
    ]


def test_shapes_dir_override(tmp_path):
    (tmp_path / "only.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "<urn:x:S> a sh:NodeShape ; sh:targetNode <urn:x:n> ; "
        "sh:property [ sh:path rdfs:label ; sh:minCount 1 ] .\n",
        encoding="utf-8",
    )
    report = validate(Graph(), shapes_dir=tmp_path, engine="pyshacl")
    assert [str(r.focus_node) for r in report.violations] == ["urn:x:n"]
    labelled = Graph()
    labelled.add((URIRef("urn:x:n"), RDFS.label, Literal("n")))
    assert validate(labelled, shapes_dir=tmp_path, engine="pyshacl").conforms


def test_empty_shapes_dir_is_a_source_error(tmp_path):
    with pytest.raises(SourceError, match="no \\*.ttl shapes files"):
        validate(Graph(), shapes_dir=tmp_path)


def test_unknown_engine_is_refused():
    with pytest.raises(ValueError, match="unknown SHACL engine"):
        validate(Graph(), engine="jena")  # type: ignore[arg-type]


def test_turbo_is_the_default_engine_when_installed():
    assert available_engines() == ("pyshacl", "turbo")
    assert default_engine() == "turbo"
    assert validate(Graph().parse(VALID_MAPPING)).engine == "turbo"


def test_load_shapes_is_cached_and_shapes_graph_is_a_copy():
    assert load_shapes() is load_shapes()
    copy = shapes_graph()
    assert len(copy) == len(load_shapes())
    copy.remove((None, None, None))
    assert len(load_shapes()) > 0


def test_load_data_merges_files_and_reports_bad_ones(tmp_path):
    graph = load_data([VALID_MAPPING, MEETING_NO_BODY])
    assert len(graph) == len(Graph().parse(VALID_MAPPING) + Graph().parse(MEETING_NO_BODY))
    broken = tmp_path / "broken.ttl"
    broken.write_text("<urn:a> <urn:b> .\n", encoding="utf-8")
    with pytest.raises(SourceError) as info:
        load_data([broken])
    assert str(broken) in str(info.value)
    with pytest.raises(SourceError, match="file not found"):
        load_data([tmp_path / "missing.ttl"])
    with pytest.raises(SourceError, match="unknown RDF file type"):
        load_data([tmp_path / "data.csv"])
    with pytest.raises(SourceError, match="no data files"):
        load_data([])
