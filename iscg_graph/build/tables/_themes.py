"""Theme lists as SKOS: schemes (with their collections) and themes."""

from __future__ import annotations

from rdflib import Literal
from rdflib.namespace import DCTERMS, RDF, SKOS

from ._cells import common, en
from ._context import Context, Row, slug, split_list


def _collections(row: Row) -> list[tuple[str, str]]:
    out = []
    for part in split_list(row.get("collections")):
        name, _, label = part.partition("=")
        if not label or slug(name) != name.strip():
            raise row.fail("collections", f"{part!r} is not <slug>=<label>")
        out.append((name.strip(), label.strip()))
    return out


def reg_scheme(ctx: Context, row: Row) -> None:
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


def emit_scheme(ctx: Context, row: Row) -> None:
    name = row.need("slug")
    s = ctx.keys[f"scheme:{name}"].iri
    label = row.need("label")
    ctx.add(s, RDF.type, ctx.term("ThemeScheme"))
    # typed: the §1.5 list and item 1.5 of another list must not share skos:notation "1.5"
    ctx.add(s, SKOS.notation, Literal(row.need("section"), datatype=ctx.term("annexSection")))
    ctx.add(s, SKOS.prefLabel, en(label))
    common(ctx, row, s, label)
    for coll, coll_label in _collections(row):
        c = ctx.keys[f"collection:{name}:{coll}"].iri
        ctx.add(c, RDF.type, SKOS.Collection)
        ctx.add(c, SKOS.prefLabel, en(coll_label))
        ctx.add(c, DCTERMS.isPartOf, s)
        common(ctx, row, c, coll_label)


def reg_theme(ctx: Context, row: Row) -> None:
    scheme, notation = row.need("scheme"), row.need("notation")
    ctx.lookup(row, "scheme", f"scheme:{scheme}", ("scheme",))
    ctx.register(
        row, "notation", f"theme:{scheme}:{notation}", f"id/theme/{scheme}/{notation}", "theme", None
    )


def emit_theme(ctx: Context, row: Row) -> None:
    scheme, notation, label = row.need("scheme"), row.need("notation"), row.need("label")
    s = ctx.keys[f"theme:{scheme}:{notation}"].iri
    scheme_iri = ctx.keys[f"scheme:{scheme}"].iri
    ctx.add(s, RDF.type, ctx.term("Theme"))
    ctx.add(s, SKOS.inScheme, scheme_iri)
    ctx.add(s, SKOS.prefLabel, en(label))
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
    common(ctx, row, s, label)
