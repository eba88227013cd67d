"""The derived statements of one link or mapping node, recomputed from index lookups.

A review decision (and a mapping edit) adds or changes a node with ``iscg:subject`` /
``iscg:object`` ends. Of the derived graph, two families read those ends: the Question pairs a link
joins (`derived_pairs`) and the themes of a mapping's ends (`derived_reach`, ``dv:onTheme``).
`derived_delta` calls `link_change` for the touched nodes instead of recomputing everything: the
``dv:onTheme`` statements of each node, and every Question pair among its ends (before and after
the write), decided again as `derived_pairs.question_pairs` decides it, from the dataset after.
`item_pairs` does the same for every pair of one item (a theme link, a retirement: `derived_scope`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import pyoxigraph as ox

from . import derived_aggregates as aggregates
from .derived_evidence import EVIDENCE_TERMS, pair_evidence, store_view
from .derived_facts import ISCG, Lookups, _ox_text
from .derived_facts import RDF_TYPE as RDF_TYPE_IRI
from .derived_pairs import DV_FIRST, DV_PAIR, DV_SECOND, QUESTION_PAIRS, _two_sectors
from .derived_reach import DV_ON_THEME

__all__ = ["LINK_TERMS", "item_pairs", "link_change"]

RDF_TYPE = ox.NamedNode(RDF_TYPE_IRI)
SUBJECT, OBJECT = ox.NamedNode(ISCG + "subject"), ox.NamedNode(ISCG + "object")
ADDRESSES, SECTOR = ox.NamedNode(ISCG + "addressesTheme"), ox.NamedNode(ISCG + "sector")
RELATED = ox.NamedNode(ISCG + "relatedResolution")
LINK_TERMS = frozenset({DV_ON_THEME, DV_PAIR, DV_FIRST, DV_SECOND, *EVIDENCE_TERMS})
"""The derived properties `link_change` writes (their known-term statements may change)."""


def _on_theme(data: Lookups, link: ox.NamedNode) -> set[ox.Quad]:
    subjects, objects = data.objects(link, SUBJECT), data.objects(link, OBJECT)
    if not subjects or not objects or not data.has(link, RDF_TYPE, ox.NamedNode(ISCG + "Mapping")):
        return set()
    on = ox.NamedNode(DV_ON_THEME)
    return {ox.Quad(link, on, theme, data.derived)
            for end in subjects | objects if isinstance(end, ox.NamedNode)
            for theme in data.objects(end, ADDRESSES) if isinstance(theme, ox.NamedNode)}


def _question(data: Lookups, item: ox.NamedNode) -> bool:
    return data.has(item, RDF_TYPE, ox.NamedNode(ISCG + "Question")) and not data.deprecated(item)


def _joined(data: Lookups, a: ox.NamedNode, b: ox.NamedNode) -> bool:
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


def _pair_node(a: ox.NamedNode, b: ox.NamedNode, graph: ox.NamedNode) -> ox.NamedNode:
    if b.value < a.value:
        a, b = b, a
    base = graph.value[: -len("graph/derived")]
    return ox.NamedNode(f"{base}derived/question-pair/"
                        + hashlib.sha256(f"{a.value} {b.value}".encode()).hexdigest()[:24])


def _current_pair(data: Lookups, a: ox.NamedNode, b: ox.NamedNode) -> set[ox.Quad]:
    """The derived statements of the pair of ``a`` and ``b`` as they are (none if not a pair)."""
    node = _pair_node(a, b, data.derived)
    return {*data.derived_quads(node, None, None),
            *data.derived_quads(ox.NamedNode(QUESTION_PAIRS), ox.NamedNode(DV_PAIR), node)}


def _pair_quads(data: Lookups, a: ox.NamedNode, b: ox.NamedNode) -> set[ox.Quad]:
    """The derived statements of the pair of ``a`` and ``b``: its node, ends and evidence."""
    graph = data.derived
    if b.value < a.value:
        a, b = b, a
    node = _pair_node(a, b, graph)
    out = {ox.Quad(ox.NamedNode(QUESTION_PAIRS), ox.NamedNode(DV_PAIR), node, graph),
           ox.Quad(node, ox.NamedNode(DV_FIRST), a, graph),
           ox.Quad(node, ox.NamedNode(DV_SECOND), b, graph)}
    evidence = pair_evidence(store_view(data.store, graph), a.value, b.value)
    if evidence is not None:
        out.update(ox.Quad(t.subject, t.predicate, t.object, graph)
                   for t in aggregates.to_ox(evidence.triples(node.value)))
    return out


def item_pairs(data: Lookups, item: ox.NamedNode) -> tuple[set[ox.Quad], set[ox.Quad]]:
    """The Question pairs of ``item`` to remove and add: every pair it is in now, and every Question
    that shares a theme, a Resolution or a link with it, decided again (`_joined`)."""
    current: set[ox.Quad] = set()
    others: set[ox.NamedNode] = set()
    for end, other_end in ((DV_FIRST, DV_SECOND), (DV_SECOND, DV_FIRST)):
        for q in data.derived_quads(None, ox.NamedNode(end), item):
            node = q.subject
            if not isinstance(node, ox.NamedNode):
                continue
            current.update(data.derived_quads(node, None, None))
            current.update(data.derived_quads(ox.NamedNode(QUESTION_PAIRS), ox.NamedNode(DV_PAIR), node))
            ends = data.derived_quads(node, ox.NamedNode(other_end), None)
            others.update(x.object for x in ends if isinstance(x.object, ox.NamedNode))
    for shared in (ADDRESSES, RELATED):
        for value in data.nodes(item, shared):
            others |= data.subjects(shared, value)
    for link in data.subjects(SUBJECT, item):
        others |= data.nodes(link, OBJECT)
    for link in data.subjects(OBJECT, item):
        others |= data.nodes(link, SUBJECT)
    wanted: set[ox.Quad] = set()
    for other in others:
        if _joined(data, item, other):
            wanted |= _pair_quads(data, item, other)
    return current - wanted, wanted - current


def link_change(store: ox.Store, graph: ox.NamedNode, links: Iterable[ox.NamedNode],
                ends_before: Iterable[ox.Quad]) -> tuple[set[ox.Quad], set[ox.Quad]]:
    """The derived quads to remove and add for the touched link nodes ``links`` (``store``: the
    dataset after the write; ``ends_before``: the removed ``iscg:subject`` / ``iscg:object`` quads)."""
    data = Lookups(store, graph)
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
                current |= _current_pair(data, a, b)
                if _joined(data, a, b):
                    wanted |= _pair_quads(data, a, b)
    return current - wanted, wanted - current
