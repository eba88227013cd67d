"""One error policy for every route: the library's exceptions -> status, headers and body.

Registered once by `install` (from `api.main.create_app`); routes let errors propagate instead of
shaping them, so the same error gets the same answer on ``/sparql``, ``/api/queries/…``, the
report pages, the candidate lists and the linked-data pages:

=====================  ======  =====================================================
error                  status  notes
=====================  ======  =====================================================
ProtocolError          its own the SPARQL protocol's checks (413, 415, 406, 429…)
NotAcceptable          406     names what can be produced
ParameterError         422     FastAPI's validation shape, naming the parameter
DecisionInvalid        422     with ``problems``: the rules the review decision breaks
DecisionConflict       409     the pair already has a decision
SearchError            400
UnknownQuery           404
ServerLacksFeature     501     a canned query the remote SPARQL server answers wrongly, and why
QuerySyntaxError       400     with line and column
QueryRefused           403     updates, SERVICE, unknown dataset IRIs
QueryTooDeep           400     nesting past ``max_query_depth``, refused before parsing
ResultTooLarge         400     ``X-Result-Limit``: add LIMIT, page with OFFSET
QueryTimeout           503     ``Retry-After`` from the settings
EngineUnavailable      503     ``Retry-After`` from the settings (busy, starting, died)
StoreError             503     ``Retry-After`` from the settings (no store to read)
QueryError (other)     400     the query failed while running
=====================  ======  =====================================================

The body is JSON, ``{"detail": "…", "code": "…", "message": "…"}`` whatever the route: ``detail`` in
English as FastAPI's own errors (with the specifics), ``code`` stable for programs, ``message`` one
sentence in the request's language (api/error_messages.py, which gives FastAPI's own errors the same).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from iscg_graph.errors import (
    DecisionConflict,
    DecisionInvalid,
    EngineUnavailable,
    NotAcceptable,
    ParameterError,
    QueryError,
    QueryRefused,
    QuerySyntaxError,
    QueryTimeout,
    QueryTooDeep,
    ResultTooLarge,
    ReviewError,
    SearchError,
    ServerLacksFeature,
    StoreError,
    UnknownQuery,
)

from . import error_messages, i18n
from .settings import Settings, get_settings

__all__ = ["HANDLED", "Problem", "ProtocolError", "install", "problem_for", "problem_response"]


class ProtocolError(Exception):
    """A request the HTTP layer refuses before the library sees it (size, media type, budget…)."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None, code: str = ""):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}
        self.code = code  # a code of api/error_messages.py; by default the status's


@dataclass(frozen=True)
class Problem:
    status: int
    detail: object  # a message, or FastAPI's list of validation errors
    headers: dict[str, str] = field(default_factory=dict)
    extra: dict[str, object] = field(default_factory=dict)  # more members of the JSON body
    code: str = ""  # the stable machine code (api/error_messages.py); by default the status's


def problem_for(exc: Exception, settings: Settings) -> Problem:
    """What a handled exception answers (the table above)."""
    retry = {"Retry-After": str(settings.retry_after_seconds)}
    if isinstance(exc, ProtocolError):
        return Problem(exc.status, exc.message, exc.headers, code=exc.code)
    if isinstance(exc, NotAcceptable):
        return Problem(406, str(exc))
    if isinstance(exc, ParameterError):
        return Problem(422, [{"loc": ["query", exc.name], "msg": exc.message, "type": "value_error"}])
    if isinstance(exc, DecisionInvalid):
        return Problem(422, str(exc), extra={"problems": list(exc.problems)}, code="decision_invalid")
    if isinstance(exc, DecisionConflict):
        return Problem(409, str(exc), code="decision_conflict")
    if isinstance(exc, SearchError):
        return Problem(400, str(exc))
    if isinstance(exc, UnknownQuery):
        return Problem(404, str(exc), code="unknown_query")
    if isinstance(exc, ServerLacksFeature):
        return Problem(501, str(exc))
    if isinstance(exc, QuerySyntaxError):
        where = "at " if exc.line is not None else ": "
        return Problem(400, f"SPARQL syntax error {where}{exc}", code="query_syntax")
    if isinstance(exc, QueryRefused):
        return Problem(403, str(exc), code="query_refused")
    if isinstance(exc, QueryTooDeep):
        return Problem(400, str(exc), code="query_too_deep")
    if isinstance(exc, ResultTooLarge):
        return Problem(400, f"{exc}: add LIMIT (and OFFSET to page), or an aggregate",
                       {"X-Result-Limit": str(settings.result_limit)}, code="result_too_large")
    if isinstance(exc, QueryTimeout):
        return Problem(503, f"{exc}; simplify it or add LIMIT", retry, code="query_timeout")
    if isinstance(exc, (EngineUnavailable, StoreError)):
        return Problem(503, str(exc) or "the query service is not available; retry later", retry)
    if isinstance(exc, QueryError):
        return Problem(400, f"query failed: {exc}", code="query_failed")
    raise TypeError(f"no HTTP policy for {type(exc).__name__}")  # pragma: no cover  (see HANDLED)


HANDLED: tuple[type[Exception], ...] = (ProtocolError, NotAcceptable, QueryError, StoreError, ReviewError,
                                        SearchError)


def problem_response(problem: Problem, language: str = i18n.DEFAULT) -> Response:
    code = problem.code or error_messages.code_for_status(problem.status)
    body = {"detail": problem.detail, **error_messages.words(code, language), **problem.extra}
    return JSONResponse(body, status_code=problem.status, headers=problem.headers)


def _settings(request: Request) -> Settings:
    try:
        settings: Settings = request.app.state.settings
    except AttributeError:  # an app assembled without create_app (tests, tools): the defaults
        return get_settings()
    return settings


async def _handle(request: Request, exc: Exception) -> Response:
    return problem_response(problem_for(exc, _settings(request)), i18n.ui_language(request))


def install(app: FastAPI) -> None:
    """Register the policy on an app (`create_app` does; so do tests that assemble routers)."""
    for kind in HANDLED:
        app.add_exception_handler(kind, _handle)
    error_messages.install(app)
