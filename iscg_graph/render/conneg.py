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


class NotAcceptable(ValueError):
    """No representation matches the Accept header."""

    def __init__(self, accept: str):
        offered = ", ".join(f.media_type for f in FORMATS)
        super().__init__(f"cannot serve any of {accept!r}; available: {offered}")


def parse_weighted(header: str, *, clamp: bool = True) -> list[tuple[str, float, int]]:
    """`a;q=0.5, b` -> [(token, q, position)] for Accept-style headers, tokens lower-cased.

    A malformed weight counts as 0 ("not acceptable"); `clamp` keeps q within [0, 1], otherwise q
    is as sent (the SPARQL endpoint's negotiation in `formats` ranks by the weight as sent).
    """
    items: list[tuple[str, float, int]] = []
    for pos, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        token = fields[0].lower()
        if not token:
            continue
        q = 1.0
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value.strip())
                except ValueError:
                    q = 0.0
                else:
                    if clamp:
                        q = min(max(q, 0.0), 1.0)
        items.append((token, q, pos))
    return items


def choose_format(accept: str | None, formats: tuple[DocFormat, ...] = FORMATS) -> DocFormat:
    """The best format for an Accept header; the first format when the client states no preference.

    Highest q wins; on a tie the order of `formats` decides. Raises `NotAcceptable` when the
    client accepts none of `formats`.
    """
    if not accept or not accept.strip():
        return formats[0]
    scored = [(_quality(accept, fmt), -order, fmt) for order, fmt in enumerate(formats)]
    q, _order, fmt = max(scored, key=lambda item: (item[0], item[1]))
    if q <= 0.0:
        raise NotAcceptable(accept)
    return fmt


def _quality(accept: str, fmt: DocFormat) -> float:
    """The q a header gives one format: from its most specific matching range (RFC 9110 §12.5.1)."""
    found: tuple[int, float] | None = None
    for token, q, _pos in parse_weighted(accept):
        if token == fmt.media_type:
            spec = 3
        elif ALIASES.get(token) is fmt:
            spec = 2
        elif token.endswith("/*") and token != "*/*" and fmt.media_type.startswith(token[:-1]):
            spec = 1
        elif token == "*/*":
            spec = 0
        else:
            continue
        if found is None or spec > found[0]:
            found = (spec, q)
    return found[1] if found else 0.0


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
