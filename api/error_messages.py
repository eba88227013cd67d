"""Every JSON error body, in the request's language: a stable machine ``code``, the English
``detail`` (unchanged, with the specifics: names, positions, limits) and a ``message``, one sentence
saying what kind of error it is in the interface language the request was given (``?lang=``, the
cookie, ``Accept-Language``; see api/i18n). Clients keep reading ``code`` and ``detail``; people read
``message``. The sentences are in the gettext catalogues like every other interface text.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from . import i18n
from .i18n.messages import N_

# code -> the sentence people read (English msgid, translated at answer time)
SENTENCES: dict[str, str] = {
    "bad_request": N_("The request is not valid."),
    "unauthenticated": N_("Log in or send a valid token."),
    "forbidden": N_("This request is not allowed."),
    "not_found": N_("Nothing was found at this address."),
    "method_not_allowed": N_("This method is not allowed here."),
    "not_acceptable": N_("The service cannot answer in any of the formats the request accepts."),
    "conflict": N_("The request conflicts with what is already recorded."),
    "too_large": N_("The request is too large."),
    "uri_too_long": N_("The address of the request is too long."),
    "unsupported_media_type": N_("The type of the request's content is not supported here."),
    "invalid_parameter": N_("A parameter of the request is not valid."),
    "rate_limited": N_("Too many queries in a short time; retry later."),
    "unavailable": N_("The query service is not available now; retry later."),
    "decision_invalid": N_("The review decision breaks the rules listed in “problems”."),
    "decision_conflict": N_("These items already have a recorded decision."),
    "unknown_query": N_("There is no canned query by this name."),
    "query_syntax": N_("The SPARQL query has a syntax error."),
    "query_refused": N_("This query is not allowed on this service."),
    "query_too_deep": N_("The query is nested too deeply."),
    "result_too_large": N_("The result is too large: add LIMIT (and OFFSET to page), or an aggregate."),
    "query_timeout": N_("The query took too long: simplify it or add LIMIT."),
    "query_failed": N_("The query failed while running."),
    "error": N_("The request could not be answered."),
}

BY_STATUS: dict[int, str] = {
    400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    406: "not_acceptable", 409: "conflict", 413: "too_large", 414: "uri_too_long",
    415: "unsupported_media_type", 422: "invalid_parameter", 429: "rate_limited", 503: "unavailable",
}


def code_for_status(status: int) -> str:
    return BY_STATUS.get(status, "error")


def words(code: str, language: str) -> dict[str, str]:
    """The members an error body gets: its ``code`` and its ``message`` in `language`."""
    sentence = SENTENCES.get(code, SENTENCES["error"])
    return {"code": code, "message": i18n.gettext(language, sentence)}


def _with_words(response: Response, request: Request) -> Response:
    """FastAPI's own error answer with ``code`` and ``message`` added (status, headers, detail kept)."""
    try:
        body: Any = json.loads(bytes(response.body))
    except ValueError:
        return response
    if not isinstance(body, dict):
        return response
    body.update(words(code_for_status(response.status_code), i18n.ui_language(request)))
    headers = {k: v for k, v in response.headers.items()
               if k.lower() not in ("content-length", "content-type")}
    return JSONResponse(body, status_code=response.status_code, headers=headers)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    return _with_words(await http_exception_handler(request, exc), request)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    return _with_words(await request_validation_exception_handler(request, exc), request)


def install(app: FastAPI) -> None:
    """FastAPI's own errors (HTTPException, request validation) get the same members."""
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
