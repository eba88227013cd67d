"""What every write route shares: the write path of the app, the author of a change, error answers.

Errors of a write, one mapping for all routes (SPARQL Update, Graph Store Protocol, forms):
401/403 `WriteDenied`; 422 `ValidationFailed` with the SHACL report (focus node, path, message);
413/415/400 `UnsafeInput`; 403 `WriteRefused` and refused update clauses (LOAD, SERVICE);
400 SPARQL syntax; 409 `ChangeConflict`.
"""

from __future__ import annotations

import threading
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from iscg_graph.curation.accounts import Principal
from iscg_graph.curation.history import ChangeRecord
from iscg_graph.curation.writes import Author, WritePath
from iscg_graph.errors import (
    ChangeConflict,
    DecisionInvalid,
    QueryRefused,
    QuerySyntaxError,
    RemoteWriteFailed,
    UnsafeInput,
    ValidationFailed,
    WriteRefused,
)
from iscg_graph.overlap.review import Decision, ReviewOutcome, prepare_decision, shapes_refusal

from .auth import WriteDenied

__all__ = ["WRITE_ERRORS", "Author", "app_write_path", "author", "error_response", "record_review",
           "report_json",
           "write_path"]

WRITE_ERRORS = (WriteDenied, ValidationFailed, UnsafeInput, WriteRefused, QueryRefused, QuerySyntaxError,
                ChangeConflict, RemoteWriteFailed)


_making = threading.Lock()


def write_path(request: Request) -> WritePath:
    """The app's write path, for the store it serves now."""
    return app_write_path(request.app)


def app_write_path(app: Any) -> WritePath:
    """The one write path of ``app``'s served store (made once, also under concurrent requests)."""
    state = app.state
    with _making:
        store = state.store
        found: WritePath | None = getattr(state, "write_path", None)
        if state.settings.remote_query_url:  # a remote store: its write path, made by the lifespan
            if found is None:                # (api.remote_store.remote_write_path)
                raise RemoteWriteFailed("the service has not opened the remote store yet")
            return found
        if found is None or found.store is not store:
            found = state.write_path = WritePath(store, base=state.settings.base_iri,
                                                 validate=getattr(state, "write_validator", None))
        return found


def author(request: Request, who: Principal, comment: str | None, kind: str) -> Author:
    client = request.client.host if request.client else "unknown client"
    query = f"?{request.url.query}" if request.url.query else ""
    origin = f"{request.method} {request.url.path}{query[:300]} from {client} ({who.via})"
    return Author(who.name, (comment or "").strip()[:5000], origin, kind)


def report_json(exc: ValidationFailed) -> dict[str, Any]:
    return {
        "detail": f"the change breaks {len(exc.report.violations)} shape constraint(s); nothing was written",
        "violations": [
            {
                "focus_node": str(r.focus_node),
                "path": None if r.result_path is None else str(r.result_path),
                "message": r.message,
                "constraint": str(r.constraint_component).rsplit("#", 1)[-1],
                "value": None if r.value is None else str(r.value),
            }
            for r in exc.report.violations
        ],
    }


def error_response(exc: Exception, headers: dict[str, str] | None = None) -> Response:
    headers = dict(headers or {})
    if isinstance(exc, ValidationFailed):
        return JSONResponse(report_json(exc), status_code=422, headers=headers)
    if isinstance(exc, WriteDenied):
        status, message = exc.status, exc.message
        headers.update(exc.headers())
    elif isinstance(exc, UnsafeInput):
        status, message = exc.status, str(exc)
    elif isinstance(exc, WriteRefused | QueryRefused):
        status, message = 403, str(exc)
    elif isinstance(exc, QuerySyntaxError):
        status, message = 400, f"SPARQL syntax error: {exc}"
    elif isinstance(exc, ChangeConflict):
        status, message = 409, str(exc)
    elif isinstance(exc, RemoteWriteFailed):  # the remote store did not take it: nothing changed here
        status, message = 503, str(exc)
        headers.setdefault("Retry-After", "5")
    else:  # pragma: no cover - callers pass WRITE_ERRORS only
        raise exc
    return JSONResponse({"detail": message}, status_code=status, headers=headers)


def change_response(record: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    if record is None:
        return Response(status_code=204 if status == 200 else status, headers=headers)
    body = {"change": record.number, "iri": record.iri, "added": record.added, "removed": record.removed,
            "href": f"/changes/{record.number}"}
    return JSONResponse(body, status_code=status, headers=headers)


def record_review(request: Request, decision: Decision,
                  by: Author) -> tuple[ReviewOutcome, ChangeRecord | None]:
    """A review decision checked (`iscg_graph.overlap.review.prepare_decision`), then recorded by the
    write path: its number minted in the same write, validated there (the one SHACL validation of a
    decision), atomic, in graph/reviews and in the journal. Callers hold the candidate-index lock."""
    write = prepare_decision(request.app.state.store, decision, base=request.app.state.settings.base_iri)
    try:
        record = write_path(request).apply(write, by)
    except ValidationFailed as exc:
        raise shapes_refusal(tuple(f"{v['focus_node']}: {v['message']}"
                                   for v in report_json(exc)["violations"])) from exc
    if write.outcome is None:  # pragma: no cover - the write path runs the change before it returns
        raise DecisionInvalid("the decision was not recorded")
    return write.outcome, record
