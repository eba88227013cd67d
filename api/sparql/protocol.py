"""The SPARQL 1.1 Protocol's request grammar, with no I/O: the media types, query-string and form
decoding (UTF-8, percent-decoding), choosing the one query and the dataset parameters, telling a
browser from an RDF client. Every refusal is raised as `ProtocolError` (status, message, headers),
which the app's error policy (`api.errors`) answers."""

from __future__ import annotations

from functools import lru_cache

from iscg_graph.render import formats
from iscg_graph.render.negotiation import parse_accept

from ..errors import ProtocolError
from ..settings import Settings
from ..urlencoded import parse_pairs

__all__ = ["DIRECT", "FORM", "UPDATE", "ProtocolError", "UpdateRequested", "content_type_of", "decode",
           "pairs", "select", "url_params", "wants_html"]

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
HTML = "text/html"


class UpdateRequested(Exception):  # noqa: N818 - a hand-over, not a fault
    """The request is a SPARQL Update: `api.sparql_update` answers it. ``direct``: the update is the
    body (not yet read); otherwise it is in ``params`` (a form)."""

    def __init__(self, params: list[tuple[str, str]], direct: bool):
        super().__init__("update")
        self.params = params
        self.direct = direct


def decode(raw: bytes, what: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProtocolError(400, f"{what} is not valid UTF-8 (byte {exc.start})") from exc


def pairs(text: str, what: str) -> list[tuple[str, str]]:
    try:
        if len(text) > 4096:
            return parse_pairs(text)
        return list(parse_pairs_cached(text))
    except UnicodeDecodeError as exc:
        raise ProtocolError(400, f"{what} is not valid UTF-8 after percent-decoding") from exc


@lru_cache(maxsize=512)
def parse_pairs_cached(text: str) -> tuple[tuple[str, str], ...]:
    """Cached: dashboards and clients repeat the same requests (texts up to 4 KB only)."""
    return tuple(parse_pairs(text))


def url_params(raw_query: bytes, settings: Settings) -> list[tuple[str, str]]:
    cap = settings.max_query_bytes
    if len(raw_query) > cap:
        raise ProtocolError(413, f"query string of {len(raw_query)} bytes is over the limit of {cap} bytes")
    return pairs(decode(raw_query, "the query string"), "the query string")


def content_type_of(header: str | None) -> str:
    """A POST's Content-Type, checked: FORM or DIRECT (415 otherwise; an update is handed over)."""
    if not header:
        raise ProtocolError(415, f"POST needs a Content-Type: {FORM} or {DIRECT}")
    ctype, _, ctype_params = header.partition(";")
    ctype = ctype.strip().lower()
    charset = None
    for param in ctype_params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    if ctype == UPDATE:
        if charset not in (None, "utf-8", "utf8"):
            raise ProtocolError(415, f"unsupported charset {charset[:40]!r}: the protocol requires UTF-8")
        raise UpdateRequested([], direct=True)  # writes: answered by api.sparql_update (issue 13)
    if ctype not in (FORM, DIRECT):
        raise ProtocolError(415, f"unsupported Content-Type {ctype[:80]!r}: use {FORM} or {DIRECT}")
    if charset not in (None, "utf-8", "utf8"):
        raise ProtocolError(415, f"unsupported charset {charset[:40]!r}: the protocol requires UTF-8")
    return ctype


def select(params: list[tuple[str, str]],
           direct: str | None) -> tuple[str | None, list[str], list[str], list[str]]:
    """The one query text, the dataset (default and named graph IRIs) and the ``format`` values."""
    queries = [v for k, v in params if k == "query"]
    if direct is not None:
        if queries:
            raise ProtocolError(400, "a direct POST query must not also carry a 'query' parameter")
        queries = [direct]
    if any(k == "update" for k, _ in params):
        raise ProtocolError(403, "this endpoint is read-only: SPARQL Update is not accepted")
    if len(queries) > 1:
        raise ProtocolError(400, f"exactly one 'query' parameter is allowed, got {len(queries)}")
    default_graphs = [v for k, v in params if k == "default-graph-uri"]
    named_graphs = [v for k, v in params if k == "named-graph-uri"]
    format_values = [v for k, v in params if k == "format"]
    return (queries[0] if queries else None), default_graphs, named_graphs, format_values


def wants_html(accept: str | None, format_values: list[str]) -> bool:
    """A browser opening /sparql: it accepts HTML and names none of the RDF types we produce (browsers
    also list application/xml, which alone does not make an RDF client; an RDF client that also
    takes HTML gets RDF). Read with the one bounded Accept parser."""
    if format_values or not accept:
        return False
    named = {r.media for r in parse_accept(accept) if r.q > 0}
    return HTML in named and not named & set(formats.PRODUCES["graph"])
