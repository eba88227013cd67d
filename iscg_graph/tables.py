"""Data tables (``data/<folder>/*.csv``) → one rdflib Dataset, a named graph per folder.

Every CSV of a folder is read whatever its name; the kind of table is recognised from its header
(see ``KINDS``). ``*.ttl`` files are parsed into their folder's graph. Conversion has two passes:
every row first registers its key (``ITU-T:2017-2020:Q4/17``, ``PP:191``, ``body:iscg`` …) and IRI,
then rows emit triples, resolving the keys they cite; an unknown key is a `DanglingKeyError` naming
file, line and column. Input is read in sorted order and IRIs come from keys only, so the same tables
always give the same graph. Table formats: ``docs/notes/data.md``.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, RDFS, SKOS, XSD, Namespace

from .errors import DanglingKeyError, SourceError

DEFAULT_BASE = "https://w3id.org/iscg/"
ORG = Namespace("http://www.w3.org/ns/org#")
SSSOM = Namespace("https://w3id.org/sssom/")
SEMAPV = Namespace("https://w3id.org/semapv/vocab/")

SECTORS = ("ITU-R", "ITU-T", "ITU-D", "GS")
CONFIDENCE = {"confirmed": "Confirmed", "recalled": "Unconfirmed"}
GROUP_TYPES = {
    "study-group": "StudyGroup",
    "working-party": "WorkingParty",
    "task-group": "TaskGroup",
    "joint-task-group": "JointTaskGroup",
}
BODY_TYPES = {
    "coordination-group": "CoordinationGroup",
    "task-force": "TaskForce",
    "council-working-group": "CouncilWorkingGroup",
    "expert-group": "ExpertGroup",
    "inter-sector-rapporteur-group": "InterSectorRapporteurGroup",
    "council": "Council",
    "coordination-body": "CoordinationBody",
}
ORG_TYPES = {
    "sector": "Sector",
    "general-secretariat": "GeneralSecretariat",
    "bureau": "Bureau",
    "advisory-group": "AdvisoryGroup",
}
RELATION_KINDS = (
    "Recalls",
    "BackgroundText",
    "TopicalOverlap",
    "Collaboration",
    "LeadGroup",
    "ParallelText",
    "Duplicate",
    "Overlap",
    "Complementary",
    "AlreadyCoordinated",
    "BasisForStudy",
    "Cites",
)
STATUSES = ("Asserted", "Proposed", "Accepted", "Rejected")
SKOS_MATCH = ("exactMatch", "closeMatch", "broadMatch", "narrowMatch", "relatedMatch")
JUSTIFICATIONS = ("ManualMappingCuration", "LexicalMatching", "BackgroundKnowledgeBasedMatching")


def slug(text: str) -> str:
    """Contract slug: lower case, spaces and ``/`` become ``-``, only ``[a-z0-9.-]`` kept."""
    s = re.sub(r"[ /]+", "-", text.strip().lower())
    return re.sub(r"[^a-z0-9.-]", "", s)


def split_list(cell: str) -> list[str]:
    return [v.strip() for v in cell.split(";") if v.strip()]


@dataclass(frozen=True)
class Tables:
    """The converted dataset and, per subject IRI, the ``file:line`` of the row that made it."""

    dataset: Dataset
    origins: Mapping[str, str]  # subject IRI (plain string) → "data/<folder>/<file>.csv:<line>"


@dataclass(frozen=True)
class Row:
    path: Path
    label: str  # path as shown in messages and origins
    line: int
    header: tuple[str, ...]
    cells: Mapping[str, str]

    def get(self, col: str) -> str:
        return (self.cells.get(col) or "").strip()

    def where(self, col: str | None = None) -> dict[str, object]:
        column = self.header.index(col) + 1 if col in self.header else None
        return {"path": self.label, "line": self.line, "column": column}

    def fail(self, col: str | None, message: str) -> SourceError:
        return SourceError(f"column {col!r}: {message}" if col else message, **self.where(col))  # type: ignore[arg-type]

    def need(self, col: str) -> str:
        value = self.get(col)
        if not value:
            raise self.fail(col, "a value is required")
        return value


@dataclass(frozen=True)
class Item:
    iri: URIRef
    kind: str
    sector: str | None  # the UnionPart code the item belongs to (for Link vs Mapping)


@dataclass
class _Context:
    base: str
    dataset: Dataset
    keys: dict[str, Item] = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)
    periods: dict[str, list[tuple[int, str]]] = field(default_factory=dict)  # sector → [(start, period)]
    versions: dict[str, list[tuple[int, URIRef]]] = field(default_factory=dict)  # work key → [(year, IRI)]
    edition_years: dict[str, tuple[int, int]] = field(default_factory=dict)  # edition → (nominal, held)
    graph: Graph | None = None

    def iri(self, path: str) -> URIRef:
        return URIRef(self.base + path)

    def term(self, name: str) -> URIRef:
        return URIRef(self.base + "ontology#" + name)

    def register(self, row: Row, col: str, key: str, path: str, kind: str, sector: str | None) -> URIRef:
        if key in self.keys:
            raise row.fail(
                col, f"duplicate key {key!r} (defined earlier by {self.origins.get(str(self.keys[key].iri))})"
            )
        iri = self.iri(path)
        self.keys[key] = Item(iri, kind, sector)
        self.origins[str(iri)] = f"{row.label}:{row.line}"
        return iri

    def lookup(self, row: Row, col: str, key: str, kinds: tuple[str, ...]) -> Item:
        item = self.keys.get(key)
        if item is None or item.kind not in kinds:
            what = " or ".join(kinds)
            raise DanglingKeyError(f"column {col!r}: no {what} with key {key!r}", **row.where(col))  # type: ignore[arg-type]
        return item

    def ref(self, row: Row, col: str, key: str, *kinds: str) -> URIRef:
        return self.lookup(row, col, key, kinds).iri

    def add(self, s: URIRef, p: URIRef, o: URIRef | Literal) -> None:
        assert self.graph is not None
        self.graph.add((s, p, o))

    def previous_period(self, sector: str, period: str) -> str | None:
        ordered = sorted(self.periods.get(sector, []))
        names = [p for _, p in ordered]
        if period not in names:
            return None
        i = names.index(period)
        return names[i - 1] if i > 0 else None


# ---------------------------------------------------------------- common cells


def _en(text: str) -> Literal:
    return Literal(text, lang="en")


def _common(ctx: _Context, row: Row, s: URIRef, label: str) -> None:
    """rdfs:label, dct:source, iscg:confidence and skos:editorialNote: on every resource."""
    ctx.add(s, RDFS.label, _en(label))
    conf = row.need("confidence")
    if conf not in CONFIDENCE:
        raise row.fail("confidence", f"{conf!r} is not one of {sorted(CONFIDENCE)}")
    ctx.add(s, ctx.term("confidence"), ctx.term(CONFIDENCE[conf]))
    sources = split_list(row.get("source"))
    if not sources:
        if conf == "confirmed":
            raise row.fail("source", "a confirmed row needs a source")
        sources = ["doc:itu-reference-2026"]
    for src in sources:
        if src.startswith(("http://", "https://")):
            if any(c in src for c in ' <>"{}|\\^`'):
                raise row.fail("source", f"{src!r} is not a valid IRI")
            ctx.add(s, DCTERMS.source, URIRef(src))
        elif src.startswith("doc:"):
            ctx.add(s, DCTERMS.source, ctx.ref(row, "source", src, "document"))
        else:
            raise row.fail("source", f"{src!r} is neither an http(s) URL nor a doc: key")
    if row.get("notes"):
        ctx.add(s, SKOS.editorialNote, _en(row.get("notes")))


def _title(ctx: _Context, row: Row, s: URIRef) -> str:
    """dct:title@en when the cell has one; a missing title is left to SHACL (shapes report it)."""
    title = row.get("title")
    if title:
        ctx.add(s, DCTERMS.title, _en(title))
    return title


def _with_title(label: str, title: str) -> str:
    return f"{label}: {title}" if title else label


def _date(row: Row, col: str) -> Literal | None:
    value = row.get(col)
    if not value:
        return None
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise row.fail(col, f"{value!r} is not an ISO date (YYYY-MM-DD)")
    return Literal(value, datatype=XSD.date)


def _year(row: Row, col: str) -> int:
    value = row.need(col)
    if not re.fullmatch(r"\d{4}", value):
        raise row.fail(col, f"{value!r} is not a year")
    return int(value)


def _sector(row: Row, col: str) -> str:
    value = row.need(col)
    if value not in SECTORS:
        raise row.fail(col, f"{value!r} is not one of {', '.join(SECTORS)}")
    return value


def _period(row: Row, col: str) -> str:
    value = row.need(col)
    if not re.fullmatch(r"\d{4}-\d{4}", value):
        raise row.fail(col, f"{value!r} is not a study period like 2017-2020")
    return value


# ---------------------------------------------------------------- organisations, periods, groups


def _org_key(row: Row) -> tuple[str, str, str]:
    kind = row.need("type")
    if kind not in ORG_TYPES:
        raise row.fail("type", f"{kind!r} is not one of {sorted(ORG_TYPES)}")
    key = row.need("key")
    folder = {
        "sector": "sector",
        "general-secretariat": "sector",
        "bureau": "bureau",
        "advisory-group": "advisory-group",
    }[kind]
    return kind, key, f"id/{folder}/{slug(key)}"


def reg_org(ctx: _Context, row: Row) -> None:
    kind, key, path = _org_key(row)
    sector = key if kind in ("sector", "general-secretariat") else _sector(row, "sector")
    ctx.register(
        row, "key", key, path, "unionpart" if kind in ("sector", "general-secretariat") else kind, sector
    )


def emit_org(ctx: _Context, row: Row) -> None:
    kind, key, _ = _org_key(row)
    s = ctx.keys[key].iri
    ctx.add(s, RDF.type, ctx.term(ORG_TYPES[kind]))
    ctx.add(s, SKOS.notation, Literal(key))
    if kind in ("bureau", "advisory-group"):
        ctx.add(s, ctx.term("sector"), ctx.ref(row, "sector", row.need("sector"), "unionpart"))
    _common(ctx, row, s, row.need("name"))


def reg_period(ctx: _Context, row: Row) -> None:
    sector, period = _sector(row, "sector"), _period(row, "period")
    ctx.register(
        row, "period", f"{sector}:{period}", f"id/study-period/{slug(sector)}/{period}", "period", sector
    )
    ctx.periods.setdefault(sector, []).append((_year(row, "start_year"), period))


def emit_period(ctx: _Context, row: Row) -> None:
    sector, period = row.need("sector"), row.need("period")
    s = ctx.keys[f"{sector}:{period}"].iri
    ctx.add(s, RDF.type, ctx.term("StudyPeriod"))
    ctx.add(s, ctx.term("sector"), ctx.ref(row, "sector", sector, "unionpart"))
    ctx.add(s, ctx.term("startYear"), Literal(row.need("start_year"), datatype=XSD.gYear))
    ctx.add(s, ctx.term("endYear"), Literal(str(_year(row, "end_year")), datatype=XSD.gYear))
    ctx.add(s, SKOS.notation, Literal(period))
    _common(ctx, row, s, f"{sector} study period {period}")


def _group_key(row: Row) -> tuple[str, str, str]:
    sector, period, notation = _sector(row, "sector"), _period(row, "study_period"), row.need("notation")
    return sector, period, notation


def _group_type(row: Row) -> str:
    return row.need("group_type").replace(" ", "-")


def reg_group(ctx: _Context, row: Row) -> None:
    sector, period, notation = _group_key(row)
    kind = _group_type(row)
    if kind not in GROUP_TYPES:
        raise row.fail(
            "group_type",
            f"{kind!r} is not one of {sorted(GROUP_TYPES)} (advisory groups belong in data/organisations/)",
        )
    ctx.register(
        row,
        "notation",
        f"{sector}:{period}:{notation}",
        f"id/study-group/{slug(sector)}/{period}/{slug(notation)}",
        "group",
        sector,
    )


def _near_key(row: Row, value: str, sector: str, period: str | None) -> str:
    return value if ":" in value or period is None else f"{sector}:{period}:{value}"


def emit_group(ctx: _Context, row: Row) -> None:
    sector, period, notation = _group_key(row)
    s = ctx.keys[f"{sector}:{period}:{notation}"].iri
    kind = GROUP_TYPES[_group_type(row)]
    ctx.add(s, RDF.type, ctx.term(kind))
    ctx.add(s, ctx.term("sector"), ctx.ref(row, "sector", sector, "unionpart"))
    ctx.add(s, ctx.term("studyPeriod"), ctx.ref(row, "study_period", f"{sector}:{period}", "period"))
    ctx.add(s, SKOS.notation, Literal(notation))
    title = _title(ctx, row, s)
    for parent in split_list(row.get("parent")):
        ctx.add(
            s,
            ctx.term("parentGroup"),
            ctx.ref(row, "parent", _near_key(row, parent, sector, period), "group"),
        )
    if kind != "StudyGroup" and not split_list(row.get("parent")):
        raise row.fail("parent", f"a {row.need('group_type')} needs its parent study group(s)")
    prev = ctx.previous_period(sector, period)
    cont = row.get("continues")
    if cont:
        ctx.add(
            s, ctx.term("continues"), ctx.ref(row, "continues", _near_key(row, cont, sector, prev), "group")
        )
    elif kind == "StudyGroup" and prev and f"{sector}:{prev}:{notation}" in ctx.keys:
        ctx.add(s, ctx.term("continues"), ctx.keys[f"{sector}:{prev}:{notation}"].iri)
    _common(ctx, row, s, _with_title(f"{sector} {notation} ({period})", title))


QUESTION = re.compile(r"^(?:Q)?(\d+[A-Z]?)/(\d+)$")


def _question_key(row: Row) -> tuple[str, str, str, str, str]:
    sector, period = _sector(row, "sector"), _period(row, "study_period")
    notation = row.need("notation")
    m = QUESTION.match(notation)
    if not m or (sector == "ITU-R") == notation.startswith("Q"):
        want = "239/1" if sector == "ITU-R" else "Q4/17"
        raise row.fail("notation", f"{notation!r} is not a {sector} Question number like {want}")
    return sector, period, notation, m.group(1), m.group(2)


def reg_question(ctx: _Context, row: Row) -> None:
    sector, period, notation, number, sg = _question_key(row)
    ctx.register(
        row,
        "notation",
        f"{sector}:{period}:{notation}",
        f"id/question/{slug(sector)}/{period}/{number.lower()}-{sg}",
        "question",
        sector,
    )


def emit_question(ctx: _Context, row: Row) -> None:
    sector, period, notation, number, _sg = _question_key(row)
    s = ctx.keys[f"{sector}:{period}:{notation}"].iri
    ctx.add(s, RDF.type, ctx.term("Question"))
    ctx.add(s, ctx.term("sector"), ctx.ref(row, "sector", sector, "unionpart"))
    ctx.add(s, ctx.term("studyPeriod"), ctx.ref(row, "study_period", f"{sector}:{period}", "period"))
    group = row.need("study_group")
    ctx.add(
        s, ctx.term("studyGroup"), ctx.ref(row, "study_group", _near_key(row, group, sector, period), "group")
    )
    ctx.add(s, SKOS.notation, Literal(notation))
    ctx.add(s, ctx.term("questionNumber"), Literal(number))
    if row.get("official_number") and row.get("official_number") != notation:
        ctx.add(s, ctx.term("officialNumber"), Literal(row.get("official_number")))
    title = _title(ctx, row, s)
    prev = ctx.previous_period(sector, period)
    cont = row.get("continues")
    if cont:
        ctx.add(
            s,
            ctx.term("continues"),
            ctx.ref(row, "continues", _near_key(row, cont, sector, prev), "question"),
        )
    elif prev and "continuation" in row.get("notes").lower() and f"{sector}:{prev}:{notation}" in ctx.keys:
        ctx.add(s, ctx.term("continues"), ctx.keys[f"{sector}:{prev}:{notation}"].iri)
    for res in split_list(row.get("related_resolutions")):
        ctx.add(s, ctx.term("relatedResolution"), ctx.ref(row, "related_resolutions", res, "resolution"))
    shown = f"Question {sector} {notation}" if sector == "ITU-R" else f"{sector} {notation}"
    _common(ctx, row, s, _with_title(f"{shown} ({period})", title))


# ---------------------------------------------------------------- conferences and resolutions


def reg_conference(ctx: _Context, row: Row) -> None:
    code = row.need("conference")
    ctx.register(row, "conference", code, f"id/conference/{slug(code)}", "conference", _sector(row, "sector"))


def emit_conference(ctx: _Context, row: Row) -> None:
    code = row.need("conference")
    s = ctx.keys[code].iri
    ctx.add(s, RDF.type, ctx.term("Conference"))
    ctx.add(s, SKOS.notation, Literal(code))
    ctx.add(s, ctx.term("sector"), ctx.ref(row, "sector", row.need("sector"), "unionpart"))
    _common(ctx, row, s, row.need("name"))


def reg_edition(ctx: _Context, row: Row) -> None:
    edition, conf, year = row.need("edition"), row.need("conference"), _year(row, "year")
    sector = ctx.lookup(row, "conference", conf, ("conference",)).sector
    ctx.register(row, "edition", edition, f"id/conference/{slug(conf)}/{year}", "edition", sector)
    start = row.get("start_date")
    ctx.edition_years[edition] = (year, int(start[:4]) if start[:4].isdigit() else year)


def emit_edition(ctx: _Context, row: Row) -> None:
    edition, conf = row.need("edition"), row.need("conference")
    s = ctx.keys[edition].iri
    ctx.add(s, RDF.type, ctx.term("ConferenceEdition"))
    ctx.add(s, ctx.term("editionOf"), ctx.ref(row, "conference", conf, "conference"))
    ctx.add(s, SKOS.notation, Literal(edition))
    for col, prop in (("place", "place"), ("country", "country")):
        if row.get(col):
            ctx.add(s, ctx.term(prop), Literal(row.get(col)))
    for col, prop in (("start_date", "startDate"), ("end_date", "endDate")):
        value = _date(row, col)
        if value is not None:
            ctx.add(s, ctx.term(prop), value)
    held = ctx.edition_years[edition][1]
    _common(ctx, row, s, f"{edition} ({row.get('place')}, {held})" if row.get("place") else edition)


def _res_names(conf: str, number: str) -> tuple[str, str]:
    """(notation, display name): ``PP Res. 191`` / ``PP Resolution 191``; ITU-R style for RA."""
    if conf == "RA":
        return f"Res. ITU-R {number}", f"Resolution ITU-R {number}"
    return f"{conf} Res. {number}", f"{conf} Resolution {number}"


def reg_resolution(ctx: _Context, row: Row) -> None:
    conf, number = row.need("conference"), row.need("number")
    if not re.fullmatch(r"\d+[A-Z]?", number):
        raise row.fail("number", f"{number!r} is not a Resolution number")
    sector = ctx.lookup(row, "conference", conf, ("conference",)).sector
    ctx.register(
        row,
        "number",
        f"{conf}:{number}",
        f"id/resolution/{slug(conf)}/{number.lower()}",
        "resolution",
        sector,
    )


def emit_resolution(ctx: _Context, row: Row) -> None:
    conf, number = row.need("conference"), row.need("number")
    key = f"{conf}:{number}"
    item = ctx.keys[key]
    s = item.iri
    notation, name = _res_names(conf, number)
    ctx.add(s, RDF.type, ctx.term("Resolution"))
    ctx.add(s, ctx.term("adoptedBy"), ctx.ref(row, "conference", conf, "conference"))
    ctx.add(s, ctx.term("resolutionNumber"), Literal(number))
    ctx.add(s, SKOS.notation, Literal(notation))
    title = _title(ctx, row, s)
    assert item.sector is not None
    ctx.add(s, ctx.term("sector"), ctx.keys[item.sector].iri)
    for code in split_list(row.get("concerns")) or [item.sector]:
        ctx.add(s, ctx.term("concernsSector"), ctx.ref(row, "concerns", code, "unionpart"))
    versions = sorted(ctx.versions.get(key, []))
    for _, v in versions:
        ctx.add(s, ctx.term("hasVersion"), v)
    if versions:
        ctx.add(s, ctx.term("latestVersion"), versions[-1][1])
    _common(ctx, row, s, _with_title(name, title))


def _version_key(ctx: _Context, row: Row) -> tuple[str, str, int]:
    conf, number, edition = row.need("conference"), row.need("number"), row.need("edition")
    ctx.lookup(row, "edition", edition, ("edition",))
    return f"{conf}:{number}", edition, ctx.edition_years[edition][1]


def reg_version(ctx: _Context, row: Row) -> None:
    work, edition, year = _version_key(ctx, row)
    item = ctx.lookup(row, "number", work, ("resolution",))
    iri = ctx.register(
        row, "edition", f"{work}:{year}", f"{item.iri[len(ctx.base) :]}/{year}", "version", item.sector
    )
    ctx.versions.setdefault(work, []).append((year, iri))


def emit_version(ctx: _Context, row: Row) -> None:
    work, edition, year = _version_key(ctx, row)
    s = ctx.keys[f"{work}:{year}"].iri
    conf, number = work.split(":")
    ctx.add(s, RDF.type, ctx.term("ResolutionVersion"))
    ctx.add(s, ctx.term("versionOf"), ctx.keys[work].iri)
    sector = ctx.keys[work].sector
    assert sector is not None
    ctx.add(s, ctx.term("sector"), ctx.keys[sector].iri)
    ctx.add(s, ctx.term("adoptedAt"), ctx.ref(row, "edition", edition, "edition"))
    label = row.need("revision_label")
    ctx.add(s, ctx.term("revisionLabel"), Literal(label))
    ctx.add(s, DCTERMS.issued, Literal(str(year), datatype=XSD.gYear))
    if row.get("revises"):
        ctx.add(s, ctx.term("revises"), ctx.ref(row, "revises", row.get("revises"), "version"))
    if row.get("title"):
        ctx.add(s, DCTERMS.title, _en(row.get("title")))
    _common(ctx, row, s, f"{_res_names(conf, number)[1]} ({label})")


def emit_mandate(ctx: _Context, row: Row) -> None:
    res = ctx.ref(row, "resolution", row.need("resolution"), "resolution")
    item = ctx.ref(row, "item", row.need("item"), "group", "question")
    relation = row.need("relation")
    if relation == "mandates":
        ctx.add(res, ctx.term("mandates"), item)
    elif relation == "related":
        ctx.add(item, ctx.term("relatedResolution"), res)
    else:
        raise row.fail("relation", f"{relation!r} is not 'mandates' or 'related'")


# ---------------------------------------------------------------- coordination


def reg_simple(kind: str, col: str, prefix: str, folder: str) -> Callable[[_Context, Row], None]:
    def register(ctx: _Context, row: Row) -> None:
        key = row.need(col)
        if not key.startswith(prefix + ":") or slug(key[len(prefix) + 1 :]) != key[len(prefix) + 1 :]:
            raise row.fail(col, f"{key!r} is not a key like {prefix}:<slug>")
        ctx.register(row, col, key, f"id/{folder}/{key[len(prefix) + 1 :]}", kind, row.get("sector") or None)

    return register


def emit_agent(ctx: _Context, row: Row) -> None:
    s = ctx.keys[row.need("agent")].iri
    ctx.add(s, RDF.type, PROV.Agent)
    ctx.add(s, RDF.type, FOAF.Agent)
    _common(ctx, row, s, row.need("name"))


def emit_body(ctx: _Context, row: Row) -> None:
    s = ctx.keys[row.need("body")].iri
    kind = row.need("type")
    if kind not in BODY_TYPES:
        raise row.fail("type", f"{kind!r} is not one of {sorted(BODY_TYPES)}")
    ctx.add(s, RDF.type, ctx.term(BODY_TYPES[kind]))
    if row.get("notation"):
        ctx.add(s, SKOS.notation, Literal(row.get("notation")))
    for alt in split_list(row.get("alt_label")):
        ctx.add(s, SKOS.altLabel, _en(alt))
    for key in split_list(row.get("established_by")):
        ctx.add(s, ctx.term("establishedBy"), ctx.ref(row, "established_by", key, "resolution"))
    for key in split_list(row.get("reports_to")):
        ctx.add(s, ctx.term("reportsTo"), ctx.ref(row, "reports_to", key, "body", "advisory-group"))
    for key in split_list(row.get("members")):
        ctx.add(s, ctx.term("hasMember"), ctx.ref(row, "members", key, "unionpart", "advisory-group"))
    _common(ctx, row, s, row.need("name"))


def emit_meeting(ctx: _Context, row: Row) -> None:
    s = ctx.keys[row.need("meeting")].iri
    ctx.add(s, RDF.type, ctx.term("Meeting"))
    ctx.add(s, ctx.term("meetingOf"), ctx.ref(row, "body", row.need("body"), "body"))
    date = _date(row, "date")
    if date is not None:
        ctx.add(s, DCTERMS.date, date)
    if row.get("held_during"):
        ctx.add(s, ctx.term("heldDuring"), Literal(row.get("held_during")))
    ctx.add(s, SKOS.notation, Literal(row.need("notation")))
    _common(ctx, row, s, row.need("name"))


def emit_document(ctx: _Context, row: Row) -> None:
    s = ctx.keys[row.need("document")].iri
    ctx.add(s, RDF.type, ctx.term("Document"))
    notation = row.need("notation")
    ctx.add(s, SKOS.notation, Literal(notation))
    title = _title(ctx, row, s)
    date = _date(row, "date")
    if date is not None:
        ctx.add(s, DCTERMS.date, date)
    for key in split_list(row.get("presented_at")):
        ctx.add(s, ctx.term("presentedAt"), ctx.ref(row, "presented_at", key, "meeting"))
    if row.get("url"):
        ctx.add(s, FOAF.page, URIRef(row.get("url")))
    _common(ctx, row, s, _with_title(notation, title))


def emit_outcome(ctx: _Context, row: Row) -> None:
    s = ctx.keys[row.need("outcome")].iri
    ctx.add(s, RDF.type, ctx.term("Outcome"))
    ctx.add(s, ctx.term("outcomeOf"), ctx.ref(row, "meeting", row.need("meeting"), "meeting"))
    ctx.add(s, DCTERMS.description, _en(row.need("description")))
    for key in split_list(row.get("pilot_theme")):
        ctx.add(s, ctx.term("pilotTheme"), ctx.ref(row, "pilot_theme", key, "theme"))
    _common(ctx, row, s, row.need("name"))


# ---------------------------------------------------------------- themes


def _collections(row: Row) -> list[tuple[str, str]]:
    out = []
    for part in split_list(row.get("collections")):
        name, _, label = part.partition("=")
        if not label or slug(name) != name.strip():
            raise row.fail("collections", f"{part!r} is not <slug>=<label>")
        out.append((name.strip(), label.strip()))
    return out


def reg_scheme(ctx: _Context, row: Row) -> None:
    name = row.need("slug")
    ctx.register(row, "slug", f"scheme:{name}", f"id/scheme/{name}", "scheme", None)
    for coll, _ in _collections(row):
        ctx.register(
            row,
            "collections",
            f"collection:{name}:{coll}",
            f"id/scheme/{name}/collection/{coll}",
            "collection",
            None,
        )


def emit_scheme(ctx: _Context, row: Row) -> None:
    name = row.need("slug")
    s = ctx.keys[f"scheme:{name}"].iri
    label = row.need("label")
    ctx.add(s, RDF.type, ctx.term("ThemeScheme"))
    ctx.add(s, SKOS.notation, Literal(row.need("section")))
    ctx.add(s, SKOS.prefLabel, _en(label))
    _common(ctx, row, s, label)
    for coll, coll_label in _collections(row):
        c = ctx.keys[f"collection:{name}:{coll}"].iri
        ctx.add(c, RDF.type, SKOS.Collection)
        ctx.add(c, SKOS.prefLabel, _en(coll_label))
        ctx.add(c, DCTERMS.isPartOf, s)
        _common(ctx, row, c, coll_label)


def reg_theme(ctx: _Context, row: Row) -> None:
    scheme, notation = row.need("scheme"), row.need("notation")
    ctx.lookup(row, "scheme", f"scheme:{scheme}", ("scheme",))
    ctx.register(
        row, "notation", f"theme:{scheme}:{notation}", f"id/theme/{scheme}/{notation}", "theme", None
    )


def emit_theme(ctx: _Context, row: Row) -> None:
    scheme, notation, label = row.need("scheme"), row.need("notation"), row.need("label")
    s = ctx.keys[f"theme:{scheme}:{notation}"].iri
    scheme_iri = ctx.keys[f"scheme:{scheme}"].iri
    ctx.add(s, RDF.type, ctx.term("Theme"))
    ctx.add(s, SKOS.inScheme, scheme_iri)
    ctx.add(s, SKOS.prefLabel, _en(label))
    ctx.add(s, SKOS.notation, Literal(notation))
    if row.get("broader"):
        ctx.add(s, SKOS.broader, ctx.ref(row, "broader", f"theme:{scheme}:{row.get('broader')}", "theme"))
    else:
        ctx.add(s, SKOS.topConceptOf, scheme_iri)
        ctx.add(scheme_iri, SKOS.hasTopConcept, s)
    if row.get("collection"):
        ctx.add(
            ctx.ref(row, "collection", f"collection:{scheme}:{row.get('collection')}", "collection"),
            SKOS.member,
            s,
        )
    for key in split_list(row.get("covered_by_body")):
        ctx.add(s, ctx.term("coveredByBody"), ctx.ref(row, "covered_by_body", key, "body"))
    _common(ctx, row, s, label)


# ---------------------------------------------------------------- links: theme links and mappings

ITEM_KINDS = ("question", "group", "resolution", "version")


def _link(
    ctx: _Context,
    row: Row,
    s: URIRef,
    subj: Item,
    obj: URIRef,
    kind: str,
    predicate: str,
    agent: tuple[str, str],
    date: str,
    status: str,
    justification: str,
    comment: str,
    mapping: bool,
) -> None:
    ctx.add(s, RDF.type, ctx.term("Mapping" if mapping else "Link"))
    ctx.add(s, ctx.term("subject"), subj.iri)
    ctx.add(s, ctx.term("object"), obj)
    if kind not in RELATION_KINDS:
        raise row.fail("relation_kind", f"{kind!r} is not one of {', '.join(RELATION_KINDS)}")
    ctx.add(s, ctx.term("relationKind"), ctx.term(kind))
    if predicate not in SKOS_MATCH:
        raise row.fail("predicate", f"{predicate!r} is not one of {', '.join(SKOS_MATCH)}")
    ctx.add(s, ctx.term("predicate"), SKOS[predicate])
    ctx.add(
        s,
        PROV.wasAttributedTo,
        ctx.ref(row, agent[0], agent[1], "agent", "body", "edition", "advisory-group"),
    )
    ctx.add(s, DCTERMS.date, _date(row, "date") or Literal(date))
    if status not in STATUSES:
        raise row.fail("status", f"{status!r} is not one of {', '.join(STATUSES)}")
    ctx.add(s, ctx.term("status"), ctx.term(status))
    if justification not in JUSTIFICATIONS:
        raise row.fail("justification", f"{justification!r} is not one of {', '.join(JUSTIFICATIONS)}")
    ctx.add(s, SSSOM.mapping_justification, SEMAPV[justification])
    if comment:
        ctx.add(s, RDFS.comment, _en(comment))


def _theme_link_path(ctx: _Context, item: Item, theme: URIRef) -> str:
    return f"id/link/{item.iri[len(ctx.base) + 3 :]}/theme/{theme[len(ctx.base) + 9 :]}"


def reg_theme_link(ctx: _Context, row: Row) -> None:
    item = ctx.lookup(row, "item", row.need("item"), ITEM_KINDS)
    theme = ctx.ref(row, "theme", row.need("theme"), "theme")
    ctx.register(
        row,
        "item",
        f"link:{row.need('item')}>{row.need('theme')}",
        _theme_link_path(ctx, item, theme),
        "link",
        None,
    )


def emit_theme_link(ctx: _Context, row: Row) -> None:
    item = ctx.keys[row.need("item")]
    theme = ctx.keys[row.need("theme")].iri
    s = ctx.keys[f"link:{row.need('item')}>{row.need('theme')}"].iri
    ctx.add(item.iri, ctx.term("addressesTheme"), theme)
    _link(
        ctx,
        row,
        s,
        item,
        theme,
        "TopicalOverlap",
        "relatedMatch",
        ("curator", row.need("curator")),
        row.need("date"),
        "Asserted",
        "ManualMappingCuration",
        row.need("justification"),
        mapping=False,
    )
    label_item = row.need("item")
    _common(ctx, row, s, f"{label_item} addresses theme {row.need('theme')[6:]}")


def reg_mapping(ctx: _Context, row: Row) -> None:
    rid = row.need("id")
    if not re.fullmatch(r"M\d{4,}", rid):
        raise row.fail("id", f"{rid!r} is not a register id like M0001")
    ctx.register(row, "id", f"mapping:{rid}", f"id/mapping/{rid}", "link", None)


def emit_mapping(ctx: _Context, row: Row) -> None:
    s = ctx.keys[f"mapping:{row.need('id')}"].iri
    subj = ctx.lookup(row, "subject", row.need("subject"), ITEM_KINDS)
    obj = ctx.lookup(row, "object", row.need("object"), ITEM_KINDS)
    cross = subj.sector != obj.sector
    _link(
        ctx,
        row,
        s,
        subj,
        obj.iri,
        row.need("relation_kind"),
        row.need("predicate"),
        ("asserted_by", row.need("asserted_by")),
        row.need("date"),
        row.need("status"),
        row.need("justification"),
        row.get("comment"),
        mapping=cross,
    )
    if row.get("ref_row"):
        ctx.add(s, DCTERMS.identifier, Literal(row.get("ref_row")))
    _common(
        ctx,
        row,
        s,
        f"{row.need('id')}: {row.need('subject')} {row.need('relation_kind')} {row.need('object')}",
    )


# ---------------------------------------------------------------- table kinds

Handler = Callable[[_Context, Row], None]


def _none(ctx: _Context, row: Row) -> None:
    return None


@dataclass(frozen=True)
class Kind:
    name: str
    columns: frozenset[str]
    register: Handler
    emit: Handler


def _kind(name: str, columns: str, register: Handler, emit: Handler) -> Kind:
    return Kind(name, frozenset(columns.split()), register, emit)


KINDS: tuple[Kind, ...] = (
    _kind("organisations", "key type name sector", reg_org, emit_org),
    _kind("study periods", "sector period start_year end_year", reg_period, emit_period),
    _kind("study groups", "sector study_period notation group_type title", reg_group, emit_group),
    _kind("questions", "sector study_period study_group notation title", reg_question, emit_question),
    _kind("conferences", "conference name sector", reg_conference, emit_conference),
    _kind("conference editions", "edition conference year place country", reg_edition, emit_edition),
    _kind("resolutions", "conference number title concerns", reg_resolution, emit_resolution),
    _kind(
        "resolution versions", "conference number edition revision_label revises", reg_version, emit_version
    ),
    _kind("mandates", "resolution item relation", _none, emit_mandate),
    _kind("agents", "agent name", reg_simple("agent", "agent", "agent", "agent"), emit_agent),
    _kind(
        "bodies",
        "body type name established_by reports_to members",
        reg_simple("body", "body", "body", "body"),
        emit_body,
    ),
    _kind(
        "meetings",
        "meeting body date held_during",
        reg_simple("meeting", "meeting", "meeting", "meeting"),
        emit_meeting,
    ),
    _kind(
        "documents",
        "document notation title url",
        reg_simple("document", "document", "doc", "document"),
        emit_document,
    ),
    _kind(
        "outcomes",
        "outcome meeting description pilot_theme",
        reg_simple("outcome", "outcome", "outcome", "outcome"),
        emit_outcome,
    ),
    _kind("theme schemes", "slug section label collections", reg_scheme, emit_scheme),
    _kind("themes", "scheme notation label broader", reg_theme, emit_theme),
    _kind("theme links", "item theme justification curator date", reg_theme_link, emit_theme_link),
    _kind("mappings", "id subject object relation_kind predicate status", reg_mapping, emit_mapping),
)
# registration order: a kind may look up keys of the kinds before it
ORDER = [k.name for k in KINDS]


def _kind_of(header: tuple[str, ...], label: str) -> Kind:
    fits = [k for k in KINDS if k.columns <= set(header)]
    if not fits:
        raise SourceError(
            f"header {','.join(header)} matches no known table kind (see docs/notes/data.md)",
            path=label,
            line=1,
        )
    best = max(fits, key=lambda k: len(k.columns))
    for col in ("source", "confidence", "notes"):
        if col not in header:
            raise SourceError(f"missing column {col!r}", path=label, line=1)
    return best


def _read(path: Path, label: str) -> Iterator[Row]:
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            header = tuple(h.strip() for h in next(reader, []))
            if not header:
                raise SourceError("empty file: a header row is required", path=label, line=1)
            if len(set(header)) != len(header):
                raise SourceError("duplicate column names in the header", path=label, line=1)
            for cells in reader:
                if not any(c.strip() for c in cells):
                    continue
                if len(cells) != len(header):
                    raise SourceError(
                        f"{len(cells)} cells where the header has {len(header)}",
                        path=label,
                        line=reader.line_num,
                    )
                yield Row(
                    path,
                    label,
                    reader.line_num,
                    header,
                    MappingProxyType(dict(zip(header, cells, strict=True))),
                )
    except UnicodeDecodeError as exc:
        raise SourceError(f"not UTF-8: {exc}", path=label) from exc
    except csv.Error as exc:
        raise SourceError(f"malformed CSV: {exc}", path=label) from exc


def load_tables(data_dir: Path, base: str = DEFAULT_BASE) -> Tables:
    """Convert every table (and Turtle file) under ``data_dir`` into a Dataset, one graph per folder."""
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise SourceError("data directory not found", path=str(data_dir))
    root = data_dir.parent
    ctx = _Context(base=base, dataset=Dataset())
    tables: list[tuple[Kind, str, list[Row]]] = []
    turtle: list[tuple[str, Path, str]] = []
    for folder in sorted(p for p in data_dir.iterdir() if p.is_dir() and not p.name.startswith(".")):
        for path in sorted(folder.iterdir()):
            label = str(path.relative_to(root))
            if path.suffix == ".csv":
                rows = list(_read(path, label))
                if rows:
                    tables.append((_kind_of(rows[0].header, label), folder.name, rows))
                else:  # header only: still a known kind, or an error
                    with path.open(encoding="utf-8", newline="") as fh:
                        _kind_of(tuple(next(csv.reader(fh), [])), label)
            elif path.suffix == ".ttl":
                turtle.append((folder.name, path, label))
    tables.sort(key=lambda t: ORDER.index(t[0].name))
    for kind, _folder, rows in tables:
        for row in rows:
            kind.register(ctx, row)
    for kind, name, rows in tables:
        ctx.graph = ctx.dataset.graph(URIRef(f"{base}graph/{name}"))
        for row in rows:
            kind.emit(ctx, row)
    for name, ttl, label in turtle:
        try:
            ctx.dataset.graph(URIRef(f"{base}graph/{name}")).parse(ttl, format="turtle")
        except Exception as exc:  # rdflib raises many kinds
            raise SourceError(f"cannot parse Turtle: {exc}", path=label) from exc
    return Tables(ctx.dataset, MappingProxyType(dict(sorted(ctx.origins.items()))))


__all__ = ["DEFAULT_BASE", "Tables", "load_tables", "slug"]
