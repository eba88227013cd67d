"""A bounded LRU of serialised query results, valid for one data generation.

The store only changes through writes that bump ``meta.json``'s generation, so a result computed
on generation *g* stays exact until the generation changes: entries carry their generation and
the cache empties when it moves. Queries whose answer changes between executions (``NOW()``,
``RAND()``, ``UUID()``, ``STRUUID()``, ``BNODE()``) are never cached. Bodies over 1/64 of the cache
are not kept, so one large result cannot evict everything; each entry also counts a fixed
overhead, so many tiny results cannot grow the cache past its budget either.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Hashable
from functools import lru_cache

from .engine import EngineResult

ENTRY_OVERHEAD = 1024  # key text (callers keep it short), objects
_VOLATILE = re.compile(r"\b(NOW|RAND|UUID|STRUUID|BNODE)\s*\(", re.IGNORECASE)


def cacheable(sparql: str) -> bool:
    return _cacheable_short(sparql) if len(sparql) <= 8192 else _cacheable(sparql)


@lru_cache(maxsize=1024)
def _cacheable_short(sparql: str) -> bool:  # the same texts come back: scanning was a tenth of a cache hit
    return _cacheable(sparql)


def _cacheable(sparql: str) -> bool:
    upper = sparql.upper()  # the regular expression only where one of the names occurs (it is slow)
    if not any(name in upper for name in ("NOW", "RAND", "UUID", "BNODE")):
        return True
    return _VOLATILE.search(sparql) is None


class ResultCache:
    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.max_entry = max_bytes // 64
        self._entries: OrderedDict[Hashable, EngineResult] = OrderedDict()
        self._size = 0
        self._generation: Hashable | None = None
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable, generation: Hashable) -> EngineResult | None:
        if self.max_bytes <= 0:
            return None
        with self._lock:
            if generation != self._generation:
                self._reset(generation)
            found = self._entries.get(key)
            if found is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return found

    def peek(self, key: Hashable, generation: Hashable) -> EngineResult | None:
        """`get` that counts only hits (a caller that falls back to `get` on a miss)."""
        if self.max_bytes <= 0:
            return None
        with self._lock:
            found = self._entries.get(key) if generation == self._generation else None
            if found is not None:
                self._entries.move_to_end(key)
                self.hits += 1
            return found

    def put(self, key: Hashable, generation: Hashable, result: EngineResult) -> None:
        if self.max_bytes <= 0 or len(result.body) > self.max_entry:
            return
        with self._lock:
            if generation != self._generation:
                self._reset(generation)
            old = self._entries.pop(key, None)
            if old is not None:
                self._size -= len(old.body) + ENTRY_OVERHEAD
            self._entries[key] = result
            self._size += len(result.body) + ENTRY_OVERHEAD
            while self._size > self.max_bytes and self._entries:
                _, evicted = self._entries.popitem(last=False)
                self._size -= len(evicted.body) + ENTRY_OVERHEAD

    def _reset(self, generation: Hashable) -> None:
        self._entries.clear()
        self._size = 0
        self._generation = generation

    def __len__(self) -> int:
        return len(self._entries)
