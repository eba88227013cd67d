"""Importing the Questions of a study period (the Questions table of ``data/questions/``), with their
continuations and the carry-over they propose.

`preview_questions` resolves each row against the graph (Sector, study period, study group, the
Resolutions it names) and reports every problem as (sheet, row, column, value, message); then, per
new Question, what it continues: the ``continues`` column when filled (``Q7/2`` in the previous
period, or ``ITU-D:2018-2021:Q5/2``; ``none`` says it continues nothing), otherwise a proposal by
title similarity with its score and alternatives (`iscg_graph.imports.continuations`). A proposal
is written only when the editor accepts it: ``accept_continuations`` for all of them, or ``yes`` in
an ``accept_continuation`` column for one row (``no`` refuses it).

`commit_questions` writes, as ONE validated change through the curation write path: the new
Questions (graph ``questions``), the confirmed ``iscg:continues`` links, and for each confirmed
continuation the earlier Question's theme links and mappings as Proposed records ("carry over?",
graph ``mappings``, derived from the earlier record) for a reviewer to accept or reject. Questions
already in the graph are left as they are; the same file twice changes nothing.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import pyoxigraph as ox

from ..curation.history import ChangeRecord
from ..curation.writes import Author, WritePath
from ..errors import ImportFailed, ValidationFailed
from ..rdf.store import EmbeddedStore
from ..vocab import DCT, ONTOLOGY_NS, PROV, RDF, RDFS, SEMAPV, SKOS, SSSOM, XSD
from .continuations import CarryOver, Continuation, Earlier, Lineage, carry_over, propose
from .upload import Problem, Sheet

__all__ = ["QUESTION_COLUMNS", "NewQuestion", "PeriodPreview", "commit_questions", "is_questions_table",
           "preview_questions"]

QUESTION_COLUMNS = ("sector", "study_period", "study_group", "notation", "title")
_NOTATION = re.compile(r"^(?:Q)?(\d+[A-Z]?)/(\d+)$")
_PERIOD = re.compile(r"^\d{4}-\d{4}$")
_YES, _NO = {"yes", "y", "true", "1", "accept"}, {"no", "n", "false", "0", "reject"}
_NONE = {"none", "-", "new"}
CONFIDENCE = {"confirmed": "Confirmed", "recalled": "Unconfirmed", "": "Unconfirmed"}


def is_questions_table(sheets: list[Sheet]) -> bool:
    """The first sheet has the Questions table's header (``sector``, ``study_period`` …)."""
    return bool(sheets) and set(QUESTION_COLUMNS) <= {h.strip().lower() for h in sheets[0].header}


@dataclass(frozen=True)
class NewQuestion:
    row: int
    iri: str
    sector: str
    sector_iri: str
    period: str
    period_iri: str
    start: int
    end: int
    group: str
    notation: str
    number: str
    title: str
    cells: dict[str, str]
    resolutions: tuple[str, ...] = ()


@dataclass
class PeriodPreview:
    sheet: str = ""
    problems: list[Problem] = field(default_factory=list)
    add: list[NewQuestion] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)  # Questions already in the graph
    continuations: list[Continuation] = field(default_factory=list)
    refused: set[int] = field(default_factory=set)  # rows whose proposal the table refuses
    accepted: set[int] = field(default_factory=set)  # rows whose proposal the table accepts
    lineage: Lineage | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def proposals(self) -> list[Continuation]:
        """Continuations proposed from the titles (the editor confirms them)."""
        return [c for c in self.continuations if c.basis == "proposed"]

    def confirmed(self, accept_all: bool = False) -> list[Continuation]:
        """The continuations to write: the table's, and the proposals the editor accepted."""
        return [c for c in self.continuations if c.earlier is not None and (
            c.basis == "table" or (c.basis == "proposed" and c.row not in self.refused
                                   and (accept_all or c.row in self.accepted)))]


