"""The coverage rows' "linked" flag after a mapping gains ends, from that mapping alone.

A review decision adds a mapping between two items. Of the themes' aggregates, a mapping is read by
one statement only: ``dv:coverageLinked`` of the coverage rows (`derived_coverage`). A live mapping
(``iscg:Mapping``, not ``iscg:Rejected``, not ``owl:deprecated``) joining ``x`` to ``y`` links

* the row of every entry both ``x`` and ``y`` address (both counting modes), and
* counting areas, the row of the area of an entry one end addresses, when the entry has an exact
  match and its area is the area of a theme the other end addresses.

`derived_scope` used to recompute every aggregate of the ends' themes for such a write, on a copy of
every item on them, their mappings and lists (hundreds of subjects read one by one at a million
triples). When a write changes nothing else the aggregates read (`Scope.covers` only, besides link
nodes) and no touched mapping loses a pair of ends it joined while live, no row can lose its flag:
each flag after the write is the flag before it, or the touched mappings' new pairs linking it.
`linked_change` computes just that from a few index lookups; it returns None when a touched mapping
may have unlinked something (a rejection, an end taken off, its type removed), and the caller
recomputes the themes' aggregates as before.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from .derived_facts import DERIVED_NS, ISCG, OWL_DEPRECATED, RDF_TYPE, SKOS, Lookups
from .derived_source import digest

__all__ = ["linked_change"]

XSD_BOOLEAN = ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")
TYPE, STATUS = ox.NamedNode(RDF_TYPE), ox.NamedNode(ISCG + "status")
SUBJECT, OBJECT = ox.NamedNode(ISCG + "subject"), ox.NamedNode(ISCG + "object")
DEPRECATED, TRUE = ox.NamedNode(OWL_DEPRECATED), ox.Literal("true", datatype=XSD_BOOLEAN)
MAPPING, REJECTED = ox.NamedNode(ISCG + "Mapping"), ox.NamedNode(ISCG + "Rejected")
ADDRESSES, EXACT = ox.NamedNode(ISCG + "addressesTheme"), ox.NamedNode(SKOS + "exactMatch")
LINKED = ox.NamedNode(DERIVED_NS + "coverageLinked")
FLAG = {value: ox.Literal(value, datatype=XSD_BOOLEAN) for value in ("true", "false")}
READ = (TYPE, STATUS, SUBJECT, OBJECT, DEPRECATED)
"""A mapping's statements the "linked" flag reads (`derived_coverage._linked`)."""

Change = tuple[set[ox.Quad], set[ox.Quad]]
Pair = tuple[ox.NamedNode, ox.NamedNode]
Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


def _state(data: Lookups, mapping: ox.NamedNode, removed: list[ox.Quad], added: list[ox.Quad],
           *, before: bool) -> dict[ox.NamedNode, set[Term]]:
    """The objects of the mapping's `READ` statements after the write, or before it (the quads after,
    less those the write added, with those it removed: exact per graph)."""
    out: dict[ox.NamedNode, set[Term]] = {}
    for p in READ:
        quads = {q for q in data.store.quads_for_pattern(mapping, p, None) if q.graph_name != data.derived}
        if before:
            quads -= {q for q in added if q.subject == mapping and q.predicate == p}
            quads |= {q for q in removed if q.subject == mapping and q.predicate == p
                      and q.graph_name != data.derived}
        out[p] = {q.object for q in quads}
    return out


def _pairs(state: dict[ox.NamedNode, set[Term]]) -> set[Pair]:
    """The (subject, object) ends a mapping in this state joins as a live mapping (none if not live).
    A literal end makes it live (the aggregates read literals) but addresses no theme."""
    ends = [{e for e in state[p] if isinstance(e, ox.NamedNode | ox.Literal)} for p in (SUBJECT, OBJECT)]
    live = (MAPPING in state[TYPE] and REJECTED not in state[STATUS] and TRUE not in state[DEPRECATED]
            and all(ends))
    if not live:
        return set()
    return {(x, y) for x in ends[0] for y in ends[1]
            if isinstance(x, ox.NamedNode) and isinstance(y, ox.NamedNode)}


