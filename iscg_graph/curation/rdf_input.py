"""RDF the service did not write: parsed with bounds, or refused before any work is done.

- size: the caller caps the body before it gets here (`parse_rdf` checks again);
- RDF/XML: any document type declaration (``<!DOCTYPE``, hence ``<!ENTITY``) is refused before
  parsing: a 452-byte entity bomb costs rdflib 13 s of CPU, a 584-byte one makes pyoxigraph build a
  3 GB literal. Only UTF-8 is accepted, so the check sees the bytes the parser will see;
- JSON-LD: a ``@context`` (or ``@import``) naming a URL is refused: nothing is fetched, ever
  (rdflib fetches remote contexts by default; Oxigraph's parser is given no document loader);
  nesting deeper than `MAX_JSON_DEPTH` is refused before parsing;
- every format is parsed by Oxigraph's streaming parsers, which are linear in the input, so with
  the size cap the parse time and memory are bounded; nothing is resolved against the network.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pyoxigraph as ox

from ..errors import UnsafeInput

__all__ = ["MAX_JSON_DEPTH", "MEDIA_TYPES", "parse_rdf", "rdf_format"]

MEDIA_TYPES: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/trig": ox.RdfFormat.TRIG,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/xml": ox.RdfFormat.RDF_XML,
    "text/xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}
MAX_JSON_DEPTH = 64
_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def rdf_format(content_type: str | None) -> ox.RdfFormat:
    """The format for a Content-Type header (415 when unsupported or not UTF-8)."""
    if not content_type:
        raise UnsafeInput("a Content-Type is required: " + ", ".join(sorted(MEDIA_TYPES)), 415)
    media, _, params = content_type.partition(";")
    media = media.strip().lower()
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip().strip('"').lower() not in ("utf-8", "utf8"):
            raise UnsafeInput(f"charset {value.strip()!r} is not accepted: send UTF-8", 415)
    if media not in MEDIA_TYPES:
        raise UnsafeInput(f"unsupported Content-Type {media!r}: one of {', '.join(sorted(MEDIA_TYPES))}", 415)
    return MEDIA_TYPES[media]


def _json_depth_ok(body: bytes) -> bool:
    """Nesting depth of a JSON text, counted on the bytes (strings skipped), without parsing it."""
    depth = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x7B, 0x5B):
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return False
        elif byte in (0x7D, 0x5D):
            depth -= 1
    return True


def _remote_contexts(node: object, path: str = "$") -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("@context", "@import"):
                values = value if isinstance(value, list) else [value]
                for v in values:
                    if isinstance(v, str):
                        yield f"{path}.{key}: {v!r}"
                    elif isinstance(v, dict):
                        yield from _remote_contexts(v, f"{path}.{key}")
            else:
                yield from _remote_contexts(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _remote_contexts(value, f"{path}[{i}]")


def _check_json_ld(body: bytes) -> None:
    if not _json_depth_ok(body):
        raise UnsafeInput(f"JSON-LD nested deeper than {MAX_JSON_DEPTH} levels is refused")
    try:
        doc = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise UnsafeInput(f"the JSON-LD body is not valid JSON: {exc}") from exc
    remote = list(_remote_contexts(doc))
    if remote:
        raise UnsafeInput("JSON-LD contexts given by reference are refused (nothing is fetched); "
                          f"put the context inline instead of {remote[0]}")


def parse_rdf(body: bytes, fmt: ox.RdfFormat, *, base_iri: str | None = None, max_bytes: int,
              to_graph: ox.NamedNode | ox.DefaultGraph | None = None) -> list[ox.Quad]:
    """The quads of ``body``; triples formats go into ``to_graph`` (the default graph if None)."""
    if len(body) > max_bytes:
        raise UnsafeInput(f"body of {len(body)} bytes is over the limit of {max_bytes} bytes", 413)
    if body.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in body[:4]:
        raise UnsafeInput("only UTF-8 is accepted", 415)
    if fmt == ox.RdfFormat.RDF_XML and _DOCTYPE.search(body):
        raise UnsafeInput("RDF/XML with a document type or entity declaration is refused")
    if fmt == ox.RdfFormat.JSON_LD:
        _check_json_ld(body)
    try:
        quads = list(ox.parse(body, format=fmt, base_iri=base_iri, rename_blank_nodes=True))
    except SyntaxError as exc:
        raise UnsafeInput(f"the {fmt.name} body does not parse: {exc}") from exc
    except ValueError as exc:
        raise UnsafeInput(f"the {fmt.name} body cannot be read: {exc}") from exc
    if to_graph is None:
        return quads
    out = []
    for q in quads:
        if not isinstance(q.graph_name, ox.DefaultGraph):
            raise UnsafeInput("a graph-store request body must hold triples, not named graphs")
        out.append(ox.Quad(q.subject, q.predicate, q.object, to_graph))
    return out
