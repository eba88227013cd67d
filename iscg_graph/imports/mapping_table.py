"""A mapping table as the ISCG publishes it, resolved against the graph, as a preview.

Layout: one sheet, a header row, one row per item of one Sector. The first column holds that item
(its header names the Sector: ``ITU-D``, ``ITU-D Questions`` …); each other column whose header
names a Sector (``ITU-R``, ``ITU-T study groups`` …) lists related items of that Sector, and a
column whose header says ``Resolution`` lists Resolutions; other columns (titles, notes) are not
read. Cells are written as people write them (`iscg_graph.imports.notation`).

Each reference is looked up by Sector, kind and notation, within the table's study period: the
period given for that Sector, or else the periods overlapping the row Sector's given period. Every
problem is reported as (sheet, row, column, value, message) before anything would be written:
formula cells and unreadable notation, an unknown item (naming the periods where that notation
does exist), an ambiguous match (with its choices), a row cell holding more or less than one item,
a duplicate row. The preview lists the pairs the table would add, those already recorded, and the
recorded mappings of the table's items that the table no longer lists (to retire).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..rdf.store import EmbeddedStore
from ..vocab import ONTOLOGY_NS, SKOS
from .choices import Ambiguity, Choice, Picks, cell_address, normal_token
from .notation import Ref, parse_cell
from .upload import N_, Problem, Sheet

__all__ = ["Item", "Pair", "Preview", "preview_mapping_table"]

_SECTOR = re.compile(r"ITU-([RTD])", re.I)
Why = tuple[tuple[str, Mapping[str, object]], ...]  # why an item is not found: (template, values) parts
_KIND_CLASSES = {
    "question": ("Question",),
    "study-group": ("StudyGroup",),
    "working-party": ("WorkingParty",),
}


@dataclass(frozen=True)
class Item:
    iri: str
    label: str
    sector: str  # ITU-R | ITU-T | ITU-D
    kind: str
    notation: str
    period: str  # "2022-2025"; "" for Resolutions
    start: int
    end: int
    conference: str = ""  # of a Resolution

    @property
    def choice(self) -> Choice:
        """This item as a choice for an ambiguous cell: a token and a label, by Sector, number,
        period and title (never the IRI)."""
        if self.kind == "resolution":
            token = f"{self.conference} Res. {self.notation}"
            return Choice(token, f"{token}: {self.label}" if self.label != self.iri else token, self.iri)
        token = f"{self.sector} {self.notation} {self.period}"
        # the graph's labels already read "ITU-D Q7/2 (2014-2017): <title>"
        label = self.label if self.label != self.iri else f"{self.sector} {self.notation} ({self.period})"
        return Choice(token, label, self.iri)


@dataclass(frozen=True)
class Pair:
    sheet: str
    row: int
    column: str
    subject: Item
    object: Item


@dataclass
class Preview:
    problems: list[Problem] = field(default_factory=list)
    add: list[Pair] = field(default_factory=list)
    unchanged: list[Pair] = field(default_factory=list)
    retire: list[tuple[str, str, str]] = field(default_factory=list)  # (mapping, subject, object)
    ambiguities: list[Ambiguity] = field(default_factory=list)  # also among the problems, until chosen
    picks: Picks = ()  # the editor's accepted choices, applied

    @property
    def ok(self) -> bool:
        return not self.problems


def _index(store: EmbeddedStore) -> tuple[list[Item], list[tuple[Item, str, set[str]]]]:
    """Questions and groups with Sector, notation and period; Resolutions with conference, years."""
    o = ONTOLOGY_NS
    rows = store.select(f"""
        SELECT ?x ?cls ?sector ?n ?label ?pn ?start ?end WHERE {{
          ?x a ?cls ; <{o}sector> ?sec ; <{SKOS}notation> ?n ; <{o}studyPeriod> ?p .
          ?sec <{SKOS}notation> ?sector .
          ?p <{SKOS}notation> ?pn ; <{o}startYear> ?start ; <{o}endYear> ?end .
          OPTIONAL {{ ?x <http://www.w3.org/2000/01/rdf-schema#label> ?label }}
          VALUES ?cls {{ <{o}Question> <{o}StudyGroup> <{o}WorkingParty> }}
        }}""")
    kinds = {f"{o}{c}": k for k, cs in _KIND_CLASSES.items() for c in cs}
    items = [Item(_v(r["x"]), _v(r.get("label", r["x"])), _v(r["sector"]), kinds[_v(r["cls"])], _v(r["n"]),
                  _v(r["pn"]), int(_v(r["start"])), int(_v(r["end"])))
             for r in rows]
    res = store.select(f"""
        SELECT ?r ?num ?conf ?label (GROUP_CONCAT(STR(?y); separator=" ") AS ?years) WHERE {{
          ?r a <{o}Resolution> ; <{o}resolutionNumber> ?num ; <{o}adoptedBy> ?c .
          ?c <{SKOS}notation> ?conf .
          OPTIONAL {{ ?r <http://www.w3.org/2000/01/rdf-schema#label> ?label }}
          OPTIONAL {{ ?v <{o}versionOf> ?r ; <http://purl.org/dc/terms/issued> ?y }}
        }} GROUP BY ?r ?num ?conf ?label""")
    resolutions = [(Item(_v(r["r"]), _v(r.get("label", r["r"])), "", "resolution", _v(r["num"]), "", 0, 9999,
                          _v(r["conf"]).upper()),
                     _v(r["conf"]).upper(), set(_v(r["years"]).split()) if "years" in r else set())
                    for r in res]
    return items, resolutions


def _sector_of(header: str) -> str | None:
    m = _SECTOR.search(header)
    return f"ITU-{m[1].upper()}" if m else None


def _years(period: str) -> tuple[int, int]:
    a, _, b = period.partition("-")
    return int(a), int(b or a)


class _Resolver:
    def __init__(self, store: EmbeddedStore, periods: dict[str, str]):
        self.items, self.resolutions = _index(store)
        self.periods = periods

    def find(self, ref: Ref, sector: str | None, around: tuple[int, int] | None,
             picked: frozenset[str] = frozenset()) -> tuple[Item | None, Why, list[Item]]:
        """The item, or None, why and (when ambiguous) the choices; an ambiguity is settled by the
        one choice among them whose token is in ``picked`` (normalised tokens of the cell)."""
        found, why, choices = self._find(ref, sector, around)
        if choices:
            chosen = [i for i in choices if normal_token(i.choice.token) in picked]
            if len(chosen) == 1:
                return chosen[0], (), []
        return found, why, choices

    def _find(self, ref: Ref, sector: str | None,
              around: tuple[int, int] | None) -> tuple[Item | None, Why, list[Item]]:
        r: dict[str, object] = {"ref": ref.text}
        if ref.kind == "resolution":
            found = [(i, c, y) for i, c, y in self.resolutions if i.notation == ref.number
                     and (ref.conference is None or c.startswith(ref.conference))
                     and (ref.year is None or ref.year in y)]
            if len(found) == 1:
                return found[0][0], (), []
            if not found:
                return None, ((N_("%(ref)s: no such Resolution in the graph (number, conference and "
                                  "revision year as written)"), r),), []
            choices = "; ".join(i.choice.token for i, _c, _y in found)
            return None, ((N_("%(ref)s: ambiguous: %(count)s Resolutions match: %(choices)s (choose one, or "
                              "write the conference: WTSA Res. 72)"),
                           {**r, "count": len(found), "choices": choices}),), [i for i, _c, _y in found]
        if sector is None:
            return None, ((N_("%(ref)s: the column header names no Sector (ITU-R, ITU-T, ITU-D)"), r),), []
        same = [i for i in self.items
                if i.sector == sector and i.kind == ref.kind and i.notation == ref.notation]
        what: dict[str, object] = {**r, "sector": sector, "notation": ref.notation}
        if sector in self.periods:
            matches = [i for i in same if i.period == self.periods[sector]]
            within = (N_("%(ref)s: unknown item: no %(sector)s %(notation)s of %(period)s"),
                      {**what, "period": self.periods[sector]})
        elif around is not None:
            matches = [i for i in same if i.start <= around[1] and i.end >= around[0]]
            within = (N_("%(ref)s: unknown item: no %(sector)s %(notation)s overlapping %(period)s"),
                      {**what, "period": f"{around[0]}-{around[1]}"})
        else:
            matches = same
            within = (N_("%(ref)s: unknown item: no %(sector)s %(notation)s in any period"), what)
        if len(matches) == 1:
            return matches[0], (), []
        if not matches:
            elsewhere = sorted({i.period for i in same})
            if not elsewhere:
                return None, (within,), []
            return None, (within, (N_(" (it exists in %(periods)s)"), {"periods": ", ".join(elsewhere)})), []
        matches.sort(key=lambda i: (i.start, i.iri))
        choices = "; ".join(i.choice.label for i in matches)
        return None, ((N_("%(ref)s: ambiguous: %(count)s items match: %(choices)s (choose one, or give the "
                          "study period for %(sector)s)"),
                       {**r, "count": len(matches), "choices": choices, "sector": sector}),), matches


def preview_mapping_table(sheets: list[Sheet], store: EmbeddedStore, *,
                          periods: dict[str, str] | None = None, picks: Picks = ()) -> Preview:
    """Resolve the first sheet; every problem, and what an import would add, keep and retire.
    ``picks``: the editor's choices for ambiguous cells, already checked (`check_choices`)."""
    preview = Preview(picks=tuple(picks))
    chosen: dict[str, set[str]] = {}
    for cell, token in picks:
        chosen.setdefault(cell, set()).add(normal_token(token))
    if not sheets:
        preview.problems.append(Problem.worded(
            "", 0, "", "", (N_("the file holds no sheet with a header row"), {})))
        return preview
    sheet = sheets[0]
    preview.problems.extend(sheet.problems)
    periods = dict(periods or {})
    resolver = _Resolver(store, periods)
    row_header = sheet.header[0] if sheet.header else ""
    row_sector = _sector_of(row_header)
    if row_sector is None:
        preview.problems.append(Problem.worded(
            sheet.name, 1, row_header, row_header,
            (N_("the first column's header must name the table's Sector (e.g. ITU-D)"), {})))
        return preview
    around = _years(periods[row_sector]) if row_sector in periods else None
    columns = [(h, _sector_of(h)) for h in sheet.header[1:]
               if _sector_of(h) or "resolution" in h.lower()]
    seen: dict[str, int] = {}
    pairs: list[Pair] = []
    def lookup(ref: Ref, sector: str | None, years: tuple[int, int] | None, number: int, header: str,
               value: str) -> tuple[Item | None, Why]:
        cell = cell_address(sheet.header, header, number)
        item, why, choices = resolver.find(ref, sector, years, frozenset(chosen.get(cell, ())))
        if choices:
            preview.ambiguities.append(Ambiguity(sheet.name, number, header, cell, value, ref.text,
                                                 tuple(i.choice for i in choices)))
        return item, why

    for number, cells in sheet.rows:
        value = cells.get(row_header, "")
        refs, errors = parse_cell(value)
        problems = [Problem(sheet.name, number, row_header, value, str(e)) for e in errors]
        subject: Item | None = None
        if not errors and len(refs) != 1:
            problems.append(Problem.worded(
                sheet.name, number, row_header, value,
                (N_("%(count)s items in the row cell: one %(sector)s item per row"),
                 {"count": len(refs), "sector": row_sector})))
        elif not errors:
            subject, why = lookup(refs[0], row_sector, None if row_sector in periods else around, number,
                                  row_header, value)
            if subject is None:
                problems.append(Problem.worded(sheet.name, number, row_header, value, *why))
            elif subject.iri in seen:
                problems.append(Problem.worded(
                    sheet.name, number, row_header, value,
                    (N_("duplicate row: %(notation)s is already on row %(row)s"),
                     {"notation": subject.notation, "row": seen[subject.iri]})))
                subject = None
            else:
                seen[subject.iri] = number
        item_years = (subject.start, subject.end) if subject else around
        for header, sector in columns:
            cell = cells.get(header, "")
            refs, errors = parse_cell(cell)
            problems += [Problem(sheet.name, number, header, cell, str(e)) for e in errors]
            for ref in refs:
                target, why = lookup(ref, sector, item_years, number, header, cell)
                if target is None:
                    problems.append(Problem.worded(sheet.name, number, header, cell, *why))
                elif subject is not None:
                    pairs.append(Pair(sheet.name, number, header, subject, target))
        preview.problems.extend(problems)
    recorded = _recorded(store)
    listed = {(p.subject.iri, p.object.iri) for p in pairs}
    for pair in pairs:
        key = (pair.subject.iri, pair.object.iri)
        (preview.unchanged if key in recorded or key[::-1] in recorded else preview.add).append(pair)
    subjects = {p.subject.iri for p in pairs}
    for (s, o), mapping in sorted(recorded.items()):
        if s in subjects and (s, o) not in listed and (o, s) not in listed:
            preview.retire.append((mapping, s, o))
    return preview


def _recorded(store: EmbeddedStore) -> dict[tuple[str, str], str]:
    o = ONTOLOGY_NS
    rows = store.select(f"SELECT ?m ?s ?t WHERE {{ ?m a <{o}Mapping> ; <{o}subject> ?s ; <{o}object> ?t }}")
    return {(_v(r["s"]), _v(r["t"])): _v(r["m"]) for r in rows}


def _v(term: object) -> str:
    """A term's value (IRI or literal text)."""
    value = getattr(term, "value", None)
    return value if isinstance(value, str) else str(term)


def template_choices(store: EmbeddedStore, periods: dict[str, str]) -> dict[str, list[str]]:
    """Drop-down values for the template's columns: the items of each Sector in its given period
    (every period when none is given), by notation."""
    items, _resolutions = _index(store)
    columns = {"ITU-D Question": ("ITU-D", ("question",)),
               "ITU-R": ("ITU-R", ("study-group", "working-party", "question")),
               "ITU-T": ("ITU-T", ("study-group", "question"))}
    out: dict[str, list[str]] = {}
    for header, (sector, kinds) in columns.items():
        found = {i.notation for i in items if i.sector == sector and i.kind in kinds
                 and (sector not in periods or i.period == periods[sector])}
        out[header] = sorted(found, key=_natural)
    return out


def _natural(notation: str) -> list[str | int]:
    """Q2/1 before Q10/1, SG2 before SG11 (split parts alternate text and number)."""
    return [int(x) if x.isdigit() else x for x in re.split(r"(\d+)", notation)]
