"""IdleQueue: released items go to waiters in arrival order, threads and coroutines alike."""

from __future__ import annotations

import asyncio
import threading
import time

from iscg_graph.query.idle_queue import IdleQueue


def test_free_items_are_taken_at_once_and_timeouts_return_none() -> None:
    q: IdleQueue[str] = IdleQueue()
    q.release("a")
    assert q.try_get() == "a"
    assert q.try_get() is None
    started = time.monotonic()
    assert q.get(0.1) is None
    assert time.monotonic() - started >= 0.09  # it waited (how precisely: bench/safety.py)
    assert asyncio.run(q.aget(0.05)) is None


def test_a_thread_waiter_is_served_before_a_later_coroutine() -> None:
    q: IdleQueue[str] = IdleQueue()
    got: dict[str, str | None] = {}
    thread = threading.Thread(target=lambda: got.update(thread=q.get(5)))
    thread.start()
    time.sleep(0.1)  # the thread waits first

    async def coroutine() -> None:
        waiting = asyncio.ensure_future(q.aget(5))
        await asyncio.sleep(0.05)
        q.release("first")  # to the thread
        q.release("second")  # to the coroutine, woken on its own loop
        got["coroutine"] = await waiting

    asyncio.run(coroutine())
    thread.join(5)
    assert got == {"thread": "first", "coroutine": "second"}


def test_an_abandoned_waiter_does_not_swallow_items() -> None:
    q: IdleQueue[str] = IdleQueue()
    assert q.get(0.05) is None  # gave up: left an abandoned waiter behind
    q.release("x")
    assert q.try_get() == "x"

    async def cancelled() -> None:
        task = asyncio.ensure_future(q.aget(5))
        await asyncio.sleep(0.01)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    asyncio.run(cancelled())
    q.release("y")
    assert q.try_get() == "y"
