"""What the canned-query routes (``/api/queries``, the reports) share: the engine, catalogue, base IRI
and timeout a request runs with, the result formats, and the library's errors as responses."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from iscg_graph.errors import ParameterError, QueryTimeout, ResultTooLarge, UnknownQuery
from iscg_graph.query.catalog import QueryCatalog, load_catalog
from iscg_graph.query.engine import InProcessEngine, QueryEngine

DEFAULT_CATALOG = load_catalog()

FORMATS: dict[str, str] = {
    "json": "application/sparql-results+json",
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html",
}


def query_engine(request: Request) -> QueryEngine:
    """The app's killable engine when the service started one, else an in-process engine on the store."""
    engine = getattr(request.app.state, "engine", None)
    if engine is not None:
        return engine  # type: ignore[no-any-return]
    return InProcessEngine(request.app.state.store)


def catalog_of(request: Request) -> QueryCatalog:
    catalog = getattr(request.app.state, "query_catalog", None)
    return catalog if catalog is not None else DEFAULT_CATALOG


def base_iri_of(request: Request) -> str:
    settings = getattr(request.app.state, "settings", None)
    return getattr(settings, "base_iri", "https://w3id.org/iscg/")


def timeout_of(request: Request) -> float | None:
    settings = getattr(request.app.state, "settings", None)
    return getattr(settings, "query_timeout", None)


def parameter_problem(name: str, message: str) -> JSONResponse:
    """422 in FastAPI's own validation-error shape, naming the parameter."""
    return JSONResponse(
        status_code=422,
        content={"detail": [{"loc": ["query", name], "msg": message, "type": "value_error"}]},
    )


def error_response(exc: Exception) -> Response:
    """The library's errors -> HTTP: 422 parameter, 404 unknown query, 503 timeout, 413/400 otherwise."""
    if isinstance(exc, ParameterError):
        return parameter_problem(exc.name, exc.message)
    if isinstance(exc, UnknownQuery):
        return JSONResponse(status_code=404, content={"detail": str(exc)})
    if isinstance(exc, QueryTimeout):
        return JSONResponse(
            status_code=503, content={"detail": str(exc) or "query timed out"}, headers={"Retry-After": "30"}
        )
    if isinstance(exc, ResultTooLarge):
        return JSONResponse(status_code=413, content={"detail": str(exc)})
    return JSONResponse(status_code=400, content={"detail": str(exc)})
