"""The request scanner: query form, update detection, SERVICE / FROM targets, and the policy."""

from __future__ import annotations

import pytest

from iscg_graph.errors import QueryRefused
from iscg_graph.query.safety import analyse, check_request, is_allowed


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("SELECT * { ?s ?p ?o }", "SELECT"),
        ("  # comment\nPREFIX ex: <urn:x#>\nBASE <http://b/>\nask { ?s ?p ?o }", "ASK"),
        ("PREFIX : <urn:x#> CONSTRUCT WHERE { ?s :p ?o }", "CONSTRUCT"),
        ("DESCRIBE <urn:a>", "DESCRIBE"),
        ("", None),
        ("SELEC * {}", None),
    ],
)
def test_query_form(text: str, form: str | None) -> None:
    assert analyse(text).form == form
    assert analyse(text).update is None


@pytest.mark.parametrize(
    "text",
    [
        "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
        "PREFIX ex: <urn:x#> delete where { ?s ?p ?o }",
        "LOAD <http://example.org/x>",
        "CLEAR ALL",
        "DROP GRAPH <urn:g>",
        "WITH <urn:g> DELETE { ?s ?p ?o } WHERE {}",
        "CREATE GRAPH <urn:g>",
        "COPY DEFAULT TO <urn:g>",
        "MOVE <urn:a> TO <urn:b>",
        "ADD <urn:a> TO <urn:b>",
        "CLEAR DEFAULT ; LOAD <http://x/>",
    ],
)
def test_update_operations_are_recognised(text: str) -> None:
    assert analyse(text).update is not None
    with pytest.raises(QueryRefused, match="read-only"):
        check_request(analyse(text), store_graphs=set())


def test_service_targets_resolve_prefixes_and_base() -> None:
    a = analyse(
        "BASE <http://h/base/> PREFIX r: <http://r/> SELECT * { SERVICE r:sparql {} "
        "SERVICE SILENT <rel> {} SERVICE ?v {} }"
    )
    assert a.service == ["http://r/sparql", "http://h/base/rel", None]


def test_keywords_in_strings_iris_names_and_comments_are_ignored() -> None:
    a = analyse(
        'PREFIX ex: <urn:x#> SELECT ?service { ?service ex:SERVICE "SERVICE <http://x/>" . '
        "?x <urn:FROM> 'FROM <http://y/>' } # SERVICE <http://z/>\n"
    )
    assert a.service == [] and a.from_graphs == [] and a.update is None
    long_string = 'SELECT * { BIND("""a "quoted" FROM <http://q/> \n line""" AS ?x) }'
    assert analyse(long_string).from_graphs == []


def test_from_and_from_named() -> None:
    a = analyse("PREFIX g: <https://w3id.org/iscg/graph/> SELECT * FROM g:questions FROM NAMED <urn:n> {}")
    assert a.from_graphs == ["https://w3id.org/iscg/graph/questions"]
    assert a.from_named == ["urn:n"]


def test_policy() -> None:
    graphs = {"https://w3id.org/iscg/graph/questions"}
    check_request(analyse("SELECT * FROM <https://w3id.org/iscg/graph/questions> {}"), store_graphs=graphs)
    with pytest.raises(QueryRefused, match="not a graph of this store"):
        check_request(analyse("SELECT * FROM <http://elsewhere/data.ttl> {}"), store_graphs=graphs)
    with pytest.raises(QueryRefused, match="default-graph-uri"):
        check_request(analyse("ASK {}"), store_graphs=graphs, default_graph_uris=["http://elsewhere/"])
    with pytest.raises(QueryRefused, match="SERVICE <http://wikidata/sparql>"):
        check_request(analyse("SELECT * { SERVICE <http://wikidata/sparql> {} }"), store_graphs=graphs)
    allowed = ["http://wikidata/sparql", "http://data.example/"]
    check_request(
        analyse("SELECT * { SERVICE <http://wikidata/sparql> {} }"), store_graphs=graphs, allowed=allowed
    )
    check_request(analyse("ASK FROM <http://data.example/a> {}"), store_graphs=graphs, allowed=allowed)
    with pytest.raises(QueryRefused, match="variable"):
        check_request(analyse("SELECT * { SERVICE ?s {} }"), store_graphs=graphs, allowed=allowed)


def test_allow_list_prefixes_only_with_a_separator() -> None:
    assert is_allowed("http://a/x", ["http://a/"])
    assert not is_allowed("http://a.evil/x", ["http://a"])
    assert is_allowed("http://a", ["http://a"])
