"""Derived overlap data: what the canned overlap queries need, computed once, in its own named graph.

The duplicate-candidate query ranks pairs of Questions by shared evidence; at the default threshold
(score 0.2, two evidence points) a pair qualifies only through a recorded mapping, a shared
Resolution, or at least TWO shared themes. Mappings and Resolutions join few items; the themes do
not: finding the pairs that share two themes through ``?a iscg:addressesTheme ?t . ?b
iscg:addressesTheme ?t`` enumerates every pair sharing ONE theme first (775k pairs at 1M triples)
and only then counts. This graph holds, for every unordered pair of themes some item addresses
together, one node listing those items::

    <{base}derived/theme-pair/<digest>> dv:theme <t1>, <t2> ; dv:item <q1>, <q2>, … .

so "items sharing at least two themes" is a join on that node: as many rows as there are such
pairs, not as many as there are single-theme pairs. The queries that read it stay standard SPARQL
(the graph is part of the union default graph, as ``graph/entailment`` is; a remote store gets it
with the rest of the build's snapshot). Everything else they need (mappings, review status,
deprecation, labels) they still read from the data, live.

Like the RDFS closure (`iscg_graph.rdf.entailment`), the graph is a function of the other graphs:
the build adds it, and every curated write recomputes it on the dataset-after in the same
transaction (`iscg_graph.curation.writes`), so it is never stale. Nothing is read from the derived
graph itself when computing it. See docs/notes/scale.md.

It also holds the dataset's known terms (`iscg_graph.rdf.known_terms`), the vocabulary of the
unknown-term warnings, so that reading them at start-up is a lookup, not a scan::

    <{base}derived/terms> dv:knownTerm <term>, … .
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable

import pyoxigraph as ox
import rdflib

from . import derived_aggregates as aggregates
from .known_terms import dataset_quads, store_quads, terms_of
from .store import EmbeddedStore

DERIVED_SUFFIX = "graph/derived"
DERIVED_NS = "https://w3id.org/iscg/derived#"
DV_THEME = DERIVED_NS + "theme"
DV_ITEM = DERIVED_NS + "item"
DV_SINGLE_LOW = DERIVED_NS + "singleThemeLow"
DV_SINGLE_BY = DERIVED_NS + "singleThemeBy"
DV_SECTOR_BY = DERIVED_NS + "sectorBy"
DV_KNOWN_TERM = DERIVED_NS + "knownTerm"
SECTOR = "https://w3id.org/iscg/ontology#sector"
XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
ADDRESSES_THEME = "https://w3id.org/iscg/ontology#addressesTheme"

__all__ = [
    "DERIVED_NS",
    "DERIVED_SUFFIX",
    "DV_KNOWN_TERM",
    "derived_graph",
    "add_to_dataset",
    "derived_triples",
    "find_derived_graph",
    "gate_subject",
    "terms_subject",
    "materialise_dataset",
    "materialise_store",
    "refresh_store",
]


def derived_graph(base: str) -> str:
    """The derived graph's IRI for a store minted under ``base``."""
    return f"{base}{DERIVED_SUFFIX}"


def find_derived_graph(graphs: Iterable[str]) -> str | None:
    """The derived graph among a store's graphs (whatever its public base), if it has one."""
    return next((g for g in sorted(graphs) if g.endswith("/" + DERIVED_SUFFIX)), None)


def _base_of(graph: str) -> str:
    return graph[: -len(DERIVED_SUFFIX)]


def derived_triples(links: Iterable[tuple[str, str]], graph: str) -> list[tuple[str, str, str]]:
    """(subject, predicate, object) IRIs of the derived graph ``graph`` from (item, theme) IRI pairs
    (the ``iscg:addressesTheme`` statements of the other graphs), sorted; plus the gate (see
    `gate_triple`), whose object is a literal."""
    themes: dict[str, set[str]] = defaultdict(set)
    for item, theme in links:
        themes[item].add(theme)
    prefix = f"{_base_of(graph)}derived/theme-pair/"
    out: set[tuple[str, str, str]] = set()
    for item, own in themes.items():
        if len(own) < 2:
            continue
        ordered = sorted(own)
        for i, first in enumerate(ordered):
            for second in ordered[i + 1:]:
                digest = hashlib.sha256(f"{first} {second}".encode()).hexdigest()[:24]
                node = prefix + digest
                out.add((node, DV_ITEM, item))
                out.add((node, DV_THEME, first))
                out.add((node, DV_THEME, second))
    return sorted(out)


def gate_subject(graph: str) -> str:
    """The subject of the gate statements of the derived graph ``graph``.

    The gate says which properties join Questions that share ONE theme (``dv:singleThemeBy
    iscg:addressesTheme``, ``dv:sectorBy iscg:sector``) and that they apply when the threshold is
    low (``dv:singleThemeLow true``). The duplicate-candidate query binds ``?low`` to its threshold
    test and joins on it rather than testing a FILTER (Oxigraph evaluates a union branch's patterns
    before a FILTER on a constant). Measured in docs/notes/scale.md: alone, the gate keeps the
    branch from enumerating; inside the full query Oxigraph's join order does not always start
    from it."""
    return f"{_base_of(graph)}derived/pairs"


