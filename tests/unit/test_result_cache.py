"""The result cache: LRU by bytes, emptied when the data generation moves, volatile queries skipped."""

from __future__ import annotations

from iscg_graph.query.engine import EngineResult
from iscg_graph.query.result_cache import ResultCache, cacheable


def result(size: int) -> EngineResult:
    return EngineResult(b"x" * size, "text/csv", "bindings")


def test_hit_miss_and_generation_change() -> None:
    cache = ResultCache(64 * 100)
    cache.put("q", 1, result(10))
    assert cache.get("q", 1) == result(10)
    assert cache.get("q", 2) is None  # the data changed: everything is dropped
    assert cache.get("q", 1) is None
    assert (cache.hits, cache.misses) == (1, 2)


def test_lru_eviction_by_bytes_and_large_bodies_skipped() -> None:
    cache = ResultCache(64 * 2000)  # bodies up to 2000 bytes, 128000 in all (each entry + 1024)
    for i in range(70):
        cache.put(i, 1, result(976))
    assert len(cache) == 64 and cache.get(0, 1) is None and cache.get(69, 1) is not None
    cache.put("big", 1, result(2001))
    assert cache.get("big", 1) is None
    assert ResultCache(0).get("q", 1) is None


def test_volatile_functions_are_not_cached() -> None:
    assert cacheable("SELECT ?s { ?s ?p ?o } LIMIT 1")
    for text in ("SELECT (NOW() AS ?t) {}", "SELECT (rand () AS ?r) {}", "SELECT (STRUUID() AS ?u) {}",
                 "CONSTRUCT { ?b <urn:p> 1 } WHERE { BIND(BNODE() AS ?b) }", "SELECT (UUID() AS ?u) {}"):
        assert not cacheable(text), text
