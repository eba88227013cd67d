"""The application factory: ``uvicorn api.main:create_app --factory``."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from iscg_graph.curation import warm_up

from . import errors, openapi_data, sparql
from .budget import QueryBudget
from .head import HeadAsGet
from .i18n import LanguageMiddleware
from .live_reload import close_served, follow_builds, install, open_build
from .querying import DEFAULT_CATALOG
from .release_engines import close_all as close_release_engines
from .remote_store import follow_remote, is_remote, open_remote, remote_engine_of, remote_write_path
from .routers import (
    account,
    apidocs,
    browse,
    candidates,
    changes,
    curate,
    dataset,
    health,
    imports,
    interface_text,
    new_period_import,
    new_since,
    queries,
    release_form,
    releases,
    reports,
    resources,
    store,
    workbench,
    workbench_assist,
)
from .settings import Settings, get_settings
from .url_limit import UrlLimit


def _telemetry(enabled: bool) -> dict[str, Any]:
    """FastAPI's native telemetry switched off unless enabled (FastAPI versions without it: nothing)."""
    if enabled or "telemetry" not in inspect.signature(FastAPI.__init__).parameters:
        return {}
    return {"telemetry": {"tracing": False, "metrics": False, "logs": False}}


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Serve the build the link points to now, leased so `iscg build` never deletes it under us;
        # a later `iscg build` swaps the link and `follow_builds` switches to the new build.
        remote = is_remote(settings)  # a remote SPARQL store (ISCG_REMOTE_QUERY_URL) or the embedded one
        install(app, open_remote(settings, remote_engine_of(app)) if remote
                else open_build(settings, settings.store_path.resolve()))
        candidates.start_index(app)  # loaded now (or computed in the background), not on a request
        # what the first validated write would build (shapes, their reach, the engine's program,
        # the review register's number), built in a background thread once the start-up's first
        # answers are out: no request waits for it
        app.state.write_warm_up = None if settings.read_only or settings.write_warm_up_delay < 0 else (
            warm_up.start(None if remote else app.state.store, settings.base_iri,
                          delay=settings.write_warm_up_delay))
        if remote:  # writes go to the remote store, as one guarded update each
            app.state.write_path = remote_write_path(app)
        app.state.budget = QueryBudget(settings.budget_seconds_per_minute,
                                       window=settings.budget_window_seconds,
                                       exempt_loopback=settings.budget_exempt_loopback,
                                       concurrent=settings.budget_concurrent_queries)
        follower: asyncio.Task[None] | None
        if remote:
            follower = asyncio.create_task(follow_remote(app, settings.remote_poll_interval))
        else:
            follower = (asyncio.create_task(follow_builds(app, settings.reload_interval))
                        if settings.reload_interval > 0 else None)
        try:
            yield
        finally:
            if follower is not None:
                follower.cancel()
            warm_up.stop(app.state.write_warm_up)  # (it holds the store)
            app.state.write_warm_up = None
            close_release_engines(app)
            close_served(app.state.served)
            app.state.served = app.state.store = None  # the last references: RocksDB's lock goes

    app = FastAPI(
        title="ISCG knowledge graph",
        summary="ITU inter-Sector coordination as linked data: SPARQL, overlap reports, linked-data pages",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,  # served by routers/apidocs.py from local assets, not FastAPI's CDN links
        redoc_url=None,
        **_telemetry(settings.telemetry),
    )
    app.state.settings = settings
    # candidates and new_since before reports: /reports/candidates and /reports/new-since must win over
    # /reports/{name}
    for module in (health, sparql, store, changes, account, curate, imports, new_period_import, queries,
                   candidates, new_since, reports, releases, release_form, resources, dataset, browse,
                   workbench, workbench_assist, apidocs, interface_text):
        app.include_router(module.router)
    # CSS, report and workbench assets; YASGUI is copied into static/vendor at set-up time
    # the HTTP policy, once: errors -> status codes and bodies, CORS around the app
    errors.install(app)
    openapi_data.install(app, DEFAULT_CATALOG, settings.base_iri)  # enums from the data in /openapi.json
    app.add_middleware(LanguageMiddleware)  # the interface language of each request (api/i18n)
    app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST"],
                       expose_headers=["ISCG-Warning"],
                       allow_headers=["Accept", "Content-Type"], max_age=600)
    # outside CORS and the app: a /sparql GET the engine answers at once (cached, or light) needs no handler
    app.add_middleware(sparql.SparqlFastLane)
    app.add_middleware(HeadAsGet)  # HEAD is a GET without the body, on every route
    app.add_middleware(UrlLimit, max_bytes=settings.max_url_bytes)  # outermost: before any parsing
    static = StaticFiles(directory=Path(__file__).parent / "static", check_dir=False)
    app.mount("/static", static, name="static")
    return app
