"""The SPARQL 1.1 Service Description of the endpoint, serialised by Oxigraph's writers.

Describes: the endpoint IRI (``sd:endpoint``, as the client reached it), SPARQL 1.1 Query only
(read-only), the result formats (W3C format IRIs), the union default graph, and the default
dataset (one ``sd:namedGraph`` per graph of the store). When the store holds the materialised RDFS
closure (`iscg_graph.rdf.entailment`), the default entailment regime is RDFS, also stated on the
default graph; otherwise simple entailment.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from ..rdf.derived import find_derived_graph
from ..rdf.entailment import RDFS_REGIME, find_entailment_graph
from .engine import GRAPH_FORMATS

SD = "http://www.w3.org/ns/sparql-service-description#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
FORMATS = "http://www.w3.org/ns/formats/"
ENTAILMENT_SIMPLE = "http://www.w3.org/ns/entailment/Simple"
PREFIXES = {"sd": SD, "formats": FORMATS, "rdfs": "http://www.w3.org/2000/01/rdf-schema#"}

RESULT_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                  "Turtle", "N-Triples", "JSON-LD", "RDF_XML")


def _sd(name: str) -> ox.NamedNode:
    return ox.NamedNode(SD + name)


def service_triples(endpoint: str, graphs: Iterable[str], *, label: str = "") -> list[ox.Triple]:
    graphs = sorted(graphs)
    entailed = find_entailment_graph(graphs)
    derived = find_derived_graph(graphs)
    regime = ox.NamedNode(RDFS_REGIME if entailed else ENTAILMENT_SIMPLE)
    service = ox.BlankNode("service")
    dataset = ox.BlankNode("dataset")
    default_graph = ox.BlankNode("defaultGraph")
    out = [
        ox.Triple(service, RDF_TYPE, _sd("Service")),
        ox.Triple(service, _sd("endpoint"), ox.NamedNode(endpoint)),
        ox.Triple(service, _sd("supportedLanguage"), _sd("SPARQL11Query")),
        ox.Triple(service, _sd("feature"), _sd("UnionDefaultGraph")),
        ox.Triple(service, _sd("defaultEntailmentRegime"), regime),
        ox.Triple(service, _sd("defaultDataset"), dataset),
        ox.Triple(dataset, RDF_TYPE, _sd("Dataset")),
        ox.Triple(dataset, _sd("defaultGraph"), default_graph),
        ox.Triple(default_graph, RDF_TYPE, _sd("Graph")),
        ox.Triple(default_graph, _sd("entailmentRegime"), regime),
    ]
    if label:
        rdfs_label = ox.NamedNode(PREFIXES["rdfs"] + "label")
        out.append(ox.Triple(service, rdfs_label, ox.Literal(label, language="en")))
    for name in RESULT_FORMATS:
        out.append(ox.Triple(service, _sd("resultFormat"), ox.NamedNode(FORMATS + name)))
    for i, graph in enumerate(graphs):
        named = ox.BlankNode(f"g{i}")
        out += [
            ox.Triple(dataset, _sd("namedGraph"), named),
            ox.Triple(named, RDF_TYPE, _sd("NamedGraph")),
            ox.Triple(named, _sd("name"), ox.NamedNode(graph)),
        ]
        if graph == derived:
            out.append(ox.Triple(named, ox.NamedNode(PREFIXES["rdfs"] + "comment"), ox.Literal(
                "Derived overlap data: the pairs of Questions that can reach the duplicate-candidate "
                "threshold; the members of every study group and the themes they address (what the "
                "study-group neighbours start from); the themes each theme dossier gathers and the "
                "themes of each mapping's ends; the area "
                "of each theme, Sector x theme incidence, Resolution pairs per theme, the Resolutions "
                "setting up each Question's study group and the parts each Resolution concerns (what "
                "the Sector-overlap, Resolution-overlap and mandate-gap queries read). A "
                "function of the other graphs, recomputed by every build and every write; part of "
                "the default graph.", language="en")))
        if graph == entailed:
            rdfs_comment = ox.NamedNode(PREFIXES["rdfs"] + "comment")
            out.append(ox.Triple(named, rdfs_comment, ox.Literal(
                "The RDFS closure of the other graphs (sub-class and sub-property entailment; domain "
                "and range are not applied). Part of the default graph; leave it out with the "
                "request parameter entailment=none.", language="en")))
    return out


def describe_service(endpoint: str, graphs: Iterable[str], media_type: str, *, label: str = "") -> bytes:
    """The description in one of `iscg_graph.query.engine.GRAPH_FORMATS`."""
    fmt = GRAPH_FORMATS[media_type]
    triples = service_triples(endpoint, graphs, label=label)
    prefixes = PREFIXES if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else None
    return ox.serialize(triples, format=fmt, prefixes=prefixes) or b""