class _Areas:
    """A theme's area (the smallest IRI of its exact-match component, `derived_source.areas`) and
    whether it has an exact match at all, from lookups, each component walked once."""

    def __init__(self, data: Lookups) -> None:
        self.data = data
        self._area: dict[ox.NamedNode, ox.NamedNode] = {}

    def of(self, theme: ox.NamedNode) -> ox.NamedNode:
        if theme not in self._area:
            seen: set[ox.NamedNode] = set()
            todo = [theme]
            while todo:
                node = todo.pop()
                if node not in seen:
                    seen.add(node)
                    todo.extend(self.data.nodes(node, EXACT))
                    todo.extend(self.data.subjects(EXACT, node))
            smallest = min(seen, key=lambda n: n.value)
            self._area.update((n, smallest) for n in seen)
        return self._area[theme]

    def matched(self, theme: ox.NamedNode) -> bool:
        """Whether ``theme`` is the subject or the IRI object of an exact match (any object)."""
        return bool(self.data.objects(theme, EXACT) or self.data.subjects(EXACT, theme))


def _contribution(data: Lookups, areas: _Areas, pairs: Iterable[Pair]) -> tuple[set[ox.NamedNode],
                                                                                set[ox.NamedNode]]:
    """The themes these pairs link on their own (both ends address them) and the themes they link
    to their area (`derived_coverage._linked`)."""
    own: set[ox.NamedNode] = set()
    to_area: set[ox.NamedNode] = set()
    for x, y in pairs:
        on_x, on_y = data.nodes(x, ADDRESSES), data.nodes(y, ADDRESSES)
        own |= on_x & on_y
        for one, other in ((on_x, on_y), (on_y, on_x)):
            other_areas = {areas.of(t) for t in other}
            to_area |= {t for t in one if areas.matched(t) and areas.of(t) in other_areas}
    return own, to_area


def linked_change(data: Lookups, mappings: Iterable[ox.NamedNode],
                  change: tuple[Iterable[ox.Quad], Iterable[ox.Quad]]) -> Change | None:
    """The ``dv:coverageLinked`` quads to remove and add after a write that changed, of what the
    aggregates read, only the statements of ``mappings`` (``data``: the dataset after it, its derived
    graph as before; ``change``: the write's removed and added quads); None when a mapping may have
    lost a pair of ends it joined while live (then the flags are recomputed, not updated)."""
    removed, added = list(change[0]), list(change[1])
    areas = _Areas(data)
    own: set[ox.NamedNode] = set()
    to_area: set[ox.NamedNode] = set()
    for mapping in mappings:
        before = _pairs(_state(data, mapping, removed, added, before=True))
        after = _pairs(_state(data, mapping, removed, added, before=False))
        if not before <= after:
            return None
        gained = _contribution(data, areas, after - before)
        own |= gained[0]
        to_area |= gained[1]
    graph = data.derived
    prefix = graph.value[: -len("graph/derived")] + "derived/coverage/"
    rows: set[ox.NamedNode] = set()
    for theme in own | to_area:
        entry = ox.NamedNode(prefix + digest("items", theme.value))
        if not data.derived_quads(entry, LINKED, None):
            continue  # not an entry (no English name, or in no numbered list): no row of its own
        if theme in own:
            rows.add(entry)
        rows.add(ox.NamedNode(prefix + digest("areas", areas.of(theme).value)))
    gone: set[ox.Quad] = set()
    new: set[ox.Quad] = set()
    for row in rows:
        unlinked = ox.Quad(row, LINKED, FLAG["false"], graph)
        if unlinked in set(data.derived_quads(row, LINKED, None)):
            gone.add(unlinked)
            new.add(ox.Quad(row, LINKED, FLAG["true"], graph))
    return gone, new
