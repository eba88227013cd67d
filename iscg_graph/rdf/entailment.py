"""The RDFS closure the ontology implies, materialised into its own named graph.

What is entailed (W3C RDF 1.1 Semantics, RDFS rules rdfs5, rdfs7, rdfs9 and rdfs11):

- every ``rdfs:subClassOf`` and ``rdfs:subPropertyOf`` chain, transitively (``iscg:Mapping`` ⊑
  ``iscg:Link``, ``iscg:WorkingParty`` ⊑ ``iscg:StudyGroup`` ⊑ ``org:OrganizationalUnit``);
- for an instance ``x a C``: ``x a D`` for every super-class D of C;
- for a triple ``s p o``: ``s q o`` for every super-property q of p.

``rdfs:domain`` and ``rdfs:range`` are *not* applied: a domain types every subject that uses the
property, so one loosely used property (or one curated write) would silently turn resources into
members of classes the shapes never validated them against. See ``docs/notes/entailment.md``.

Only triples not already asserted anywhere in the dataset are produced, and nothing is read from the
entailment graph itself, so the function can be called again after any write: the closure of the
new data replaces the old one (`refresh_store`).

Two entry points share one algorithm over hashable terms: `materialise` for the build's
rdflib dataset, `materialise_store` / `refresh_store` for a pyoxigraph store (the write path).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import TYPE_CHECKING, TypeVar

import pyoxigraph as ox

from .store import EmbeddedStore

if TYPE_CHECKING:
    import rdflib

ENTAILMENT_GRAPH = "https://w3id.org/iscg/graph/entailment"  # under the default public base
ENTAILMENT_SUFFIX = "graph/entailment"
RDFS_REGIME = "http://www.w3.org/ns/entailment/RDFS"
"""The W3C IRI of the RDFS entailment regime (SPARQL 1.1 Entailment Regimes; the
``sd:entailmentRegime`` value of the service description)."""

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
SUBPROPERTY = "http://www.w3.org/2000/01/rdf-schema#subPropertyOf"

T = TypeVar("T", bound=Hashable)


def entailment_graph(base: str) -> str:
    """The entailment graph's IRI for a store minted under ``base``."""
    return f"{base}{ENTAILMENT_SUFFIX}"


def find_entailment_graph(graphs: Iterable[str]) -> str | None:
    """The entailment graph among a store's graphs (whatever its public base), if it has one."""
    return min((g for g in graphs if g.endswith("/" + ENTAILMENT_SUFFIX)), default=None)  # the first in order


def _ancestors(edges: dict[T, set[T]]) -> dict[T, set[T]]:
    """Transitive closure of a child → parents relation (cycles allowed; no node is its own
    ancestor unless a cycle says so)."""
    closed: dict[T, set[T]] = {}
    for start in edges:
        seen: set[T] = set()
        todo = list(edges[start])
        while todo:
            node = todo.pop()
            if node in seen:
                continue
            seen.add(node)
            todo.extend(edges.get(node, ()))
        closed[start] = seen
    return closed


def closure(triples: Iterable[tuple[T, T, T]], rdf_type: T, subclass: T,
            subproperty: T) -> set[tuple[T, T, T]]:
    """The triples the RDFS rules above add to ``triples`` (those already present excluded).

    ``triples`` is iterated twice at most; terms are whatever the caller uses (rdflib or pyoxigraph),
    compared by equality.
    """
    asserted = set(triples)
    sub_class: dict[T, set[T]] = {}
    sub_prop: dict[T, set[T]] = {}
    for s, p, o in asserted:
        if p == subclass:
            sub_class.setdefault(s, set()).add(o)
        elif p == subproperty:
            sub_prop.setdefault(s, set()).add(o)
    supers = _ancestors(sub_class)
    super_props = _ancestors(sub_prop)
    out: set[tuple[T, T, T]] = set()
    for child, parents in supers.items():  # rdfs11
        out.update((child, subclass, parent) for parent in parents)
    for child, parents in super_props.items():  # rdfs5
        out.update((child, subproperty, parent) for parent in parents)
    for s, p, o in asserted:
        for q in super_props.get(p, ()):  # rdfs7
            out.add((s, q, o))
    # rdfs9, over asserted types and those rdfs7 produced (a sub-property of rdf:type)
    typed = [(s, o) for s, p, o in asserted if p == rdf_type]
    typed += [(s, o) for s, p, o in out if p == rdf_type]
    for s, cls in typed:
        for parent in supers.get(cls, ()):
            out.add((s, rdf_type, parent))
    out.difference_update(asserted)
    return out


def materialise(dataset: rdflib.Dataset, graph: str = ENTAILMENT_GRAPH) -> rdflib.Graph:
    """The closure of every graph of ``dataset`` except the entailment graph ``graph``, as a new
    graph with that identifier (not attached to the dataset)."""
    import rdflib  # build time only: the service's write path uses `refresh_store`

    skip = rdflib.URIRef(graph)
    triples = ((s, p, o) for s, p, o, g in dataset.quads((None, None, None, None))
               if _graph_id(g) != skip)
    added = closure(triples, rdflib.RDF.type, rdflib.RDFS.subClassOf, rdflib.RDFS.subPropertyOf)
    out = rdflib.Graph(identifier=skip)
    for triple in added:
        out.add(triple)
    return out


def _graph_id(g: object) -> object:
    return getattr(g, "identifier", g)


def materialise_store(store: ox.Store, graph: str | None = None) -> list[ox.Triple]:
    """The closure of a pyoxigraph store (all graphs but the entailment graph: ``graph``, else the
    store's own, else `ENTAILMENT_GRAPH`), sorted."""
    names = [g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode)]
    skip = ox.NamedNode(graph or find_entailment_graph(names) or ENTAILMENT_GRAPH)
    triples = ((q.subject, q.predicate, q.object) for q in store if q.graph_name != skip)
    added = closure(triples, ox.NamedNode(RDF_TYPE), ox.NamedNode(SUBCLASS),
                    ox.NamedNode(SUBPROPERTY))
    return sorted((ox.Triple(s, p, o) for s, p, o in added), key=str)  # type: ignore[arg-type]


def refresh_store(store: EmbeddedStore, graph: str | None = None) -> int:
    """Recompute the entailment graph of ``store`` in place, e.g. after a curated write (the
    store's snapshot and meta follow, see `EmbeddedStore.replace_graph`); returns its size.
    ``graph``: its IRI (default: the store's own entailment graph, else `ENTAILMENT_GRAPH`)."""
    target = graph or find_entailment_graph(store.graphs()) or ENTAILMENT_GRAPH
    triples = materialise_store(store.inner, target)
    body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    store.replace_graph(target, body)
    return len(triples)
