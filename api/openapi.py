"""What the OpenAPI document says each operation answers: `answers(...)` builds a route's
``responses=`` from the statuses and media types it can send, so the document is written next to
the code that sends them, in one vocabulary.

Error bodies are ``{"detail": ...}`` JSON (the one policy, `api/errors.py`), or an HTML page where a
route renders its own; the media types are listed, the bodies left free (``{}``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

HTML = "text/html"
JSON = "application/json"
CSV = "text/csv"
TSV = "text/tab-separated-values"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PLAIN = "text/plain"
RDF = ("text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml")
# what running a canned query can answer besides its result (api/errors.py): a bad value, a failed
# query or a result over the limit (400), a parameter problem (422), a timeout or no worker free (503)
ENGINE_ERRORS = (400, 422, 503)
PAGE_ERRORS = (HTML, JSON)  # pages answer errors as HTML to browsers, JSON to everyone else

REASONS = {
    200: "the answer, in the format negotiated",
    201: "created",
    303: "see the location given (a browser is sent to the query workbench)",
    304: "not modified since the validators sent (ETag / Last-Modified)",
    400: "the request is malformed; the message says what is wrong",
    401: "credentials are missing or wrong",
    403: "refused: the service does not allow this (the message says why)",
    404: "no such resource",
    406: "none of the media types asked for (Accept or format=) can be produced",
    409: "conflicts with what is already recorded",
    413: "the request or its result is over a size limit (the message names the limit)",
    415: "the request body's media type or charset is not accepted",
    422: "a parameter is missing, unknown or ill-typed (the message names it)",
    429: "over the per-client query budget; retry after the time given in Retry-After",
    503: "no answer now (a timeout, or no query worker free); retry after Retry-After",
}


def answers(
    ok: Iterable[str] | str | None = (JSON,),
    *errors: int,
    status: int = 200,
    error_media: Iterable[str] = (JSON,),
    media: Mapping[int, Iterable[str]] | None = None,
    describe: Mapping[int, str] | None = None,
) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route: `status` in the `ok` media types, each of `errors` in
    `error_media` (or what `media` says for that status)."""
    ok_media = (ok,) if isinstance(ok, str) else tuple(ok or ())
    out: dict[int | str, dict[str, Any]] = {}
    for code in (status, *errors):
        kinds = tuple((media or {}).get(code, ok_media if code == status else tuple(error_media)))
        entry: dict[str, Any] = {"description": (describe or {}).get(code, REASONS.get(code, str(code)))}
        if kinds and code != 304:
            entry["content"] = {kind: {} for kind in kinds}
        out[code] = entry
    return out


# a linked-data document: HTML or one of the RDF syntaxes, conditional GET, 406 listing what is offered
LINKED_DATA = answers((HTML, *RDF), 304, 404, 406, 422, error_media=PAGE_ERRORS, media={406: (JSON,)})
