"""The reach of labels, notations, list membership and an item's Sector, study period and group.

The aggregates (`derived_aggregates`, `derived_coverage`) read a label or a notation in a few roles
only, each owned by a few keys of the derived graph; `derived_delta` used to recompute the whole
derived graph for any change to one in those roles. The rules below say, from the changed quad's
subject and the dataset after the write, which role applies, and `widen` turns that into the keys
`derived_scope` recomputes (`Scope`):

* ``rdfs:label`` of an item with an ``iscg:sector`` (its English label in ``dv:itemLabels``): the
  aggregates of the themes it addresses; of a part of the Union without a ``skos:notation`` (its
  code): ``dv:partList`` of the Resolutions concerning it; of a Sector without a notation (its code
  in every theme's Sector list): everything (`ALL`). A Sector or part with a notation is coded by
  it: its label is not read.
* ``skos:prefLabel`` of a theme, ``skos:inScheme`` of a theme: the theme's aggregates (`THEME`);
  ``skos:prefLabel`` of a node with an exact match: the aggregates of the themes it is matched to
  (their ``dv:wordingKey`` reads every entry of the component).
* ``skos:notation`` of a list: the aggregates of its themes (when it had a notation before, a
  coverage row listing it, and has one after: only its themes' sections); of a part: ``dv:partList`` of the
  Resolutions concerning it; of a mandating Resolution: ``dv:groupMandates`` of the Questions below
  the groups it mandates; of a study period or a Sector (read for every item): everything.
* ``iscg:sector`` of an item: as a theme link (`ITEM`: its Question pairs, its themes);
  ``iscg:studyPeriod``: the aggregates of its themes; ``iscg:studyGroup`` / ``iscg:parentGroup``:
  ``dv:member`` / ``dv:memberTheme`` of everything below it and of the group, and their
  ``dv:groupMandates``; ``iscg:concernsSector``: the Resolution's ``dv:parts`` / ``dv:partList``;
  ``iscg:mandates``: ``dv:groupMandates`` of the Questions below the mandated group, and the
  mandated node as an item (``dv:withoutResolution`` of a mandated Question).

As for every rule (`derived_delta`), the context looked at is either always relevant itself
(``rdf:type``, the notation of a Sector) or bounded with at least the reach the rule would give:
a write that takes an item's Sector off and changes that Sector's label in one go reaches the
item's themes through the Sector change, the only place the Sector was read.
"""

from __future__ import annotations

from collections.abc import Callable

import pyoxigraph as ox

from .derived_touched import Scope

__all__ = ["KINDS", "RULES", "widen"]

ISCG = "https://w3id.org/iscg/ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
SECTOR, PART = ox.NamedNode(ISCG + "sector"), ox.NamedNode(ISCG + "concernsSector")
PERIOD, MANDATES = ox.NamedNode(ISCG + "studyPeriod"), ox.NamedNode(ISCG + "mandates")
IN_SCHEME, NOTATION = ox.NamedNode(SKOS + "inScheme"), ox.NamedNode(SKOS + "notation")
ADDRESSES, THEME_CLASS = ox.NamedNode(ISCG + "addressesTheme"), ox.NamedNode(ISCG + "Theme")
UP = (ox.NamedNode(ISCG + "studyGroup"), ox.NamedNode(ISCG + "parentGroup"))
BROADER, EXACT = ox.NamedNode(SKOS + "broader"), ox.NamedNode(SKOS + "exactMatch")
# a coverage row lists a list only when it has a notation (read in the derived graph: before the write)
COVERAGE_LIST = ox.NamedNode("https://w3id.org/iscg/derived#coverageList")
SUBCLASS_OF = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")

# the kinds of `derived_delta`'s rules this module adds (their names are its own; ALL, NOTHING,
# ITEM and THEME are derived_delta's)
ALL, NOTHING, ITEM, THEME = "all", "", "item", "theme"
LABEL, CODE, ON, GROUP, PARTS, MANDATED = "label", "notation", "on", "group", "parts", "mandated"
TYPED = "typed"  # rdf:type of a class below Theme, Question, Resolution or StudyGroup (derived_delta)
KINDS = frozenset({LABEL, CODE, ON, GROUP, PARTS, MANDATED, TYPED})