def terms_subject(graph: str) -> str:
    """The subject of the known-term statements of the derived graph ``graph``."""
    return f"{_base_of(graph)}derived/terms"


def _with_terms(triples: Iterable[tuple[str, str, object]], known: set[str]) -> set[str]:
    """The known terms of the whole dataset: those of the other graphs (``known``) and the
    properties (and classes) of the derived graph itself, the known-term property included."""
    classes = {o for _s, p, o in triples if p == aggregates.RDF_TYPE and isinstance(o, str)}
    return known | classes | {p for _s, p, _o in triples} | {DV_SINGLE_LOW, DV_SINGLE_BY, DV_SECTOR_BY,
                                                               DV_KNOWN_TERM}


def materialise_store(store: ox.Store, graph: str) -> list[ox.Triple]:
    """The derived graph ``graph`` of a pyoxigraph store (from every other graph), as triples."""
    skip = ox.NamedNode(graph)
    links = ((q.subject.value, q.object.value)
             for q in store.quads_for_pattern(None, ox.NamedNode(ADDRESSES_THEME), None)
             if q.graph_name != skip and isinstance(q.subject, ox.NamedNode)
             and isinstance(q.object, ox.NamedNode))
    gate = ox.NamedNode(gate_subject(graph))
    pairs = derived_triples(links, graph)
    aggs = aggregates.aggregate_triples(aggregates.store_source(store, graph), _base_of(graph))
    terms, known = ox.NamedNode(terms_subject(graph)), ox.NamedNode(DV_KNOWN_TERM)
    return [
        ox.Triple(gate, ox.NamedNode(DV_SINGLE_LOW),
                  ox.Literal("true", datatype=ox.NamedNode(XSD_BOOLEAN))),
        ox.Triple(gate, ox.NamedNode(DV_SINGLE_BY), ox.NamedNode(ADDRESSES_THEME)),
        ox.Triple(gate, ox.NamedNode(DV_SECTOR_BY), ox.NamedNode(SECTOR)),
        *(ox.Triple(ox.NamedNode(s), ox.NamedNode(p), ox.NamedNode(o)) for s, p, o in pairs),
        *aggregates.to_ox(aggs),
        *(ox.Triple(terms, known, ox.NamedNode(t))
          for t in sorted(_with_terms([*pairs, *aggs], terms_of(store_quads(store, skip=[graph]))))),
    ]


def materialise_dataset(dataset: rdflib.Dataset, graph: str) -> rdflib.Graph:
    """The derived graph ``graph`` of the build's rdflib dataset, as a new graph with that identifier."""
    skip = rdflib.URIRef(graph)
    links = ((str(s), str(o))
             for s, _p, o, g in dataset.quads((None, rdflib.URIRef(ADDRESSES_THEME), None, None))
             if getattr(g, "identifier", g) != skip
             and isinstance(s, rdflib.URIRef) and isinstance(o, rdflib.URIRef))
    out = rdflib.Graph(identifier=skip)
    gate = rdflib.URIRef(gate_subject(graph))
    out.add((gate, rdflib.URIRef(DV_SINGLE_LOW), rdflib.Literal(True)))
    out.add((gate, rdflib.URIRef(DV_SINGLE_BY), rdflib.URIRef(ADDRESSES_THEME)))
    out.add((gate, rdflib.URIRef(DV_SECTOR_BY), rdflib.URIRef(SECTOR)))
    pairs = derived_triples(links, graph)
    for s, p, o in pairs:
        out.add((rdflib.URIRef(s), rdflib.URIRef(p), rdflib.URIRef(o)))
    aggs = aggregates.aggregate_triples(aggregates.dataset_source(dataset, graph), _base_of(graph))
    for triple in aggregates.to_rdflib(aggs):
        out.add(triple)  # the aggregates of the Sector-overlap and mandate-gap queries
    terms, known = rdflib.URIRef(terms_subject(graph)), rdflib.URIRef(DV_KNOWN_TERM)
    for t in _with_terms([*pairs, *aggs], terms_of(dataset_quads(dataset, skip=[graph]))):
        out.add((terms, known, rdflib.URIRef(t)))
    return out


def add_to_dataset(dataset: rdflib.Dataset, base: str) -> int:
    """Put the derived graph into the build's dataset (after the entailment graph, whose
    ``iscg:addressesTheme`` statements count too); returns its size."""
    graph = derived_graph(base)
    derived = materialise_dataset(dataset, graph)
    target = dataset.graph(rdflib.URIRef(graph))
    for triple in derived:
        target.add(triple)
    return len(derived)


def refresh_store(store: EmbeddedStore, graph: str | None = None) -> int:
    """Recompute the derived graph ``graph`` of ``store`` in place (snapshot and meta follow, see
    `EmbeddedStore.replace_graph`); returns its size. For stores loaded without it (benchmarks,
    stores built before it existed). ``graph``: default the store's own, else the default base's."""
    from ..vocab import DEFAULT_BASE

    graph = graph or find_derived_graph(store.graphs()) or derived_graph(DEFAULT_BASE)
    triples = materialise_store(store.inner, graph)
    body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    store.replace_graph(graph, body)
    return len(triples)
