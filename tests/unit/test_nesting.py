"""The bracket-depth scan that refuses deeply nested queries before any parser sees them."""

from __future__ import annotations

import pytest

from iscg_graph.errors import QueryError, QueryTooDeep
from iscg_graph.query.nesting import DEFAULT_MAX_DEPTH, check_nesting, nesting_depth


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", 1),
        ("SELECT * WHERE { { ?s ?p ?o } UNION { ?s ?p [ ?q ?r ] } }", 3),
        ("SELECT * WHERE { FILTER((1 + 2) > 0) }", 3),
        ('SELECT * WHERE { ?s ?p "{{{{((((" }', 1),
        ("SELECT * WHERE { ?s ?p '''{{\n((''' }", 1),
        ('SELECT * WHERE { ?s ?p """ a "quoted" {{ """ }', 1),
        ("SELECT * WHERE { ?s ?p 'it\\'s {' }", 1),
        ("SELECT * WHERE { ?s <http://example.org/a(b)> ?o }", 1),
        ("SELECT * WHERE { # {{{{ ((((\n ?s ?p ?o }", 1),
        ("SELECT * WHERE { FILTER(?a < ?b && ?c > (?d)) }", 3),
        ("}}}} { ?s ?p ?o }", 1),  # unbalanced: left to the parser
        ("", 0),
    ],
)
def test_depth_skips_strings_iris_and_comments(text: str, depth: int) -> None:
    assert nesting_depth(text) == depth


def test_ten_thousand_levels_are_refused_naming_the_limit() -> None:
    for opener, closer in (("{", "}"), ("(", ")")):
        text = "SELECT * WHERE { FILTER" + opener * 10_000 + "1" + closer * 10_000 + " }"
        with pytest.raises(QueryTooDeep) as caught:
            check_nesting(text, 100)
        assert "100" in str(caught.value) and "deep" in str(caught.value)
        assert isinstance(caught.value, QueryError)


def test_the_scan_stops_once_past_the_limit() -> None:
    assert nesting_depth("{" * 10_000, stop_above=5) == 6


def test_at_the_limit_passes_and_zero_means_no_limit() -> None:
    text = "SELECT * WHERE " + "{" * 50 + "}" * 50
    check_nesting(text, 50)
    with pytest.raises(QueryTooDeep):
        check_nesting(text, 49)
    check_nesting("{" * 10_000, 0)


def test_nesting_inside_a_string_is_not_counted() -> None:
    text = 'SELECT * WHERE { ?s ?p "' + "{" * 10_000 + '" }'
    check_nesting(text, DEFAULT_MAX_DEPTH)


def test_many_shallow_brackets_pass_and_few_deep_ones_are_counted() -> None:
    """More openers than the limit, nested two deep: passes (the scan decides). As many openers as
    the limit can never pass it: no scan needed, and the depth is still right when asked."""
    siblings = "SELECT * WHERE { " + "{ ?s ?p ?o } UNION " * 300 + "{ ?s ?p ?o } }"
    check_nesting(siblings, 10)
    assert nesting_depth(siblings) == 2
    with pytest.raises(QueryTooDeep):
        check_nesting("{" * 11 + "}" * 11, 10)
    check_nesting("{" * 10 + "}" * 10, 10)
