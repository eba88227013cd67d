"""Readable documentation of the ontology, generated from the ontology itself.

`load_ontology()` reads the ontology triples (the store's `graph/ontology` when it has one, else
`ontology/iscg.ttl`); `document()` turns them into a typed `OntologyDoc`: classes with their
super/subclasses and the properties whose domain or range they are, properties with domain,
range and kind, controlled values grouped by concept scheme, and examples (`skos:example` in the
ontology, plus a few instances from the data when a store is given).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ..rdf.store import EmbeddedStore
from ..vocab import DCT, ONTOLOGY_NS, OWL, RDF, RDF_TYPE, RDFS, SKOS, curie, prefixes
from .describe import Labeller, Node

ONTOLOGY_FILE = Path(__file__).resolve().parents[2] / "ontology" / "iscg.ttl"
EXAMPLES_PER_TERM = 3

PROPERTY_KINDS = {
    OWL + "ObjectProperty": "object property",
    OWL + "DatatypeProperty": "datatype property",
    OWL + "AnnotationProperty": "annotation property",
    RDF + "Property": "property",
}


@dataclass(frozen=True)
class TermDoc:
    node: Node
    name: str  # the fragment: `Question`, anchor on the page
    comment: str | None
    kind: str
    supers: tuple[Node, ...] = ()
    subs: tuple[Node, ...] = ()
    domain: tuple[Node, ...] = ()
    range: tuple[Node, ...] = ()
    as_domain: tuple[Node, ...] = ()  # for classes: properties whose domain this is
    as_range: tuple[Node, ...] = ()
    examples: tuple[str, ...] = ()  # skos:example text
    instances: tuple[Node, ...] = ()  # sample resources from the data
    instance_count: int = 0
    in_scheme: tuple[Node, ...] = ()


@dataclass(frozen=True)
class OntologyDoc:
    iri: str
    title: str
    description: str | None
    version: str | None
    classes: tuple[TermDoc, ...]
    properties: tuple[TermDoc, ...]
    individuals: tuple[TermDoc, ...]
    namespaces: tuple[tuple[str, str], ...]
    triples: int


def ontology_graph_iri(base: str) -> str:
    return f"{base}graph/ontology"


def load_ontology(store: EmbeddedStore | None, base: str, path: Path = ONTOLOGY_FILE) -> list[ox.Triple]:
    """The ontology triples: from the store's ontology graph, else parsed from the file."""
    if store is not None:
        graph = ox.NamedNode(ontology_graph_iri(base))
        found = [ox.Triple(q.subject, q.predicate, q.object) for q in store.quads(None, None, None, graph)]
        if found:
            return found
    if path.is_file():
        return [
            ox.Triple(q.subject, q.predicate, q.object)
            for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
        ]
    return []


