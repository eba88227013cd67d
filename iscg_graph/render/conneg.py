"""Content negotiation for linked-data documents: media types, suffix forms, Accept-Language.

Pure functions over header strings, so the web layer stays thin and the rules are unit-testable::

    >>> choose_format("text/turtle;q=0.9, application/ld+json").suffix
    'jsonld'
    >>> split_suffix("id/question/itu-t/2017-2020/4-17.ttl")
    ('id/question/itu-t/2017-2020/4-17', 'ttl')
    >>> preferred_languages("fr-CH, fr;q=0.9, en;q=0.8")
    ['fr-ch', 'fr', 'en']
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import NotAcceptable
from .negotiation import negotiate, parse_weighted

__all__ = ["ALIASES", "BY_SUFFIX", "FORMATS", "DocFormat", "NotAcceptable", "choose_format", "etag_for",
           "not_modified", "parse_weighted", "preferred_languages", "split_suffix"]


@dataclass(frozen=True)
class DocFormat:
    """One representation a resource can be served in."""

    name: str
    media_type: str
    suffix: str
    rdf: bool  # False for the HTML page


HTML = DocFormat("html", "text/html", "html", False)
TURTLE = DocFormat("turtle", "text/turtle", "ttl", True)
JSON_LD = DocFormat("json-ld", "application/ld+json", "jsonld", True)
N_TRIPLES = DocFormat("n-triples", "application/n-triples", "nt", True)
RDF_XML = DocFormat("rdf-xml", "application/rdf+xml", "rdf", True)

# Order = preference when the client accepts several equally (browsers first, then Turtle).
FORMATS: tuple[DocFormat, ...] = (HTML, TURTLE, JSON_LD, N_TRIPLES, RDF_XML)
BY_SUFFIX: dict[str, DocFormat] = {f.suffix: f for f in FORMATS}
# Media types some clients still send for the same formats.
ALIASES: dict[str, DocFormat] = {
    "application/xhtml+xml": HTML,
    "application/x-turtle": TURTLE,
    "text/n3": TURTLE,
    "application/json": JSON_LD,
    "text/plain": N_TRIPLES,
    "application/xml": RDF_XML,
    "text/xml": RDF_XML,
}


def choose_format(accept: str | None, formats: tuple[DocFormat, ...] = FORMATS) -> DocFormat:
    """The best format for an Accept header; the first format when the client states no preference.

    Negotiated by `iscg_graph.render.negotiation` (the same rules on every route). Raises
    `NotAcceptable` when the client accepts none of `formats`.
    """
    by_media = {f.media_type: f for f in formats}
    aliases = {name: fmt.media_type for name, fmt in ALIASES.items() if fmt in formats}
    chosen = negotiate(accept, tuple(by_media), aliases=aliases)
    if chosen is None:
        raise NotAcceptable(accept or "", [f.media_type for f in formats])
    return by_media[chosen]


def split_suffix(path: str) -> tuple[str, str | None]:
    """`…/4-17.ttl` -> (`…/4-17`, `ttl`); a path without a known suffix -> (path, None).

    Only the five representation suffixes count, so `id/theme/iscg-areas/1.1` keeps its dot.
    """
    stem, dot, ext = path.rpartition(".")
    if dot and "/" not in ext and ext.lower() in BY_SUFFIX and stem:
        return stem, ext.lower()
    return path, None


def preferred_languages(accept_language: str | None, default: str = "en") -> list[str]:
    """Language tags in the client's order of preference, then their base languages, then `default`."""
    ranked = sorted(
        ((tag, q, pos) for tag, q, pos in parse_weighted(accept_language or "") if q > 0 and tag != "*"),
        key=lambda item: (-item[1], item[2]),
    )
    out: list[str] = []
    for tag, _q, _pos in ranked:
        if tag not in out:
            out.append(tag)
    for tag in list(out):
        base = tag.split("-")[0]
        if base not in out:
            out.append(base)
    if default not in out:
        out.append(default)
    return out


def etag_for(body: bytes) -> str:
    """A strong validator for a representation: quoted, from the bytes themselves."""
    import hashlib

    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def not_modified(
    etag: str,
    last_modified: float | None,
    if_none_match: str | None,
    if_modified_since: str | None,
) -> bool:
    """Whether a GET may be answered 304 (RFC 9110 §13.1.2/§13.1.3: If-None-Match wins)."""
    from email.utils import parsedate_to_datetime

    if if_none_match is not None:
        tags = [t.strip() for t in if_none_match.split(",") if t.strip()]
        opaque = etag.removeprefix("W/")
        return any(t == "*" or t.removeprefix("W/") == opaque for t in tags)
    if if_modified_since is not None and last_modified is not None:
        try:
            since = parsedate_to_datetime(if_modified_since).timestamp()
        except (TypeError, ValueError, IndexError, OverflowError):
            return False  # an unparsable date is ignored, as the RFC says
        return int(last_modified) <= int(since)
    return False
