"""Describe one resource for linked-data pages: labels, type, statements out and in, provenance.

Reads the store with bounded quad-pattern lookups (no SPARQL), so a page costs a few hundred
index probes. `describe()` returns a typed, presentation-ready `Description`; `triples_about()`
returns the RDF served to machines (the symmetric concise bounded description).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pyoxigraph as ox

from ..rdf.store import EmbeddedStore
from ..vocab import (
    DCT_SOURCE,
    DCT_TITLE,
    FOAF_NAME,
    RDF_TYPE,
    RDFS_LABEL,
    SKOS_NOTATION,
    SKOS_PREF,
    WELL_KNOWN_LABELS,
    curie,
    local_path,
    prefixes,
)

LABEL_PREDICATES = (RDFS_LABEL, SKOS_PREF)
FALLBACK_LABEL_PREDICATES = (DCT_TITLE, FOAF_NAME, SKOS_NOTATION)
INCOMING_LIMIT = 500  # statements pointing at a resource shown on its page (the count is exact)


@dataclass(frozen=True)
class Node:
    """An IRI or blank node as shown to people: a label and where it links to."""

    value: str
    label: str
    lang: str | None = None
    href: str | None = None  # local path for IRIs under the base, the IRI for others
    curie: str | None = None
    local: bool = False
    blank: bool = False
    kind: str = "iri"


@dataclass(frozen=True)
class Value:
    """A literal as shown to people."""

    value: str
    lang: str | None = None
    datatype: str | None = None  # CURIE or IRI, None for plain strings
    kind: str = "literal"


Term = Node | Value


@dataclass(frozen=True)
class PropertyValues:
    predicate: Node
    values: tuple[Term, ...]


@dataclass(frozen=True)
class Incoming:
    subject: Node
    predicate: Node


@dataclass(frozen=True)
class Description:
    node: Node
    labels: tuple[Value, ...]  # every label, all languages
    types: tuple[Node, ...]
    properties: tuple[PropertyValues, ...]  # outgoing, grouped by predicate
    incoming: tuple[Incoming, ...]  # bounded by INCOMING_LIMIT
    incoming_total: int
    sources: tuple[Term, ...]
    confidence: Node | None
    graphs: tuple[Node, ...]
    blank_nodes: dict[str, tuple[PropertyValues, ...]] = field(default_factory=dict)


class Labeller:
    """Finds display labels in the store, honouring a list of preferred languages."""

    def __init__(self, store: EmbeddedStore, base: str, languages: Sequence[str] = ("en",)):
        self.store = store
        self.base = base
        self.languages = [lang.lower() for lang in languages] or ["en"]
        self.prefixes = prefixes(base)
        self._cache: dict[str, tuple[str, str | None]] = {}

    def _objects(self, node: ox.NamedNode | ox.BlankNode, predicate: ox.NamedNode) -> list[ox.Literal]:
        return [
            q.object
            for q in self.store.quads(node, predicate, None, None)
            if isinstance(q.object, ox.Literal)
        ]

    def pick(self, literals: Iterable[ox.Literal]) -> tuple[str, str | None] | None:
        """The literal in the most preferred language (then English, then untagged, then any)."""
        by_lang: dict[str, str] = {}
        for lit in sorted(literals, key=lambda lit: (lit.language or "", lit.value)):
            by_lang.setdefault((lit.language or "").lower(), lit.value)
        if not by_lang:
            return None
        for lang in [*self.languages, "en", ""]:
            if lang in by_lang:
                return by_lang[lang], lang or None
            for tag, text in by_lang.items():  # `fr` asked, `fr-ch` stored
                if lang and tag.split("-")[0] == lang:
                    return text, tag
        tag = sorted(by_lang)[0]
        return by_lang[tag], tag or None

    def label(self, node: ox.NamedNode | ox.BlankNode) -> tuple[str, str | None]:
        key = str(node)
        if key in self._cache:
            return self._cache[key]
        found: tuple[str, str | None] | None = None
        for group in (LABEL_PREDICATES, FALLBACK_LABEL_PREDICATES):
            found = self.pick(lit for p in group for lit in self._objects(node, p))
            if found:
                break
        if found is None:
            found = (self._fallback(node), None)
        self._cache[key] = found
        return found

    def _fallback(self, node: ox.NamedNode | ox.BlankNode) -> str:
        if isinstance(node, ox.BlankNode):
            return "(anonymous)"
        if node.value in WELL_KNOWN_LABELS:
            return WELL_KNOWN_LABELS[node.value]
        short = curie(node.value, self.prefixes)
        if short:  # a term of a vocabulary with no label here: its local name in words
            return term_words(short.split(":", 1)[1])
        if node.value.startswith(self.base):
            return node.value[len(self.base) :]
        host = urlsplit(node.value).hostname if node.value.startswith(("http://", "https://")) else None
        return f"web page at {host}" if host else node.value

    def node(self, term: ox.NamedNode | ox.BlankNode) -> Node:
        text, lang = self.label(term)
        if isinstance(term, ox.BlankNode):
            return Node(str(term), text, lang, blank=True, kind="bnode")
        path = local_path(term.value, self.base)
        linkable = term.value.startswith(("http://", "https://"))  # never a javascript: or data: link
        return Node(
            term.value,
            text,
            lang,
            href=path or (term.value if linkable else None),
            curie=curie(term.value, self.prefixes),
            local=path is not None,
        )

    def term(self, term: object) -> Term:
        if isinstance(term, ox.Literal):
            dt = term.datatype.value
            if term.language or dt in (
                "http://www.w3.org/2001/XMLSchema#string",
                "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString",
            ):
                return Value(term.value, term.language)
            return Value(term.value, None, curie(dt, self.prefixes) or dt)
        if isinstance(term, ox.NamedNode | ox.BlankNode):
            return self.node(term)
        return Value(str(term))


def term_words(local: str) -> str:
    """``ManualMappingCuration`` / ``mapping_justification`` / ``gYear`` -> words a person reads."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", local).replace("_", " ").replace("-", " ")
    return spaced[:1].lower() + spaced[1:] if spaced[1:2].islower() else spaced


