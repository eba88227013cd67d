"""The derived statements of one link or mapping node, recomputed from index lookups.

A review decision (and a mapping edit) adds or changes a node with ``iscg:subject`` /
``iscg:object`` ends. Of the derived graph, two families read those ends: the Question pairs a link
joins (`derived_pairs`) and the themes of a mapping's ends (`derived_reach`, ``dv:onTheme``).
`derived_delta` calls `link_change` for the touched nodes instead of recomputing everything: the
``dv:onTheme`` statements of each node, and every Question pair among its ends (before and after
the write), decided again as `derived_pairs.question_pairs` decides it, from the dataset after.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import pyoxigraph as ox

from .derived_facts import _ox_text
from .derived_pairs import DV_FIRST, DV_PAIR, DV_SECOND, QUESTION_PAIRS, _two_sectors
from .derived_reach import DV_ON_THEME

__all__ = ["LINK_TERMS", "link_change"]

ISCG = "https://w3id.org/iscg/ontology#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
DEPRECATED = ox.NamedNode("http://www.w3.org/2002/07/owl#deprecated")
TRUE = ox.Literal("true", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))
SUBJECT, OBJECT = ox.NamedNode(ISCG + "subject"), ox.NamedNode(ISCG + "object")
ADDRESSES, SECTOR = ox.NamedNode(ISCG + "addressesTheme"), ox.NamedNode(ISCG + "sector")
RELATED = ox.NamedNode(ISCG + "relatedResolution")
LINK_TERMS = frozenset({DV_ON_THEME, DV_PAIR, DV_FIRST, DV_SECOND})
"""The derived properties `link_change` writes (their known-term statements may change)."""


class _Data:
    """Lookups in every graph of the store but the derived one."""

    def __init__(self, store: ox.Store, derived: ox.NamedNode):
        self.store, self.derived = store, derived

    def objects(self, s: ox.NamedNode, p: ox.NamedNode) -> set[ox.NamedNode | ox.Literal]:
        return {q.object for q in self.store.quads_for_pattern(s, p, None)
                if q.graph_name != self.derived and isinstance(q.object, ox.NamedNode | ox.Literal)}

    def subjects(self, p: ox.NamedNode, o: ox.NamedNode) -> set[ox.NamedNode]:
        return {q.subject for q in self.store.quads_for_pattern(None, p, o)
                if q.graph_name != self.derived and isinstance(q.subject, ox.NamedNode)}

    def has(self, s: ox.NamedNode, p: ox.NamedNode, o: ox.NamedNode | ox.Literal) -> bool:
        return any(q.graph_name != self.derived for q in self.store.quads_for_pattern(s, p, o))


def _on_theme(data: _Data, link: ox.NamedNode) -> set[ox.Quad]:
    subjects, objects = data.objects(link, SUBJECT), data.objects(link, OBJECT)
    if not subjects or not objects or not data.has(link, RDF_TYPE, ox.NamedNode(ISCG + "Mapping")):
        return set()
    on = ox.NamedNode(DV_ON_THEME)
    return {ox.Quad(link, on, theme, data.derived)
            for end in subjects | objects if isinstance(end, ox.NamedNode)
            for theme in data.objects(end, ADDRESSES) if isinstance(theme, ox.NamedNode)}


def _question(data: _Data, item: ox.NamedNode) -> bool:
    return data.has(item, RDF_TYPE, ox.NamedNode(ISCG + "Question")) and not data.has(item, DEPRECATED, TRUE)


def _joined(data: _Data, a: ox.NamedNode, b: ox.NamedNode) -> bool:
    """Whether `derived_pairs.question_pairs` lists (a, b): two Questions of two Sectors sharing
    two themes, a Resolution, or a link."""
    if a == b or not (_question(data, a) and _question(data, b)):
        return False
    sectors_a = {t for s in data.objects(a, SECTOR) if (t := _ox_text(s)) is not None}
    sectors_b = {t for s in data.objects(b, SECTOR) if (t := _ox_text(s)) is not None}
    if not _two_sectors(sectors_a, sectors_b):
        return False
    if len(data.objects(a, ADDRESSES) & data.objects(b, ADDRESSES)) > 1:
        return True
    if data.objects(a, RELATED) & data.objects(b, RELATED):
        return True
    for first, second in ((a, b), (b, a)):
        if any(data.has(link, OBJECT, second) for link in data.subjects(SUBJECT, first)):
            return True
    return False


def _pair_quads(a: ox.NamedNode, b: ox.NamedNode, graph: ox.NamedNode) -> set[ox.Quad]:
    if b.value < a.value:
        a, b = b, a
    base = graph.value[: -len("graph/derived")]
    node = ox.NamedNode(f"{base}derived/question-pair/"
                        + hashlib.sha256(f"{a.value} {b.value}".encode()).hexdigest()[:24])
    return {ox.Quad(ox.NamedNode(QUESTION_PAIRS), ox.NamedNode(DV_PAIR), node, graph),
            ox.Quad(node, ox.NamedNode(DV_FIRST), a, graph),
            ox.Quad(node, ox.NamedNode(DV_SECOND), b, graph)}


def link_change(store: ox.Store, graph: ox.NamedNode, links: Iterable[ox.NamedNode],
                ends_before: Iterable[ox.Quad]) -> tuple[set[ox.Quad], set[ox.Quad]]:
    """The derived quads to remove and add for the touched link nodes ``links`` (``store``: the
    dataset after the write; ``ends_before``: the removed ``iscg:subject`` / ``iscg:object`` quads)."""
    data = _Data(store, graph)
    current: set[ox.Quad] = set()
    wanted: set[ox.Quad] = set()
    on = ox.NamedNode(DV_ON_THEME)
    gone = list(ends_before)
    for link in links:
        current.update(store.quads_for_pattern(link, on, None, graph))
        wanted |= _on_theme(data, link)
        firsts = data.objects(link, SUBJECT) | {q.object for q in gone if q.subject == link
                                                and q.predicate == SUBJECT}
        seconds = data.objects(link, OBJECT) | {q.object for q in gone if q.subject == link
                                                and q.predicate == OBJECT}
        for a in firsts:
            for b in seconds:
                if not (isinstance(a, ox.NamedNode) and isinstance(b, ox.NamedNode)) or a == b:
                    continue
                quads = _pair_quads(a, b, graph)
                current.update(q for q in quads if q in store)
                if _joined(data, a, b):
                    wanted |= quads
    return current - wanted, wanted - current
