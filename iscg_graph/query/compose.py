"""The one place the service's query engine is assembled from its layers.

    CachingEngine(InlineFirst(ProcessPoolEngine(store)))

Each layer is left out when switched off (``cache_bytes=0``, ``light_rows=0``). The caller passes
every figure (the library never reads settings); `EngineStack` keeps the parts that tests and
health checks look at (the pool's worker ids, the light path's counter, the cache's hits).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .inline import InlineRunner
from .interface import BaseEngine
from .layers import CachingEngine, InlineFirst
from .result_cache import ResultCache
from .workers import ProcessPoolEngine

__all__ = ["EngineStack", "build_engine", "build_remote_engine"]


@dataclass(frozen=True)
class EngineStack:
    engine: BaseEngine  # the outermost layer: what callers use
    pool: ProcessPoolEngine | None  # None on a remote store: no workers here
    inline: InlineRunner | None
    cache: ResultCache | None


def build_engine(store_path: str | os.PathLike[str], *, workers: int = 2, timeout: float = 30.0,
                 max_bytes: int | None = 512 * 1024 * 1024, base_iri: str | None = None,
                 cache_bytes: int = 0, light_rows: int = 0, memory_bytes: int | None = None,
                 start_timeout: float = 120.0, wait: bool = False,
                 demote_after: float | None = None, shared_store: bool = False,
                 copy_wait: float = 0.0) -> EngineStack:
    """The worker pool over ``store_path`` with its layers, started (waiting for the workers to load
    the store only when ``wait``)."""
    path = Path(store_path)
    pool = ProcessPoolEngine(path, workers=workers, timeout=timeout, max_bytes=max_bytes,
                             start_timeout=start_timeout, base_iri=base_iri, memory_bytes=memory_bytes,
                             demote_after=demote_after, shared_store=shared_store, copy_wait=copy_wait)
    engine: BaseEngine = pool
    inline = None
    if light_rows > 0:
        inline = InlineRunner(path, max_rows=light_rows, max_bytes=max_bytes, base_iri=base_iri,
                              shared_store=shared_store)
        engine = InlineFirst(engine, inline)
    cache = None
    if cache_bytes > 0:
        cache = ResultCache(cache_bytes)
        engine = CachingEngine(engine, cache)
    pool.start(wait=wait)
    if inline is not None:
        inline.load(background=not wait)
    return EngineStack(engine, pool, inline, cache)


def build_remote_engine(remote: BaseEngine, *, cache_bytes: int = 0) -> EngineStack:
    """``CachingEngine(remote)``: a remote server's engine with the result cache (keyed on the store's
    generation, so every replica drops its entries when the store moves). No light path: it would
    need a local copy of the data to prove a query light."""
    cache = ResultCache(cache_bytes) if cache_bytes > 0 else None
    engine = CachingEngine(remote, cache) if cache is not None else remote
    return EngineStack(engine, None, None, cache)
