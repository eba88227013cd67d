"""Labels in the other official languages of the Union (``data/labels/*.csv``), only as a source
gives them: one row per item and language, never a translation made here (issue 16).

Columns: ``item`` (the key of a Sector, the General Secretariat, a Bureau, an advisory group or a
study group), ``lang`` (ar, zh, fr, ru or es: English is the item's own table), ``label`` (the
wording the source shows), ``source`` (the page or document it was seen in: an http(s) URL or a
``doc:`` key), ``confidence`` (always ``confirmed``: a label nobody saw is not written), ``notes``
(which part was seen, which ITU page a mirror reproduces). The label becomes ``rdfs:label``@lang
on the item and the source one more ``dct:source`` of it.
"""

from __future__ import annotations

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDFS

from ._context import Context, Row, split_list

LANGUAGES = ("ar", "zh", "fr", "ru", "es")
LABELLED_KINDS = ("unionpart", "bureau", "advisory-group", "group")


def emit_label(ctx: Context, row: Row) -> None:
    item = ctx.lookup(row, "item", row.need("item"), LABELLED_KINDS)
    lang = row.need("lang")
    if lang not in LANGUAGES:
        raise row.fail("lang", f"{lang!r} is not one of {list(LANGUAGES)} (English: the item's own table)")
    if row.need("confidence") != "confirmed":
        raise row.fail("confidence", "only labels seen in their source are recorded (confirmed)")
    label = row.need("label").strip()
    sources = split_list(row.get("source"))
    if not sources:
        raise row.fail("source", "a label in another language needs the source it was seen in")
    ctx.add(item.iri, RDFS.label, Literal(label, lang=lang))
    for src in sources:
        if src.startswith(("http://", "https://")):
            if any(c in src for c in ' <>"{}|\\^`'):
                raise row.fail("source", f"{src!r} is not a valid IRI")
            ctx.add(item.iri, DCTERMS.source, URIRef(src))
        elif src.startswith("doc:"):
            ctx.add(item.iri, DCTERMS.source, ctx.ref(row, "source", src, "document"))
        else:
            raise row.fail("source", f"{src!r} is neither an http(s) URL nor a doc: key")
