"""The SPARQL 1.1 Protocol's request grammar, with no I/O: the media types, query-string and form
decoding (UTF-8, percent-decoding), choosing the one query and the dataset parameters, telling a
browser from an RDF client, and the `ProtocolError` (status, message, headers) every refusal is
raised as."""

from __future__ import annotations

from functools import lru_cache

from iscg_graph.render import formats

from ..settings import Settings
from ..urlencoded import parse_pairs

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
DATASET_PARAMS = ("default-graph-uri", "named-graph-uri")


class ProtocolError(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


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
    """Cached: dashboards and clients repeat the same requests."""
    return tuple(parse_pairs(text))


def url_params(raw_query: bytes, settings: Settings) -> list[tuple[str, str]]:
    cap = settings.max_query_bytes
    if len(raw_query) > cap:
        raise ProtocolError(413, f"query string of {len(raw_query)} bytes is over the limit of {cap} bytes")
    return pairs(decode(raw_query, "the query string"), "the query string")


def select(params: list[tuple[str, str]],
            direct: str | None) -> tuple[str | None, list[str], list[str], list[str]]:
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
    """A browser opening /sparql: it asks for HTML and names none of the RDF types we produce
    (browsers also list application/xml, which alone does not make an RDF client)."""
    if format_values or not accept or "text/html" not in accept:
        return False
    named = {part.split(";")[0].strip().lower() for part in accept.split(",")}
    return not named & set(formats.PRODUCES["graph"])
