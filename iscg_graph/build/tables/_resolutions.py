"""Conferences, their editions, Resolutions and their versions (one work, one version per edition,
``latestVersion`` derived), and which groups or Questions a Resolution mandates.
"""

from __future__ import annotations

import re

from rdflib import Literal
from rdflib.namespace import DCTERMS, RDF, SKOS, XSD

from ._cells import add_title, common, date_cell, en, sector_cell, with_title, year_cell
from ._context import Context, Row, slug, split_list


def reg_conference(ctx: Context, row: Row) -> None:
    code = row.need("conference")
    ctx.register(
        row, "conference", code, f"id/conference/{slug(code)}", "conference", sector_cell(row, "sector")
    )


def emit_conference(ctx: Context, row: Row) -> None:
    code = row.need("conference")
    s = ctx.keys[code].iri
    ctx.add(s, RDF.type, ctx.term("Conference"))
    ctx.add(s, SKOS.notation, Literal(code))
    ctx.add(s, ctx.term("sector"), ctx.ref(row, "sector", row.need("sector"), "unionpart"))
    common(ctx, row, s, row.need("name"))


def reg_edition(ctx: Context, row: Row) -> None:
    edition, conf, year = row.need("edition"), row.need("conference"), year_cell(row, "year")
    sector = ctx.lookup(row, "conference", conf, ("conference",)).sector
    ctx.register(row, "edition", edition, f"id/conference/{slug(conf)}/{year}", "edition", sector)
    start = row.get("start_date")
    ctx.edition_years[edition] = (year, int(start[:4]) if start[:4].isdigit() else year)


def emit_edition(ctx: Context, row: Row) -> None:
    edition, conf = row.need("edition"), row.need("conference")
    s = ctx.keys[edition].iri
    ctx.add(s, RDF.type, ctx.term("ConferenceEdition"))
    ctx.add(s, ctx.term("editionOf"), ctx.ref(row, "conference", conf, "conference"))
    ctx.add(s, SKOS.notation, Literal(edition))
    for col, prop in (("place", "place"), ("country", "country")):
        if row.get(col):
            ctx.add(s, ctx.term(prop), Literal(row.get(col)))
    for col, prop in (("start_date", "startDate"), ("end_date", "endDate")):
        value = date_cell(row, col)
        if value is not None:
            ctx.add(s, ctx.term(prop), value)
    held = ctx.edition_years[edition][1]
    common(ctx, row, s, f"{edition} ({row.get('place')}, {held})" if row.get("place") else edition)


def _res_names(conf: str, number: str) -> tuple[str, str]:
    """(notation, display name): ``PP Res. 191`` / ``PP Resolution 191``; ITU-R style for RA."""
    if conf == "RA":
        return f"Res. ITU-R {number}", f"Resolution ITU-R {number}"
    return f"{conf} Res. {number}", f"{conf} Resolution {number}"


def reg_resolution(ctx: Context, row: Row) -> None:
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


def emit_resolution(ctx: Context, row: Row) -> None:
    conf, number = row.need("conference"), row.need("number")
    key = f"{conf}:{number}"
    item = ctx.keys[key]
    s = item.iri
    notation, name = _res_names(conf, number)
    ctx.add(s, RDF.type, ctx.term("Resolution"))
    ctx.add(s, ctx.term("adoptedBy"), ctx.ref(row, "conference", conf, "conference"))
    ctx.add(s, ctx.term("resolutionNumber"), Literal(number))
    ctx.add(s, SKOS.notation, Literal(notation))
    title = add_title(ctx, row, s)
    assert item.sector is not None
    ctx.add(s, ctx.term("sector"), ctx.keys[item.sector].iri)
    for code in split_list(row.get("concerns")) or [item.sector]:
        ctx.add(s, ctx.term("concernsSector"), ctx.ref(row, "concerns", code, "unionpart"))
    versions = sorted(ctx.versions.get(key, []))
    for _, v in versions:
        ctx.add(s, ctx.term("hasVersion"), v)
    if versions:
        ctx.add(s, ctx.term("latestVersion"), versions[-1][1])
    common(ctx, row, s, with_title(name, title))


def _version_key(ctx: Context, row: Row) -> tuple[str, str, int]:
    conf, number, edition = row.need("conference"), row.need("number"), row.need("edition")
    ctx.lookup(row, "edition", edition, ("edition",))
    return f"{conf}:{number}", edition, ctx.edition_years[edition][1]


def reg_version(ctx: Context, row: Row) -> None:
    work, edition, year = _version_key(ctx, row)
    item = ctx.lookup(row, "number", work, ("resolution",))
    iri = ctx.register(
        row, "edition", f"{work}:{year}", f"{item.iri[len(ctx.base) :]}/{year}", "version", item.sector
    )
    ctx.versions.setdefault(work, []).append((year, iri))


def emit_version(ctx: Context, row: Row) -> None:
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
        ctx.add(s, DCTERMS.title, en(row.get("title")))
    common(ctx, row, s, f"{_res_names(conf, number)[1]} ({label})")


def emit_mandate(ctx: Context, row: Row) -> None:
    res = ctx.ref(row, "resolution", row.need("resolution"), "resolution")
    item = ctx.ref(row, "item", row.need("item"), "group", "question")
    relation = row.need("relation")
    if relation == "mandates":
        ctx.add(res, ctx.term("mandates"), item)
    elif relation == "related":
        ctx.add(item, ctx.term("relatedResolution"), res)
    else:
        raise row.fail("relation", f"{relation!r} is not 'mandates' or 'related'")
