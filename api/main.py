"""The application factory: ``uvicorn api.main:create_app --factory``."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from iscg_graph.query.compose import build_engine
from iscg_graph.rdf.store import EmbeddedStore

from . import errors, sparql
from .budget import QueryBudget
from .routers import candidates, health, queries, reports, resources, workbench, workbench_assist
from .settings import Settings, get_settings


def _telemetry(enabled: bool) -> dict[str, Any]:
    """FastAPI's native telemetry switched off unless enabled (FastAPI versions without it: nothing)."""
    if enabled or "telemetry" not in inspect.signature(FastAPI.__init__).parameters:
        return {}
    return {"telemetry": {"tracing": False, "metrics": False, "logs": False}}


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Pin the build the link points to now: a later `iscg build` swaps the link, and this service
        # keeps serving (and writing reviews into) one consistent build until it is restarted.
        build_dir = settings.store_path.resolve()
        store = EmbeddedStore.open_writable(build_dir)
        app.state.store = store
        # the result cache, then lookups proven to touch few rows (run here, on an in-memory copy),
        # then the killable workers: the layers of one engine (iscg_graph.query.compose)
        stack = build_engine(build_dir, workers=settings.query_workers, timeout=settings.query_timeout,
                             max_bytes=settings.max_result_bytes, base_iri=settings.base_iri,
                             cache_bytes=settings.result_cache_bytes, light_rows=settings.light_query_rows,
                             memory_bytes=settings.worker_memory_bytes or None)
        app.state.engine_stack = stack
        app.state.engine = stack.engine
        candidates.start_index(app)  # loaded now (or computed in the background), not on a request
        app.state.budget = QueryBudget(settings.budget_seconds_per_minute,
                                       exempt_loopback=settings.budget_exempt_loopback,
                                       concurrent=settings.budget_concurrent_queries)
        try:
            yield
        finally:
            app.state.engine.close()
            app.state.store = None
            del store

    app = FastAPI(
        title="ISCG knowledge graph",
        summary="ITU inter-Sector coordination as linked data: SPARQL, overlap reports, linked-data pages",
        version="0.1.0",
        lifespan=lifespan,
        **_telemetry(settings.telemetry),
    )
    app.state.settings = settings
    # candidates before reports: /reports/candidates must win over /reports/{name}
    for module in (health, sparql, queries, candidates, reports, resources, workbench, workbench_assist):
        app.include_router(module.router)
    # CSS, report and workbench assets; YASGUI is copied into static/vendor at set-up time
    # the HTTP policy, once: errors -> status codes and bodies, CORS around the app
    errors.install(app)
    app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST"],
                       expose_headers=["ISCG-Warning"],
                       allow_headers=["Accept", "Content-Type"], max_age=600)
    # outermost: a /sparql GET the engine answers at once (cached, or proven light) needs no handler
    app.add_middleware(sparql.SparqlFastLane)
    static = StaticFiles(directory=Path(__file__).parent / "static", check_dir=False)
    app.mount("/static", static, name="static")
    return app
