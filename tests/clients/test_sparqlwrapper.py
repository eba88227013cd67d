"""SPARQLWrapper, as another Python system would use it, against the live endpoint: every format."""

from __future__ import annotations

import csv
import io
from xml.dom.minidom import Document

import pytest
import rdflib
from sparql_client_data import ISCG, QUESTIONS, THEMES
from SPARQLWrapper import CSV, JSON, JSONLD, N3, POST, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

pytestmark = pytest.mark.server

SELECT = f"""
PREFIX iscg: <{ISCG}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?q ?label WHERE {{ ?q a iscg:Question ; rdfs:label ?label }} ORDER BY ?q
"""
CONSTRUCT = f"""
PREFIX iscg: <{ISCG}>
CONSTRUCT {{ ?q iscg:addressesTheme ?t }} WHERE {{ ?q iscg:addressesTheme ?t }}
"""
ASK = f"ASK {{ ?t a <{ISCG}Theme> }}"


def wrapper(endpoint: str, query: str, fmt: str, method: str = "GET") -> SPARQLWrapper:
    sw = SPARQLWrapper(endpoint)
    sw.setQuery(query)
    sw.setReturnFormat(fmt)
    sw.setMethod(method)
    return sw


@pytest.mark.parametrize("method", ["GET", POST])
def test_select_json(live_endpoint: str, method: str) -> None:
    result = wrapper(live_endpoint, SELECT, JSON, method).query().convert()
    rows = result["results"]["bindings"]  # type: ignore[index]
    assert len(rows) == QUESTIONS
    assert rows[0]["label"]["xml:lang"] == "en"
    assert '"part"' in rows[0]["label"]["value"]


def test_select_xml(live_endpoint: str) -> None:
    doc = wrapper(live_endpoint, SELECT, XML).query().convert()
    assert isinstance(doc, Document)
    assert len(doc.getElementsByTagName("result")) == QUESTIONS


@pytest.mark.parametrize(("fmt", "delimiter"), [(CSV, ","), (TSV, "\t")])
def test_select_csv_tsv(live_endpoint: str, fmt: str, delimiter: str) -> None:
    raw = wrapper(live_endpoint, SELECT, fmt).query().convert()
    assert isinstance(raw, bytes)
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8")), delimiter=delimiter, quoting=csv.QUOTE_NONE
                           if fmt == TSV else csv.QUOTE_MINIMAL))
    assert len(rows) == QUESTIONS + 1
    assert rows[0] in (["q", "label"], ["?q", "?label"])


@pytest.mark.parametrize("fmt", [JSON, XML])
def test_ask(live_endpoint: str, fmt: str) -> None:
    result = wrapper(live_endpoint, ASK, fmt).query().convert()
    if fmt == JSON:
        assert result["boolean"] is True  # type: ignore[index]
    else:
        assert result.getElementsByTagName("boolean")[0].firstChild.data == "true"  # type: ignore[union-attr]


@pytest.mark.parametrize("fmt", [RDFXML, XML, JSONLD])
def test_construct_as_graph(live_endpoint: str, fmt: str) -> None:
    graph = wrapper(live_endpoint, CONSTRUCT, fmt).query().convert()
    assert isinstance(graph, rdflib.Graph)
    assert len(graph) == QUESTIONS


@pytest.mark.parametrize("fmt", [TURTLE, N3])
def test_construct_as_turtle(live_endpoint: str, fmt: str) -> None:
    raw = wrapper(live_endpoint, CONSTRUCT, fmt).query().convert()
    graph = rdflib.Graph().parse(data=raw, format="turtle")
    assert len(graph) == QUESTIONS


def test_describe(live_endpoint: str) -> None:
    theme = f"https://w3id.org/iscg/id/theme/iscg-areas/{THEMES}"
    described = wrapper(live_endpoint, f"DESCRIBE <{theme}>", RDFXML)
    graph = described.query().convert()
    assert isinstance(graph, rdflib.Graph) and len(graph) == 2


def test_bad_query_raises_query_bad_formed(live_endpoint: str) -> None:
    from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

    with pytest.raises(QueryBadFormed, match="line 1"):
        wrapper(live_endpoint, "SELECT * WHERE { ?s ?p }", JSON).query()
