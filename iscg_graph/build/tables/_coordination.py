"""Coordination: agents, coordination bodies, their meetings, documents and outcomes."""

from __future__ import annotations

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, SKOS

from ._cells import add_title, common, date_cell, en, with_title
from ._context import Context, Handler, Row, slug, split_list

BODY_TYPES = {
    "coordination-group": "CoordinationGroup",
    "task-force": "TaskForce",
    "council-working-group": "CouncilWorkingGroup",
    "expert-group": "ExpertGroup",
    "inter-sector-rapporteur-group": "InterSectorRapporteurGroup",
    "council": "Council",
    "coordination-body": "CoordinationBody",
}


def reg_simple(kind: str, col: str, prefix: str, folder: str) -> Handler:
    def register(ctx: Context, row: Row) -> None:
        key = row.need(col)
        if not key.startswith(prefix + ":") or slug(key[len(prefix) + 1 :]) != key[len(prefix) + 1 :]:
            raise row.fail(col, f"{key!r} is not a key like {prefix}:<slug>")
        ctx.register(row, col, key, f"id/{folder}/{key[len(prefix) + 1 :]}", kind, row.get("sector") or None)

    return register


def emit_agent(ctx: Context, row: Row) -> None:
    s = ctx.keys[row.need("agent")].iri
    ctx.add(s, RDF.type, PROV.Agent)
    ctx.add(s, RDF.type, FOAF.Agent)
    common(ctx, row, s, row.need("name"))


def emit_body(ctx: Context, row: Row) -> None:
    s = ctx.keys[row.need("body")].iri
    kind = row.need("type")
    if kind not in BODY_TYPES:
        raise row.fail("type", f"{kind!r} is not one of {sorted(BODY_TYPES)}")
    ctx.add(s, RDF.type, ctx.term(BODY_TYPES[kind]))
    if row.get("notation"):
        ctx.add(s, SKOS.notation, Literal(row.get("notation")))
    for alt in split_list(row.get("alt_label")):
        ctx.add(s, SKOS.altLabel, en(alt))
    for key in split_list(row.get("established_by")):
        ctx.add(s, ctx.term("establishedBy"), ctx.ref(row, "established_by", key, "resolution"))
    for key in split_list(row.get("reports_to")):
        ctx.add(s, ctx.term("reportsTo"), ctx.ref(row, "reports_to", key, "body", "advisory-group"))
    for key in split_list(row.get("members")):
        ctx.add(s, ctx.term("hasMember"), ctx.ref(row, "members", key, "unionpart", "advisory-group"))
    common(ctx, row, s, row.need("name"))


def emit_meeting(ctx: Context, row: Row) -> None:
    s = ctx.keys[row.need("meeting")].iri
    ctx.add(s, RDF.type, ctx.term("Meeting"))
    ctx.add(s, ctx.term("meetingOf"), ctx.ref(row, "body", row.need("body"), "body"))
    date = date_cell(row, "date")
    if date is not None:
        ctx.add(s, DCTERMS.date, date)
    if row.get("held_during"):
        ctx.add(s, ctx.term("heldDuring"), Literal(row.get("held_during")))
    ctx.add(s, SKOS.notation, Literal(row.need("notation")))
    common(ctx, row, s, row.need("name"))


def emit_document(ctx: Context, row: Row) -> None:
    s = ctx.keys[row.need("document")].iri
    ctx.add(s, RDF.type, ctx.term("Document"))
    notation = row.need("notation")
    ctx.add(s, SKOS.notation, Literal(notation))
    title = add_title(ctx, row, s)
    date = date_cell(row, "date")
    if date is not None:
        ctx.add(s, DCTERMS.date, date)
    for key in split_list(row.get("presented_at")):
        ctx.add(s, ctx.term("presentedAt"), ctx.ref(row, "presented_at", key, "meeting"))
    if row.get("url"):
        ctx.add(s, FOAF.page, URIRef(row.get("url")))
    common(ctx, row, s, with_title(notation, title))


def emit_outcome(ctx: Context, row: Row) -> None:
    s = ctx.keys[row.need("outcome")].iri
    ctx.add(s, RDF.type, ctx.term("Outcome"))
    ctx.add(s, ctx.term("outcomeOf"), ctx.ref(row, "meeting", row.need("meeting"), "meeting"))
    ctx.add(s, DCTERMS.description, en(row.need("description")))
    for key in split_list(row.get("pilot_theme")):
        ctx.add(s, ctx.term("pilotTheme"), ctx.ref(row, "pilot_theme", key, "theme"))
    common(ctx, row, s, row.need("name"))
