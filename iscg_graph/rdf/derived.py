"""Derived overlap data: what the canned overlap queries need, computed once, in its own named graph.

Three canned queries cannot be answered at a million triples by a join whose order is left to the
planner (no answer in 30 s, docs/notes/scale.md): the duplicate candidates, the study-group
neighbours and the theme dossier. What each needs is computed here in Python, from every other
graph, into ``graph/derived`` (``dv: = https://w3id.org/iscg/derived#``):

* the Question pairs that can reach the duplicate-candidate threshold (`derived_pairs`):
  ``<{base}derived/question-pair/<digest>> dv:first <q1> ; dv:second <q2>``, with what the query
  lists of each (`derived_evidence`: ``dv:points``, a count per kind, ``dv:evidence``);
* per study group its members and their themes, per theme the themes its dossier gathers, per
  mapping the themes of its ends (`derived_reach`): ``dv:member``, ``dv:memberTheme``,
  ``dv:reaches``, ``dv:onTheme``;
* the gate (`gate_triples`): which properties join Questions that share ONE theme, for the
  duplicate-candidate query below its default threshold.

The queries that read it start from these nodes (small basic graph patterns whose first pattern
binds few rows) and stay standard SPARQL: the graph is part of the union default graph, as
``graph/entailment`` is, and a remote store gets it with the rest of the build's snapshot.
What else they need (item labels, Sectors, periods) they still read from the data, live.

Like the RDFS closure (`iscg_graph.rdf.entailment`), the graph is a function of the other graphs
(the entailment graph included): the build adds it, and every curated write recomputes it on the
dataset-after in the same transaction (`iscg_graph.curation.writes`), so it is never stale. Nothing
is read from the derived graph itself when computing it. See docs/notes/scale.md.

It also holds the aggregates of the Sector-overlap and mandate-gap queries
(`iscg_graph.rdf.derived_aggregates`) and the dataset's known terms (`iscg_graph.rdf.known_terms`),
the vocabulary of the unknown-term warnings, so that reading them at start-up is a lookup, not a
scan::

    <{base}derived/terms> dv:knownTerm <term>, … .
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import pyoxigraph as ox

from . import derived_aggregates as aggregates
from .derived_evidence import evidence_triples
from .derived_facts import Facts, from_dataset, from_store
from .derived_pairs import DV_FIRST, DV_SECOND, pair_triples
from .derived_reach import group_triples, theme_triples
from .known_terms import dataset_quads, store_quads, terms_of
from .store import EmbeddedStore

if TYPE_CHECKING:  # rdflib is imported by the build functions that use it (a service need not load it)
    import rdflib

DERIVED_SUFFIX = "graph/derived"
DERIVED_NS = "https://w3id.org/iscg/derived#"
SINGLE_THEME = DERIVED_NS + "singleTheme"
DV_UP_TO_SCORE = DERIVED_NS + "upToScore"
DV_THEME_BY = DERIVED_NS + "themeBy"
DV_SECTOR_BY = DERIVED_NS + "sectorBy"
DV_OPEN_AT = DERIVED_NS + "openAt"
DV_KNOWN_TERM = DERIVED_NS + "knownTerm"
# What the graph holds, as this code computes it: a store whose derived graph says another format
# (or none: computed before the format was recorded) was derived by another version of this code and
# is recomputed before it is served (`stale_derived_graph`; api/live_reload.py). Change it whenever
# the derived statements change (tests/unit/test_derived_format.py holds it to that).
# 06.2: the Question pairs' evidence and score, dv:openAt; 06.3: dv:areaKey; 07.1: dv:wordingKey
DERIVED_FORMAT = "2026-12-07.1"
FORMAT_SUBJECT = DERIVED_NS + "graph"
DV_FORMAT = DERIVED_NS + "format"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
SINGLE_THEME_UP_TO = "0.1"  # one shared theme scores 0.1: it counts at this threshold and below
SECTOR = "https://w3id.org/iscg/ontology#sector"
XSD_DECIMAL = "http://www.w3.org/2001/XMLSchema#decimal"
ADDRESSES_THEME = "https://w3id.org/iscg/ontology#addressesTheme"

__all__ = [
    "DERIVED_FORMAT",
    "DERIVED_NS",
    "DERIVED_SUFFIX",
    "DV_KNOWN_TERM",
    "derived_graph",
    "add_to_dataset",
    "add_to_store",
    "derived_triples",
    "find_derived_graph",
    "gate_triples",
    "terms_subject",
    "materialise_dataset",
    "materialise_store",
    "refresh_store",
    "stale_derived_graph",
]


def derived_graph(base: str) -> str:
    """The derived graph's IRI for a store minted under ``base``."""
    return f"{base}{DERIVED_SUFFIX}"


