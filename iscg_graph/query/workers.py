"""Killable query execution: a pool of worker processes, each with an in-memory copy of the store.

Neither rdflib nor pyoxigraph can cancel a running query from Python, so the only way to stop a
runaway query and free its CPU is to run it in a process that can be killed. `ProcessPoolEngine`
keeps ``workers`` processes (fresh interpreters: no forked locks or threads). Each opens the
build's on-disk store read-only and answers from it at once while it loads the store's
``snapshot.nq`` into an in-memory pyoxigraph store, then answers from that copy
(`iscg_graph.query.worker_process`); requests come over a pipe, answers are bytes serialised by
Oxigraph's own writers (`iscg_graph.query.engine.execute`).

- Timeout: the caller waits on the pipe with a deadline; past it the worker is killed (SIGKILL,
  then reaped), a replacement is started in the background and `QueryTimeout` is raised.
- Concurrency: a query takes an idle worker; other workers keep serving while one is busy.
- Freshness: before a query the engine compares ``meta.json``'s generation with the one each worker
  loaded; a stale worker reloads the snapshot first.
- Optional address-space cap per worker (``memory_bytes``): a query that would exhaust memory
  kills its worker only (the request gets `EngineUnavailable`, a new worker starts).
- Messages are typed (`iscg_graph.query.messages`): a `QueryRequest` goes out, `Answer` plus the
  body's bytes or `Failure` comes back.
- The pool is one engine; the result cache and the in-process path for proven-light queries are
  layers over it (`iscg_graph.query.layers`, composed in `iscg_graph.query.compose`).
- One worker is a `iscg_graph.query.worker_handle.Worker`: how it is started (a light interpreter
  that imports pyoxigraph, not the whole library), stopped, and tied to the service's life (no
  orphans, even when the service is killed).
"""

from __future__ import annotations

import asyncio
import functools
import os
import threading
import time
from collections.abc import Hashable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import EngineUnavailable, QueryError, QueryTimeout, StoreError
from ..rdf.store import META, DataKey, data_key, read_meta
from .engine import EngineResult
from .idle_queue import IdleQueue
from .interface import BaseEngine, QueryRequest
from .messages import Answer, Failure, Reload
from .priority import Demoter, Watch
from .worker_handle import Worker, readable

__all__ = ["EngineUnavailable", "ProcessPoolEngine", "data_key"]


