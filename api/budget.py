"""Per-client query-time budget: seconds of query execution per sliding window (a minute).

As on Wikidata's query service, each client (by address) may spend ``seconds_per_minute`` of query
time in any ``window``-second window (60 unless configured; tests shorten it); past it the endpoint
answers 429 with ``Retry-After`` (the seconds until enough of the window has expired). ``0``
disables the budget. Loopback clients are budgeted like any other unless ``exempt_loopback`` is
asked for explicitly (development only: behind a reverse proxy every client is loopback).

A time budget alone lets one client start as many slow queries at once as there are workers and
block everyone until they time out, so a budgeted client may also have at most ``concurrent``
queries running at a time (429 with ``Retry-After: 1`` past it).
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

WINDOW = 60.0  # seconds, unless the caller gives another window


def is_loopback(host: str | None) -> bool:
    return bool(host) and (host == "::1" or host.startswith("127.") or host == "localhost")  # type: ignore[union-attr]


class QueryBudget:
    def __init__(self, seconds_per_minute: float, *, window: float = WINDOW, exempt_loopback: bool = False,
                 concurrent: int = 0, clock: Callable[[], float] = time.monotonic):
        if window <= 0:
            raise ValueError(f"the budget window must be positive, got {window}")
        self.limit = seconds_per_minute
        self.window = window
        self.exempt_loopback = exempt_loopback
        self.concurrent = concurrent  # 0: no limit
        self._running: dict[str, int] = {}
        self.clock = clock
        self._spent: dict[str, deque[tuple[float, float]]] = {}
        self._lock = threading.Lock()
        self._last_sweep = clock()

    def applies_to(self, client: str | None) -> bool:
        return self.limit > 0 and not (self.exempt_loopback and is_loopback(client))

    def retry_after(self, client: str | None) -> int | None:
        """None when the client may query now, else whole seconds to wait."""
        if not self.applies_to(client):
            return None
        now = self.clock()
        with self._lock:
            entries = self._spent.get(client or "")
            if not entries:
                return None
            self._expire(entries, now)
            spent = sum(s for _, s in entries)
            if spent < self.limit:
                return None
            # drop the oldest charges until the rest fits under the limit
            for at, seconds in entries:
                spent -= seconds
                if spent < self.limit:
                    return max(1, math.ceil(at + self.window - now))
            return max(1, math.ceil(self.window))

    def start(self, client: str | None) -> bool:
        """Count one more running query for the client; False (nothing counted) when at the limit."""
        if self.concurrent <= 0 or not self.applies_to(client):
            return True
        key = client or ""
        with self._lock:
            if self._running.get(key, 0) >= self.concurrent:
                return False
            self._running[key] = self._running.get(key, 0) + 1
            return True

    def finish(self, client: str | None, seconds: float) -> None:
        """The query ended (answered, failed or stopped): release its slot and charge its time."""
        if self.concurrent > 0 and self.applies_to(client):
            key = client or ""
            with self._lock:
                left = self._running.get(key, 0) - 1
                if left > 0:
                    self._running[key] = left
                else:
                    self._running.pop(key, None)
        self.charge(client, seconds)

    def charge(self, client: str | None, seconds: float) -> None:
        if not self.applies_to(client):
            return
        now = self.clock()
        with self._lock:
            self._spent.setdefault(client or "", deque()).append((now, seconds))
            if now - self._last_sweep > self.window:
                self._sweep(now)

    def spent(self, client: str | None) -> float:
        now = self.clock()
        with self._lock:
            entries = self._spent.get(client or "", deque())
            self._expire(entries, now)
            return sum(s for _, s in entries)

    def _expire(self, entries: deque[tuple[float, float]], now: float) -> None:
        while entries and entries[0][0] <= now - self.window:
            entries.popleft()

    def _sweep(self, now: float) -> None:
        self._last_sweep = now
        for key in list(self._spent):
            self._expire(self._spent[key], now)
            if not self._spent[key]:
                del self._spent[key]
