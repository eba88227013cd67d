"""Killable query execution: a pool of worker processes, each with an in-memory copy of the store.

Neither rdflib nor pyoxigraph can cancel a running query from Python, so the only way to stop a
runaway query and free its CPU is to run it in a process that can be killed. `ProcessPoolEngine`
keeps ``workers`` processes (fresh interpreters: no forked locks or threads). Each loads the
store's ``snapshot.nq`` into an in-memory pyoxigraph store, then answers requests sent over a pipe
with bytes serialised by Oxigraph's own writers (`iscg_graph.query.engine.execute`).

- Timeout: the caller waits on the pipe with a deadline; past it the worker is killed (SIGKILL,
  then reaped), a replacement is started in the background and `QueryTimeout` is raised.
- Concurrency: a query takes an idle worker; other workers keep serving while one is busy.
- Freshness: before a query the engine compares ``meta.json``'s generation with the one each worker
  loaded; a stale worker reloads the snapshot first.
- Optional address-space cap per worker (``memory_bytes``): a query that would exhaust memory
  kills its worker only (the request gets `EngineUnavailable`, a new worker starts).
- Optional result cache (``cache_bytes``): identical requests on an unchanged generation are
  answered from memory (`iscg_graph.query.result_cache`).
- Optional in-process path (``inline``): a query proven light (`iscg_graph.query.light`: a bound on the
  rows it can touch, from its text and the store's counts) runs in the caller, not in a worker.
- No orphans: on Linux a worker asks the kernel to kill it when the service dies (even by SIGKILL),
  so a query still running cannot outlive it. pyoxigraph holds the GIL while it evaluates, so the
  worker could not notice by itself. The kernel ties this to the *thread* that started the worker,
  so every worker is started from one spawner thread that lives as long as the process.
"""

from __future__ import annotations

import asyncio
import ctypes
import functools
import os
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from ..errors import QueryError, QuerySyntaxError, QueryTimeout, ResultTooLarge, StoreError
from ..rdf.store import META, DataKey, EmbeddedStore, data_key, read_meta
from .engine import EngineResult, execute
from .idle_queue import IdleQueue
from .inline import InlineRunner
from .result_cache import ResultCache, cacheable

__all__ = ["EngineUnavailable", "ProcessPoolEngine", "data_key"]

_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])


class EngineUnavailable(QueryError):
    """No worker could take the query in time, or the worker died (retry later)."""


# ----------------------------------------------------------------------------------------------
# the worker process


def _worker_main(conn: Connection, store_path: str, max_bytes: int | None, base_iri: str | None) -> None:
    store = None
    try:
        store = EmbeddedStore.open_snapshot(store_path)
        conn.send(("ready", data_key(store.meta), store.graphs()))
    except Exception as exc:  # noqa: BLE001  (reported to the parent, then exit)
        conn.send(("failed", f"{type(exc).__name__}: {exc}"))
        return
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg is None:
            return
        if msg[0] == "reload":
            try:
                store = EmbeddedStore.open_snapshot(store_path)
                conn.send(("ready", data_key(store.meta), store.graphs()))
            except Exception as exc:  # noqa: BLE001
                conn.send(("failed", f"{type(exc).__name__}: {exc}"))
                return
            continue
        _, sparql, media_type, subs, default_graph, named_graphs, row_limit = msg
        try:
            result = execute(store, sparql, media_type=media_type, substitutions=subs,
                             default_graph=default_graph, named_graphs=named_graphs,
                             row_limit=row_limit, max_bytes=max_bytes, base_iri=base_iri)
        except QuerySyntaxError as exc:
            conn.send(("error", "syntax", (exc.message, exc.line, exc.column)))
        except ResultTooLarge as exc:
            conn.send(("error", "too-large", (str(exc),)))
        except QueryError as exc:
            conn.send(("error", "query", (str(exc),)))
        except Exception as exc:  # noqa: BLE001  (evaluation errors, bad substitutions)
            conn.send(("error", "query", (f"{type(exc).__name__}: {exc}",)))
        else:
            conn.send(("ok", result.media_type, result.kind, result.rows))
            conn.send_bytes(result.body)


_PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int) -> None:
    """Have the kernel SIGKILL this process when its parent's spawner thread ends (Linux), and exit now
    if the parent is already gone (it died before the request was made)."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # no prctl: the worker still exits when its socket closes
            pass
    if os.getppid() != parent:
        os._exit(1)


def _child_entry(argv: list[str]) -> None:
    fd, store_path, max_bytes, base_iri, memory = int(argv[0]), argv[1], int(argv[2]), argv[3], int(argv[4])
    _die_with_parent(int(argv[5]))
    if memory:  # address-space cap: a query that would exhaust the machine's memory kills only this worker
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    _worker_main(Connection(fd), store_path, max_bytes or None, base_iri or None)


def _cache_key(sparql: str, media_type: str, substitutions: Mapping[str, str] | None,
               default_graph: list[str] | None, named_graphs: list[str] | None,
               row_limit: int | None) -> tuple[object, ...] | None:
    if len(sparql) > 8192 or not cacheable(sparql):  # long texts would make the keys the memory
        return None
    subs = tuple(sorted(substitutions.items())) if substitutions else ()
    return (sparql, media_type, subs, tuple(default_graph) if default_graph is not None else None,
            tuple(named_graphs) if named_graphs is not None else None, row_limit)


async def _readable(conn: Connection, timeout: float) -> None:
    """Wait until the worker's socket has data, on the running event loop (TimeoutError past it)."""
    loop = asyncio.get_running_loop()
    ready = loop.create_future()
    fd = conn.fileno()

    def wake() -> None:
        if not ready.done():
            ready.set_result(None)

    loop.add_reader(fd, wake)
    try:
        await asyncio.wait_for(ready, timeout)
    finally:
        loop.remove_reader(fd)
        os.set_blocking(fd, True)  # uvloop leaves the descriptor non-blocking; Connection reads block


def _rebuild_error(kind: str, args: tuple[Any, ...]) -> QueryError:
    if kind == "syntax":
        return QuerySyntaxError(*args)
    if kind == "too-large":
        return ResultTooLarge(*args)
    return QueryError(*args)


# ----------------------------------------------------------------------------------------------
# the parent side


_spawner_lock = threading.Lock()
_spawner_pool: ThreadPoolExecutor | None = None


def _spawner() -> ThreadPoolExecutor:
    """The one thread that starts every worker of this process. Its thread waits for work until the
    interpreter exits (a pool thread never ends while idle), so a worker's parent-death signal fires
    only when the service itself ends."""
    global _spawner_pool
    with _spawner_lock:
        if _spawner_pool is None:
            _spawner_pool = ThreadPoolExecutor(1, thread_name_prefix="iscg-worker-spawner")
        return _spawner_pool


def _forget_spawner() -> None:  # a forked child has no copy of the thread
    global _spawner_pool, _spawner_lock
    _spawner_pool, _spawner_lock = None, threading.Lock()


os.register_at_fork(after_in_child=_forget_spawner)


class _Worker:
    """One worker process, started with ``python -c`` (not multiprocessing's spawn, which re-runs
    the parent's ``__main__``), talking over a socket pair wrapped in a multiprocessing Connection."""

    def __init__(self, store_path: str, max_bytes: int | None, base_iri: str | None,
                 memory_bytes: int | None = None):
        parent_sock, child_sock = socket.socketpair()
        # the package root goes first on the child's path (as PYTHONPATH would), the environment unread
        code = (f"import sys; sys.path.insert(0, {_PACKAGE_ROOT!r}); "
                "from iscg_graph.query.workers import _child_entry; _child_entry(sys.argv[1:])")
        argv = [sys.executable, "-c", code, str(child_sock.fileno()), store_path, str(max_bytes or 0),
                base_iri or "", str(memory_bytes or 0), str(os.getpid())]
        try:  # started by the spawner thread: the worker's life is tied to that thread's (Linux)
            self.process = _spawner().submit(
                subprocess.Popen, argv, pass_fds=(child_sock.fileno(),), stdin=subprocess.DEVNULL,
                close_fds=True,
            ).result()
        finally:
            child_sock.close()
        self.conn = Connection(parent_sock.detach())
        self.pid = self.process.pid
        self.generation: DataKey | None = None
        self.graphs: frozenset[str] = frozenset()

    def alive(self) -> bool:
        return self.process.poll() is None

    def wait_ready(self, timeout: float) -> None:
        if not self.conn.poll(timeout):
            raise EngineUnavailable(f"query worker did not start within {timeout:.0f} s")
        try:
            msg = self.conn.recv()
        except (EOFError, OSError) as exc:
            raise EngineUnavailable("query worker exited while loading the store") from exc
        if msg[0] != "ready":
            raise StoreError(f"query worker cannot load the store: {msg[1]}")
        self.generation = tuple(msg[1])  # type: ignore[assignment]
        self.graphs = frozenset(msg[2])

    def kill(self) -> None:
        try:
            self.process.kill()
        except OSError:
            pass
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            pass
        self.conn.close()

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except (OSError, ValueError):
            pass
        try:
            self.process.wait(2)
            self.conn.close()
        except subprocess.TimeoutExpired:
            self.kill()


