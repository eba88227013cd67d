"""Tables that `iscg export` writes from changes made through the curation service, read back by the
build so that export → build gives the graph the service had:

- review decisions (``data/reviews/``): one row per decided candidate pair, register ids ``R0001`` …,
  emitted into ``graph/reviews`` exactly as `iscg_graph.overlap.review.decision_graph` records them,
  with the register's last number (``iscg:lastRegisterNumber``) as the decisions keep it;
  a reviewer with no agent of the tables gets one (in the same graph, on their first decision);
- retirements (``data/retirements/``): an item retired through the service keeps its IRI and
  statements and gets ``owl:deprecated true`` and the retirement note in the graph describing it;
  who retired it, when and why are the row's ``retired_by``, ``date`` and ``comment`` cells (the
  journal record says the same).
"""

from __future__ import annotations

import re

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, XSD

from ...curation.edits import RETIRED_NOTE
from ...vocab import JUSTIFICATIONS, RELATION_KINDS, STATUSES
from ._cells import CONFIDENCE, date_cell, en
from ._context import Context, Item, Row
from ._links import ITEM_KINDS, SEMAPV, SKOS_MATCH, SSSOM, _words

REVIEWABLE = (*ITEM_KINDS, "theme")


def _reviewer_slug(name: str) -> str:
    return re.sub(r"-+", "-", re.sub(r"[^a-z0-9.-]", "-", name.strip().lower())).strip("-.")


def reg_review(ctx: Context, row: Row) -> None:
    rid = row.need("id")
    if not re.fullmatch(r"R\d{4,}", rid):
        raise row.fail("id", f"{rid!r} is not a review decision id like R0001")
    ctx.register(row, "id", f"mapping:{rid}", f"id/mapping/{rid}", "link", None)
    slug = _reviewer_slug(row.need("reviewer"))
    if not slug:
        raise row.fail("reviewer", "a reviewer is a name or an identifier")
    if f"agent:{slug}" not in ctx.keys:  # a reviewer the agents table does not list
        ctx.register(row, "reviewer", f"agent:{slug}", f"id/agent/{slug}", "agent", None)


def _choice(row: Row, col: str, allowed: tuple[str, ...]) -> str:
    value = row.need(col)
    if value not in allowed:
        raise row.fail(col, f"{value!r} is not one of {', '.join(allowed)}")
    return value


def emit_review(ctx: Context, row: Row) -> None:
    s = ctx.keys[f"mapping:{row.need('id')}"].iri
    subj: Item = ctx.lookup(row, "subject", row.need("subject"), REVIEWABLE)
    obj: Item = ctx.lookup(row, "object", row.need("object"), REVIEWABLE)
    kind = _choice(row, "relation_kind", RELATION_KINDS)
    status = _choice(row, "status", STATUSES)
    ctx.add(s, RDF.type, ctx.term("Link" if subj.kind == "theme" else "Mapping"))
    ctx.add(s, ctx.term("subject"), subj.iri)
    ctx.add(s, ctx.term("object"), obj.iri)
    ctx.add(s, ctx.term("relationKind"), ctx.term(kind))
    ctx.add(s, ctx.term("predicate"), SKOS[_choice(row, "predicate", SKOS_MATCH)])
    if status == "Rejected":
        ctx.add(s, SSSOM.predicate_modifier, Literal("Not"))
    ctx.add(s, ctx.term("status"), ctx.term(status))
    ctx.add(s, SSSOM.mapping_justification, SEMAPV[_choice(row, "justification", JUSTIFICATIONS)])
    agent_key = f"agent:{_reviewer_slug(row.need('reviewer'))}"
    agent = ctx.keys[agent_key].iri
    ctx.add(s, PROV.wasAttributedTo, agent)
    if ctx.origins.get(str(agent), "").startswith(f"{row.label}:") and ctx.graph is not None \
            and (agent, RDF.type, PROV.Agent) not in ctx.graph:  # first decision of a new reviewer
        ctx.add(agent, RDF.type, PROV.Agent)
        ctx.add(agent, RDF.type, FOAF.Agent)
        ctx.add(agent, RDFS.label, en(row.need("reviewer")))
    ctx.add(s, DCTERMS.date, date_cell(row, "date") or Literal(row.need("date"), datatype=XSD.date))
    source = row.need("source")
    if source.startswith(("http://", "https://")):
        ctx.add(s, DCTERMS.source, URIRef(source))
    else:
        ctx.add(s, DCTERMS.source, ctx.ref(row, "source", source, "document"))
    confidence = _choice(row, "confidence", tuple(CONFIDENCE))
    ctx.add(s, ctx.term("confidence"), ctx.term(CONFIDENCE[confidence]))
    verb = f"not {kind} of" if status == "Rejected" else f"{kind} of"
    ctx.add(s, RDFS.label, en(f"{row.need('id')}: {_words(ctx, subj.iri)} — {verb} — {_words(ctx, obj.iri)}"))
    if row.get("comment"):
        ctx.add(s, RDFS.comment, en(row.get("comment")))
    if row.get("notes"):
        ctx.add(s, SKOS.editorialNote, en(row.get("notes")))
    _count(ctx, int(row.need("id")[1:]))


def _count(ctx: Context, number: int) -> None:
    """The register's last number stated on its graph, as a decision updates it
    (`iscg_graph.overlap.review_register`): the highest of the rows."""
    assert ctx.graph is not None
    node, counter = URIRef(str(ctx.graph.identifier)), ctx.term("lastRegisterNumber")
    if number > max((int(str(o)) for o in ctx.graph.objects(node, counter)), default=0):
        ctx.graph.remove((node, counter, None))
        ctx.graph.add((node, counter, Literal(number)))


def _home_graph(ctx: Context, row: Row, iri: URIRef) -> URIRef:
    """The graph of the folder whose table made the item (where its description is)."""
    origin = ctx.origins.get(str(iri), "")
    parts = origin.rsplit(":", 1)[0].split("/")
    if len(parts) < 2:
        raise row.fail("item", f"{iri} was not made by a table")
    return URIRef(f"{ctx.base}graph/{parts[-2]}")


def emit_retirement(ctx: Context, row: Row) -> None:
    item = ctx.lookup(row, "item", row.need("item"), (*REVIEWABLE, "agent", "body", "document"))
    date_cell(row, "date")  # checked: an ISO date
    graph = ctx.dataset.graph(_home_graph(ctx, row, item.iri))
    graph.add((item.iri, OWL.deprecated, Literal(True)))
    graph.add((item.iri, SKOS.editorialNote, en(RETIRED_NOTE)))
