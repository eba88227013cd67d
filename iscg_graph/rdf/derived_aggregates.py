"""Derived aggregates: what the canned Sector-overlap and mandate-gap queries need, in ``graph/derived``.

At a million triples these queries spent their time joining every item of one Sector with every
item of another on a shared theme, recomputing each theme's area (the themes recorded as its exact
match) per row, or concatenating per row what only changes with a write. The derived graph
(`iscg_graph.rdf.derived`) now also holds, computed from every other graph:

* the **area** of each theme (``iscg:Theme``): the smallest IRI of its component under
  ``skos:exactMatch`` in either direction (the theme itself included), as the queries keyed it::

      <theme> dv:area <area> .
      <area> dv:areaName "shortest English entry" ; dv:areaLists "§1.3, §1.4" ;
          dv:areaKey "shortest" .

  and the **wording key** of each theme, the smallest of the English ``skos:prefLabel`` values of
  its component (any node in it, a theme or not) in the annex-duplicate-areas normal form
  (`wording_key`), where one of them has one::

      <theme> dv:wordingKey "spectrum management" .

  ``dv:areaName`` / ``dv:areaLists`` only for an area with an entry that has an English
  ``skos:prefLabel`` and a list (``skos:inScheme/skos:notation``): the shortest such entry (then
  the first in code-point order) and every list naming one, sorted, joined by ", ".
* **Sector × theme incidence**: one node per (Sector, theme) that a live (not ``owl:deprecated``)
  item with that ``iscg:sector`` addressing that theme has, with the study periods of those items
  (``iscg:studyPeriod/skos:notation``), and typed ``dv:IncludesUndatedWork`` when one of them has
  no study period::

      <{base}derived/incidence/<digest>> dv:sector <sector> ; dv:theme <theme> ;
          dv:period "2017-2020", "2021-2024" .

  so "some item of Sector B addresses this area (in these years)" is a lookup, not a join over
  every item of Sector B.
* **Resolution pairs** of different assemblies on one theme: for each theme, each pair of live
  Resolutions addressing it adopted by two different conferences (``iscg:adoptedBy``; the first's
  IRI sorts before the second's, as the query's ``STR(?confA) < STR(?confB)``)::

      <{base}derived/resolution-pair/<digest>> dv:theme <theme> ;
          dv:resolution <first> ; dv:otherResolution <second> .

* per theme addressed by live items that have an English label and a Sector: how many Sectors
  (``dv:sectors``) and which (``dv:sectorList``: notation, else English label; distinct, sorted,
  ", "), how many items (``dv:items``) and their English labels (``dv:itemLabels``: distinct,
  sorted, "; "), for the coordination-gap query (Virtuoso cannot concatenate past 4 KB).
* per live Question that no Resolution is behind (no ``iscg:relatedResolution``, the object of no
  ``iscg:mandates``), its Sectors: ``<question> dv:withoutResolution <sector>``, where the mandate-gap
  query starts (one statement per row instead of a type, a retirement and two absences looked up
  per Question).
* per Question, the Resolutions that set up its study group (``iscg:mandates`` on the group or a
  group above it through ``iscg:parentGroup``), as the query showed them: their ``skos:notation``
  values, distinct, sorted, joined by "; " (``dv:groupMandates``).
* per Resolution that concerns two or more parts of the Union (``iscg:concernsSector``): their
  number (``dv:parts``) and their codes (notation, else English label; distinct, sorted, joined by
  ", ": ``dv:partList``).
* the theme-coverage rows, one per area or list entry (`iscg_graph.rdf.derived_coverage`).

Everything is a function of the other graphs and is recomputed with the rest of the derived graph
(at build time and in every curated write), so it is never stale; nothing is read from the derived
graph itself. The queries that read it stay standard SPARQL; docs/notes/scale.md §8.
"""

from __future__ import annotations

import re
from collections import defaultdict

from .derived_coverage import coverage_triples
from .derived_source import (
    DV,
    ISCG,
    OWL_DEPRECATED,
    RDF_TYPE,
    RDFS_LABEL,
    SKOS,
    XSD_BOOLEAN,
    XSD_INTEGER,
    Lit,
    Node,
    Source,
    areas,
    dataset_source,
    digest,
    english,
    join,
    multi,
    store_source,
    to_ox,
    to_rdflib,
)

__all__ = ["AREA_KEY_CHARACTERS", "DV", "Lit", "aggregate_triples", "area_key",
           "dataset_source", "store_source", "to_ox", "to_rdflib",
           "without_resolution", "wording_key"]


AREA_KEY_CHARACTERS = 8


