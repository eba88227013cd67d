"""Result media types and content negotiation for the SPARQL protocol.

Two families: *results* (SELECT / ASK: SPARQL JSON, XML, CSV, TSV) and *graph* (CONSTRUCT /
DESCRIBE and the service description: Turtle, N-Triples, JSON-LD, RDF/XML). `negotiate` picks
one from an ``Accept`` header (q-values, wildcards, suffixes, and the aliases real clients send,
e.g. ``application/json`` or SPARQLWrapper's ``text/rdf+n3``) or from ``format=`` values (short
names like ``csv`` or full media types), by the one set of rules (`iscg_graph.render.negotiation`),
and returns None when nothing acceptable can be produced (406).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Literal

from .negotiation import MAX_CACHED
from .negotiation import negotiate as _negotiate

Family = Literal["results", "graph"]

JSON = "application/sparql-results+json"
XML = "application/sparql-results+xml"
CSV = "text/csv"
TSV = "text/tab-separated-values"
TURTLE = "text/turtle"
NTRIPLES = "application/n-triples"
JSONLD = "application/ld+json"
RDFXML = "application/rdf+xml"

PRODUCES: dict[Family, tuple[str, ...]] = {
    "results": (JSON, XML, CSV, TSV),
    "graph": (TURTLE, NTRIPLES, JSONLD, RDFXML),
}

# other names clients use for the same thing, per family
ALIASES: dict[Family, dict[str, str]] = {
    "results": {
        "application/json": JSON,
        "text/javascript": JSON,
        "application/javascript": JSON,
        "application/xml": XML,
        "text/xml": XML,
        "text/tsv": TSV,
    },
    "graph": {
        "application/x-turtle": TURTLE,
        "application/turtle": TURTLE,
        "text/n3": TURTLE,  # Turtle is a subset of N3
        "text/rdf+n3": TURTLE,
        "application/n3": TURTLE,
        "application/rdf+n3": TURTLE,
        "text/plain": NTRIPLES,
        "application/x-json+ld": JSONLD,
        "application/json": JSONLD,
        "application/xml": RDFXML,
        "text/xml": RDFXML,
    },
}

# values of the ``format`` parameter (browsers, SPARQLWrapper's format=/output=)
_SHORT: dict[Family, dict[str, str]] = {
    "results": {"json": JSON, "srj": JSON, "xml": XML, "srx": XML, "csv": CSV, "tsv": TSV},
    "graph": {
        "turtle": TURTLE, "ttl": TURTLE, "n3": TURTLE, "nt": NTRIPLES, "ntriples": NTRIPLES,
        "n-triples": NTRIPLES, "json-ld": JSONLD, "jsonld": JSONLD, "json": JSONLD, "rdf+xml": RDFXML,
        "rdfxml": RDFXML, "rdf": RDFXML, "xml": RDFXML,
    },
}

TEXTUAL = frozenset({CSV, TSV, TURTLE, NTRIPLES})


def content_type(media_type: str) -> str:
    """The Content-Type header value for a produced media type."""
    return f"{media_type}; charset=utf-8" if media_type in TEXTUAL else media_type


def from_format_param(values: Sequence[str], family: Family) -> str | None:
    """The first ``format`` value this family can produce."""
    return _negotiate(None, PRODUCES[family], aliases=ALIASES[family], names=_SHORT[family],
                     format_values=values)


def negotiate(accept: str | None, family: Family, format_values: Sequence[str] = ()) -> str | None:
    """The media type to produce, or None (406). ``format`` values win over ``Accept``."""
    if not format_values and (accept is None or len(accept) <= MAX_CACHED):
        return _negotiated(accept, family)
    return _negotiate(accept, PRODUCES[family], aliases=ALIASES[family], names=_SHORT[family],
                     format_values=format_values)


@lru_cache(maxsize=256)  # clients send the same few Accept headers on every request
def _negotiated(accept: str | None, family: Family) -> str | None:
    return _negotiate(accept, PRODUCES[family], aliases=ALIASES[family], names=_SHORT[family])


def describe_choices(family: Family) -> str:
    return ", ".join(PRODUCES[family])
