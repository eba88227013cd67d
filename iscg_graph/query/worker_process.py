"""The worker process of the pool (`iscg_graph.query.workers`): started with ``python -c``, it loads
the store's snapshot into memory, answers `QueryRequest` messages with Oxigraph's serialised bytes
(typed replies: `iscg_graph.query.messages`), and dies with the service (Linux: parent-death
signal).

Ready at once, fast later: a worker first opens the build's on-disk store read-only (milliseconds at
any size) and answers from it, while its in-memory copy of the snapshot loads in a background thread
(Oxigraph's bulk load releases the GIL); between two requests, once the copy holds the same data,
the worker switches to it (queries on the in-memory store are up to 3x faster at a million triples,
a heavy one up to 7x, docs/notes/scale.md §10, §52). A query cannot move to the copy once it
has started on disk, so a request that arrives while the copy loads waits for it when the copy is
expected within ``copy_wait`` seconds (at the pace the snapshot has been read so far), for at most
that long; the service's own lookups (`QueryRequest.at_once`) never wait. The copy loads at the
worker's own priority: at the lowest, the queries answered from disk meanwhile kept it from loading
for as long as they came (33 s of back-to-back queries, each 10x slower, after a start at 1M: §52).
With ``shared`` it stays on the on-disk store (one copy of the data per machine). Memory the
queries freed goes back to the system when the worker has grown and is idle (`heap`). A store
without an on-disk database is loaded into memory first, as before. On `Reload` an in-memory copy
applies the deltas written since its generation (`EmbeddedStore.catch_up`) and is loaded again only
when it cannot (a new build, a compaction).
"""

from __future__ import annotations

import ctypes
import os
import resource
import signal
import sys
import threading
import time
from multiprocessing.connection import Connection

from ..errors import StoreError
from ..rdf.store import DataKey, EmbeddedStore, data_key
from .engine import run_request
from .heap import HeapTrim
from .interface import QueryRequest
from .messages import Answer, Failure, LoadFailed, Ready, Reload

__all__ = ["child_entry"]

class _Copy:
    """The in-memory copy of the snapshot, loading in a background thread."""

    def __init__(self, store_path: str):
        self._store: EmbeddedStore | None = None
        self._began = time.monotonic()
        self._read = self._size = 0  # of the snapshot's bytes, as the load reads them
        self._thread = threading.Thread(target=self._load, args=(store_path,), daemon=True)
        self._thread.start()

    def _load(self, store_path: str) -> None:
        try:
            self._store = EmbeddedStore.open_snapshot(store_path, progress=self._progress)
        except Exception:  # noqa: BLE001  (the worker stays on the on-disk store)
            self._store = None

    def _progress(self, read: int, size: int) -> None:
        self._read, self._size = read, size

    def left(self) -> float | None:
        """Seconds until the copy is in, at the pace it has read the snapshot so far (None: nothing
        read yet). Reading is most of a load; indexing what was read takes a little after it."""
        if self._read <= 0 or self._size <= 0:
            return None
        done = min(self._read / self._size, 1.0)
        return (time.monotonic() - self._began) * (1.0 - done) / done

    def wait(self, seconds: float) -> bool:
        """Wait for the load at most ``seconds``; whether it has ended."""
        self._thread.join(seconds)
        return self.done()

    def done(self) -> bool:
        return not self._thread.is_alive()

    def take(self, key: DataKey) -> EmbeddedStore | None:
        """The loaded copy if it holds the data ``key`` names, after the deltas written since it
        loaded (else None: it is dropped)."""
        store, self._store = self._store, None
        if store is not None and data_key(store.meta) != key:
            store.catch_up()
        return store if store is not None and data_key(store.meta) == key else None

    def take_current(self) -> EmbeddedStore | None:
        """The loaded copy brought to the generation ``meta.json`` names (None: it could not be)."""
        store, self._store = self._store, None
        return store if store is not None and store.catch_up() else None


_Loaded = tuple[EmbeddedStore | None, Ready | LoadFailed, _Copy | None]


