"""Idle workers handed to waiters in arrival order, whether they are threads or coroutines.

`ProcessPoolEngine` is used from plain threads (``def`` routes, the CLI) and from the event loop
(the ``/sparql`` route). A released worker goes straight to the longest-waiting caller: a thread
is woken through an `threading.Event`, a coroutine through its future on its own loop
(``call_soon_threadsafe``), so neither kind starves the other and no thread is needed to wait
asynchronously.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import deque
from typing import Generic, TypeVar

T = TypeVar("T")


class _Waiter(Generic[T]):
    def __init__(self, loop: asyncio.AbstractEventLoop | None = None):
        self.loop = loop
        self.future: asyncio.Future[None] | None = loop.create_future() if loop is not None else None
        self.event = threading.Event() if loop is None else None
        self.item: T | None = None
        self.abandoned = False

    def deliver(self, item: T) -> None:  # under the queue's lock
        self.item = item
        if self.loop is not None:
            self.loop.call_soon_threadsafe(self._resolve)
        else:
            assert self.event is not None
            self.event.set()

    def _resolve(self) -> None:
        if self.future is not None and not self.future.done():
            self.future.set_result(None)


class IdleQueue(Generic[T]):
    def __init__(self) -> None:
        self._free: deque[T] = deque()
        self._waiters: deque[_Waiter[T]] = deque()
        self._lock = threading.Lock()

    def release(self, item: T) -> None:
        """Hand ``item`` to the oldest waiter, or keep it until someone asks."""
        with self._lock:
            while self._waiters:
                waiter = self._waiters.popleft()
                if not waiter.abandoned:
                    waiter.deliver(item)
                    return
            self._free.append(item)

    def __len__(self) -> int:
        """Items waiting to be taken."""
        with self._lock:
            return len(self._free)

    def try_get(self) -> T | None:
        with self._lock:
            return self._free.popleft() if self._free else None

    def _enqueue(self, waiter: _Waiter[T]) -> T | None:
        with self._lock:
            if self._free:
                return self._free.popleft()
            self._waiters.append(waiter)
            return None

    def _abandon(self, waiter: _Waiter[T]) -> None:
        with self._lock:
            if waiter.item is None:
                waiter.abandoned = True
                return
        self.release(waiter.item)  # it was handed over just as we gave up: pass it on

    def get(self, timeout: float, *, tick: float = 0.25, give_up: object = None) -> T | None:
        """Block up to ``timeout`` seconds; None on timeout. ``give_up`` (a callable) is polled every
        ``tick`` seconds and ends the wait early when it returns true."""
        waiter: _Waiter[T] = _Waiter()
        found = self._enqueue(waiter)
        if found is not None:
            return found
        assert waiter.event is not None
        end = time.monotonic() + timeout
        while True:
            if waiter.event.wait(max(0.0, min(tick, end - time.monotonic()))):
                return waiter.item
            if time.monotonic() >= end or (callable(give_up) and give_up()):
                self._abandon(waiter)
                return None

    async def aget(self, timeout: float) -> T | None:
        """Wait on the running event loop up to ``timeout`` seconds; None on timeout."""
        waiter: _Waiter[T] = _Waiter(asyncio.get_running_loop())
        found = self._enqueue(waiter)
        if found is not None:
            return found
        assert waiter.future is not None
        try:
            await asyncio.wait_for(asyncio.shield(waiter.future), timeout)
        except TimeoutError:
            self._abandon(waiter)
            return None
        except BaseException:  # cancelled: do not lose a worker handed over meanwhile
            self._abandon(waiter)
            raise
        return waiter.item
