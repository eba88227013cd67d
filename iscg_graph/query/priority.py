"""Long queries yield the CPU: a worker whose query runs past a threshold gets a lower priority.

On a machine with few cores, two runaway queries (each allowed up to the engine's timeout) would
take every core from the short queries arriving meanwhile. `Demoter` watches the workers that are
running a query: once one has run longer than ``after`` seconds its process is reniced to
``nice`` (the kernel then gives the CPU to normal-priority processes first: the service and the
other workers), and when the query returns its priority is restored. One watcher thread serves
the whole pool (a heap of deadlines), so a query costs a heap push, not a thread.

Raising a priority back needs CAP_SYS_NICE (or a permissive RLIMIT_NICE); without it the restore
fails and `Watch.finish` says so: the pool then replaces that worker rather than keep a slow one.
"""

from __future__ import annotations

import heapq
import itertools
import os
import threading
import time
from dataclasses import dataclass, field

__all__ = ["Demoter", "Watch"]


@dataclass
class Watch:
    """One query being watched: the worker's pid, whether it was demoted, its original nice."""

    pid: int
    deadline: float
    original: int = 0
    demoted: bool = False
    done: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def finish(self) -> bool:
        """Stop watching; restore the priority if it was lowered. False if it could not be restored."""
        with self._lock:
            self.done = True
            if not self.demoted:
                return True
            try:
                os.setpriority(os.PRIO_PROCESS, self.pid, self.original)
            except (PermissionError, ProcessLookupError):
                return False
            self.demoted = False
            return True


class Demoter:
    """Renice a worker process whose current query has run past ``after`` seconds."""

    def __init__(self, after: float, nice: int = 19):
        if after <= 0:
            raise ValueError("after must be positive")
        self.after = after
        self.nice = nice
        self._heap: list[tuple[float, int, Watch]] = []
        self._order = itertools.count()
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._closed = False
        self.demotions = 0  # observability: how many queries were demoted

    def watch(self, pid: int) -> Watch:
        """Start watching the query a worker (``pid``) is about to run."""
        w = Watch(pid, time.monotonic() + self.after)
        with self._cond:
            heapq.heappush(self._heap, (w.deadline, next(self._order), w))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="iscg-demoter", daemon=True)
                self._thread.start()
            self._cond.notify()
        return w

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._closed and (not self._heap or self._heap[0][0] > time.monotonic()):
                    wait = self._heap[0][0] - time.monotonic() if self._heap else None
                    self._cond.wait(wait)
                if self._closed:
                    return
                _, _, w = heapq.heappop(self._heap)
            self._demote(w)

    def _demote(self, w: Watch) -> None:
        with w._lock:
            if w.done:
                return
            try:
                w.original = os.getpriority(os.PRIO_PROCESS, w.pid)
                os.setpriority(os.PRIO_PROCESS, w.pid, max(self.nice, w.original))
            except (PermissionError, ProcessLookupError):
                return
            w.demoted = True
            self.demotions += 1