def find_derived_graph(graphs: Iterable[str]) -> str | None:
    """The derived graph among a store's graphs (whatever its public base), if it has one."""
    return next((g for g in sorted(graphs) if g.endswith("/" + DERIVED_SUFFIX)), None)


def _base_of(graph: str) -> str:
    return graph[: -len(DERIVED_SUFFIX)]


def derived_triples(facts: Facts, graph: str) -> list[tuple[str, str, str]]:
    """(subject, predicate, object) IRIs of the derived graph ``graph`` from the statements of the
    other graphs, sorted; the gate (`gate_triples`) is added apart."""
    base = _base_of(graph)
    return sorted(pair_triples(facts, base) | group_triples(facts) | theme_triples(facts))


def _with_evidence(aggs: list[tuple[str, str, aggregates.Node]], own: Iterable[tuple[str, str, str]],
                   source: aggregates.Source) -> list[tuple[str, str, aggregates.Node]]:
    """The aggregates and the evidence of each Question pair of ``own`` (`derived_evidence`)."""
    firsts: dict[str, str] = {}
    seconds: dict[str, str] = {}
    for s, p, o in own:
        if p == DV_FIRST:
            firsts[s] = o
        elif p == DV_SECOND:
            seconds[s] = o
    pairs = sorted((node, a, seconds[node]) for node, a in firsts.items() if node in seconds)
    return [*aggs, *evidence_triples(source, pairs)]


def gate_triples() -> list[tuple[str, str, tuple[str, str] | str]]:
    """The gate: constant statements of the derived graph that say up to which threshold Questions
    sharing ONE theme count (``dv:upToScore 0.1``; ``dv:openAt`` each threshold parameter value up to
    it, so that the query's first pattern ``dv:singleTheme dv:openAt ?min_score`` matches nothing
    above 0.1) and through which properties they are joined (``dv:themeBy iscg:addressesTheme``,
    ``dv:sectorBy iscg:sector``). The duplicate-candidate
    query reads the properties from here and tests its threshold right after this look-up, so above
    0.1 its single-theme branch joins nothing (a FILTER on the parameter alone would run after the
    branch had enumerated every pair sharing a theme). With them, the graph's format
    (``dv:graph dv:format``, `DERIVED_FORMAT`). A literal is (lexical, datatype)."""
    return [(SINGLE_THEME, DV_UP_TO_SCORE, (SINGLE_THEME_UP_TO, XSD_DECIMAL)),
            (SINGLE_THEME, DV_THEME_BY, ADDRESSES_THEME),
            (SINGLE_THEME, DV_SECTOR_BY, SECTOR),
            (FORMAT_SUBJECT, DV_FORMAT, (DERIVED_FORMAT, XSD_STRING)),
            *((SINGLE_THEME, DV_OPEN_AT, (value, XSD_DECIMAL)) for value in _open_at())]


def _open_at() -> list[str]:
    """Every threshold the single-theme branch is open at: each score parameter value up to
    `SINGLE_THEME_UP_TO` (the catalogue's scores have at most four decimals), in canonical
    ``xsd:decimal`` form ("0", "0.0001", …, "0.1")."""
    from decimal import Decimal

    top = int(Decimal(SINGLE_THEME_UP_TO) * 10_000)
    return [format((Decimal(i) / 10_000).normalize(), "f") for i in range(top + 1)]


def _ox_object(value: tuple[str, str] | str) -> ox.NamedNode | ox.Literal:
    if isinstance(value, tuple):
        return ox.Literal(value[0], datatype=ox.NamedNode(value[1]))
    return ox.NamedNode(value)


def _rdflib_object(value: tuple[str, str] | str) -> rdflib.term.Identifier:
    import rdflib

    if isinstance(value, tuple):  # xsd:string as a simple literal: its one form in RDF 1.1 (as Oxigraph's)
        return rdflib.Literal(value[0], datatype=None if value[1] == XSD_STRING else rdflib.URIRef(value[1]))
    return rdflib.URIRef(value)