def area_key(name: str, area_lists: str) -> str:
    """The first characters of an area's row label (``name (lists)``, as sector-overlap-detail shows
    it): areas whose keys differ sort in the order of their keys, so its rows can be read key by key
    (``dv:areaKey``)."""
    return f"{name} ({area_lists})"[:AREA_KEY_CHARACTERS]


# annex-duplicate-areas' REPLACEs, in its order (SPARQL's REPLACE replaces every match, as re.sub)
_WORDING = ((re.compile(r"\([^)]*\)"), " "), (re.compile("&"), " and "), (re.compile("[^a-z0-9]+"), " "),
            (re.compile(r"\A +| +\Z"), ""), (re.compile(r" (task force|group|committee)\Z"), ""))


def wording_key(label: str) -> str:
    """A list entry's wording with case, punctuation, "&"/"and", text in brackets and a trailing
    "task force", "group" or "committee" set aside: annex-duplicate-areas' ``REPLACE(...LCASE(STR(
    ?label))...)`` (after its third step only ``[a-z0-9 ]`` is left, so the anchors are the text's
    ends)."""
    key = label.lower()
    for pattern, replacement in _WORDING:
        key = pattern.sub(replacement, key)
    return key


def without_resolution(question: bool, retired: bool, related: bool, mandated: bool) -> bool:
    """Whether an item is a live Question with no Resolution behind it (``dv:withoutResolution``)."""
    return question and not (retired or related or mandated)