def named(iri: str) -> ox.NamedNode | None:
    """The IRI as a node, or None when it is not a valid IRI (a request path can be anything)."""
    try:
        return ox.NamedNode(iri)
    except ValueError:
        return None


def exists(store: EmbeddedStore, iri: str) -> bool:
    """Whether the graph says anything about, or points at, this IRI (False for an invalid IRI)."""
    node = named(iri)
    if node is None:
        return False
    for _ in store.quads(node, None, None, None):
        return True
    for _ in store.quads(None, None, node, None):
        return True
    return False


def _predicate_order(labeller: Labeller, predicate: ox.NamedNode) -> tuple[int, str]:
    first = {
        RDF_TYPE.value: 0,
        RDFS_LABEL.value: 1,
        SKOS_PREF.value: 2,
        DCT_TITLE.value: 3,
        SKOS_NOTATION.value: 4,
    }
    return first.get(predicate.value, 9), labeller.label(predicate)[0].lower()


def _group(labeller: Labeller, quads: Iterable[ox.Quad]) -> tuple[PropertyValues, ...]:
    grouped: dict[str, tuple[ox.NamedNode, set[object]]] = {}
    for q in quads:
        grouped.setdefault(q.predicate.value, (q.predicate, set()))[1].add(q.object)
    out = []
    for _key, (predicate, objects) in sorted(
        grouped.items(), key=lambda kv: _predicate_order(labeller, kv[1][0])
    ):
        values = sorted((labeller.term(o) for o in objects), key=_term_sort_key)
        out.append(PropertyValues(labeller.node(predicate), tuple(values)))
    return tuple(out)


def _term_sort_key(term: Term) -> tuple[str, str, str]:
    if isinstance(term, Node):
        return ("0", term.label.lower(), term.value)
    return ("1", term.lang or "", term.value)


