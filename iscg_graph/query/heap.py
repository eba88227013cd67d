"""Memory a query freed, given back to the system (glibc's ``malloc_trim``).

A heavy query allocates its intermediate results (joins, sorts, the serialised answer) through the
C allocator, and freeing them leaves most of those pages with the process: at a million triples a
worker's resident memory went from 581 MB with its copy of the store to 1,096 MB after one
sector-overlap-detail answer, and stayed there (docs/notes/scale.md §55). ``malloc_trim(0)`` hands
the free pages back (583 MB again) in milliseconds. `HeapTrim` does that once the resident size has
grown past ``slack`` bytes since the last trim and the worker is idle, so a light request pays one
read of ``/proc/self/statm`` and nothing else. Elsewhere than on glibc it does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from collections.abc import Callable

__all__ = ["HeapTrim", "resident_bytes"]

SLACK = 64 * 1024 * 1024  # resident growth since the last trim that calls for another
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def resident_bytes() -> int:
    """This process's resident set size (0 where ``/proc`` is not there)."""
    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return 0


def _glibc_trim() -> Callable[[], object] | None:
    """glibc's ``malloc_trim(0)``, or None (another C library, or none found)."""
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        trim = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return lambda: trim(0)


class HeapTrim:
    """Give freed memory back once the process has grown more than ``slack`` bytes since the last
    trim: `after_request` notes the growth, `when_idle` trims (a worker calls it once no request has
    come for a moment, so back-to-back heavy queries reuse the pages instead of faulting them in
    again: up to 15 % of a heavy request's time at 1M when trimmed after every answer)."""

    def __init__(self, slack: int = SLACK, *, trim: Callable[[], object] | None = None,
                 resident: Callable[[], int] = resident_bytes):
        self._trim = trim if trim is not None else _glibc_trim()
        self._resident = resident
        self._slack = slack
        self._base = resident()
        self.due = False  # grown past the slack: trim when idle
        self.trims = 0  # how many times memory was handed back (observability, tests)

    def after_request(self) -> None:
        if self._trim is None:
            return
        now = self._resident()
        if now - self._base > self._slack:
            self.due = True
        else:
            self._base = min(self._base, now)

    def when_idle(self) -> None:
        if not self.due or self._trim is None:
            return
        self._trim()
        self.trims += 1
        self.due = False
        self._base = self._resident()