def document(
    triples: Iterable[ox.Triple],
    base: str,
    *,
    data: EmbeddedStore | None = None,
    languages: tuple[str, ...] = ("en",),
) -> OntologyDoc:
    onto = EmbeddedStore.in_memory()
    onto.inner.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples)
    lab = Labeller(onto, base, languages)
    ns = ONTOLOGY_NS
    n = ox.NamedNode

    def objs(s: ox.NamedNode, p: str) -> list[ox.NamedNode]:
        return [q.object for q in onto.quads(s, n(p), None, None) if isinstance(q.object, ox.NamedNode)]

    def subjs(p: str, o: ox.NamedNode) -> list[ox.NamedNode]:
        return [q.subject for q in onto.quads(None, n(p), o, None) if isinstance(q.subject, ox.NamedNode)]

    def text(s: ox.NamedNode, *ps: str) -> str | None:
        picked = lab.pick(
            q.object for p in ps for q in onto.quads(s, n(p), None, None) if isinstance(q.object, ox.Literal)
        )
        return picked[0] if picked else None

    def nodes(items: Iterable[ox.NamedNode]) -> tuple[Node, ...]:
        return tuple(sorted({lab.node(i) for i in items}, key=lambda x: x.label.lower()))

    def typed(*classes: str) -> list[ox.NamedNode]:
        out = {s.value for c in classes for s in subjs(RDF + "type", n(c)) if s.value.startswith(ns)}
        return [n(v) for v in sorted(out)]

    def samples(term: ox.NamedNode, as_class: bool) -> tuple[tuple[Node, ...], int]:
        if data is None:
            return (), 0
        dl = Labeller(data, base, languages)
        if as_class:
            found = sorted(
                {
                    q.subject.value
                    for q in data.quads(None, RDF_TYPE, term, None)
                    if isinstance(q.subject, ox.NamedNode)
                }
            )
        else:
            found = sorted(
                {
                    q.subject.value
                    for q in data.quads(None, term, None, None)
                    if isinstance(q.subject, ox.NamedNode) and not q.subject.value.startswith(ns)
                }
            )
        return tuple(dl.node(n(v)) for v in found[:EXAMPLES_PER_TERM]), len(found)

    def examples(term: ox.NamedNode) -> tuple[str, ...]:
        return tuple(
            sorted(
                q.object.value
                for q in onto.quads(term, n(SKOS + "example"), None, None)
                if isinstance(q.object, ox.Literal)
            )
        )

    classes = []
    for c in typed(OWL + "Class", RDFS + "Class"):
        inst, total = samples(c, True)
        classes.append(
            TermDoc(
                node=lab.node(c),
                name=c.value[len(ns) :],
                comment=text(c, RDFS + "comment", SKOS + "definition"),
                kind="class",
                supers=nodes(objs(c, RDFS + "subClassOf")),
                subs=nodes(subjs(RDFS + "subClassOf", c)),
                as_domain=nodes(subjs(RDFS + "domain", c)),
                as_range=nodes(subjs(RDFS + "range", c)),
                examples=examples(c),
                instances=inst,
                instance_count=total,
            )
        )
    properties = []
    for p in typed(*PROPERTY_KINDS):
        kinds = [PROPERTY_KINDS[t.value] for t in objs(p, RDF + "type") if t.value in PROPERTY_KINDS]
        inst, total = samples(p, False)
        properties.append(
            TermDoc(
                node=lab.node(p),
                name=p.value[len(ns) :],
                comment=text(p, RDFS + "comment", SKOS + "definition"),
                kind=sorted(kinds)[0] if kinds else "property",
                supers=nodes(objs(p, RDFS + "subPropertyOf")),
                subs=nodes(subjs(RDFS + "subPropertyOf", p)),
                domain=nodes(objs(p, RDFS + "domain")),
                range=nodes(objs(p, RDFS + "range")),
                examples=examples(p),
                instances=inst,
                instance_count=total,
            )
        )
    individuals = []
    for i in typed(OWL + "NamedIndividual", SKOS + "Concept", SKOS + "ConceptScheme"):
        if any(i.value == c.node.value for c in classes) or any(i.value == p.node.value for p in properties):
            continue
        individuals.append(
            TermDoc(
                node=lab.node(i),
                name=i.value[len(ns) :],
                comment=text(i, RDFS + "comment", SKOS + "definition"),
                kind="controlled value" if objs(i, SKOS + "inScheme") else "individual",
                supers=nodes(t for t in objs(i, RDF + "type") if t.value.startswith(ns)),
                in_scheme=nodes(objs(i, SKOS + "inScheme")),
                examples=examples(i),
            )
        )

    onto_iri = ONTOLOGY_NS.rstrip("#")
    header = n(onto_iri)
    used = sorted(
        {
            (p, v)
            for p, v in prefixes(base).items()
            if any(v in str(t) for t in onto.quads(None, None, None, None))
        }
    )
    return OntologyDoc(
        iri=onto_iri,
        title=text(header, DCT + "title", RDFS + "label") or "ISCG ontology",
        description=text(header, DCT + "description", RDFS + "comment"),
        version=next(
            (
                q.object.value
                for q in onto.quads(header, n(OWL + "versionInfo"), None, None)
                if isinstance(q.object, ox.Literal)
            ),
            None,
        ),
        classes=tuple(sorted(classes, key=lambda t: t.name.lower())),
        properties=tuple(sorted(properties, key=lambda t: t.name.lower())),
        individuals=tuple(
            sorted(individuals, key=lambda t: (t.in_scheme[0].label if t.in_scheme else "", t.name))
        ),
        namespaces=tuple(used),
        triples=len(onto),
    )


def term_curie(iri: str, base: str) -> str:
    return curie(iri, prefixes(base)) or iri