class ProcessPoolEngine:
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
        cache_bytes: int = 0,
        memory_bytes: int | None = None,
        inline: InlineRunner | None = None,
    ):
        self.store_path = str(Path(store_path))
        self.size = max(1, workers)
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.start_timeout = start_timeout
        self.base_iri = base_iri
        self.cache = ResultCache(cache_bytes)
        self.memory_bytes = memory_bytes
        self.inline = inline
        self._idle: IdleQueue[_Worker] = IdleQueue()
        self._lock = threading.Lock()
        self._all: set[_Worker] = set()
        self._closed = False
        self._meta_stamp: tuple[int, int] | None = None
        self._generation: DataKey | None = None
        self._graphs: frozenset[str] = frozenset()
        self._ready = threading.Event()
        self._boot_error: str | None = None
        self._backoff = 1.0

    # -- life cycle ----------------------------------------------------------------------------
    def start(self, wait: bool = False) -> ProcessPoolEngine:
        """Start the workers (in the background unless ``wait``)."""
        self._generation = data_key(read_meta(Path(self.store_path)))
        if self.inline is not None:
            self.inline.load(background=not wait)
        for _ in range(self.size):
            self._spawn(background=not wait)
        return self

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.stop()

    def __enter__(self) -> ProcessPoolEngine:
        return self.start(wait=True)

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _spawn(self, background: bool = True) -> None:
        # the process starts now; its loading is waited for (in the background unless asked)
        try:
            worker = _Worker(self.store_path, self.max_bytes, self.base_iri, self.memory_bytes)
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

    def _discard(self, worker: _Worker) -> None:
        with self._lock:
            self._all.discard(worker)
        worker.kill()

    # -- what the endpoint needs to know -------------------------------------------------------
    def graphs(self, wait: float = 0.0) -> frozenset[str]:
        """Named graphs of the loaded dataset (for dataset-IRI checks and the service description)."""
        if not self._ready.is_set():
            self._ready.wait(wait)
        return self._graphs  # as loaded by the newest worker (run() notices new generations)

    def worker_pids(self) -> list[int]:
        with self._lock:
            return sorted(w.pid for w in self._all)

    @property
    def generation(self) -> int:
        """The data generation the engine serves (``meta.json``)."""
        return self._generation[2] if self._generation else 0

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
    def run(
        self,
        sparql: str,
        *,
        media_type: str,
        substitutions: Mapping[str, str] | None = None,
        default_graph: list[str] | None = None,
        named_graphs: list[str] | None = None,
        timeout: float | None = None,
        row_limit: int | None = None,
    ) -> EngineResult:
        limit = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + limit
        self._refresh_generation()
        key = self._cache_key(sparql, media_type, substitutions, default_graph, named_graphs, row_limit)
        if key is not None and (cached := self.cache.get(key, self._generation)) is not None:
            return cached
        if (light := self._run_inline(key, sparql, media_type, substitutions, default_graph, named_graphs,
                                      row_limit)) is not None:
            return light
        worker = self._checkout(deadline, limit)
        request = ("query", sparql, media_type, dict(substitutions or {}), default_graph, named_graphs,
                   row_limit)
        try:
            worker.conn.send(request)
            if not worker.conn.poll(max(deadline - time.monotonic(), 0.0)):
                raise QueryTimeout(f"the query ran longer than {limit:g} s and was stopped")
            msg = worker.conn.recv()
            if msg[0] == "ok":
                body = worker.conn.recv_bytes()
                result = EngineResult(body, msg[1], msg[2], msg[3])
            else:
                raise _rebuild_error(msg[1], msg[2])
        except QueryTimeout:
            self._replace(worker)
            raise
        except (EOFError, OSError, BrokenPipeError) as exc:
            self._replace(worker)
            raise EngineUnavailable("the query worker stopped unexpectedly (out of memory?)") from exc
        except QueryError:
            self._idle.release(worker)
            raise
        except BaseException:
            self._replace(worker)
            raise
        self._idle.release(worker)
        if key is not None:
            self.cache.put(key, worker.generation, result)
        return result

    def _cache_key(self, sparql: str, media_type: str, substitutions: Mapping[str, str] | None,
                   default_graph: list[str] | None, named_graphs: list[str] | None,
                   row_limit: int | None) -> tuple[object, ...] | None:
        if self.cache.max_bytes <= 0:  # no cache: nothing to key (scanning the text costs)
            return None
        return _cache_key(sparql, media_type, substitutions, default_graph, named_graphs, row_limit)

    def _run_inline(self, key: tuple[object, ...] | None, sparql: str, media_type: str,
                    substitutions: Mapping[str, str] | None, default_graph: list[str] | None,
                    named_graphs: list[str] | None, row_limit: int | None) -> EngineResult | None:
        """The answer of a proven-light query, run here (cached like a worker's), or None."""
        if self.inline is None:
            return None
        generation = self._generation
        result = self.inline.run(sparql, generation=generation, media_type=media_type,
                                 substitutions=substitutions, default_graph=default_graph,
                                 named_graphs=named_graphs, row_limit=row_limit)
        if result is not None and key is not None:
            self.cache.put(key, generation, result)
        return result

    def answer_now(self, sparql: str, *, media_type: str, default_graph: list[str] | None = None,
                   named_graphs: list[str] | None = None,
                   row_limit: int | None = None) -> EngineResult | None:
        """The answer `run` would give without a worker: from the result cache, or run here when the
        query is proven light; else None (nothing runs; a cache miss is not counted, since the
        caller then asks `run_async`)."""
        self._refresh_generation()
        key = self._cache_key(sparql, media_type, None, default_graph, named_graphs, row_limit)
        if key is not None and (hit := self.cache.peek(key, self._generation)) is not None:
            return hit
        return self._run_inline(key, sparql, media_type, None, default_graph, named_graphs, row_limit)

    async def run_async(
        self,
        sparql: str,
        *,
        media_type: str,
        substitutions: Mapping[str, str] | None = None,
        default_graph: list[str] | None = None,
        named_graphs: list[str] | None = None,
        timeout: float | None = None,
        row_limit: int | None = None,
    ) -> EngineResult:
        """`run` for an event loop: waits for a worker and on its socket without a thread (the
        blocking `run` goes to the default executor only before the pool has started)."""
        self._refresh_generation()
        key = self._cache_key(sparql, media_type, substitutions, default_graph, named_graphs, row_limit)
        if key is not None and (cached := self.cache.get(key, self._generation)) is not None:
            return cached
        if (light := self._run_inline(key, sparql, media_type, substitutions, default_graph, named_graphs,
                                      row_limit)) is not None:
            return light
        loop = asyncio.get_running_loop()
        if not self._ready.is_set() or self._boot_error is not None:
            call = functools.partial(self.run, sparql, media_type=media_type, substitutions=substitutions,
                                     default_graph=default_graph, named_graphs=named_graphs, timeout=timeout,
                                     row_limit=row_limit)
            return await loop.run_in_executor(None, call)
        limit = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + limit
        worker = await self._acheckout(deadline, limit)
        request = ("query", sparql, media_type, dict(substitutions or {}), default_graph, named_graphs,
                   row_limit)
        try:
            worker.conn.send(request)
            if not worker.conn.poll(0):
                await _readable(worker.conn, max(deadline - time.monotonic(), 0.0))
            msg = worker.conn.recv()
            if msg[0] == "ok":
                body = worker.conn.recv_bytes()
                result = EngineResult(body, msg[1], msg[2], msg[3])
            else:
                raise _rebuild_error(msg[1], msg[2])
        except TimeoutError:
            self._replace(worker)
            raise QueryTimeout(f"the query ran longer than {limit:g} s and was stopped") from None
        except (EOFError, OSError) as exc:
            self._replace(worker)
            raise EngineUnavailable("the query worker stopped unexpectedly (out of memory?)") from exc
        except QueryError:
            self._idle.release(worker)
            raise
        except BaseException:  # cancelled while the worker runs: its state is unknown
            self._replace(worker)
            raise
        self._idle.release(worker)
        if key is not None:
            self.cache.put(key, worker.generation, result)
        return result

    def _busy(self, limit: float) -> EngineUnavailable:
        return EngineUnavailable(f"all {self.size} query workers stayed busy for {limit:g} s; retry later")

    async def _acheckout(self, deadline: float, limit: float) -> _Worker:
        while True:
            worker = await self._idle.aget(max(0.0, deadline - time.monotonic()))
            if worker is None:
                raise self._busy(limit)
            if worker.alive() and worker.generation == self._generation:
                return worker
            ready = await asyncio.get_running_loop().run_in_executor(None, self._prepare, worker)
            if ready is not None:
                return ready

    def _checkout(self, deadline: float, limit: float) -> _Worker:
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

    def _prepare(self, worker: _Worker) -> _Worker | None:
        """The worker, alive and holding the current data (reloaded if needed); None if replaced."""
        if not worker.alive():
            self._replace(worker)
            return None
        if worker.generation != self._generation:
            try:
                worker.conn.send(("reload",))
                worker.wait_ready(self.start_timeout)
            except (QueryError, StoreError, OSError):
                self._replace(worker)
                return None
            self._graphs = worker.graphs
        return worker

    def _replace(self, worker: _Worker) -> None:
        """Kill a worker (frees its CPU at once) and start a fresh one in the background."""
        self._discard(worker)
        if not self._closed:
            self._spawn(background=True)

