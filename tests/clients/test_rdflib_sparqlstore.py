"""rdflib's SPARQLStore against the live endpoint: graphs backed by the service, as Python systems use it."""

from __future__ import annotations

from urllib.error import HTTPError

import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore, SPARQLUpdateStore
from sparql_client_data import BASE, G_QUESTIONS, G_THEMES, ISCG, QUESTIONS, THEMES

pytestmark = pytest.mark.server
ISCG_NS = rdflib.Namespace(ISCG)


@pytest.fixture(params=["GET", "POST"])
def graph(live_endpoint: str, request: pytest.FixtureRequest) -> rdflib.Graph:
    store = SPARQLStore(query_endpoint=live_endpoint, method=request.param, returnFormat="xml")
    return rdflib.Graph(store=store)


def test_select_with_prefixes_and_bindings(graph: rdflib.Graph) -> None:
    rows = list(graph.query(
        "SELECT ?q WHERE { ?q iscg:addressesTheme ?t } ORDER BY ?q",
        initNs={"iscg": ISCG_NS},
        initBindings={"t": rdflib.URIRef(f"{BASE}id/theme/iscg-areas/1")},
    ))
    assert len(rows) == QUESTIONS // THEMES
    assert all(isinstance(row.q, rdflib.URIRef) for row in rows)  # type: ignore[union-attr]


def test_ask_construct_describe(graph: rdflib.Graph) -> None:
    assert graph.query(f"ASK {{ ?s a <{ISCG}Theme> }}").askAnswer is True
    constructed = graph.query(f"CONSTRUCT {{ ?t a <{ISCG}Theme> }} WHERE {{ ?t a <{ISCG}Theme> }}").graph
    assert constructed is not None and len(constructed) == THEMES
    described = graph.query(f"DESCRIBE <{BASE}id/theme/iscg-areas/2>").graph
    assert described is not None and len(described) == 2


def test_triple_patterns_and_len(graph: rdflib.Graph) -> None:
    themes = set(graph.subjects(rdflib.RDF.type, ISCG_NS.Theme))
    assert len(themes) == THEMES
    label = graph.value(rdflib.URIRef(f"{BASE}id/theme/iscg-areas/3"), rdflib.RDFS.label)
    assert label == rdflib.Literal("Theme 3", lang="en")
    assert len(graph) == QUESTIONS * 3 + THEMES * 2  # the union default graph


def test_named_graphs_as_contexts(live_endpoint: str) -> None:
    store = SPARQLStore(query_endpoint=live_endpoint, returnFormat="json")
    names = sorted(str(c.identifier if isinstance(c, rdflib.Graph) else c) for c in store.contexts())
    assert names == [G_QUESTIONS, G_THEMES]


def test_updates_through_sparqlupdatestore_are_refused(live_endpoint: str) -> None:
    store = SPARQLUpdateStore(query_endpoint=live_endpoint, update_endpoint=live_endpoint)
    with pytest.raises(HTTPError) as info:
        store.update("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    assert info.value.code == 403
    assert not rdflib.Graph(store=SPARQLStore(live_endpoint)).query("ASK { <urn:a> ?p ?o }").askAnswer
