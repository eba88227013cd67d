"""Serialise a set of triples in the machine formats linked-data clients ask for.

Turtle, N-Triples and RDF/XML come from Oxigraph's writers; JSON-LD is compacted with the
project's published context (`jsonld_context`) through rdflib, the one writer that compacts.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pyoxigraph as ox
import rdflib

from ..vocab import prefixes
from .conneg import JSON_LD, N_TRIPLES, RDF_XML, TURTLE, DocFormat

_OX = {
    TURTLE.name: ox.RdfFormat.TURTLE,
    N_TRIPLES.name: ox.RdfFormat.N_TRIPLES,
    RDF_XML.name: ox.RdfFormat.RDF_XML,
}


def jsonld_context(base: str) -> dict[str, Any]:
    """The JSON-LD context published at `{base}context.jsonld` (prefixes + `@base`-free terms)."""
    table = prefixes(base)
    ctx: dict[str, Any] = {prefix: ns for prefix, ns in table.items()}
    ctx["id"] = "@id"
    ctx["type"] = "@type"
    return {"@context": ctx}


def serialize(triples: Sequence[ox.Triple], fmt: DocFormat, base: str) -> bytes:
    """Triples -> bytes in `fmt` (an RDF `DocFormat`)."""
    if fmt is JSON_LD:
        return _jsonld(triples, base)
    if fmt.name not in _OX:
        raise ValueError(f"not an RDF format: {fmt.media_type}")
    used = _used_prefixes(triples, base) if fmt is not N_TRIPLES else None
    return ox.serialize(triples, format=_OX[fmt.name], prefixes=used) or b""


def _used_prefixes(triples: Sequence[ox.Triple], base: str) -> dict[str, str]:
    """Only the prefixes whose namespace occurs, so documents stay short."""
    text = "\n".join(str(t) for t in triples)
    return {p: ns for p, ns in sorted(prefixes(base).items()) if f"<{ns}" in text or f"^^<{ns}" in text}


def _jsonld(triples: Sequence[ox.Triple], base: str) -> bytes:
    nt = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    graph = rdflib.Graph()
    graph.parse(data=nt.decode("utf-8"), format="nt")
    context = jsonld_context(base)["@context"]
    text = graph.serialize(format="json-ld", context=context, auto_compact=True, indent=2, sort_keys=True)
    # keep the document self-contained but say where the context is published
    doc = json.loads(text)
    return json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=True).encode("utf-8")