class _Graph:
    """The few look-ups a Questions row needs (Sectors, periods, groups, Resolutions, Questions)."""

    def __init__(self, store: EmbeddedStore):
        o = ONTOLOGY_NS
        self.sectors = {_v(r["n"]): _v(r["s"]) for r in store.select(
            f"SELECT ?s ?n WHERE {{ ?s a <{o}Sector> ; <{SKOS}notation> ?n }}")}
        self.periods = {(_v(r["sn"]), _v(r["n"])): (_v(r["p"]), int(_v(r["a"])), int(_v(r["b"])))
                        for r in store.select(f"""
            SELECT ?p ?sn ?n ?a ?b WHERE {{ ?p a <{o}StudyPeriod> ; <{o}sector>/<{SKOS}notation> ?sn ;
              <{SKOS}notation> ?n ; <{o}startYear> ?a ; <{o}endYear> ?b }}""")}
        self.groups = {(_v(r["p"]), _v(r["n"])): _v(r["g"]) for r in store.select(f"""
            SELECT ?g ?p ?n WHERE {{ ?g <{o}studyPeriod> ?p ; <{SKOS}notation> ?n .
              VALUES ?c {{ <{o}StudyGroup> <{o}WorkingParty> }} ?g a ?c }}""")}
        self.resolutions: dict[str, str] = {}
        for r in store.select(f"""SELECT ?r ?num ?conf WHERE {{ ?r a <{o}Resolution> ;
              <{o}resolutionNumber> ?num ; <{o}adoptedBy>/<{SKOS}notation> ?conf }}"""):
            self.resolutions[f"{_v(r['conf']).upper()}:{_v(r['num'])}"] = _v(r["r"])


def _key(cells: dict[str, str]) -> dict[str, str]:
    return {k.strip().lower(): (v or "").strip() for k, v in cells.items()}


def _question_iri(base: str, sector: str, period: str, number: str, group: str) -> str:
    return f"{base}id/question/{sector.lower()}/{period}/{number.lower()}-{group}"


def _resolve_row(g: _Graph, base: str, sheet: str, number: int, cells: dict[str, str],
                 problems: list[Problem]) -> NewQuestion | None:
    def bad(col: str, message: str) -> None:
        problems.append(Problem(sheet, number, col, cells.get(col, ""), message))

    sector, period, group, notation = (cells.get(c, "") for c in ("sector", "study_period", "study_group",
                                                                     "notation"))
    before = len(problems)
    if sector not in g.sectors:
        bad("sector", f"{sector!r} is not a Sector of the graph ({', '.join(sorted(g.sectors))})")
    if not _PERIOD.match(period):
        bad("study_period", f"{period!r} is not a study period like 2025-2028")
    elif (sector, period) not in g.periods and sector in g.sectors:
        known = sorted(p for s, p in g.periods if s == sector)
        bad("study_period", f"no {sector} study period {period} in the graph (it has {', '.join(known)}); "
                            "add the study period and its study groups first")
    m = _NOTATION.match(notation)
    if not m or (sector == "ITU-R") == notation.startswith("Q"):
        bad("notation", f"{notation!r} is not a {sector or 'Sector'} Question number like "
                        f"{'239/1' if sector == 'ITU-R' else 'Q4/17'}")
    if not cells.get("title"):
        bad("title", "a title is required (the ITU's wording)")
    if cells.get("confidence", "") not in CONFIDENCE:
        bad("confidence", f"{cells['confidence']!r} is not one of confirmed, recalled")
    if len(problems) > before or m is None:
        return None
    period_iri, start, end = g.periods[(sector, period)]
    group_iri = g.groups.get((period_iri, group))
    if group_iri is None:
        bad("study_group", f"no {sector} study group {group!r} in {period}")
        return None
    if m.group(2) != re.sub(r"\D", "", group) and group.upper().startswith("SG"):
        bad("notation", f"{notation} belongs to study group {m.group(2)}, not {group}")
        return None
    resolutions = []
    for ref in (x.strip() for x in cells.get("related_resolutions", "").split(";") if x.strip()):
        iri = g.resolutions.get(ref.upper())
        if iri is None:
            bad("related_resolutions", f"{ref}: no such Resolution in the graph (write it as WTSA:72)")
        else:
            resolutions.append(iri)
    if len(problems) > before:
        return None
    iri = _question_iri(base, sector, period, m.group(1), m.group(2))
    return NewQuestion(number, iri, sector, g.sectors[sector], period, period_iri, start, end, group_iri,
                       notation, m.group(1), cells["title"], cells, tuple(resolutions))


def _explicit(lin: Lineage, q: NewQuestion, value: str) -> Earlier | str:
    """The Question a ``continues`` cell names, or why it names none."""
    sector, period, notation = q.sector, lin.previous_period(q.sector, q.start), value
    parts = value.split(":")
    if len(parts) == 3:
        sector, period, notation = parts
    found = [e for e in lin.questions if e.sector == sector and e.period == period and e.notation == notation]
    if len(found) == 1:
        return found[0]
    elsewhere = sorted({e.period for e in lin.questions if e.sector == sector and e.notation == notation})
    hint = f" (it exists in {', '.join(elsewhere)}: write {sector}:PERIOD:{notation})" if elsewhere else ""
    return f"no {sector} Question {notation} in {period or 'an earlier period'}{hint}"


