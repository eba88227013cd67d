"""Content negotiation, once for every route: which of the media types we offer a client gets.

    >>> negotiate("text/turtle;q=0.9, application/ld+json", ("text/turtle", "application/ld+json"))
    'application/ld+json'
    >>> negotiate("application/json", ("application/sparql-results+json", "text/csv"))
    'application/sparql-results+json'
    >>> negotiate("text/csv", ("application/sparql-results+json",), format_values=["json"],
    ...           names={"json": "application/sparql-results+json"})
    'application/sparql-results+json'

Rules (RFC 9110 §12.5.1): each offer takes the weight of the most specific range that matches it:
the media type itself, then a name a client uses for it (``aliases``, e.g. ``text/n3`` for Turtle),
then its structured suffix (``application/json`` matches ``application/ld+json``), then ``type/*``,
then ``*/*``. The best offer has the highest weight; on a tie the more specific match, then the
range the client listed first, then the order of ``offers``. Weight 0 means "not this". A
``format=`` value (a short name such as ``csv``, or a media type) overrides the header.

Hostile headers cost bounded work and memory: only the first `MAX_HEADER` characters and
`MAX_RANGES` ranges are read, and only headers up to `MAX_CACHED` characters are remembered (what
real clients send). `shorten` keeps error messages from echoing a header back in full.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["MAX_CACHED", "MAX_HEADER", "MAX_RANGES", "MediaRange", "negotiate", "parse_accept",
           "parse_weighted", "shorten"]

MAX_HEADER = 8192  # characters of an Accept header read at all
MAX_RANGES = 64  # media ranges read at all
MAX_CACHED = 1024  # longer headers are parsed each time, never kept
_NONE: Mapping[str, str] = {}


@dataclass(frozen=True)
class MediaRange:
    media: str  # lower-case ``type/subtype``, ``type/*`` or ``*/*``
    q: float
    position: int


def parse_weighted(header: str, *, clamp: bool = True) -> list[tuple[str, float, int]]:
    """`a;q=0.5, b` -> [(token, q, position)] for Accept-style headers (Accept-Language too), tokens
    lower-cased, bounded as above. A malformed weight counts as 0 ("not acceptable")."""
    truncated = len(header) > MAX_HEADER
    parts = header[:MAX_HEADER].split(",", MAX_RANGES)[:MAX_RANGES]
    if truncated and len(parts) > 1:
        parts.pop()  # cut in the middle
    items: list[tuple[str, float, int]] = []
    for pos, part in enumerate(parts):
        fields = part.split(";")
        token = fields[0].strip().lower()
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
                if clamp:
                    q = min(max(q, 0.0), 1.0) if q == q else 0.0  # NaN: not acceptable
        items.append((token, q, pos))
    return items


def parse_accept(header: str) -> tuple[MediaRange, ...]:
    """The media ranges of an Accept header, in the client's order."""
    if len(header) <= MAX_CACHED:
        return _parse_cached(header)
    return _parse(header)


@lru_cache(maxsize=256)  # clients send the same few headers on every request
def _parse_cached(header: str) -> tuple[MediaRange, ...]:
    return _parse(header)


def _parse(header: str) -> tuple[MediaRange, ...]:
    return tuple(MediaRange(token, q, pos) for token, q, pos in parse_weighted(header) if "/" in token)


def _specificity(media: str, offer: str, aliases: Mapping[str, str]) -> int:
    """How closely one range names an offer: 4 itself … 0 ``*/*``; -1 not at all."""
    if media == offer:
        return 4
    if aliases.get(media) == offer:
        return 3
    if media == "*/*":
        return 0
    major, _, minor = media.partition("/")
    if minor == "*":
        return 1 if offer.startswith(major + "/") else -1
    if offer.startswith(major + "/") and offer.endswith("+" + minor):
        return 2
    return -1


def negotiate(accept: str | None, offers: Sequence[str], *, aliases: Mapping[str, str] = _NONE,
              names: Mapping[str, str] = _NONE, format_values: Sequence[str] = ()) -> str | None:
    """The offer to produce, or None (406). ``format_values`` (names or media types) win over the
    header: the first one that names an offer; no header, or an empty one: the first offer."""
    if format_values:
        for value in format_values:
            name = value.split(";")[0].strip().lower()
            found = name if name in offers else aliases.get(name) or names.get(name)
            if found in offers:
                return found
        return None
    if not accept or not accept.strip():
        return offers[0] if offers else None
    ranges = parse_accept(accept)
    best: tuple[float, int, int, int] | None = None
    chosen: str | None = None
    for index, offer in enumerate(offers):
        match: tuple[int, MediaRange] | None = None
        for r in ranges:
            level = _specificity(r.media, offer, aliases)
            if level >= 0 and (match is None or level > match[0]):
                match = (level, r)
        if match is None or match[1].q <= 0:
            continue
        score = (match[1].q, match[0], -match[1].position, -index)
        if best is None or score > best:
            best, chosen = score, offer
    return chosen


def shorten(header: str | None, limit: int = 120) -> str:
    """A header as an error message may quote it."""
    if header is None:
        return ""
    return header if len(header) <= limit else f"{header[:limit]}… ({len(header)} characters)"