def aggregate_triples(source: Source, base: str) -> list[tuple[str, str, Node]]:
    """The aggregate statements of the derived graph of a store minted under ``base``, sorted."""
    out: set[tuple[str, str, Node]] = set()
    types = multi(source, RDF_TYPE)
    themes = {s for s, classes in types.items() if ISCG + "Theme" in classes}
    deprecated = {s for s, o in source(OWL_DEPRECATED) if o == Lit("true", None, XSD_BOOLEAN)}
    notations = multi(source, SKOS + "notation")
    labels = multi(source, RDFS_LABEL)

    # areas, their shortest entry and their lists
    pref = multi(source, SKOS + "prefLabel")
    roots = areas(source, themes | set(pref))
    area_of = {t: roots[t] for t in themes}
    lowest: dict[str, str] = {}  # a component's smallest wording key of an English entry
    for node, values in pref.items():
        for entry in english(values):
            key, root = wording_key(entry.value), roots[node]
            if root not in lowest or key < lowest[root]:
                lowest[root] = key
    in_scheme = multi(source, SKOS + "inScheme")
    names: dict[str, list[str]] = defaultdict(list)
    lists: dict[str, set[Lit]] = defaultdict(set)
    for theme, area in area_of.items():
        out.add((theme, DV + "area", area))
        if area in lowest:
            out.add((theme, DV + "wordingKey", Lit(lowest[area])))
        sections = [n.value for s in in_scheme.get(theme, ()) if isinstance(s, str)
                    for n in notations.get(s, ()) if isinstance(n, Lit)]
        entries = [e.value for e in english(pref.get(theme, ()))]
        if sections and entries:
            names[area].extend(entries)
            lists[area].update(Lit("§" + section) for section in sections)
    for area, entries in names.items():
        name, area_lists = Lit(min(entries, key=lambda e: (len(e), e))), join(lists[area], ", ")
        out.add((area, DV + "areaName", name))
        out.add((area, DV + "areaLists", area_lists))
        out.add((area, DV + "areaKey", Lit(area_key(name.value, area_lists.value))))

    # Sector x theme x study period incidence of the live items
    addresses = multi(source, ISCG + "addressesTheme")
    periods = multi(source, ISCG + "studyPeriod")
    prefix = f"{base}derived/incidence/"
    for item, sectors in multi(source, ISCG + "sector").items():
        if item in deprecated or item not in addresses:
            continue
        own = sorted({n.value for p in periods.get(item, ()) if isinstance(p, str)
                      for n in notations.get(p, ()) if isinstance(n, Lit)})
        for sector in sectors:
            if not isinstance(sector, str):
                continue
            for addressed in addresses[item]:
                if not isinstance(addressed, str) or addressed not in themes:
                    continue
                node = prefix + digest(sector, addressed)
                out.add((node, DV + "sector", sector))
                out.add((node, DV + "theme", addressed))
                for period in own:
                    out.add((node, DV + "period", Lit(period)))
                if not own:
                    out.add((node, RDF_TYPE, DV + "IncludesUndatedWork"))

    # pairs of live Resolutions of different assemblies on one theme
    adopted = multi(source, ISCG + "adoptedBy")
    by_theme: dict[str, list[tuple[str, list[str]]]] = defaultdict(list)
    for item, addressed_themes in addresses.items():
        if ISCG + "Resolution" not in types.get(item, ()) or item in deprecated:
            continue
        confs = sorted(c for c in adopted.get(item, ()) if isinstance(c, str))
        for addressed in addressed_themes:
            if confs and isinstance(addressed, str):
                by_theme[addressed].append((item, confs))
    prefix = f"{base}derived/resolution-pair/"
    for addressed, resolutions in by_theme.items():
        for first, first_confs in resolutions:
            for second, second_confs in resolutions:
                if first_confs[0] < second_confs[-1]:  # a conference of the first before one of the second
                    node = prefix + digest(addressed, first, second)
                    out.add((node, DV + "theme", addressed))
                    out.add((node, DV + "resolution", first))
                    out.add((node, DV + "otherResolution", second))

    # the Resolutions that set up each Question's study group (or a group above it)
    mandated_by: dict[str, set[str]] = defaultdict(set)
    for resolution, target in source(ISCG + "mandates"):
        if isinstance(target, str):
            mandated_by[target].add(resolution)
    parents = multi(source, ISCG + "parentGroup")
    for question, groups in multi(source, ISCG + "studyGroup").items():
        if ISCG + "Question" not in types.get(question, ()):
            continue
        seen: set[str] = set()
        todo = [g for g in groups if isinstance(g, str)]
        while todo:  # the group and every group above it (iscg:parentGroup*)
            group = todo.pop()
            if group not in seen:
                seen.add(group)
                todo.extend(p for p in parents.get(group, ()) if isinstance(p, str))
        found = {n for g in seen for r in mandated_by.get(g, ()) for n in notations.get(r, ())
                 if isinstance(n, Lit)}
        if found:
            out.add((question, DV + "groupMandates", join(found, "; ")))

    # the live Questions no Resolution is behind, per Sector (`derived_scope` keeps them per item)
    related = {s for s, _o in source(ISCG + "relatedResolution")}
    for question, sectors in multi(source, ISCG + "sector").items():
        if without_resolution(ISCG + "Question" in types.get(question, ()), question in deprecated,
                              question in related, question in mandated_by):
            out.update((question, DV + "withoutResolution", s) for s in sectors if isinstance(s, str))

    # per theme: the Sectors and the items addressing it (live items with an English label)
    sector_codes: dict[str, list[Lit]] = {}
    on_theme: dict[str, tuple[set[str], set[Lit], set[str], set[Lit]]] = {}
    for item, item_sectors in multi(source, ISCG + "sector").items():
        item_labels = english(labels.get(item, ()))
        if item in deprecated or not item_labels:
            continue
        for addressed in addresses.get(item, ()):
            if not isinstance(addressed, str):
                continue
            sectors_seen, codes_seen, items_seen, labels_seen = on_theme.setdefault(
                addressed, (set(), set(), set(), set()))
            items_seen.add(item)
            labels_seen.update(item_labels)
            for sector in item_sectors:
                if isinstance(sector, str):
                    sectors_seen.add(sector)
                    if sector not in sector_codes:
                        sector_codes[sector] = ([n for n in notations.get(sector, ()) if isinstance(n, Lit)]
                                                or english(labels.get(sector, ())))
                    codes_seen.update(sector_codes[sector])
    for addressed, (sectors_seen, codes_seen, items_seen, labels_seen) in on_theme.items():
        out.add((addressed, DV + "sectors", Lit(str(len(sectors_seen)), None, XSD_INTEGER)))
        out.add((addressed, DV + "sectorList", join(codes_seen, ", ")))
        out.add((addressed, DV + "items", Lit(str(len(items_seen)), None, XSD_INTEGER)))
        out.add((addressed, DV + "itemLabels", join(labels_seen, "; ")))

    # the parts of the Union each Resolution concerns, when there are two or more
    for resolution, parts in multi(source, ISCG + "concernsSector").items():
        if ISCG + "Resolution" not in types.get(resolution, ()) or len(parts) < 2:
            continue
        codes: set[Lit] = set()
        for part in parts:
            if isinstance(part, str):  # COALESCE(?notation, ?label), per combination
                codes.update([n for n in notations.get(part, ()) if isinstance(n, Lit)]
                             or english(labels.get(part, ())))
        out.add((resolution, DV + "parts", Lit(str(len(parts)), None, XSD_INTEGER)))
        out.add((resolution, DV + "partList", join(codes, ", ")))

    out |= coverage_triples(source, base, types, deprecated)
    return sorted(out, key=lambda t: (t[0], t[1], str(t[2])))
