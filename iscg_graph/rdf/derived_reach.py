"""Derived reach: what a study group's work and a theme's neighbourhood cover, computed once.

Two canned queries walk property paths from every candidate to a parameter, which Oxigraph plans
from the wrong end at 1M triples (no answer in 30 s): the study-group neighbours
(`queries/study-group-neighbours.rq`, ``?a (iscg:studyGroup|iscg:parentGroup)* ?group`` for the
group and for every study group of the other Sectors) and the theme dossier
(`queries/theme-dossier.rq`, every theme tested against the chosen one with an ``EXISTS`` over
``(skos:exactMatch|^skos:exactMatch|skos:closeMatch|^skos:closeMatch)+`` and ``skos:broader+``).
Here, in the derived graph:

* ``<group> dv:member <item>``: for every group (a node typed ``iscg:StudyGroup`` or a subclass,
  or the object of an ``iscg:studyGroup`` / ``iscg:parentGroup`` statement), every item whose
  ``(iscg:studyGroup|iscg:parentGroup)*`` path leads to it, the group itself included, retired
  items (``owl:deprecated true``) left out;
* ``<group> dv:memberTheme <theme>``: the themes those members address (``iscg:addressesTheme``);
* ``<focus> dv:reaches <theme>``: for every theme and every pilot theme (``iscg:pilotTheme``), the
  themes (typed ``iscg:Theme``) the dossier gathers: itself, the themes joined to it by a chain of
  exact/close matches in either direction, and the themes whose ``skos:broader+`` leads to it;
* ``<mapping> dv:onTheme <theme>``: every ``iscg:Mapping`` whose subject or object addresses the
  theme (the dossier still checks its status live);
* ``<theme> dv:focus <theme>`` for every theme and ``dv:pilotThemes dv:focus <t>`` for every
  pilot theme (a constant of the derived vocabulary, so the query names it whatever the base):
  the dossier's focus, looked up from its parameter (or, without one, from that node) in one
  pattern instead of a union of the two cases.
"""

from __future__ import annotations

from collections import defaultdict

from .derived_facts import DERIVED_NS, ISCG, RDF_TYPE, SKOS, SUBCLASS_OF, Facts

DV_MEMBER = DERIVED_NS + "member"
DV_MEMBER_THEME = DERIVED_NS + "memberTheme"
DV_REACHES = DERIVED_NS + "reaches"
DV_ON_THEME = DERIVED_NS + "onTheme"
DV_FOCUS = DERIVED_NS + "focus"

__all__ = ["DV_FOCUS", "DV_MEMBER", "DV_MEMBER_THEME", "DV_ON_THEME", "DV_REACHES", "PILOT_THEMES",
           "group_triples", "theme_triples"]


def _walk(start: str, edges: dict[str, set[str]]) -> set[str]:
    """Every node reached from ``start`` in one or more steps along ``edges``."""
    seen: set[str] = set()
    todo = list(edges.get(start, ()))
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo.extend(edges.get(node, ()))
    return seen


def group_triples(facts: Facts) -> set[tuple[str, str, str]]:
    below: dict[str, set[str]] = defaultdict(set)  # group -> the items one step under it
    for predicate in (ISCG + "studyGroup", ISCG + "parentGroup"):
        for group, items in facts.subjects(predicate).items():
            below[group] |= items
    group_classes = {ISCG + "StudyGroup"} | _walk(ISCG + "StudyGroup", facts.subjects(SUBCLASS_OF))
    groups = set(below) | {s for s, o in facts.pairs(RDF_TYPE) if o in group_classes}
    retired = facts.deprecated()
    themes = facts.objects(ISCG + "addressesTheme")
    out: set[tuple[str, str, str]] = set()
    for group in groups:
        for member in (_walk(group, below) | {group}) - retired:
            out.add((group, DV_MEMBER, member))
            out.update((group, DV_MEMBER_THEME, theme) for theme in themes.get(member, ()))
    return out


PILOT_THEMES = DERIVED_NS + "pilotThemes"  # its dv:focus: the pilot themes, the dossier's default


def theme_triples(facts: Facts) -> set[tuple[str, str, str]]:
    themes = facts.subjects_with(RDF_TYPE, ISCG + "Theme")
    pilots = {o for _s, o in facts.pairs(ISCG + "pilotTheme")}
    matches: dict[str, set[str]] = defaultdict(set)
    for predicate in (SKOS + "exactMatch", SKOS + "closeMatch"):
        for s, o in facts.pairs(predicate):
            matches[s].add(o)
            matches[o].add(s)
    narrower = facts.subjects(SKOS + "broader")
    out: set[tuple[str, str, str]] = {(t, DV_FOCUS, t) for t in themes}
    out.update((PILOT_THEMES, DV_FOCUS, t) for t in pilots)
    for focus in themes | pilots:
        reached = ({focus} | _walk(focus, matches) | _walk(focus, narrower)) & themes
        out.update((focus, DV_REACHES, theme) for theme in reached)
    addressed = facts.objects(ISCG + "addressesTheme")
    ends = facts.objects(ISCG + "subject")
    for mapping, objects in facts.objects(ISCG + "object").items():
        if mapping not in ends:  # the dossier joins a mapping with both its ends
            continue
        for item in ends[mapping] | objects:
            out.update((mapping, DV_ON_THEME, theme) for theme in addressed.get(item, ()))
    mappings = facts.subjects_with(RDF_TYPE, ISCG + "Mapping")
    return {t for t in out if t[1] != DV_ON_THEME or t[0] in mappings}
