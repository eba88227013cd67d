"""The terms a dataset knows, computed once from its statements (build data, not a query).

The unknown-term warnings of ``/sparql`` (`iscg_graph.query.terms`) compare a query's classes and
properties with the terms the data and the ontology use: every property of any statement, every
class something is typed with, every subject of the ontology graph, and every class or property
the ontology's schema statements point to (``rdfs:subClassOf``, ``rdfs:subPropertyOf``,
``rdfs:domain``, ``rdfs:range``). Asked as one SPARQL query, that is a scan of the whole store: 9 s
to past 30 s at a million triples, at every start of the service. Computed here in one pass over
the statements, at build time and in every curated write, the set is stored in the derived graph
(`iscg_graph.rdf.derived`, ``dv:knownTerm``), so reading it is an index lookup.

Three graphs change outside the build's derivation and are left out of the stored set, read live
by the reader instead (each is small): the change journal (written by the commit of a curated
write), the dataset description (``graph/meta``, written by the build's last step) and the review
decisions (``graph/reviews``, recorded on their own path). `is_live` names them.

A quad here is ``(subject, predicate, object, graph)`` with an IRI as a string and anything else
(a blank node, a literal, the default graph) as None.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import pyoxigraph as ox

if TYPE_CHECKING:
    import rdflib

__all__ = ["LIVE_SUFFIXES", "ONTOLOGY_SUFFIX", "dataset_quads", "is_live", "store_quads", "terms_of"]

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SCHEMA_LINKS = frozenset(_RDFS + name for name in ("subClassOf", "subPropertyOf", "domain", "range"))
ONTOLOGY_SUFFIX = "/graph/ontology"

LIVE_SUFFIXES = ("/graph/changes", "/graph/meta", "/graph/reviews")

Quad = tuple[str | None, str, str | None, str | None]


def terms_of(quads: Iterable[Quad]) -> set[str]:
    """The known terms of a dataset given as quads (one pass)."""
    terms: set[str] = set()
    ontology: dict[str | None, bool] = {}
    for subject, predicate, obj, graph in quads:
        terms.add(predicate)
        if obj is not None and predicate == RDF_TYPE:
            terms.add(obj)
        in_ontology = ontology.get(graph)
        if in_ontology is None:
            in_ontology = ontology[graph] = graph is not None and graph.endswith(ONTOLOGY_SUFFIX)
        if in_ontology:
            if subject is not None:
                terms.add(subject)
            if obj is not None and predicate in SCHEMA_LINKS:
                terms.add(obj)
    return terms


def is_live(graph: str) -> bool:
    """Whether ``graph`` is read live rather than stored with the known terms."""
    return graph.endswith(LIVE_SUFFIXES)


def _ox_iri(term: object) -> str | None:
    return term.value if isinstance(term, ox.NamedNode) else None


def store_quads(store: ox.Store, skip: Iterable[str] = ()) -> Iterable[Quad]:
    """The quads of a pyoxigraph store, without the graphs named in ``skip`` and the live ones."""
    skipped = {ox.NamedNode(g) for g in skip}
    skipped |= {g for g in store.named_graphs() if isinstance(g, ox.NamedNode) and is_live(g.value)}
    for q in store:
        if q.graph_name in skipped:
            continue
        yield (_ox_iri(q.subject), q.predicate.value, _ox_iri(q.object), _ox_iri(q.graph_name))


def _rdflib_iri(term: object) -> str | None:
    import rdflib

    return str(term) if isinstance(term, rdflib.URIRef) else None


def dataset_quads(dataset: rdflib.Dataset, skip: Iterable[str] = ()) -> Iterable[Quad]:
    """The quads of an rdflib dataset, without the graphs named in ``skip`` and the live ones."""
    import rdflib  # build time only: the service reads its store

    skipped = {rdflib.URIRef(g) for g in skip}
    for s, p, o, g in dataset.quads((None, None, None, None)):
        graph = getattr(g, "identifier", g)
        if graph in skipped or is_live(str(graph)):
            continue
        yield (_rdflib_iri(s), str(p), _rdflib_iri(o), _rdflib_iri(graph))
