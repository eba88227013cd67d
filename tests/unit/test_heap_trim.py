"""iscg_graph/query/heap.py: a worker gives the memory a heavy query freed back to the system once it
has grown past the slack since the last trim, and does nothing after light requests."""

from __future__ import annotations

import ctypes
import ctypes.util

import pytest

from iscg_graph.query.heap import HeapTrim, _glibc_trim, resident_bytes

MB = 1024 * 1024


def test_trims_when_idle_past_the_slack_and_measures_from_after_the_trim() -> None:
    readings = iter([100 * MB, 150 * MB, 180 * MB, 190 * MB, 105 * MB, 120 * MB, 90 * MB, 200 * MB, 95 * MB])
    calls: list[int] = []
    heap = HeapTrim(64 * MB, trim=lambda: calls.append(1), resident=lambda: next(readings))  # base 100
    heap.when_idle()  # nothing grown: nothing done
    heap.after_request()  # 150: +50 MB, within the slack
    assert not heap.due
    heap.after_request()  # 180: +80 MB: due, not yet done (the next request may reuse the pages)
    heap.after_request()  # 190: still due
    assert heap.due and calls == []
    heap.when_idle()  # trimmed; the base is read after it (105)
    assert calls == [1] and not heap.due
    heap.after_request()  # 120: +15 over 105
    heap.after_request()  # 90: smaller, the base follows it down
    heap.when_idle()
    assert calls == [1]
    heap.after_request()  # 200: +110 over 90
    heap.when_idle()  # trimmed (the base then 95)
    assert calls == [1, 1] and heap.trims == 2


def test_nothing_to_call_means_nothing_done() -> None:
    heap = HeapTrim(0, resident=lambda: 1 << 40)
    heap._trim = None  # another C library than glibc
    heap.after_request()
    heap.when_idle()
    assert heap.trims == 0 and not heap.due


@pytest.mark.skipif(_glibc_trim() is None or resident_bytes() == 0,
                    reason="glibc's malloc_trim and /proc are Linux with glibc only")
def test_freed_heap_pages_go_back_to_the_system() -> None:
    """What a heavy query leaves: many small blocks freed below one still in use, which free() cannot
    hand back by itself; the trim does."""
    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    libc.malloc.restype = ctypes.c_void_p
    libc.malloc.argtypes = [ctypes.c_size_t]
    libc.free.argtypes = [ctypes.c_void_p]
    _glibc_trim()()  # what earlier tests freed back first, else the blocks below reuse resident pages
    heap = HeapTrim(32 * MB)
    blocks = [libc.malloc(1024) for _ in range(150_000)]  # ~150 MB of small blocks, touched below
    for b in blocks:
        ctypes.memset(b, 1, 1024)
    fence = libc.malloc(1024)  # in use above them: the heap's top cannot shrink past it
    grown = resident_bytes()
    for b in blocks:
        libc.free(b)
    assert resident_bytes() > grown - 32 * MB  # freed, but still this process's
    heap.after_request()
    heap.when_idle()
    assert heap.trims == 1
    assert resident_bytes() < grown - 100 * MB  # handed back
    libc.free(fence)