def describe(store: EmbeddedStore, iri: str, labeller: Labeller) -> Description | None:
    """Everything a resource page shows, or None when the graph does not mention `iri`."""
    if not exists(store, iri):
        return None
    subject = ox.NamedNode(iri)
    outgoing = list(store.quads(subject, None, None, None))
    properties = _group(labeller, outgoing)
    blank_nodes: dict[str, tuple[PropertyValues, ...]] = {}
    for q in outgoing:
        if isinstance(q.object, ox.BlankNode) and str(q.object) not in blank_nodes:
            blank_nodes[str(q.object)] = _group(labeller, store.quads(q.object, None, None, None))

    incoming_seen: set[tuple[str, str]] = set()
    incoming: list[Incoming] = []
    total = 0
    for q in store.quads(None, None, subject, None):
        key = (str(q.subject), q.predicate.value)
        if key in incoming_seen:
            continue
        incoming_seen.add(key)
        total += 1
        if len(incoming) < INCOMING_LIMIT and isinstance(q.subject, ox.NamedNode | ox.BlankNode):
            incoming.append(Incoming(labeller.node(q.subject), labeller.node(q.predicate)))
    incoming.sort(key=lambda i: (i.predicate.label.lower(), i.subject.label.lower(), i.subject.value))

    labels = sorted(
        {
            (q.object.language or "", q.object.value)
            for q in outgoing
            if q.predicate in LABEL_PREDICATES and isinstance(q.object, ox.Literal)
        }
    )
    types = sorted(
        {
            labeller.node(q.object)
            for q in outgoing
            if q.predicate == RDF_TYPE and isinstance(q.object, ox.NamedNode)
        },
        key=lambda n: n.label.lower(),
    )
    sources = sorted(
        {labeller.term(q.object) for q in outgoing if q.predicate == DCT_SOURCE}, key=_term_sort_key
    )
    confidence = next(
        (
            labeller.node(q.object)
            for q in outgoing
            if q.predicate.value == labeller.prefixes["iscg"] + "confidence"
            and isinstance(q.object, ox.NamedNode)
        ),
        None,
    )
    graph_terms = {q.graph_name for q in outgoing if isinstance(q.graph_name, ox.NamedNode)}
    graphs = sorted((labeller.node(g) for g in graph_terms), key=lambda n: n.value)
    return Description(
        node=labeller.node(subject),
        labels=tuple(Value(text, lang or None) for lang, text in labels),
        types=tuple(types),
        properties=properties,
        incoming=tuple(incoming),
        incoming_total=total,
        sources=tuple(sources),
        confidence=confidence,
        graphs=tuple(graphs),
        blank_nodes=blank_nodes,
    )


def triples_about(store: EmbeddedStore, iri: str) -> list[ox.Triple]:
    """The RDF served for a resource: statements about it (with blank-node closure) and pointing at it.

    Triples from all named graphs, de-duplicated and sorted, so a representation is stable.
    """
    node = ox.NamedNode(iri)
    triples: set[ox.Triple] = set()
    todo: list[ox.NamedNode | ox.BlankNode] = [node]
    seen: set[str] = set()
    while todo:
        current = todo.pop()
        if str(current) in seen:
            continue
        seen.add(str(current))
        for q in store.quads(current, None, None, None):
            triples.add(ox.Triple(q.subject, q.predicate, q.object))
            if isinstance(q.object, ox.BlankNode):
                todo.append(q.object)
    for q in store.quads(None, None, node, None):
        if isinstance(q.subject, ox.NamedNode):
            triples.add(ox.Triple(q.subject, q.predicate, q.object))
    return sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


def graph_triples(store: EmbeddedStore, graph_iri: str) -> list[ox.Triple]:
    """Every triple of one named graph, sorted."""
    quads = store.quads(None, None, None, ox.NamedNode(graph_iri))
    return sorted(
        {ox.Triple(q.subject, q.predicate, q.object) for q in quads},
        key=lambda t: (str(t.subject), str(t.predicate), str(t.object)),
    )


__all__ = [
    "Description",
    "Incoming",
    "Labeller",
    "Node",
    "PropertyValues",
    "Value",
    "describe",
    "exists",
    "named",
    "graph_triples",
    "triples_about",
]
