"""Derived theme coverage: one row per area or list entry, for the theme-coverage query.

At a million triples the plain query (an area per theme through ``skos:exactMatch`` paths, a
sub-select of the mappings between two items on one area, and every item of every theme per row)
gave no answer within two minutes. The derived graph holds its rows instead, one node per counting
mode ("areas" or "items") and unit (the area's smallest IRI, or the theme)::

    <{base}derived/coverage/<digest>> dv:coverageMode "areas" ; dv:coverageUnit <area> ;
        dv:coverageLabel "shortest English entry" ; dv:coverageSection "1.3, 1.4" ;
        dv:coverageList <list>, <list> ; dv:coverageSectors 3 ;
        dv:coverageSectorList "ITU-R, ITU-T" (see below) ; dv:coverageStudyGroups 0 ;
        dv:coverageQuestions 4 ; dv:coverageResolutions 2 ;
        dv:coverageLinked true .

The rows are the plain query's (tests/fixtures/plain_queries/aggregates/theme-coverage.rq):

* an entry is a theme (``iscg:Theme``) with an English ``skos:prefLabel`` in a list that has a
  ``skos:notation``; a unit's label is its shortest entry, its section the notations of its lists;
* its counts are over the live items with an ``iscg:sector`` addressing one of its entries:
  distinct Sectors (codes: notation, else English label), study groups (a type below
  ``iscg:StudyGroup`` through ``rdfs:subClassOf``), Questions, Resolutions;
* it is linked when an entry is covered by a body (``iscg:coveredByBody``) or a live mapping
  (``iscg:Mapping``, not ``iscg:Rejected``, not ``owl:deprecated``) joins two items that both
  address the entry; counting areas, also when the mapping joins an item on the entry with an item
  on another theme of its ``skos:exactMatch`` component (the entry having such a match);
* the Sector list is left out, as the plain query's GROUP_CONCAT left it unbound (an error over a
  missing value, SPARQL 1.1 §18.5), when an entry of the unit has no such item or such an item's
  Sector has no code.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from .derived_source import (
    DV,
    ISCG,
    RDFS_LABEL,
    SKOS,
    XSD_BOOLEAN,
    XSD_INTEGER,
    Lit,
    Node,
    Source,
    areas,
    digest,
    english,
    join,
    multi,
)

__all__ = ["coverage_triples"]

SUBCLASS_OF = "http://www.w3.org/2000/01/rdf-schema#subClassOf"


@dataclass
class _Unit:
    entries: list[str] = field(default_factory=list)
    sections: set[Lit] = field(default_factory=set)
    lists: set[str] = field(default_factory=set)
    sectors: set[Node] = field(default_factory=set)
    codes: set[Lit] = field(default_factory=set)
    groups: set[str] = field(default_factory=set)
    questions: set[str] = field(default_factory=set)
    resolutions: set[str] = field(default_factory=set)
    linked: bool = False
    coded: bool = True  # every entry has a live item with a Sector, and every such Sector a code


def _below(source: Source, top: str) -> set[str]:
    """``top`` and every class under it through ``rdfs:subClassOf``."""
    subs: dict[str, set[str]] = defaultdict(set)
    for s, o in source(SUBCLASS_OF):
        if isinstance(o, str):
            subs[o].add(s)
    seen, todo = set(), [top]
    while todo:
        cls = todo.pop()
        if cls not in seen:
            seen.add(cls)
            todo.extend(subs.get(cls, ()))
    return seen


def _themes_of(addresses: dict[str, set[Node]], item: Node) -> set[str]:
    return {t for t in addresses.get(item, ()) if isinstance(t, str)} if isinstance(item, str) else set()


def _linked(source: Source, types: dict[str, set[Node]], deprecated: set[str],
            addresses: dict[str, set[Node]], entries: set[str]) -> tuple[set[str], set[str]]:
    """The entries linked on their own (a body, a live mapping between two items on them), and the
    entries linked to their area (a live mapping from an item on them to an item on a theme of
    their ``skos:exactMatch`` component)."""
    own = {t for t, _body in source(ISCG + "coveredByBody")}
    matched: set[str] = set()
    for s, o in source(SKOS + "exactMatch"):
        matched.add(s)
        if isinstance(o, str):
            matched.add(o)
    rejected = {m for m, status in source(ISCG + "status") if status == ISCG + "Rejected"}
    subjects, objects = multi(source, ISCG + "subject"), multi(source, ISCG + "object")
    mappings = [m for m, classes in types.items() if ISCG + "Mapping" in classes
                and m not in rejected and m not in deprecated and m in subjects and m in objects]
    ends = {t for m in mappings for e in (*subjects[m], *objects[m]) if isinstance(e, str)
            for t in addresses.get(e, ()) if isinstance(t, str)}
    area = areas(source, ends | entries)
    to_area: set[str] = set()
    for m in mappings:
        for x in subjects[m]:
            for y in objects[m]:
                on_x, on_y = _themes_of(addresses, x), _themes_of(addresses, y)
                own |= on_x & on_y
                for one, other in ((on_x, on_y), (on_y, on_x)):
                    other_areas = {area[t] for t in other}
                    to_area.update(t for t in one if t in matched and area[t] in other_areas)
    return own, to_area


def coverage_triples(source: Source, base: str, types: dict[str, set[Node]],
                     deprecated: set[str]) -> set[tuple[str, str, Node]]:
    """The coverage rows of the derived graph of a store minted under ``base``."""
    notations = multi(source, SKOS + "notation")
    labels = multi(source, RDFS_LABEL)
    pref = multi(source, SKOS + "prefLabel")
    in_scheme = multi(source, SKOS + "inScheme")
    addresses = multi(source, ISCG + "addressesTheme")
    rows: dict[str, tuple[list[str], set[str]]] = {}  # entry -> its English labels, its lists
    for theme, classes in types.items():
        if ISCG + "Theme" not in classes:
            continue
        names = [e.value for e in english(pref.get(theme, ()))]
        lists = {s for s in in_scheme.get(theme, ()) if isinstance(s, str)
                 and any(isinstance(n, Lit) for n in notations.get(s, ()))}
        if names and lists:
            rows[theme] = names, lists
    area_of = areas(source, set(rows))
    own, to_area = _linked(source, types, deprecated, addresses, set(rows))

    # the live items with a Sector on each entry
    on_entry: dict[str, list[tuple[str, set[Node]]]] = defaultdict(list)
    for item, sectors in multi(source, ISCG + "sector").items():
        if item in deprecated:
            continue
        for t in addresses.get(item, ()):
            if isinstance(t, str) and t in rows:
                on_entry[t].append((item, sectors))
    groups = _below(source, ISCG + "StudyGroup")
    codes: dict[str, list[Lit]] = {}

    units: dict[tuple[str, str], _Unit] = defaultdict(_Unit)
    for theme, (names, lists) in rows.items():
        for mode, key in (("items", theme), ("areas", area_of[theme])):
            unit = units[mode, key]
            unit.entries.extend(names)
            unit.lists |= lists
            unit.sections.update(Lit(n.value) for s in lists for n in notations.get(s, ())
                                 if isinstance(n, Lit))
            unit.linked |= theme in own or (mode == "areas" and theme in to_area)
            unit.coded &= theme in on_entry
            for item, sectors in on_entry.get(theme, ()):
                unit.sectors |= sectors
                for sector in sectors:
                    if isinstance(sector, str):
                        if sector not in codes:
                            codes[sector] = ([n for n in notations.get(sector, ()) if isinstance(n, Lit)]
                                             or english(labels.get(sector, ())))
                        unit.codes.update(codes[sector])
                    unit.coded &= isinstance(sector, str) and bool(codes[sector])
                classes = types.get(item, set())
                if classes & groups:
                    unit.groups.add(item)
                if ISCG + "Question" in classes:
                    unit.questions.add(item)
                if ISCG + "Resolution" in classes:
                    unit.resolutions.add(item)

    out: set[tuple[str, str, Node]] = set()
    prefix = f"{base}derived/coverage/"
    for (mode, key), unit in units.items():
        node = prefix + digest(mode, key)
        out.add((node, DV + "coverageMode", Lit(mode)))
        out.add((node, DV + "coverageUnit", key))
        out.add((node, DV + "coverageLabel", Lit(min(unit.entries, key=lambda e: (len(e), e)))))
        out.add((node, DV + "coverageSection", join(unit.sections, ", ")))
        out.update((node, DV + "coverageList", s) for s in unit.lists)
        for name, count in (("Sectors", unit.sectors), ("StudyGroups", unit.groups),
                            ("Questions", unit.questions), ("Resolutions", unit.resolutions)):
            out.add((node, DV + "coverage" + name, Lit(str(len(count)), None, XSD_INTEGER)))
        if unit.coded:  # GROUP_CONCAT over a missing Sector code is an error: unbound
            out.add((node, DV + "coverageSectorList", join(unit.codes, ", ")))
        out.add((node, DV + "coverageLinked", Lit("true" if unit.linked else "false", None, XSD_BOOLEAN)))
    return out

