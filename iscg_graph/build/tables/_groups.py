"""Study periods, study groups (and their working parties, task groups) and Questions; a group or
Question ``continues`` its namesake of the previous study period.
"""

from __future__ import annotations

import re

from rdflib import Literal
from rdflib.namespace import RDF, SKOS, XSD

from ._cells import add_title, common, period_cell, sector_cell, with_title, year_cell
from ._context import Context, Row, slug, split_list

GROUP_TYPES = {
    "study-group": "StudyGroup",
    "working-party": "WorkingParty",
    "task-group": "TaskGroup",
    "joint-task-group": "JointTaskGroup",
}


def reg_period(ctx: Context, row: Row) -> None:
    sector, period = sector_cell(row, "sector"), period_cell(row, "period")
    ctx.register(
        row, "period", f"{sector}:{period}", f"id/study-period/{slug(sector)}/{period}", "period", sector
    )
    ctx.periods.setdefault(sector, []).append((year_cell(row, "start_year"), period))


def emit_period(ctx: Context, row: Row) -> None:
    sector, period = row.need("sector"), row.need("period")
    s = ctx.keys[f"{sector}:{period}"].iri
    ctx.add(s, RDF.type, ctx.term("StudyPeriod"))
    ctx.add(s, ctx.term("sector"), ctx.ref(row, "sector", sector, "unionpart"))
    ctx.add(s, ctx.term("startYear"), Literal(row.need("start_year"), datatype=XSD.gYear))
    ctx.add(s, ctx.term("endYear"), Literal(str(year_cell(row, "end_year")), datatype=XSD.gYear))
    ctx.add(s, SKOS.notation, Literal(period))
    common(ctx, row, s, f"{sector} study period {period}")


def _group_key(row: Row) -> tuple[str, str, str]:
    return sector_cell(row, "sector"), period_cell(row, "study_period"), row.need("notation")


def _group_type(row: Row) -> str:
    return row.need("group_type").replace(" ", "-")


def reg_group(ctx: Context, row: Row) -> None:
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


def emit_group(ctx: Context, row: Row) -> None:
    sector, period, notation = _group_key(row)
    s = ctx.keys[f"{sector}:{period}:{notation}"].iri
    kind = GROUP_TYPES[_group_type(row)]
    ctx.add(s, RDF.type, ctx.term(kind))
    ctx.add(s, ctx.term("sector"), ctx.ref(row, "sector", sector, "unionpart"))
    ctx.add(s, ctx.term("studyPeriod"), ctx.ref(row, "study_period", f"{sector}:{period}", "period"))
    ctx.add(s, SKOS.notation, Literal(notation))
    title = add_title(ctx, row, s)
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
    common(ctx, row, s, with_title(f"{sector} {notation} ({period})", title))


QUESTION = re.compile(r"^(?:Q)?(\d+[A-Z]?)/(\d+)$")


def _question_key(row: Row) -> tuple[str, str, str, str, str]:
    sector, period = sector_cell(row, "sector"), period_cell(row, "study_period")
    notation = row.need("notation")
    m = QUESTION.match(notation)
    if not m or (sector == "ITU-R") == notation.startswith("Q"):
        want = "239/1" if sector == "ITU-R" else "Q4/17"
        raise row.fail("notation", f"{notation!r} is not a {sector} Question number like {want}")
    return sector, period, notation, m.group(1), m.group(2)


def reg_question(ctx: Context, row: Row) -> None:
    sector, period, notation, number, sg = _question_key(row)
    ctx.register(
        row,
        "notation",
        f"{sector}:{period}:{notation}",
        f"id/question/{slug(sector)}/{period}/{number.lower()}-{sg}",
        "question",
        sector,
    )


def emit_question(ctx: Context, row: Row) -> None:
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
    digits = re.match(r"\d+", number)
    if digits:  # the number as an integer, so Questions sort as numbers
        ctx.add(s, ctx.term("questionOrdinal"), Literal(int(digits.group())))
    if row.get("official_number") and row.get("official_number") != notation:
        ctx.add(s, ctx.term("officialNumber"), Literal(row.get("official_number")))
    title = add_title(ctx, row, s)
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
    common(ctx, row, s, with_title(f"{shown} ({period})", title))
