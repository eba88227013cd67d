"""The statements the derived aggregates are computed from, and the terms they write.

`derived_aggregates` and `derived_coverage` read the other graphs of a store through a `Source`:
every (subject, object) pair of one predicate, as IRIs and `Lit` literals, from a pyoxigraph store
(`store_source`, the write path) or the build's rdflib dataset (`dataset_source`). Every predicate
read is checked against `derived_reads.READS` first, so the write path always knows when a change
to it matters. The helpers below are the SPARQL idioms the aggregates reproduce (a language filter,
GROUP_CONCAT, the exact-match area of a theme); `to_ox` / `to_rdflib` turn the result into either
store's terms.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyoxigraph as ox

from .derived_reads import declared

if TYPE_CHECKING:  # rdflib is imported by the build-time functions that use it
    import rdflib

__all__ = ["Lit", "Node", "Source", "areas", "dataset_source", "digest", "english", "join", "multi",
           "store_source", "to_ox", "to_rdflib"]

DV = "https://w3id.org/iscg/derived#"
ISCG = "https://w3id.org/iscg/ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
OWL_DEPRECATED = "http://www.w3.org/2002/07/owl#deprecated"
XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


@dataclass(frozen=True, order=True)
class Lit:
    """A literal as the aggregates need it: its lexical form, language tag and datatype."""

    value: str
    lang: str | None = None
    datatype: str = XSD_STRING


Node = str | Lit  # an IRI (a blank node never reaches the aggregates) or a literal
# all (subject, object) pairs of one predicate in every graph but the derived one
Source = Callable[[str], Iterable[tuple[str, Node]]]


def store_source(store: ox.Store, skip: str) -> Source:
    """The statements of a pyoxigraph store, every graph but ``skip``."""
    skipped = ox.NamedNode(skip)

    def pairs(predicate: str) -> Iterator[tuple[str, Node]]:
        declared(predicate)  # the write path must know when a change to it matters
        for q in store.quads_for_pattern(None, ox.NamedNode(predicate), None):
            if q.graph_name == skipped or not isinstance(q.subject, ox.NamedNode):
                continue
            o = q.object
            if isinstance(o, ox.NamedNode):
                yield q.subject.value, o.value
            elif isinstance(o, ox.Literal):
                yield q.subject.value, Lit(o.value, o.language, o.datatype.value)

    return pairs


def dataset_source(dataset: rdflib.Dataset, skip: str) -> Source:
    """The statements of the build's rdflib dataset, every graph but ``skip``."""
    import rdflib

    skipped = rdflib.URIRef(skip)

    def pairs(predicate: str) -> Iterator[tuple[str, Node]]:
        declared(predicate)  # the write path must know when a change to it matters
        for s, _p, o, g in dataset.quads((None, rdflib.URIRef(predicate), None, None)):
            if getattr(g, "identifier", g) == skipped or not isinstance(s, rdflib.URIRef):
                continue
            if isinstance(o, rdflib.URIRef):
                yield str(s), str(o)
            elif isinstance(o, rdflib.Literal):
                datatype = str(o.datatype) if o.datatype else (None if o.language else XSD_STRING)
                yield str(s), Lit(str(o), o.language, datatype or "")

    return pairs


def multi(source: Source, predicate: str) -> dict[str, set[Node]]:
    out: dict[str, set[Node]] = defaultdict(set)
    for s, o in source(predicate):
        out[s].add(o)
    return out


def english(values: Iterable[Node]) -> list[Lit]:
    """The literals tagged "en" (``FILTER(LANG(?x) = "en")``)."""
    return [v for v in values if isinstance(v, Lit) and v.lang == "en"]


def join(parts: Iterable[Lit], separator: str) -> Lit:
    """GROUP_CONCAT of distinct literals, in code-point order: a language tag they all share is
    kept (as SPARQL 1.1 implementations do), else a plain string."""
    ordered = sorted(set(parts))
    langs = {p.lang for p in ordered}
    lang = langs.pop() if len(langs) == 1 and ordered and ordered[0].lang else None
    return Lit(separator.join(p.value for p in ordered), lang, XSD_STRING if lang is None else "")


def areas(source: Source, themes: set[str]) -> dict[str, str]:
    """Each theme -> the smallest IRI of its ``skos:exactMatch`` component (either direction)."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        root = x
        while parent.get(root, root) != root:
            root = parent[root]
        while parent.get(x, x) != root:
            parent[x], x = root, parent[x]
        return root

    for s, o in source(SKOS + "exactMatch"):
        if isinstance(o, str):
            a, b = find(s), find(o)
            if a != b:
                parent[max(a, b)] = min(a, b)  # the root is always the component's smallest IRI
    return {t: find(t) for t in themes}


def digest(*parts: str) -> str:
    return hashlib.sha256(" ".join(parts).encode()).hexdigest()[:24]


def to_ox(triples: Iterable[tuple[str, str, Node]]) -> list[ox.Triple]:
    def term(o: Node) -> ox.NamedNode | ox.Literal:
        if isinstance(o, str):
            return ox.NamedNode(o)
        if o.lang:
            return ox.Literal(o.value, language=o.lang)
        return ox.Literal(o.value, datatype=ox.NamedNode(o.datatype))

    return [ox.Triple(ox.NamedNode(s), ox.NamedNode(p), term(o)) for s, p, o in triples]


def to_rdflib(
    triples: Iterable[tuple[str, str, Node]],
) -> list[tuple[rdflib.URIRef, rdflib.URIRef, rdflib.term.Node]]:
    import rdflib

    def term(o: Node) -> rdflib.term.Node:
        if isinstance(o, str):
            return rdflib.URIRef(o)
        if o.lang:
            return rdflib.Literal(o.value, lang=o.lang)
        if o.datatype == XSD_STRING:
            return rdflib.Literal(o.value)
        return rdflib.Literal(o.value, datatype=rdflib.URIRef(o.datatype))

    return [(rdflib.URIRef(s), rdflib.URIRef(p), term(o)) for s, p, o in triples]