def _load(store_path: str, shared: bool = False, capped: bool = False) -> _Loaded:
    """The store to answer from now, the status for the parent, and the copy still loading (if any).
    ``capped`` (an address-space cap is set): the copy only, loaded before answering; the on-disk
    store's reservations and a loading thread beside it do not fit under such a cap (the worker
    aborted in a thread creation under 600 MB)."""
    try:
        if capped and not shared:
            return _ready(EmbeddedStore.open_snapshot(store_path), None)
        try:  # the on-disk store, read-only: one copy of the data per machine (page cache)
            store, copy = EmbeddedStore.open_read_only(store_path), None
        except StoreError:  # no on-disk database (or it cannot be opened): the snapshot, in memory
            if shared:
                raise
            store, copy = EmbeddedStore.open_snapshot(store_path), None
        else:
            copy = None if shared else _Copy(store_path)
    except Exception as exc:  # noqa: BLE001  (reported to the parent)
        return None, LoadFailed(f"{type(exc).__name__}: {exc}"), None
    return _ready(store, copy)


def _ready(store: EmbeddedStore, copy: _Copy | None) -> _Loaded:
    return store, Ready(data_key(store.meta), frozenset(store.graphs())), copy


def _await_copy(copy: _Copy, seconds: float) -> None:
    """Wait for a loading copy expected within ``seconds``, at most that long."""
    left = copy.left()
    if seconds > 0 and left is not None and left <= seconds:
        copy.wait(seconds)


def _answer(conn: Connection, store: EmbeddedStore, msg: QueryRequest, max_bytes: int | None,
            base_iri: str | None) -> None:
    """Run one request and send its answer or its failure (the result is freed on return)."""
    try:
        result = run_request(store, msg, max_bytes=max_bytes, base_iri=base_iri)
    except Exception as exc:  # noqa: BLE001  (every failure goes back to the caller, typed)
        conn.send(Failure.of(exc))
    else:
        conn.send(Answer(result.media_type, result.kind, result.rows))
        conn.send_bytes(result.body)


def _worker_main(conn: Connection, store_path: str, max_bytes: int | None, base_iri: str | None,
                 shared: bool = False, capped: bool = False, copy_wait: float = 0.0) -> None:
    store, status, copy = _load(store_path, shared, capped)
    conn.send(status)
    heap = HeapTrim()
    while store is not None:
        try:
            if heap.due and not conn.poll(IDLE_TRIM_SECONDS):  # idle: the freed memory back
                heap.when_idle()
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg is None:
            return
        if isinstance(msg, Reload):
            if copy is not None and copy.done():  # the copy loaded meanwhile: it is what catches up
                loaded, copy = copy.take_current(), None
                store = loaded if loaded is not None else store
            if store.catch_up():  # an in-memory copy: only the deltas written since it was loaded
                conn.send(_ready(store, copy)[1])
                continue
            store = copy = None  # a read-only store is closed before it is reopened
            store, status, copy = _load(store_path, shared, capped)
            conn.send(status)
            heap.after_request()  # the store closed, or the copy dropped: back when idle
            continue
        if copy is not None and not copy.done() and not msg.at_once:
            _await_copy(copy, copy_wait)
        if copy is not None and copy.done():  # switch to the in-memory copy between two requests
            loaded = copy.take(data_key(store.meta))
            copy = None
            if loaded is not None:
                store = loaded
        _answer(conn, store, msg, max_bytes, base_iri)
        heap.after_request()  # grown: the query's freed memory goes back once the worker is idle


IDLE_TRIM_SECONDS = 0.5  # no request for this long: a worker that has grown gives memory back
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


def child_entry(argv: list[str]) -> None:
    """The worker's ``main``: argv = socket fd, store path, max bytes, base IRI, memory cap, parent pid,
    ``shared`` or "" (open the on-disk store read-only instead of loading a copy), and optionally the
    seconds a request may wait for a copy that is nearly loaded."""
    fd, store_path, max_bytes, base_iri, memory = int(argv[0]), argv[1], int(argv[2]), argv[3], int(argv[4])
    _die_with_parent(int(argv[5]))
    if memory:  # address-space cap: a query that would exhaust the machine's memory kills only this worker
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    shared = len(argv) > 6 and argv[6] == "shared"
    copy_wait = float(argv[7]) if len(argv) > 7 else 0.0
    _worker_main(Connection(fd), store_path, max_bytes or None, base_iri or None, shared, bool(memory),
                 copy_wait)