def _any(store: ox.Store, s: object, p: ox.NamedNode, o: object) -> bool:
    return any(True for _ in store.quads_for_pattern(s, p, o))  # type: ignore[arg-type]


def _is_object(store: ox.Store, node: object, p: ox.NamedNode) -> bool:
    return isinstance(node, ox.NamedNode | ox.BlankNode) and _any(store, None, p, node)


def _coded(store: ox.Store, node: object) -> bool:
    """A Sector or part with a literal notation: its code is that, never its label."""
    return isinstance(node, ox.NamedNode | ox.BlankNode) and any(
        isinstance(q.object, ox.Literal) for q in store.quads_for_pattern(node, NOTATION, None))


def _typed_theme(store: ox.Store, node: object) -> bool:
    return isinstance(node, ox.NamedNode) and _any(store, node, RDF_TYPE, THEME_CLASS)


def _bounded(kind: str) -> Callable[[ox.Quad, ox.Store], str]:
    """The change of its subject's statement: ``kind``, bounded (a blank subject: everything)."""
    def rule(quad: ox.Quad, _store: ox.Store) -> str:
        return kind if isinstance(quad.subject, ox.NamedNode) else ALL
    return rule


def _label(quad: ox.Quad, store: ox.Store) -> str:
    s = quad.subject
    if _is_object(store, s, SECTOR) and not _coded(store, s):
        return ALL  # a Sector's code, in the Sector list of every theme it has items on
    part = _is_object(store, s, PART) and not _coded(store, s)
    item = isinstance(s, ox.NamedNode | ox.BlankNode) and _any(store, s, SECTOR, None)
    if not (part or item):
        return NOTHING
    return LABEL if isinstance(s, ox.NamedNode) else ALL


def _notation(quad: ox.Quad, store: ox.Store) -> str:
    s = quad.subject
    if _is_object(store, s, PERIOD) or _is_object(store, s, SECTOR):
        return ALL  # a study period's or a Sector's: read for every item of it
    if not (_is_object(store, s, IN_SCHEME) or _is_object(store, s, PART)
            or (isinstance(s, ox.NamedNode | ox.BlankNode) and _any(store, s, MANDATES, None))):
        return NOTHING
    return CODE if isinstance(s, ox.NamedNode) else ALL


def _of_theme(quad: ox.Quad, store: ox.Store) -> str:
    """A theme's English entry or list: its aggregates (areas, coverage rows)."""
    if not _typed_theme(store, quad.subject):
        return ALL if isinstance(quad.subject, ox.BlankNode) else NOTHING
    return THEME


def _entry(quad: ox.Quad, store: ox.Store) -> str:
    """A theme's entry, or the entry of a node exactly matched (either way) to others: the themes of
    its component read it (``dv:wordingKey``; `derived_scope` walks the component from it)."""
    s = quad.subject
    if isinstance(s, ox.NamedNode) and not _typed_theme(store, s) and (
            _any(store, s, EXACT, None) or _any(store, None, EXACT, s)):
        return THEME
    return _of_theme(quad, store)


RULES: dict[str, Callable[[ox.Quad, ox.Store], str]] = {
    "http://www.w3.org/2000/01/rdf-schema#label": _label,
    SKOS + "prefLabel": _entry,  # the areas' names and wording keys, the coverage rows' labels
    SKOS + "inScheme": _of_theme,
    SKOS + "notation": _notation,
    ISCG + "sector": _bounded(ITEM),  # Question pairs across Sectors, the themes' Sector lists
    ISCG + "studyPeriod": _bounded(ON),
    ISCG + "studyGroup": _bounded(GROUP),
    ISCG + "parentGroup": _bounded(GROUP),
    ISCG + "concernsSector": _bounded(PARTS),
    ISCG + "mandates": _bounded(MANDATED),
}
"""The rules `derived_delta.READS` takes for these predicates."""


