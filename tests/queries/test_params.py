"""Typed parameters: values become RDF terms for substitution; bad values name the parameter."""

from __future__ import annotations

import pytest

from iscg_graph.errors import ParameterError
from iscg_graph.query.catalog import ParamSpec, QuerySpec
from iscg_graph.query.engine import parse_term

BASE = "https://w3id.org/iscg/"
XSD_INT = "<http://www.w3.org/2001/XMLSchema#integer>"


@pytest.mark.parametrize(
    ("ptype", "raw", "term"),
    [
        ("sector", "ITU-T", f"<{BASE}id/sector/itu-t>"),
        ("sector", "gs", f"<{BASE}id/sector/gs>"),
        ("sector", f"{BASE}id/sector/itu-d", f"<{BASE}id/sector/itu-d>"),
        ("study_period", "2018-2021", '"2018-2021"'),
        ("theme", "resolution-areas/27", f"<{BASE}id/theme/resolution-areas/27>"),
        ("theme", f"{BASE}id/theme/iscg-areas/8.1", f"<{BASE}id/theme/iscg-areas/8.1>"),
        ("scheme", "isctf-topics", f"<{BASE}id/scheme/isctf-topics>"),
        ("study_group", "itu-t/2017-2020/sg17", f"<{BASE}id/study-group/itu-t/2017-2020/sg17>"),
        ("iri", "https://example.org/a?b=c", "<https://example.org/a?b=c>"),
        ("integer", "42", f'"42"^^{XSD_INT}'),
        ("integer", "-3", f'"-3"^^{XSD_INT}'),
        ("string", 'say "hi"\n', '"say \\"hi\\""'),
    ],
)
def test_good_values_become_terms(ptype: str, raw: str, term: str) -> None:
    out = ParamSpec("p", ptype).to_term(raw, BASE)
    assert out == term
    parse_term(out)  # and the engine can read it back as one term


@pytest.mark.parametrize(
    ("ptype", "raw", "message"),
    [
        ("sector", "ITU-X", "unknown Sector"),
        ("sector", "", "empty"),
        ("study_period", "2020-2017", "YYYY-YYYY"),
        ("study_period", "2017", "YYYY-YYYY"),
        ("study_period", "\u0662\u0660\u0661\u0667-\u0662\u0660\u0662\u0660", "digits 0-9"),  # Arabic-Indic
        ("study_period", "\uff12\uff10\uff11\uff17-\uff12\uff10\uff12\uff10", "digits 0-9"),  # full-width
        ("theme", "https://example.org/theme/1", "theme IRI"),
        ("theme", "x> } UNION { ?s ?p ?o", "theme identifier"),
        ("scheme", "nope", "unknown theme scheme"),
        ("study_group", "../etc", "study group identifier"),
        ("iri", "not an iri", "absolute IRI"),
        ("iri", "http://x/>", "absolute IRI"),
        ("iri", 'http://x/"', "absolute IRI"),
        ("integer", "1.5", "not an integer"),
        ("integer", "9" * 20, "not an integer"),
        ("integer", "\u0665", "digits 0-9"),
        ("integer", "\uff15", "digits 0-9"),
        ("string", "x" * 201, "longer than"),
    ],
)
def test_bad_values_raise_naming_the_parameter(ptype: str, raw: str, message: str) -> None:
    with pytest.raises(ParameterError, match=message) as info:
        ParamSpec("the_param", ptype).to_term(raw, BASE)
    assert info.value.name == "the_param"
    assert "the_param" in str(info.value)


def test_integer_bounds() -> None:
    p = ParamSpec("n", "integer", minimum=1, maximum=10)
    with pytest.raises(ParameterError, match="at least 1"):
        p.to_term("0")
    with pytest.raises(ParameterError, match="at most 10"):
        p.to_term("11")


def _spec() -> QuerySpec:
    return QuerySpec(
        name="q",
        text="SELECT ?a ?b WHERE { ?s ?p ?a }",
        summary="x",
        params=(ParamSpec("a", "sector", required=True), ParamSpec("b", "integer", default="5")),
    )


def test_bind_applies_defaults_and_requires() -> None:
    spec = _spec()
    assert spec.bind({"a": "ITU-R"}) == {"a": f"<{BASE}id/sector/itu-r>", "b": f'"5"^^{XSD_INT}'}
    assert spec.effective_params({"a": "ITU-R", "b": ""}) == {"a": "ITU-R", "b": "5"}
    with pytest.raises(ParameterError, match="required") as info:
        spec.bind({})
    assert info.value.name == "a"


def test_bind_rejects_unknown_names() -> None:
    with pytest.raises(ParameterError, match="unknown parameter") as info:
        _spec().bind({"a": "GS", "c": "1"})
    assert info.value.name == "c"


def test_metadata_lists_types_and_allowed_values() -> None:
    doc = _spec().to_json()
    assert doc["parameters"][0] == {
        "name": "a",
        "type": "sector",
        "required": True,
        "default": None,
        "description": "",
        "label": "a",
        "allowed_values": ["ITU-R", "ITU-T", "ITU-D", "GS"],
    }
    assert doc["parameters"][1]["default"] == "5"
