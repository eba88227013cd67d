"""An ASK rewritten as ``SELECT * … LIMIT 1`` for Virtuoso (`remote_ask`), and its answer."""

from __future__ import annotations

import json

import pytest

from iscg_graph.query.remote_ask import ask_as_select, boolean_answer


@pytest.mark.parametrize("text,want", [
    ("ASK { GRAPH <urn:g> { ?s ?p ?o } }", "SELECT * { GRAPH <urn:g> { ?s ?p ?o } }\nLIMIT 1\n"),
    ('PREFIX x: <urn:x#>\nask WHERE { ?s x:p "ASK" } # the end',
     'PREFIX x: <urn:x#>\nSELECT * WHERE { ?s x:p "ASK" } # the end\nLIMIT 1\n'),
    ("ASK FROM <urn:a> { { SELECT ?s { ?s ?p ?o } LIMIT 3 } }",
     "SELECT * FROM <urn:a> { { SELECT ?s { ?s ?p ?o } LIMIT 3 } }\nLIMIT 1\n"),
])
def test_a_simple_ask_becomes_a_select_of_one_row(text: str, want: str) -> None:
    assert ask_as_select(text) == want


@pytest.mark.parametrize("text", [
    "ASK { ?s ?p ?o } VALUES ?s { <urn:a> }",  # a trailing VALUES: LIMIT would have to go before it
    "ASK { ?s ?p ?o } GROUP BY ?s",             # SELECT * is not allowed with GROUP BY
    "ASK { ?s ?p ?o } LIMIT 0",
    "SELECT * { ?s ?p ?o }",
    "ASK { ?s ?p ?o",
])
def test_anything_else_is_sent_as_it_is(text: str) -> None:
    assert ask_as_select(text) is None


def test_the_answer_is_true_when_the_select_has_a_row() -> None:
    def select(rows: list[dict[str, object]]) -> bytes:
        return json.dumps({"head": {"vars": ["s"]}, "results": {"bindings": rows}}).encode()

    assert json.loads(boolean_answer(select([{"s": {"type": "uri", "value": "urn:a"}}])))["boolean"] is True
    assert json.loads(boolean_answer(select([])))["boolean"] is False