def _subjects(store: ox.Store, p: ox.NamedNode, o: ox.NamedNode) -> set[ox.NamedNode]:
    return {q.subject for q in store.quads_for_pattern(None, p, o) if isinstance(q.subject, ox.NamedNode)}


def _objects(store: ox.Store, s: ox.NamedNode, p: ox.NamedNode) -> set[ox.NamedNode]:
    return {q.object for q in store.quads_for_pattern(s, p, None) if isinstance(q.object, ox.NamedNode)}


def below(store: ox.Store, node: ox.NamedNode) -> set[ox.NamedNode]:
    """``node`` and everything whose ``(iscg:studyGroup|iscg:parentGroup)*`` path leads to it."""
    return _walk(store, node, *UP, forward=False)


def widen(kind: str, quad: ox.Quad, store: ox.Store, scope: Scope) -> None:
    """Add to ``scope`` what a changed quad of this module's ``kind`` reaches (``store``: after)."""
    s = quad.subject
    if not isinstance(s, ox.NamedNode):
        return  # the rules give ALL for a blank subject
    if kind in (LABEL, CODE) and _is_object(store, s, PART):
        scope.keyed |= _subjects(store, PART, s)
    if kind == LABEL and _any(store, s, SECTOR, None) or kind == ON:
        scope.themes |= _objects(store, s, ADDRESSES)
    if kind == CODE and (listed := _subjects(store, IN_SCHEME, s)):
        if _coded(store, s) and _any(store, None, COVERAGE_LIST, s):  # a notation before and after
            scope.sections |= listed  # the sections' text only (`derived_scope`)
        else:  # a list gaining or losing its only notation: its entries' rows appear or go
            scope.themes |= listed
    if kind == CODE:
        for group in _objects(store, s, MANDATES):
            scope.keyed |= below(store, group)
    elif kind == GROUP:
        under = below(store, s)
        scope.members |= under
        scope.keyed |= under
        if isinstance(quad.object, ox.NamedNode):  # the group itself: a group only while used as one
            scope.members.add(quad.object)
    elif kind == PARTS:
        scope.keyed.add(s)
    elif kind == MANDATED and isinstance(quad.object, ox.NamedNode):
        scope.keyed |= below(store, quad.object)
        scope.item(quad.object)  # a mandated Question has a Resolution behind it (dv:withoutResolution)
    elif kind == TYPED and isinstance(quad.object, ox.NamedNode):
        _typed(quad.object, s, store, scope)


def _typed(cls: ox.NamedNode, s: ox.NamedNode, store: ox.Store, scope: Scope) -> None:
    """The families test the class itself (``a iscg:Theme``), not a subclass (the write's RDFS
    closure adds the superclass's own statement), except the study groups (any class below
    ``iscg:StudyGroup``)."""
    if cls == THEME_CLASS:  # its areas and coverage rows, its dossier and those it is in
        scope.themes.add(s)
        scope.matched |= {s} | _walk(store, s, BROADER, forward=True)
        return
    if cls.value in (ISCG + "Question", ISCG + "Resolution"):  # pairs, counts, mandates, parts
        scope.item(s)
        scope.keyed.add(s)
        scope.themes |= _objects(store, s, ADDRESSES)
    if cls in _walk(store, ox.NamedNode(ISCG + "StudyGroup"), SUBCLASS_OF, forward=False):
        scope.members.add(s)  # a group whether used as one or not: its own membership
        scope.themes |= _objects(store, s, ADDRESSES)  # the coverage rows' study group counts


def _walk(store: ox.Store, start: ox.NamedNode, *along: ox.NamedNode, forward: bool) -> set[ox.NamedNode]:
    """``start`` and every node reached along the predicates (forward: to their objects; else to
    their subjects)."""
    seen: set[ox.NamedNode] = set()
    todo = [start]
    while todo:
        n = todo.pop()
        if n not in seen:
            seen.add(n)
            for p in along:
                todo.extend(_objects(store, n, p) if forward else _subjects(store, p, n))
    return seen
