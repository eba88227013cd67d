"""Theme schemes browsed like a thesaurus: each scheme as a broader/narrower tree, plus A–Z.

Built from `skos:inScheme` and `skos:broader` (top concepts are the members with no broader
concept in the same scheme); children are ordered by notation the way the report numbers them
(`1`, `1.1`, `1.2`, `2`, …, `10`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import pyoxigraph as ox

from ..rdf.store import EmbeddedStore
from ..render.collation import collation_key
from ..vocab import DCT, RDF_TYPE, RDFS, SKOS, SKOS_BROADER, SKOS_IN_SCHEME, SKOS_MEMBER, SKOS_NOTATION
from .describe import Labeller, Node

RDFS_SUBCLASS = ox.NamedNode(RDFS + "subClassOf")
DCT_IS_PART_OF = ox.NamedNode(DCT + "isPartOf")


@dataclass(frozen=True)
class TreeItem:
    node: Node
    notation: str | None
    children: tuple[TreeItem, ...]


@dataclass(frozen=True)
class Scheme:
    node: Node
    tree: tuple[TreeItem, ...]
    a_to_z: tuple[tuple[str, tuple[Node, ...]], ...]  # (letter, concepts)
    size: int
    collections: tuple[tuple[Node, tuple[TreeItem, ...]], ...] = ()  # skos:Collection groups, as printed
    notation: str | None = None  # the Annex section, e.g. "1.5"


def notation_key(notation: str | None) -> tuple[tuple[int, object], ...]:
    """`10` after `9`, `1.10` after `1.9`; non-numeric parts sort as text after numbers."""
    if notation is None:
        return ((2, ""),)
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"[.\s]+", notation) if p)


def _letter(label: str) -> str:
    folded = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode().strip().upper()
    return folded[0] if folded and folded[0].isalpha() else "#"


def _notation(store: EmbeddedStore, node: ox.NamedNode) -> str | None:
    for q in store.quads(node, SKOS_NOTATION, None, None):
        if isinstance(q.object, ox.Literal):
            return q.object.value
    return None


def scheme_classes(store: EmbeddedStore) -> set[str]:
    """skos:ConceptScheme and its subclasses (e.g. iscg:ThemeScheme), read from the ontology in the store."""
    found = {SKOS + "ConceptScheme"}
    todo = [SKOS + "ConceptScheme"]
    while todo:
        current = ox.NamedNode(todo.pop())
        for q in store.quads(None, RDFS_SUBCLASS, current, None):
            if isinstance(q.subject, ox.NamedNode) and q.subject.value not in found:
                found.add(q.subject.value)
                todo.append(q.subject.value)
    return found


def scheme_iris(store: EmbeddedStore) -> list[str]:
    """Every concept scheme in the graph (typed skos:ConceptScheme or a subclass of it)."""
    return sorted(
        {
            q.subject.value
            for c in scheme_classes(store)
            for q in store.quads(None, RDF_TYPE, ox.NamedNode(c), None)
            if isinstance(q.subject, ox.NamedNode)
        }
    )


def is_scheme(store: EmbeddedStore, iri: str) -> bool:
    classes = scheme_classes(store)
    return any(
        isinstance(q.object, ox.NamedNode) and q.object.value in classes
        for q in store.quads(ox.NamedNode(iri), RDF_TYPE, None, None)
    )


def build_scheme(store: EmbeddedStore, iri: str, labeller: Labeller) -> Scheme:
    scheme = ox.NamedNode(iri)
    members = {
        q.subject.value
        for q in store.quads(None, SKOS_IN_SCHEME, scheme, None)
        if isinstance(q.subject, ox.NamedNode)
    }
    parents: dict[str, list[str]] = {m: [] for m in members}
    children: dict[str, list[str]] = {m: [] for m in members}
    for m in members:
        for q in store.quads(ox.NamedNode(m), SKOS_BROADER, None, None):
            if isinstance(q.object, ox.NamedNode) and q.object.value in members:
                parents[m].append(q.object.value)
                children[q.object.value].append(m)
    notations = {m: _notation(store, ox.NamedNode(m)) for m in members}

    def order(m: str) -> tuple[tuple[tuple[int, object], ...], str]:
        return notation_key(notations[m]), labeller.node(ox.NamedNode(m)).label.lower()

    def item(m: str, path: frozenset[str]) -> TreeItem:
        kids = tuple(item(c, path | {c}) for c in sorted(children[m], key=order) if c not in path)
        return TreeItem(labeller.node(ox.NamedNode(m)), notations[m], kids)

    tops = sorted((m for m in members if not parents[m]), key=order)
    tree = tuple(item(m, frozenset({m})) for m in tops)
    letters: dict[str, list[Node]] = {}
    for m in members:
        node = labeller.node(ox.NamedNode(m))
        letters.setdefault(_letter(node.label), []).append(node)
    a_to_z = tuple(
        (letter, tuple(sorted(nodes, key=lambda n: collation_key(n.label))))
        for letter, nodes in sorted(letters.items(), key=lambda kv: collation_key(kv[0]))
    )
    by_top = {t.node.value: t for t in tree}
    collections = []
    for coll in _collections(store, scheme, members):
        items = tuple(by_top[m] for m in sorted(_members(store, coll), key=order) if m in by_top)
        if items:
            collections.append((labeller.node(coll), items))
    collections.sort(key=lambda c: min(notation_key(i.notation) for i in c[1]))
    return Scheme(
        labeller.node(scheme), tree, a_to_z, len(members), tuple(collections), _notation(store, scheme)
    )


def _members(store: EmbeddedStore, collection: ox.NamedNode) -> set[str]:
    return {
        q.object.value
        for q in store.quads(collection, SKOS_MEMBER, None, None)
        if isinstance(q.object, ox.NamedNode)
    }


def _collections(store: EmbeddedStore, scheme: ox.NamedNode, members: set[str]) -> list[ox.NamedNode]:
    """The skos:Collections of a scheme: declared part of it, or grouping its concepts."""
    found = {
        q.subject.value
        for q in store.quads(None, DCT_IS_PART_OF, scheme, None)
        if isinstance(q.subject, ox.NamedNode)
    }
    collection_type = ox.NamedNode(SKOS + "Collection")
    for m in members:
        for q in store.quads(None, SKOS_MEMBER, ox.NamedNode(m), None):
            if isinstance(q.subject, ox.NamedNode):
                found.add(q.subject.value)
    return [
        ox.NamedNode(c)
        for c in sorted(found)
        if any(True for _ in store.quads(ox.NamedNode(c), RDF_TYPE, collection_type, None))
    ]


def broader_chain(store: EmbeddedStore, iri: str, labeller: Labeller) -> list[Node]:
    """The path from a top concept down to (not including) this theme."""
    chain: list[Node] = []
    current = ox.NamedNode(iri)
    seen = {iri}
    while True:
        nxt = next(
            (
                q.object
                for q in store.quads(current, SKOS_BROADER, None, None)
                if isinstance(q.object, ox.NamedNode) and q.object.value not in seen
            ),
            None,
        )
        if nxt is None:
            break
        seen.add(nxt.value)
        chain.insert(0, labeller.node(nxt))
        current = nxt
    return chain


def narrower(store: EmbeddedStore, iri: str, labeller: Labeller) -> list[Node]:
    kids = [
        q.subject
        for q in store.quads(None, SKOS_BROADER, ox.NamedNode(iri), None)
        if isinstance(q.subject, ox.NamedNode)
    ]
    return sorted(
        (labeller.node(k) for k in kids),
        key=lambda n: (notation_key(_notation(store, ox.NamedNode(n.value))), n.label),
    )
