"""Layers over any query engine, each an engine itself: the result cache and the light-query path.

``CachingEngine(InlineFirst(ProcessPoolEngine(store)))`` is the service's engine: a request is
answered from the result cache if it can be, else in the calling thread if it is proven light,
else by a worker. A layer only calls the engine it wraps through the `BaseEngine` methods, so any
engine (a remote SPARQL server too) can sit underneath.

- `CachingEngine`: identical requests on an unchanged ``generation`` are served from memory
  (`iscg_graph.query.result_cache`); texts that are long or whose answer changes on every execution
  (``NOW()``, ``RAND()``…) are never kept.
- `InlineFirst`: a query proven light on the wrapped engine's current data (`iscg_graph.query.inline`)
  runs here, at once; ``answer_at_once`` answers it without waiting, so the endpoint's fast lane can
  reply from the event loop.
"""

from __future__ import annotations

from collections.abc import Hashable

from .inline import InlineRunner
from .interface import BaseEngine, EngineResult, QueryRequest
from .result_cache import ResultCache, cacheable

__all__ = ["CachingEngine", "InlineFirst"]

MAX_KEY_TEXT = 8192  # longer texts would make the keys the memory


class _Layer(BaseEngine):
    def __init__(self, inner: BaseEngine):
        self.inner = inner

    @property
    def generation(self) -> Hashable:
        return self.inner.generation

    def graphs(self, wait: float = 0.0) -> frozenset[str]:
        return self.inner.graphs(wait)

    def close(self) -> None:
        self.inner.close()


class CachingEngine(_Layer):
    def __init__(self, inner: BaseEngine, cache: ResultCache):
        super().__init__(inner)
        self.cache = cache

    def _keyed(self, request: QueryRequest) -> bool:
        if self.cache.max_bytes <= 0:  # no cache: nothing to key (scanning the text costs)
            return False
        return len(request.sparql) <= MAX_KEY_TEXT and cacheable(request.sparql)

    def execute(self, request: QueryRequest, timeout: float | None = None) -> EngineResult:
        if not self._keyed(request):
            return self.inner.execute(request, timeout)
        generation = self.inner.generation
        if (hit := self.cache.get(request, generation)) is not None:
            return hit
        result = self.inner.execute(request, timeout)
        self.cache.put(request, generation, result)
        return result

    async def execute_async(self, request: QueryRequest, timeout: float | None = None) -> EngineResult:
        if not self._keyed(request):
            return await self.inner.execute_async(request, timeout)
        generation = self.inner.generation
        if (hit := self.cache.get(request, generation)) is not None:
            return hit
        result = await self.inner.execute_async(request, timeout)
        self.cache.put(request, generation, result)
        return result

    def answer_at_once(self, request: QueryRequest) -> EngineResult | None:
        """A hit (a miss is not counted: the caller then asks `execute_async`, which counts it), or
        what the wrapped engine answers at once (kept)."""
        if not self._keyed(request):
            return self.inner.answer_at_once(request)
        generation = self.inner.generation
        if (hit := self.cache.peek(request, generation)) is not None:
            return hit
        result = self.inner.answer_at_once(request)
        if result is not None:
            self.cache.put(request, generation, result)
        return result


class InlineFirst(_Layer):
    """Proven-light queries in the caller (on an in-memory copy of the wrapped engine's data)."""

    def __init__(self, inner: BaseEngine, runner: InlineRunner):
        super().__init__(inner)
        self.runner = runner

    def answer_at_once(self, request: QueryRequest) -> EngineResult | None:
        light = self.runner.answer(request, self.inner.generation)
        return light if light is not None else self.inner.answer_at_once(request)

    def execute(self, request: QueryRequest, timeout: float | None = None) -> EngineResult:
        light = self.runner.answer(request, self.inner.generation)
        return light if light is not None else self.inner.execute(request, timeout)

    async def execute_async(self, request: QueryRequest, timeout: float | None = None) -> EngineResult:
        light = self.runner.answer(request, self.inner.generation)
        return light if light is not None else await self.inner.execute_async(request, timeout)
