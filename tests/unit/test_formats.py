"""Content negotiation for SPARQL results and RDF graphs."""

from __future__ import annotations

import pytest

from iscg_graph.render.formats import (
    CSV,
    JSON,
    JSONLD,
    NTRIPLES,
    RDFXML,
    TSV,
    TURTLE,
    XML,
    content_type,
    negotiate,
)


@pytest.mark.parametrize(
    ("accept", "family", "expected"),
    [
        (None, "results", JSON),
        ("", "graph", TURTLE),
        ("*/*", "graph", TURTLE),
        ("application/sparql-results+xml", "results", XML),
        ("application/json", "results", JSON),
        ("application/json", "graph", JSONLD),
        ("application/xml", "graph", RDFXML),
        ("text/csv;q=0.2, text/tab-separated-values;q=0.9", "results", TSV),
        ("text/html, application/xhtml+xml, */*;q=0.8", "results", JSON),
        ("text/html", "results", None),
        ("text/csv", "graph", None),
        ("text/turtle;q=0, application/n-triples", "graph", NTRIPLES),
        (
            "application/turtle,text/turtle,text/rdf+n3,application/n-triples,application/n3,text/n3",
            "graph",
            TURTLE,
        ),
        ("text/*", "results", CSV),
    ],
)
def test_accept(accept: str | None, family: str, expected: str | None) -> None:
    assert negotiate(accept, family, ()) == expected  # type: ignore[arg-type]


def test_format_parameter_wins_and_takes_the_first_usable_value() -> None:
    assert negotiate("text/csv", "results", ["json"]) == JSON
    assert negotiate(None, "results", ["tsv", "text/tab-separated-values"]) == TSV
    assert negotiate(None, "graph", ["xml"]) == RDFXML
    assert negotiate(None, "graph", ["n3"]) == TURTLE
    assert negotiate(None, "results", ["yaml"]) is None


def test_content_type_adds_charset_to_text_types_only() -> None:
    assert content_type(CSV) == "text/csv; charset=utf-8"
    assert content_type(JSON) == JSON
