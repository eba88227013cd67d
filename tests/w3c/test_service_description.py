"""W3C SPARQL 1.1 Service Description checks (service-description/manifest.ttl), against a live service.

The manifest's three tests are described in prose only; each is mapped to a check here, and the
mapping must cover exactly the manifest's entries.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
import rdflib
from external import W3C_SPARQL11, missing
from rdflib.collection import Collection

HERE = Path(__file__).resolve().parent
MANIFEST = W3C_SPARQL11 / "service-description" / "manifest.ttl"
MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")

RDF_TYPES = {
    "text/turtle": "turtle",
    "application/rdf+xml": "xml",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
}

# every term of the SD vocabulary (spec section 3)
SD_TERMS = {
    "Service",
    "Language",
    "Function",
    "Aggregate",
    "EntailmentRegime",
    "EntailmentProfile",
    "GraphCollection",
    "Dataset",
    "Graph",
    "NamedGraph",
    "Feature",
    "endpoint",
    "feature",
    "defaultEntailmentRegime",
    "entailmentRegime",
    "defaultSupportedEntailmentProfile",
    "supportedEntailmentProfile",
    "extensionFunction",
    "extensionAggregate",
    "languageExtension",
    "supportedLanguage",
    "propertyFeature",
    "defaultDataset",
    "availableGraphs",
    "resultFormat",
    "inputFormat",
    "defaultGraph",
    "namedGraph",
    "name",
    "graph",
    "SPARQL10Query",
    "SPARQL11Query",
    "SPARQL11Update",
    "DereferencesURIs",
    "UnionDefaultGraph",
    "RequiresDataset",
    "EmptyGraphs",
    "BasicFederatedQuery",
}


def manifest_entries() -> list[str]:
    if not MANIFEST.is_file():
        return []
    g = rdflib.Graph().parse(MANIFEST, format="turtle")
    manifest = next(g.subjects(rdflib.RDF.type, MF.Manifest))
    return [str(e).split("#")[-1] for e in Collection(g, g.value(manifest, MF.entries))]


def fetch(endpoint: str, accept: str | None) -> tuple[int, str, bytes]:
    req = urllib.request.Request(endpoint, headers={"Accept": accept} if accept else {})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return resp.status, resp.headers.get("content-type", ""), resp.read()


def description(endpoint: str, accept: str = "text/turtle") -> rdflib.Graph:
    status, ctype, body = fetch(endpoint, accept)
    assert status == 200
    return rdflib.Graph().parse(data=body, format=RDF_TYPES[ctype.split(";")[0].strip()])


def check_returns_rdf(endpoint: str) -> None:
    """GET on the endpoint (no query) returns RDF, in each RDF type asked for and by default."""
    for accept in [None, *RDF_TYPES]:
        status, ctype, body = fetch(endpoint, accept)
        media_type = ctype.split(";")[0].strip()
        assert status == 200 and media_type in RDF_TYPES, (accept, ctype)
        graph = rdflib.Graph().parse(data=body, format=RDF_TYPES[media_type])
        assert len(graph) > 10
        if accept:
            assert media_type == accept


def check_has_endpoint_triple(endpoint: str) -> None:
    """The description has `?service sd:endpoint <the URL the request went to>`."""
    graph = description(endpoint)
    services = list(graph.subjects(rdflib.RDF.type, SD.Service))
    assert len(services) == 1
    assert (services[0], SD.endpoint, rdflib.URIRef(endpoint)) in graph


def check_conforms_to_schema(endpoint: str) -> None:
    """Only SD vocabulary terms are used, with the schema's domains and ranges (SHACL)."""
    from pyshacl import validate

    graph = description(endpoint, "application/rdf+xml")
    used = {
        str(t)
        for triple in graph
        for t in triple
        if isinstance(t, rdflib.URIRef) and str(t).startswith(str(SD))
    }
    assert used, "no SD terms at all"
    unknown = {t.removeprefix(str(SD)) for t in used} - SD_TERMS
    assert not unknown, f"terms not in the SD vocabulary: {unknown}"
    shapes = rdflib.Graph().parse(HERE / "service-description.shapes.ttl", format="turtle")
    conforms, _, text = validate(graph, shacl_graph=shapes)
    assert conforms, text
    for node in graph.subjects(rdflib.RDF.type, SD.NamedGraph):
        assert (None, SD.namedGraph, node) in graph


CHECKS: dict[str, Callable[[str], None]] = {
    "returns-rdf": check_returns_rdf,
    "has-endpoint-triple": check_has_endpoint_triple,
    "conforms-to-schema": check_conforms_to_schema,
}
ENTRIES = manifest_entries()


def test_every_manifest_entry_has_a_check() -> None:
    if not ENTRIES:
        missing(f"W3C manifests at {MANIFEST}")
    assert len(ENTRIES) == 3
    assert sorted(ENTRIES) == sorted(CHECKS)


@pytest.mark.server
@pytest.mark.parametrize("name", ENTRIES)
def test_service_description(w3c_service: str, name: str) -> None:
    CHECKS[name](w3c_service)
