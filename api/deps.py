"""FastAPI dependencies: settings, the store, the query engine."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from iscg_graph.query.engine import QueryEngine
from iscg_graph.rdf.store import EmbeddedStore, StoreMeta

from .settings import Settings, get_settings

__all__ = ["get_engine", "get_settings", "get_store", "get_store_meta", "Settings"]


def get_store(request: Request) -> EmbeddedStore:
    """The service's store, opened once per app (see api.main.lifespan)."""
    return request.app.state.store


def get_store_meta(store: Annotated[EmbeddedStore, Depends(get_store)]) -> StoreMeta:
    return store.meta


def settings_dep(request: Request) -> Settings:
    return request.app.state.settings


def get_engine(request: Request) -> QueryEngine:
    """The killable query engine (worker processes), started once per app in api.main.lifespan."""
    return request.app.state.engine
