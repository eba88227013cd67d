"""The application factory: ``uvicorn api.main:create_app --factory``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from iscg_graph.store import EmbeddedStore

from .routers import candidates, health, queries, reports, resources, sparql, workbench
from .settings import Settings, get_settings


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = EmbeddedStore.open_writable(settings.store_path)
        app.state.store = store
        try:
            yield
        finally:
            app.state.store = None
            del store

    app = FastAPI(
        title="ISCG knowledge graph",
        summary="ITU inter-Sector coordination as linked data: SPARQL, overlap reports, linked-data pages",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.settings = settings
    for module in (health, sparql, queries, reports, candidates, resources, workbench):
        app.include_router(module.router)
    return app
