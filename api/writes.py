"""What every write route shares: the write path of the app, the author of a change, error answers.

Errors of a write, one mapping for all routes (SPARQL Update, Graph Store Protocol, forms):
401/403 `WriteDenied`; 422 `ValidationFailed` with the SHACL report (focus node, path, message);
413/415/400 `UnsafeInput`; 403 `WriteRefused` and refused update clauses (LOAD, SERVICE);
400 SPARQL syntax; 409 `ChangeConflict`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pyoxigraph as ox
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
from iscg_graph.overlap.review import Decision, ReviewOutcome, record_decision, reviews_graph

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


class _Captured:
    """The served store for reading; a review record's N-Triples kept instead of written, so the
    decision is committed by the write path (validated, atomic, recorded) like every other change."""

    def __init__(self, store: Any):
        self._store = store
        self.graph: str | None = None
        self.ntriples = b""

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def add_to_graph(self, graph_iri: str, ntriples: bytes) -> None:
        self.graph, self.ntriples = graph_iri, ntriples


def _loader(ntriples: bytes, graph: str) -> Callable[[ox.Store], None]:
    def load(work: ox.Store) -> None:
        work.load(ntriples, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(graph))

    return load


def record_review(request: Request, decision: Decision,
                  by: Author) -> tuple[ReviewOutcome, ChangeRecord | None]:
    """A review decision (`iscg_graph.overlap.review.record_decision`), committed by the write path:
    in graph/reviews and in the journal. Callers hold the candidate-index lock."""
    base = request.app.state.settings.base_iri
    captured = _Captured(request.app.state.store)
    outcome = record_decision(captured, decision, base=base)  # type: ignore[arg-type]
    try:
        load = _loader(captured.ntriples, captured.graph or reviews_graph(base))
        record = write_path(request).apply(load, by)
    except ValidationFailed as exc:
        problems = tuple(f"{v['focus_node']}: {v['message']}" for v in report_json(exc)["violations"])
        raise DecisionInvalid("the decision does not conform to the shapes", problems) from exc
    return outcome, record