def preview_questions(sheets: list[Sheet], store: EmbeddedStore, *, base: str) -> PeriodPreview:
    """Resolve a Questions table: problems, new Questions, continuations (given or proposed)."""
    preview = PeriodPreview()
    if not sheets:
        preview.problems.append(Problem("", 0, "", "", "the file holds no sheet with a header row"))
        return preview
    sheet = sheets[0]
    preview.sheet = sheet.name
    preview.problems.extend(sheet.problems)
    g, lin = _Graph(store), Lineage.read(store)
    preview.lineage = lin
    existing = {q.iri for q in lin.questions}
    seen: dict[str, int] = {}
    for number, raw in sheet.rows:
        cells = _key(raw)
        q = _resolve_row(g, base, sheet.name, number, cells, preview.problems)
        if q is None:
            continue
        if q.iri in seen:
            preview.problems.append(Problem(sheet.name, number, "notation", q.notation,
                                            f"duplicate row: {q.notation} is already on row {seen[q.iri]}"))
            continue
        seen[q.iri] = number
        if q.iri in existing:
            preview.unchanged.append(q.iri)
            continue
        preview.add.append(q)
        decision = cells.get("accept_continuation", "").lower()
        if decision and decision not in _YES | _NO:
            preview.problems.append(Problem(sheet.name, number, "accept_continuation", decision,
                                            "write yes or no (or leave it empty)"))
        (preview.accepted if decision in _YES else preview.refused if decision in _NO else set()).add(number)
        given = cells.get("continues", "")
        if given.lower() in _NONE:
            preview.continuations.append(Continuation(number, q.iri, q.notation, None, "none"))
        elif given:
            found = _explicit(lin, q, given)
            if isinstance(found, str):
                preview.problems.append(Problem(sheet.name, number, "continues", given, found))
            else:
                preview.continuations.append(
                    Continuation(number, q.iri, q.notation, found, "table", 1.0, 1.0))
        else:
            preview.continuations.append(propose(
                lin, row=number, question=q.iri, sector=q.sector, start=q.start, group=q.group,
                number=q.number, notation=q.notation, title=q.title))
    return preview


def carried_over(preview: PeriodPreview, store: EmbeddedStore, *,
                 accept_all: bool = False) -> list[CarryOver]:
    """What the confirmed continuations would propose to carry over (the preview shows it too)."""
    if preview.lineage is None:
        return []
    spans = {q.iri: (q.start, q.end) for q in preview.add}
    return carry_over(store, preview.lineage, preview.confirmed(accept_all), spans)


# -- writing -----------------------------------------------------------------------------------------

def _question_quads(q: NewQuestion, earlier: Earlier | None, *, base: str, source: str) -> list[ox.Quad]:
    g, s, n, o = ox.NamedNode(f"{base}graph/questions"), ox.NamedNode(q.iri), ox.NamedNode, ONTOLOGY_NS

    def add(p: str, v: ox.NamedNode | ox.Literal) -> ox.Quad:
        return ox.Quad(s, n(p), v, g)

    shown = f"Question {q.sector} {q.notation}" if q.sector == "ITU-R" else f"{q.sector} {q.notation}"
    quads = [
        add(RDF + "type", n(o + "Question")),
        add(o + "sector", n(q.sector_iri)),
        add(o + "studyPeriod", n(q.period_iri)),
        add(o + "studyGroup", n(q.group)),
        add(SKOS + "notation", ox.Literal(q.notation)),
        add(o + "questionNumber", ox.Literal(q.number)),
        add(DCT + "title", ox.Literal(q.title, language="en")),
        add(RDFS + "label", ox.Literal(f"{shown} ({q.period}): {q.title}", language="en")),
        add(o + "confidence", n(o + CONFIDENCE[q.cells.get("confidence", "")])),
    ]
    digits = re.match(r"\d+", q.number)
    if digits:
        quads.append(add(o + "questionOrdinal", ox.Literal(int(digits.group()))))
    official = q.cells.get("official_number", "")
    if official and official != q.notation:
        quads.append(add(o + "officialNumber", ox.Literal(official)))
    sources = [x.strip() for x in q.cells.get("source", "").split(";") if x.strip().startswith(("http://",
                                                                                                "https://"))]
    for src in sources or [source]:
        quads.append(add(DCT + "source", n(src)))
    if q.cells.get("notes"):
        quads.append(add(SKOS + "editorialNote", ox.Literal(q.cells["notes"], language="en")))
    for res in q.resolutions:
        quads.append(add(o + "relatedResolution", n(res)))
    if earlier is not None:
        quads.append(add(o + "continues", n(earlier.iri)))
    return quads


