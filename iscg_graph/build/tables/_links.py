"""Links between items: theme links (an item addresses a theme) and the mappings register; a
mapping between two Sectors is an ``iscg:Mapping``, within one Sector an ``iscg:Link``.
"""

from __future__ import annotations

import re

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD, Namespace

from ...vocab import JUSTIFICATIONS, RELATION_KINDS, RELATION_PHRASES, STATUSES
from ._cells import common, date_cell, en
from ._context import Context, Item, Row

SSSOM = Namespace("https://w3id.org/sssom/")
SEMAPV = Namespace("https://w3id.org/semapv/vocab/")

SKOS_MATCH = ("exactMatch", "closeMatch", "broadMatch", "narrowMatch", "relatedMatch")


ITEM_KINDS = ("question", "group", "resolution", "version")


def _link(
    ctx: Context,
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
    ctx.add(s, DCTERMS.date, date_cell(row, "date") or Literal(date))
    if status not in STATUSES:
        raise row.fail("status", f"{status!r} is not one of {', '.join(STATUSES)}")
    ctx.add(s, ctx.term("status"), ctx.term(status))
    if justification not in JUSTIFICATIONS:
        raise row.fail("justification", f"{justification!r} is not one of {', '.join(JUSTIFICATIONS)}")
    ctx.add(s, SSSOM.mapping_justification, SEMAPV[justification])
    if comment:
        ctx.add(s, RDFS.comment, en(comment))


def _theme_link_path(ctx: Context, item: Item, theme: URIRef) -> str:
    return f"id/link/{item.iri[len(ctx.base) + 3 :]}/theme/{theme[len(ctx.base) + 9 :]}"


def reg_theme_link(ctx: Context, row: Row) -> None:
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


def emit_theme_link(ctx: Context, row: Row) -> None:
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
    common(ctx, row, s, f"{_words(ctx, item.iri)} addresses the theme {_theme_words(ctx, theme)}")


def reg_mapping(ctx: Context, row: Row) -> None:
    rid = row.need("id")
    if not re.fullmatch(r"M\d{4,}", rid):
        raise row.fail("id", f"{rid!r} is not a register id like M0001")
    ctx.register(row, "id", f"mapping:{rid}", f"id/mapping/{rid}", "link", None)


def emit_mapping(ctx: Context, row: Row) -> None:
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
    phrase = RELATION_PHRASES.get(row.need("relation_kind"), row.need("relation_kind"))
    common(ctx, row, s, f"{_words(ctx, subj.iri)} {phrase} {_words(ctx, obj.iri)}")


# -- curated equivalences between themes of different Annex lists ------------------------------------
EQUIVALENCE_PREDICATES = {"exactMatch": "Duplicate", "closeMatch": "Overlap"}


def reg_equivalence(ctx: Context, row: Row) -> None:
    rid = row.need("id")
    if not re.fullmatch(r"E\d{4,}", rid):
        raise row.fail("id", f"{rid!r} is not an equivalence id like E0001")
    ctx.register(row, "id", f"mapping:{rid}", f"id/mapping/{rid}", "link", None)


def emit_equivalence(ctx: Context, row: Row) -> None:
    """A reviewed judgement that two themes name the same area (exactMatch) or nearly (closeMatch):
    an ``iscg:Link`` record (who decided, when, why, with what confidence) plus the SKOS statement
    itself on the two themes, so SKOS-aware readers and the canned queries see it directly."""
    s = ctx.keys[f"mapping:{row.need('id')}"].iri
    left = ctx.lookup(row, "left", row.need("left"), ("theme",))
    right = ctx.lookup(row, "right", row.need("right"), ("theme",))
    if left.iri == right.iri:
        raise row.fail("right", "a theme is not an equivalence of itself")
    predicate = row.need("predicate")
    if predicate not in EQUIVALENCE_PREDICATES:
        raise row.fail("predicate", f"{predicate!r} is not one of {', '.join(EQUIVALENCE_PREDICATES)}")
    try:
        score = float(row.need("score"))
    except ValueError:
        score = -1.0
    if not 0.0 <= score <= 1.0:
        raise row.fail("score", f"{row.need('score')!r} is not a confidence between 0 and 1")
    _link(
        ctx,
        row,
        s,
        left,
        right.iri,
        EQUIVALENCE_PREDICATES[predicate],
        predicate,
        ("decided_by", row.need("decided_by")),
        row.need("date"),
        "Accepted",
        "ManualMappingCuration",
        row.need("why"),
        mapping=False,
    )
    ctx.add(s, SSSOM.confidence, Literal(score, datatype=XSD.double))
    ctx.add(left.iri, SKOS[predicate], right.iri)
    relation = "the same area as" if predicate == "exactMatch" else "close to"
    common(ctx, row, s, f"{_theme_words(ctx, left.iri)} is {relation} {_theme_words(ctx, right.iri)}")


def _words(ctx: Context, iri: URIRef) -> str:
    """An item's English label as already emitted (items are emitted before links), else its IRI path."""
    for graph in ctx.dataset.graphs():
        for value in graph.objects(iri, RDFS.label):
            if getattr(value, "language", None) == "en":
                return str(value)
    return str(iri)[len(ctx.base) :]


def _theme_words(ctx: Context, theme: URIRef) -> str:
    """ "Gender (§1.2)": a theme's label and its list's section, read from the themes already emitted."""
    label, section = "", ""
    for graph in ctx.dataset.graphs():
        for value in graph.objects(theme, SKOS.prefLabel):
            label = str(value)
        for scheme in graph.objects(theme, SKOS.inScheme):
            for g2 in ctx.dataset.graphs():
                for notation in g2.objects(scheme, SKOS.notation):
                    section = str(notation)
    return f"{label} (§{section})" if section else label
