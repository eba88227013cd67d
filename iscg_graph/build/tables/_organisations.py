"""Organisations: the Sectors and General Secretariat (union parts), Bureaux and advisory groups."""

from __future__ import annotations

from rdflib import Literal
from rdflib.namespace import RDF, SKOS

from ._cells import common, sector_cell
from ._context import Context, Row, slug

ORG_TYPES = {
    "sector": "Sector",
    "general-secretariat": "GeneralSecretariat",
    "bureau": "Bureau",
    "advisory-group": "AdvisoryGroup",
}


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


def reg_org(ctx: Context, row: Row) -> None:
    kind, key, path = _org_key(row)
    sector = key if kind in ("sector", "general-secretariat") else sector_cell(row, "sector")
    ctx.register(
        row, "key", key, path, "unionpart" if kind in ("sector", "general-secretariat") else kind, sector
    )


def emit_org(ctx: Context, row: Row) -> None:
    kind, key, _ = _org_key(row)
    s = ctx.keys[key].iri
    ctx.add(s, RDF.type, ctx.term(ORG_TYPES[kind]))
    ctx.add(s, SKOS.notation, Literal(key))
    if kind in ("bureau", "advisory-group"):
        ctx.add(s, ctx.term("sector"), ctx.ref(row, "sector", row.need("sector"), "unionpart"))
    common(ctx, row, s, row.need("name"))