def carry_over_iri(base: str, c: CarryOver) -> str:
    """Readable and stable: the earlier record's path, then the new Question's."""
    def tail(iri: str) -> str:
        return iri.rsplit("/id/", 1)[-1]

    return f"{base}id/carry-over/{tail(c.derived_from)}/to/{tail(c.question)}/with/{tail(c.other)}"


def _carry_quads(c: CarryOver, *, base: str, source: str, label: str, file_name: str,
                 day: str) -> list[ox.Quad]:
    g, s, n, o = (ox.NamedNode(f"{base}graph/mappings"), ox.NamedNode(carry_over_iri(base, c)),
                  ox.NamedNode, ONTOLOGY_NS)

    def add(p: str, v: ox.NamedNode | ox.Literal) -> ox.Quad:
        return ox.Quad(s, n(p), v, g)

    subject, obj = (c.question, c.other) if c.new_is_subject else (c.other, c.question)
    return [
        add(RDF + "type", n(o + ("Mapping" if c.mapping else "Link"))),
        add(o + "subject", n(subject)),
        add(o + "object", n(obj)),
        add(o + "relationKind", n(c.relation_kind)),
        add(o + "predicate", n(c.predicate)),
        add(o + "status", n(o + "Proposed")),
        add(o + "confidence", n(o + "Unconfirmed")),
        add(SSSOM + "mapping_justification", n(SEMAPV + "MappingChaining")),
        add(PROV + "wasDerivedFrom", n(c.derived_from)),
        add(DCT + "source", n(source)),
        add(DCT + "date", ox.Literal(day, datatype=n(XSD + "date"))),
        add(DCT + "identifier", ox.Literal(f"{file_name}:{c.row}")),
        add(RDFS + "label", ox.Literal(f"carry over? {label} to {c.other_label}", language="en")),
        add(RDFS + "comment", ox.Literal(
            f"carry over? {c.derived_label or 'a record'} of the Question that {label} continues",
            language="en")),
        add(SKOS + "editorialNote", ox.Literal(
            f"proposed when {file_name} was imported: the Question it continues has this record; "
            "a reviewer accepts or rejects it", language="en")),
    ]


def commit_questions(preview: PeriodPreview, path: WritePath, *, data: bytes, file_name: str, author: str,
                     comment: str, base: str, accept_continuations: bool = False,
                     today: str | None = None) -> tuple[ChangeRecord | None, list[CarryOver]]:
    """Write the new Questions, confirmed continuations and carry-over proposals as one change."""
    if preview.problems:
        raise ValueError("a preview with problems is never committed")
    digest = hashlib.sha256(data).hexdigest()
    source = f"urn:sha256:{digest}"
    day = today or datetime.now(UTC).date().isoformat()
    confirmed = {c.question: c for c in preview.confirmed(accept_continuations)}
    carry = carried_over(preview, path.store, accept_all=accept_continuations)
    labels = {q.iri: f"{q.sector} {q.notation} ({q.period})" for q in preview.add}
    origin: dict[str, tuple[int, str, str]] = {}
    quads: list[ox.Quad] = []
    for q in preview.add:
        chosen = confirmed.get(q.iri)
        quads += _question_quads(q, chosen.earlier if chosen else None, base=base, source=source)
        origin[q.iri] = (q.row, "notation", q.notation)
    for c in carry:
        quads += _carry_quads(c, base=base, source=source, label=labels[c.question], file_name=file_name,
                              day=day)
        origin[carry_over_iri(base, c)] = (c.row, "continues", c.other_label)
    if not quads:
        return None, []

    def change(work: ox.Store) -> None:
        work.extend(quads)

    who = Author(name=author, comment=f"{comment} (import of {file_name}, sha256 {digest})",
                 origin=f"iscg import {file_name}", kind="table-import")
    try:
        return path.apply(change, who), carry
    except ValidationFailed as failed:
        problems = [Problem(preview.sheet, *origin[str(v.focus_node)], f"would break the shapes: {v.message}")
                    for v in failed.report.violations if str(v.focus_node) in origin]
        raise ImportFailed(failed, problems) from None


def with_acceptance(preview: PeriodPreview, rows: set[int]) -> PeriodPreview:
    """The same preview with these rows' proposals accepted (as a web form would send them)."""
    return replace(preview, accepted=set(preview.accepted) | rows)


def _v(term: object) -> str:
    if term is None:
        return ""
    return str(getattr(term, "value", term))