class ProcessPoolEngine(BaseEngine):
    """The production `QueryEngine`: worker processes that are killed on timeout."""

    def __init__(
        self,
        store_path: str | os.PathLike[str],
        *,
        workers: int = 2,
        timeout: float = 30.0,
        max_bytes: int | None = 512 * 1024 * 1024,
        start_timeout: float = 120.0,
        base_iri: str | None = None,
        memory_bytes: int | None = None,
        demote_after: float | None = None,
        demoted_nice: int = 19,
        shared_store: bool = False,
        copy_wait: float = 0.0,
    ):
        self.store_path = str(Path(store_path))
        self.size = max(1, workers)
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.start_timeout = start_timeout
        self.base_iri = base_iri
        self.memory_bytes = memory_bytes
        self._idle: IdleQueue[Worker] = IdleQueue()
        self._lock = threading.Lock()
        self._all: set[Worker] = set()
        self._closed = False
        self._meta_stamp: tuple[int, int] | None = None
        self._generation: DataKey | None = None
        self._graphs: frozenset[str] = frozenset()
        self._ready = threading.Event()
        self._boot_error: str | None = None
        self._backoff = 1.0
        # past ``demote_after`` s a query's worker is reniced so short queries keep the CPU
        self.demoter = Demoter(demote_after, demoted_nice) if demote_after else None
        # workers open the on-disk store read-only (one copy per machine) instead of loading a copy
        self.shared_store = shared_store
        # a request may wait this long for a worker's in-memory copy that is nearly loaded; at most
        # half its time-out, so that it still has time to run (a worker past it is killed)
        self.copy_wait = min(copy_wait, timeout / 2)

    # -- life cycle ----------------------------------------------------------------------------
    def start(self, wait: bool = False) -> ProcessPoolEngine:
        """Start the workers (in the background unless ``wait``)."""
        self._generation = data_key(read_meta(Path(self.store_path)))
        for _ in range(self.size):
            self._spawn(background=not wait)
        return self

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
        if self.demoter is not None:
            self.demoter.close()
        for worker in workers:
            worker.stop()

    def __enter__(self) -> ProcessPoolEngine:  # type: ignore[override]
        return self.start(wait=True)

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _spawn(self, background: bool = True) -> None:
        # the process starts now; its loading is waited for (in the background unless asked)
        try:
            worker = Worker(self.store_path, self.max_bytes, self.base_iri, self.memory_bytes,
                             self.shared_store, self.copy_wait)
        except RuntimeError:  # the spawner takes no more work: the interpreter is exiting
            return
        with self._lock:
            if self._closed:
                worker.stop()
                return
            self._all.add(worker)

        def boot() -> None:
            try:
                worker.wait_ready(self.start_timeout)
            except (QueryError, StoreError) as exc:
                self._discard(worker)
                self._boot_error = str(exc)
                self._ready.set()  # wake waiting requests: they report the failure
                self._retry_later()  # e.g. the store is being swapped: the pool must not shrink for good
                raise
            self._boot_error = None
            self._backoff = 1.0
            self._graphs = worker.graphs
            self._ready.set()
            self._idle.release(worker)

        if background:
            threading.Thread(target=self._boot_logged, args=(boot,), daemon=True).start()
        else:
            boot()

    def _retry_later(self) -> None:
        delay = self._backoff
        self._backoff = min(self._backoff * 2, 30.0)

        def retry() -> None:
            time.sleep(delay)
            if not self._closed:
                self._spawn(background=True)

        threading.Thread(target=retry, daemon=True).start()

    @staticmethod
    def _boot_logged(boot: Any) -> None:
        try:
            boot()
        except Exception:  # noqa: BLE001  (a request waiting for a worker reports the failure)
            pass

    def _discard(self, worker: Worker) -> None:
        with self._lock:
            self._all.discard(worker)
        worker.kill()

    # -- what the endpoint needs to know -------------------------------------------------------
    def graphs(self, wait: float = 0.0) -> frozenset[str]:
        """Named graphs of the loaded dataset (for dataset-IRI checks and the service description)."""
        if not self._ready.is_set():
            self._ready.wait(wait)
        return self._graphs  # as loaded by the newest worker (run() notices new generations)

    def idle_workers(self) -> int:
        """Workers loaded and waiting for a query (observability, tests)."""
        return len(self._idle)

    def worker_pids(self) -> list[int]:
        with self._lock:
            return sorted(w.pid for w in self._all)

    @property
    def generation(self) -> Hashable:
        """What identifies the data the engine serves (``meta.json``, re-read when it changes)."""
        self._refresh_generation()
        return self._generation

    def _refresh_generation(self) -> None:
        try:
            st = os.stat(os.path.join(self.store_path, META))
        except OSError:
            return
        stamp = (st.st_mtime_ns, st.st_ino)
        if stamp != self._meta_stamp:
            self._meta_stamp = stamp
            try:
                self._generation = data_key(read_meta(Path(self.store_path)))
            except StoreError:
                pass

    # -- running queries -----------------------------------------------------------------------
    def execute(self, request: QueryRequest, timeout: float | None = None) -> EngineResult:
        limit = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + limit
        self._refresh_generation()
        worker = self._checkout(deadline, limit)
        with self._lease(worker, limit):
            worker.conn.send(request)
            if not worker.conn.poll(max(deadline - time.monotonic(), 0.0)):
                raise TimeoutError
            return self._receive(worker)
        raise AssertionError("unreachable")  # pragma: no cover  (_lease re-raises)

    async def execute_async(self, request: QueryRequest, timeout: float | None = None) -> EngineResult:
        """`execute` for an event loop: waits for a worker and on its socket without a thread (the
        blocking `execute` goes to the default executor only before the pool has started)."""
        self._refresh_generation()
        if not self._ready.is_set() or self._boot_error is not None:
            call = functools.partial(self.execute, request, timeout)
            return await asyncio.get_running_loop().run_in_executor(None, call)
        limit = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + limit
        worker = await self._acheckout(deadline, limit)
        with self._lease(worker, limit):
            worker.conn.send(request)
            if not worker.conn.poll(0):
                await readable(worker.conn, max(deadline - time.monotonic(), 0.0))
            return self._receive(worker)
        raise AssertionError("unreachable")  # pragma: no cover  (_lease re-raises)

    @staticmethod
    def _receive(worker: Worker) -> EngineResult:
        msg = worker.conn.recv()
        if isinstance(msg, Answer):
            return EngineResult(worker.conn.recv_bytes(), msg.media_type, msg.kind, msg.rows)
        if isinstance(msg, Failure):
            raise msg.error()
        raise EngineUnavailable(f"the query worker sent {type(msg).__name__}, not an answer")

    @contextmanager
    def _lease(self, worker: Worker, limit: float) -> Iterator[None]:
        """A checked-out worker, returned to the pool after a normal answer or a query error, and
        replaced (killed) when it ran out of time, died, or its state is unknown (cancelled).
        While it runs it is watched: past the pool's threshold its priority is lowered, then
        restored here (or, if the restore is not permitted, the worker is replaced)."""
        watch = self.demoter.watch(worker.pid) if self.demoter is not None else None
        try:
            yield
        except TimeoutError:  # before OSError: TimeoutError is one
            self._replace(worker)
            raise QueryTimeout(f"the query ran longer than {limit:g} s and was stopped") from None
        except (EOFError, OSError) as exc:
            self._replace(worker)
            raise EngineUnavailable("the query worker stopped unexpectedly (out of memory?)") from exc
        except EngineUnavailable:  # it sent something it should not have
            self._replace(worker)
            raise
        except QueryError:
            self._release(worker, watch)
            raise
        except BaseException:
            self._replace(worker)
            raise
        finally:
            if watch is not None:
                watch.done = True  # a killed worker is not reniced (its pid may be reused)
        self._release(worker, watch)

    def _release(self, worker: Worker, watch: Watch | None) -> None:
        if watch is not None and not watch.finish():
            self._replace(worker)  # it could not get its priority back: a fresh worker instead
            return
        self._idle.release(worker)

    def _busy(self, limit: float) -> EngineUnavailable:
        return EngineUnavailable(f"all {self.size} query workers stayed busy for {limit:g} s; retry later")

    async def _acheckout(self, deadline: float, limit: float) -> Worker:
        while True:
            worker = await self._idle.aget(max(0.0, deadline - time.monotonic()))
            if worker is None:
                raise self._busy(limit)
            if worker.alive() and worker.generation == self._generation:
                return worker
            ready = await asyncio.get_running_loop().run_in_executor(None, self._prepare, worker)
            if ready is not None:
                return ready

    def _checkout(self, deadline: float, limit: float) -> Worker:
        # before the first worker is ready, wait for start-up rather than the query's own deadline
        end = deadline if self._ready.is_set() else max(deadline, time.monotonic() + self.start_timeout)
        while True:
            worker = self._idle.get(max(0.0, end - time.monotonic()),
                                    give_up=lambda: self._boot_error is not None)
            if worker is None:
                if self._boot_error is not None:
                    raise EngineUnavailable(f"no query worker: {self._boot_error}")
                raise self._busy(limit)
            ready = self._prepare(worker)
            if ready is not None:
                return ready

    def _prepare(self, worker: Worker) -> Worker | None:
        """The worker, alive and holding the current data (reloaded if needed); None if replaced."""
        if not worker.alive():
            self._replace(worker)
            return None
        if worker.generation != self._generation:
            try:
                worker.conn.send(Reload())
                worker.wait_ready(self.start_timeout)
            except (QueryError, StoreError, OSError):
                self._replace(worker)
                return None
            self._graphs = worker.graphs
        return worker

    def _replace(self, worker: Worker) -> None:
        """Kill a worker (frees its CPU at once) and start a fresh one in the background."""
        self._discard(worker)
        if not self._closed:
            self._spawn(background=True)