def terms_subject(graph: str) -> str:
    """The subject of the known-term statements of the derived graph ``graph``."""
    return f"{_base_of(graph)}derived/terms"


def _with_terms(triples: Iterable[tuple[str, str, object]], known: set[str]) -> set[str]:
    """The known terms of the whole dataset: those of the other graphs (``known``) and the
    properties (and classes) of the derived graph itself, the known-term property included."""
    classes = {o for _s, p, o in triples if p == aggregates.RDF_TYPE and isinstance(o, str)}
    gate = {p for _s, p, _o in gate_triples()}
    return known | classes | {p for _s, p, _o in triples} | gate | {DV_KNOWN_TERM}


def materialise_store(store: ox.Store, graph: str) -> list[ox.Triple]:
    """The derived graph ``graph`` of a pyoxigraph store (from every other graph), as triples."""
    own = derived_triples(from_store(store, graph), graph)
    source = aggregates.store_source(store, graph)
    aggs = _with_evidence(aggregates.aggregate_triples(source, _base_of(graph)), own, source)
    terms, known = ox.NamedNode(terms_subject(graph)), ox.NamedNode(DV_KNOWN_TERM)
    return [
        *(ox.Triple(ox.NamedNode(s), ox.NamedNode(p), _ox_object(o)) for s, p, o in gate_triples()),
        *(ox.Triple(ox.NamedNode(s), ox.NamedNode(p), ox.NamedNode(o)) for s, p, o in own),
        *aggregates.to_ox(aggs),
        *(ox.Triple(terms, known, ox.NamedNode(t))
          for t in sorted(_with_terms([*own, *aggs], terms_of(store_quads(store, skip=[graph]))))),
    ]


def materialise_dataset(dataset: rdflib.Dataset, graph: str) -> rdflib.Graph:
    """The derived graph ``graph`` of the build's rdflib dataset, as a new graph with that identifier."""
    import rdflib

    skip = rdflib.URIRef(graph)
    out = rdflib.Graph(identifier=skip)
    for s, p, o in gate_triples():
        out.add((rdflib.URIRef(s), rdflib.URIRef(p), _rdflib_object(o)))
    own = derived_triples(from_dataset(dataset, graph), graph)
    for s, p, o in own:
        out.add((rdflib.URIRef(s), rdflib.URIRef(p), rdflib.URIRef(o)))
    source = aggregates.dataset_source(dataset, graph)
    aggs = _with_evidence(aggregates.aggregate_triples(source, _base_of(graph)), own, source)
    for triple in aggregates.to_rdflib(aggs):
        out.add(triple)  # the aggregates of the Sector-overlap and mandate-gap queries
    terms, known = rdflib.URIRef(terms_subject(graph)), rdflib.URIRef(DV_KNOWN_TERM)
    for t in _with_terms([*own, *aggs], terms_of(dataset_quads(dataset, skip=[graph]))):
        out.add((terms, known, rdflib.URIRef(t)))
    return out


def add_to_dataset(dataset: rdflib.Dataset, base: str) -> int:
    """Put the derived graph into the build's dataset (after the entailment graph, whose
    ``iscg:addressesTheme`` statements count too); returns its size."""
    import rdflib

    graph = derived_graph(base)
    derived = materialise_dataset(dataset, graph)
    target = dataset.graph(rdflib.URIRef(graph))
    for triple in derived:
        target.add(triple)
    return len(derived)


def add_to_store(store: ox.Store, base: str) -> int:
    """Put the derived graph into a pyoxigraph store loaded without it (tests, fixtures), as a build
    puts it into its dataset; returns its size."""
    graph = ox.NamedNode(derived_graph(base))
    triples = materialise_store(store, graph.value)
    store.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples)
    return len(triples)


def stale_derived_graph(store: ox.Store) -> str | None:
    """The derived graph of ``store`` if another version of this code computed it (its format is not
    `DERIVED_FORMAT`, or it records none), else None (current, or the store has no derived graph)."""
    graph = find_derived_graph(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))
    if graph is None:
        return None
    current = ox.Quad(ox.NamedNode(FORMAT_SUBJECT), ox.NamedNode(DV_FORMAT),
                      ox.Literal(DERIVED_FORMAT), ox.NamedNode(graph))
    return None if current in store else graph


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
