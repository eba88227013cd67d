"""Cells common to every table kind: label, source, confidence and notes on every resource; titles,
dates, years, sectors and study periods checked against their formats.
"""

from __future__ import annotations

import re

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDFS, SKOS, XSD

from ._context import Context, Row, split_list

SECTORS = ("ITU-R", "ITU-T", "ITU-D", "GS")
CONFIDENCE = {"confirmed": "Confirmed", "recalled": "Unconfirmed"}


def en(text: str) -> Literal:
    return Literal(text, lang="en")


def common(ctx: Context, row: Row, s: URIRef, label: str) -> None:
    """rdfs:label, dct:source, iscg:confidence and skos:editorialNote: on every resource."""
    ctx.add(s, RDFS.label, en(label))
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
        ctx.add(s, SKOS.editorialNote, en(row.get("notes")))


def add_title(ctx: Context, row: Row, s: URIRef) -> str:
    """dct:title@en when the cell has one; a missing title is left to SHACL (shapes report it)."""
    title = row.get("title")
    if title:
        ctx.add(s, DCTERMS.title, en(title))
    return title


def with_title(label: str, title: str) -> str:
    return f"{label}: {title}" if title else label


def date_cell(row: Row, col: str) -> Literal | None:
    value = row.get(col)
    if not value:
        return None
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise row.fail(col, f"{value!r} is not an ISO date (YYYY-MM-DD)")
    return Literal(value, datatype=XSD.date)


def year_cell(row: Row, col: str) -> int:
    value = row.need(col)
    if not re.fullmatch(r"\d{4}", value):
        raise row.fail(col, f"{value!r} is not a year")
    return int(value)


def sector_cell(row: Row, col: str) -> str:
    value = row.need(col)
    if value not in SECTORS:
        raise row.fail(col, f"{value!r} is not one of {', '.join(SECTORS)}")
    return value


def period_cell(row: Row, col: str) -> str:
    value = row.need(col)
    if not re.fullmatch(r"\d{4}-\d{4}", value):
        raise row.fail(col, f"{value!r} is not a study period like 2017-2020")
    return value
