"""The derived statements a theme link, a match or a retirement can change, recomputed from lookups.

`derived_delta` bounds a curated write by what it touches (`Scope`): items whose theme links or
retirement changed, themes whose aggregates may change, nodes whose exact or close matches changed,
and link or mapping nodes (`derived_links`). `scoped_change` recomputes, from index lookups in the
dataset after the write, only the derived statements those can reach, and compares them with the
derived graph's current statements of the same keys:

* **an item**: its Question pairs (`derived_links.item_pairs`), its membership of the study groups
  above it (``dv:member``) and their ``dv:memberTheme`` of its themes, the ``dv:onTheme`` of
  the mappings it is an end of, and whether it is a Question no Resolution is behind
  (``dv:withoutResolution``);
* **the themes** (closed under ``skos:exactMatch`` in either direction, so an area is always whole):
  every aggregate keyed by one of them or by its area (``dv:area``, ``dv:wordingKey``, ``dv:areaName`` /
  ``dv:areaLists``, the per-theme counts, the Sector x theme incidence and Resolution pair nodes,
  the coverage rows). These are computed by the same code as the full recompute
  (`derived_aggregates.aggregate_triples`), on a small in-memory copy of what they read: the
  themes, their lists, the items addressing them with their Sectors and study periods, the
  mappings of those items and their other ends, and the class hierarchy;
* **a matched node**: ``dv:reaches`` of every theme or pilot theme joined to it by a chain of exact
  or close matches (its dossier), and their ``dv:focus`` (a theme is its own focus);
* **a node whose study groups may change** (`Scope.members`: a group change, a study group's type):
  its ``dv:member`` and the ``dv:memberTheme`` of its themes in the groups it is in before and after;
* **the sections of themes** (`Scope.sections`: a list's notation replaced): ``dv:areaLists``,
  ``dv:areaKey`` and
  ``dv:coverageSection`` of them and their areas, from a copy of the themes and lists alone;
* **mappings between items on themes** (`Scope.covers`): when nothing else in the scope but link
  nodes, the coverage rows' ``dv:coverageLinked`` updated from the mappings' own new pairs
  (`derived_linked`); else (or when a mapping may have unlinked a row) the aggregates of their ends'
  themes, as above;
* **keyed nodes** (`Scope.keyed`): ``dv:groupMandates`` of a Question, ``dv:parts`` /
  ``dv:partList`` of a Resolution (`derived_keyed`).
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from . import derived_aggregates as aggregates
from .derived_facts import DERIVED_NS, ISCG, RDF_TYPE, SKOS, SUBCLASS_OF, Lookups
from .derived_keyed import keyed_change
from .derived_linked import linked_change
from .derived_links import item_pairs, link_change
from .derived_reach import DV_FOCUS, DV_MEMBER, DV_MEMBER_THEME, DV_REACHES
from .derived_source import digest
from .derived_touched import Scope

__all__ = ["Scope", "scoped_change"]

ADDRESSES = ox.NamedNode(ISCG + "addressesTheme")
EXACT, CLOSE = ox.NamedNode(SKOS + "exactMatch"), ox.NamedNode(SKOS + "closeMatch")
UP = (ox.NamedNode(ISCG + "studyGroup"), ox.NamedNode(ISCG + "parentGroup"))
SUBJECT, OBJECT = ox.NamedNode(ISCG + "subject"), ox.NamedNode(ISCG + "object")
TYPE, THEME = ox.NamedNode(RDF_TYPE), ox.NamedNode(ISCG + "Theme")
QUESTION, SECTOR = ox.NamedNode(ISCG + "Question"), ox.NamedNode(ISCG + "sector")
RELATED, MANDATES = ox.NamedNode(ISCG + "relatedResolution"), ox.NamedNode(ISCG + "mandates")
DV = DERIVED_NS
THEME_KEYED = tuple(ox.NamedNode(DV + p) for p in ("sectors", "sectorList", "items", "itemLabels", "area",
                                                    "wordingKey"))
AREA_KEYED = tuple(ox.NamedNode(DV + p) for p in ("areaName", "areaLists", "areaKey"))


Change = tuple[set[ox.Quad], set[ox.Quad]]


def _walk(start: Iterable[ox.NamedNode], step: Iterable[tuple[ox.NamedNode, bool]], data: Lookups
          ) -> set[ox.NamedNode]:
    """``start`` and every node reached from it along the (predicate, forward) steps."""
    steps = list(step)
    seen: set[ox.NamedNode] = set()
    todo = list(start)
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for predicate, forward in steps:
            todo.extend(data.nodes(node, predicate) if forward else data.subjects(predicate, node))
    return seen


def _group_classes(data: Lookups) -> set[ox.NamedNode]:
    return _walk([ox.NamedNode(ISCG + "StudyGroup")], [(ox.NamedNode(SUBCLASS_OF), False)], data)


def _groups(data: Lookups, item: ox.NamedNode, classes: set[ox.NamedNode]) -> set[ox.NamedNode]:
    """The study groups ``item`` is a member of (itself when it is one)."""
    above = _walk([item], [(p, True) for p in UP], data) - {item}
    is_group = (any(data.subjects(p, item) for p in UP)
                or any(data.has(item, TYPE, cls) for cls in classes))
    return above | ({item} if is_group else set())


def _groups_change(data: Lookups, item: ox.NamedNode, themes: set[ox.NamedNode]) -> Change:
    """``dv:member`` of ``item`` and ``dv:memberTheme`` of ``themes`` in the groups above it."""
    graph = data.derived
    member, member_theme = ox.NamedNode(DV_MEMBER), ox.NamedNode(DV_MEMBER_THEME)
    classes = _group_classes(data)
    current: set[ox.Quad] = set(data.derived_quads(None, member, item))
    wanted: set[ox.Quad] = set()
    groups = _groups(data, item, classes)
    live_item = not data.deprecated(item)
    for group in groups:
        if live_item:
            wanted.add(ox.Quad(group, member, item, graph))
    # the groups it is in after the write, and those it was in before (a group change)
    considered = groups | {q.subject for q in current if isinstance(q.subject, ox.NamedNode)}
    above: dict[ox.NamedNode, set[ox.NamedNode]] = {}
    for theme in themes:
        for group in considered:
            current.update(data.derived_quads(group, member_theme, theme))
        for other in data.subjects(ADDRESSES, theme):
            if data.deprecated(other):
                continue
            if other not in above:
                above[other] = _groups(data, other, classes)
            wanted.update(ox.Quad(g, member_theme, theme, graph) for g in above[other] & considered)
    return current - wanted, wanted - current


def _unbacked_change(data: Lookups, item: ox.NamedNode) -> Change:
    """``dv:withoutResolution`` of ``item`` (its retirement or Resolutions changed)."""
    graph, p = data.derived, ox.NamedNode(DV + "withoutResolution")
    current = set(data.derived_quads(item, p, None))
    wanted: set[ox.Quad] = set()
    if aggregates.without_resolution(data.has(item, TYPE, QUESTION), data.deprecated(item),
                                     bool(data.objects(item, RELATED)), bool(data.subjects(MANDATES, item))):
        wanted = {ox.Quad(item, p, sector, graph) for sector in data.nodes(item, SECTOR)}
    return current - wanted, wanted - current


def _reaches_change(data: Lookups, matched: set[ox.NamedNode]) -> Change:
    """``dv:reaches`` of the themes and pilot themes in the match components of ``matched``."""
    graph, reaches, focus_of = data.derived, ox.NamedNode(DV_REACHES), ox.NamedNode(DV_FOCUS)
    matches = [(EXACT, True), (EXACT, False), (CLOSE, True), (CLOSE, False)]
    pilot = ox.NamedNode(ISCG + "pilotTheme")
    current: set[ox.Quad] = set()
    wanted: set[ox.Quad] = set()
    done: set[ox.NamedNode] = set()
    for start in matched:
        if start in done:
            continue
        component = _walk([start], matches, data)  # after a match is taken off: two components
        done |= component
        for focus in component:
            current.update(data.derived_quads(focus, reaches, None))
            current.update(data.derived_quads(focus, focus_of, focus))  # a theme is its own focus
            if data.has(focus, TYPE, THEME):
                wanted.add(ox.Quad(focus, focus_of, focus, graph))
            elif not data.subjects(pilot, focus):
                continue
            below = _walk([focus], [(ox.NamedNode(SKOS + "broader"), False)], data)
            wanted.update(ox.Quad(focus, reaches, t, graph) for t in component | below
                          if data.has(t, TYPE, THEME))
    return current - wanted, wanted - current


def _copy(data: Lookups, themes: set[ox.NamedNode], *, items: bool = True) -> ox.Store:
    """An in-memory store with what the aggregates of ``themes`` read (see the module's docstring;
    without ``items``, the themes and their lists only)."""
    subjects: set[ox.NamedNode] = set(themes)
    for theme in themes:
        subjects |= data.nodes(theme, ox.NamedNode(SKOS + "inScheme"))
        for item in data.subjects(ADDRESSES, theme) if items else ():
            subjects.add(item)
            for p in ("sector", "studyPeriod"):
                subjects |= data.nodes(item, ox.NamedNode(ISCG + p))
            for end, other in ((SUBJECT, OBJECT), (OBJECT, SUBJECT)):
                for mapping in data.subjects(end, item):
                    subjects.add(mapping)
                    subjects |= data.nodes(mapping, other)
    out = ox.Store()
    out.extend(q for s in subjects for q in data.about(s))
    out.extend(q for q in data.store.quads_for_pattern(None, ox.NamedNode(SUBCLASS_OF), None)
               if q.graph_name != data.derived)
    return out


def _themes_change(data: Lookups, themes: set[ox.NamedNode]) -> Change:
    """The aggregates keyed by ``themes`` (closed under exact matches) and by their areas."""
    graph = data.derived
    base = graph.value[: -len("graph/derived")]
    themes = _walk(themes, [(EXACT, True), (EXACT, False)], data)
    area, on_theme = ox.NamedNode(DV + "area"), ox.NamedNode(DV + "theme")
    copy = _copy(data, themes)
    computed = [ox.Quad(t.subject, t.predicate, t.object, graph) for t in aggregates.to_ox(
        aggregates.aggregate_triples(aggregates.store_source(copy, graph.value), base))]
    # the areas before (the derived graph) and after (the copy) the write
    areas = {q.object for q in [*(q for t in themes for q in data.derived_quads(t, area, None)),
                                 *(q for q in computed if q.predicate == area and q.subject in themes)]
             if isinstance(q.object, ox.NamedNode)}
    # the nodes keyed by a theme: Sector x theme incidence, Resolution pairs, coverage rows
    nodes = {q.subject for t in themes for q in data.derived_quads(None, on_theme, t)}
    nodes |= {q.subject for q in computed if q.predicate == on_theme and q.object in themes}
    prefix = f"{base}derived/coverage/"
    nodes |= {ox.NamedNode(prefix + digest("items", t.value)) for t in themes}
    nodes |= {ox.NamedNode(prefix + digest("areas", a.value)) for a in areas}

    def owned(q: ox.Quad) -> bool:
        return (q.subject in nodes or (q.subject in themes and q.predicate in THEME_KEYED)
                or (q.subject in areas and q.predicate in AREA_KEYED))

    current: set[ox.Quad] = set()
    for node in nodes:
        if isinstance(node, ox.NamedNode):  # always: the derived graph's subjects are IRIs
            current.update(data.derived_quads(node, None, None))
    for theme in themes:
        for p in THEME_KEYED:
            current.update(data.derived_quads(theme, p, None))
    for a in areas:
        for p in AREA_KEYED:
            current.update(data.derived_quads(a, p, None))
    wanted = {q for q in computed if owned(q)}
    return current - wanted, wanted - current


def _sections_change(data: Lookups, themes: set[ox.NamedNode]) -> Change:
    """``dv:areaLists`` and ``dv:coverageSection`` of ``themes`` (closed under exact matches) and of
    their areas, when a list of theirs changed its notation and had one before and after: the
    entries, the units and their lists stay, only the sections' text changes. The aggregates are
    computed on a copy of the themes and their lists alone (no items: the counts in it are wrong
    and not kept)."""
    graph = data.derived
    themes = _walk(themes, [(EXACT, True), (EXACT, False)], data)
    area_lists, section = ox.NamedNode(DV + "areaLists"), ox.NamedNode(DV + "coverageSection")
    area_key = ox.NamedNode(DV + "areaKey")  # the start of "name (lists)": a short name's lists
    areas = {q.object for t in themes for q in data.derived_quads(t, ox.NamedNode(DV + "area"), None)
             if isinstance(q.object, ox.NamedNode)}
    rows = {q.subject for u in themes | areas
            for q in data.derived_quads(None, ox.NamedNode(DV + "coverageUnit"), u)}
    source = aggregates.store_source(_copy(data, themes, items=False), graph.value)
    computed = [ox.Quad(t.subject, t.predicate, t.object, graph) for t in aggregates.to_ox(
        aggregates.aggregate_triples(source, graph.value[: -len("graph/derived")]))]
    wanted = {q for q in computed if (q.subject in areas and q.predicate in (area_lists, area_key))
              or (q.subject in rows and q.predicate == section)}
    current = {q for a in areas for p in (area_lists, area_key) for q in data.derived_quads(a, p, None)}
    current |= {q for r in rows if isinstance(r, ox.NamedNode) for q in data.derived_quads(r, section, None)}
    return current - wanted, wanted - current


def scoped_change(store: ox.Store, graph: ox.NamedNode, scope: Scope,
                  change: tuple[Iterable[ox.Quad], Iterable[ox.Quad]]) -> Change:
    """The derived quads to remove and add for ``scope`` (``store``: the dataset after the write,
    its derived graph as before it; ``change``: the write's removed and added quads)."""
    data = Lookups(store, graph)
    removed, added = list(change[0]), list(change[1])
    ends_before = [q for q in removed if q.predicate in (SUBJECT, OBJECT)]
    gone: set[ox.Quad] = set()
    new: set[ox.Quad] = set()

    def add(change: Change) -> None:
        gone.update(change[0])
        new.update(change[1])

    links = set(scope.links)
    for item, changed in scope.items.items():
        add(item_pairs(data, item))
        add(_groups_change(data, item, changed | data.nodes(item, ADDRESSES)))
        add(_unbacked_change(data, item))
        links |= data.subjects(SUBJECT, item) | data.subjects(OBJECT, item)
    for node in scope.members - set(scope.items):
        add(_groups_change(data, node, data.nodes(node, ADDRESSES)))
    if scope.keyed:
        add(keyed_change(data, scope.keyed))
    if links:
        add(link_change(store, graph, links, ends_before))
    if scope.matched:
        add(_reaches_change(data, scope.matched))
    themes = set(scope.themes)
    if scope.covers:  # a mapping between items on themes: the flags from it alone, if nothing else
        alone = not (scope.items or scope.themes or scope.matched or scope.members or scope.sections
                     or scope.keyed)
        flags = linked_change(data, scope.covers, (removed, added)) if alone else None
        if flags is None:
            themes |= scope.cover_themes
        else:
            add(flags)
    if themes:
        add(_themes_change(data, themes))
    if scope.sections:
        add(_sections_change(data, scope.sections))
    return gone - new, new - gone
