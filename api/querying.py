"""What the canned-query routes (``/api/queries``, the reports) share: the engine, catalogue, base IRI
and timeout a request runs with, and the result formats (errors are the app's: `api.errors`)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request

from iscg_graph.query.catalog import QueryCatalog, load_catalog
from iscg_graph.query.engine import InProcessEngine, QueryEngine
from iscg_graph.vocab import DEFAULT_BASE

DEFAULT_CATALOG = load_catalog()

FORMATS: dict[str, str] = {
    "json": "application/sparql-results+json",
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html",
}


def query_engine(request: Request) -> QueryEngine:
    """The app's killable engine when the service started one, else an in-process engine on the store."""
    state = request.app.state
    try:
        engine: QueryEngine = state.engine
    except AttributeError:  # an app without the service's lifespan (tests, tools)
        return InProcessEngine(state.store)
    return engine


def catalog_of(request: Request) -> QueryCatalog:
    catalog = getattr(request.app.state, "query_catalog", None)
    return catalog if catalog is not None else DEFAULT_CATALOG


def base_iri_of(request: Request) -> str:
    settings = getattr(request.app.state, "settings", None)
    return getattr(settings, "base_iri", DEFAULT_BASE)


def public_link(request: Request) -> Callable[[str], str]:
    """IRI -> the address of its page on this service (the configured public URL, else the request's)."""
    settings = getattr(request.app.state, "settings", None)
    public = (getattr(settings, "public_url", None) or str(request.base_url)).rstrip("/")
    base = base_iri_of(request)
    return lambda iri: public + "/" + iri[len(base) :] if iri.startswith(base) else iri


def timeout_of(request: Request) -> float | None:
    settings = getattr(request.app.state, "settings", None)
    return getattr(settings, "query_timeout", None)
