"""A Virtuoso answer's booleans written as the embedded store writes them (`remote_values`)."""

from __future__ import annotations

import json

import pyoxigraph as ox

from iscg_graph.query.remote_values import BOOLEAN, canonical_booleans


def _doc(*cells: dict[str, str]) -> bytes:
    rows = [{"v": cell} for cell in cells]
    return json.dumps({"head": {"vars": ["v"]}, "results": {"bindings": rows}}).encode()


def _terms(body: bytes) -> list[object]:
    parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
    assert isinstance(parsed, ox.QuerySolutions)
    return [solution["v"] for solution in parsed]


def test_one_and_zero_become_true_and_false() -> None:
    body = _doc({"type": "typed-literal", "datatype": BOOLEAN, "value": "1"},
                {"type": "typed-literal", "datatype": BOOLEAN, "value": "0"},
                {"type": "literal", "datatype": BOOLEAN, "value": "true"})
    boolean = ox.NamedNode(BOOLEAN)
    assert _terms(canonical_booleans(body)) == [ox.Literal("true", datatype=boolean),
                                                 ox.Literal("false", datatype=boolean),
                                                 ox.Literal("true", datatype=boolean)]


def test_other_values_are_left_as_they_are() -> None:
    integer = "http://www.w3.org/2001/XMLSchema#integer"
    body = _doc({"type": "typed-literal", "datatype": integer, "value": "1"},
                {"type": "literal", "value": "1"},
                {"type": "literal", "value": f"a string naming {BOOLEAN}"},
                {"type": "uri", "value": BOOLEAN})
    assert canonical_booleans(body) == body  # nothing to rewrite: the very same bytes
    no_boolean = _doc({"type": "literal", "value": "0"})
    assert canonical_booleans(no_boolean) is no_boolean


def test_an_ask_answer_or_a_broken_document_is_passed_on() -> None:
    ask = json.dumps({"head": {}, "boolean": True, "note": BOOLEAN}).encode()
    assert canonical_booleans(ask) == ask
    broken = b'{"results": ' + BOOLEAN.encode()
    assert canonical_booleans(broken) == broken
