"""Query engines and in-memory copies for releases, made on first use and kept for a few releases.

A release folder is a read-only build (``snapshot.nq`` + ``meta.json``), so its engine is the same
stack as the live store's (`iscg_graph.query.compose.build_engine`: result cache, light queries,
killable worker processes) with the same limits: SPARQL against a release obeys every rule
``/sparql`` does. At most ``KEEP`` releases hold engines; the one used longest ago is closed, after
``query_timeout`` seconds so the requests holding it can finish. Releases never change, so
neither does anything cached for them.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path

from fastapi import FastAPI

from iscg_graph.build.releases import Release, ReleaseError, open_release, releases_dir
from iscg_graph.query.compose import EngineStack, build_engine
from iscg_graph.query.interface import BaseEngine
from iscg_graph.rdf.store import EmbeddedStore

from .errors import ProtocolError
from .settings import Settings

__all__ = ["KEEP", "close_all", "engine_for", "find_release", "release_root", "snapshot_of"]

KEEP = 2
_lock = threading.Lock()


def release_root(settings: Settings) -> Path:
    return settings.releases_path or releases_dir(settings.store_path)


def find_release(settings: Settings, name: str) -> Release:
    """The release, or a 404 naming it (an invalid name is no release either)."""
    try:
        return open_release(release_root(settings), name)
    except ReleaseError as exc:
        raise ProtocolError(404, str(exc)) from None


def _held(app: FastAPI, key: str) -> OrderedDict[str, object]:
    held = getattr(app.state, key, None)
    if held is None:
        held = OrderedDict()
        setattr(app.state, key, held)
    return held


def engine_for(app: FastAPI, release: Release) -> BaseEngine:
    settings: Settings = app.state.settings
    stacks = _held(app, "release_engines")
    with _lock:
        stack = stacks.get(release.name)
        if stack is None:
            stack = build_engine(release.path, workers=1, timeout=settings.query_timeout,
                                 max_bytes=settings.max_result_bytes, base_iri=settings.base_iri,
                                 cache_bytes=min(settings.result_cache_bytes, 8_000_000),
                                 light_rows=settings.light_query_rows,
                                 memory_bytes=settings.worker_memory_bytes or None)
            stacks[release.name] = stack
            while len(stacks) > KEEP:
                _name, old = stacks.popitem(last=False)
                assert isinstance(old, EngineStack)
                timer = threading.Timer(settings.query_timeout + 1, old.engine.close)
                timer.daemon = True
                timer.start()
        stacks.move_to_end(release.name)
    assert isinstance(stack, EngineStack)
    return stack.engine


def snapshot_of(app: FastAPI, release: Release) -> EmbeddedStore:
    """An in-memory copy of the release (its resource pages, its diff), kept for ``KEEP`` releases."""
    copies = _held(app, "release_copies")
    with _lock:
        copy = copies.get(release.name)
        if copy is None:
            copy = EmbeddedStore.open_snapshot(release.path)
            copies[release.name] = copy
            while len(copies) > KEEP:
                copies.popitem(last=False)
        copies.move_to_end(release.name)
    assert isinstance(copy, EmbeddedStore)
    return copy


def close_all(app: FastAPI) -> None:
    stacks = _held(app, "release_engines")
    with _lock:
        for stack in stacks.values():
            assert isinstance(stack, EngineStack)
            stack.engine.close()
        stacks.clear()
