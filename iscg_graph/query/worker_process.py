"""The worker process of the pool (`iscg_graph.query.workers`): started with ``python -c``, it loads
the store's snapshot into memory, answers `QueryRequest` messages with Oxigraph's serialised bytes
(typed replies: `iscg_graph.query.messages`), and dies with the service (Linux: parent-death signal).
"""

from __future__ import annotations

import ctypes
import os
import resource
import signal
import sys
from multiprocessing.connection import Connection

from ..rdf.store import EmbeddedStore, data_key
from .engine import run_request
from .messages import Answer, Failure, LoadFailed, Ready, Reload

__all__ = ["child_entry"]

def _load(store_path: str, shared: bool = False) -> tuple[EmbeddedStore | None, Ready | LoadFailed]:
    try:
        if shared:  # the on-disk store, read-only: one copy of the data per machine (page cache)
            store = EmbeddedStore.open_read_only(store_path)
        else:
            store = EmbeddedStore.open_snapshot(store_path)
    except Exception as exc:  # noqa: BLE001  (reported to the parent)
        return None, LoadFailed(f"{type(exc).__name__}: {exc}")
    return store, Ready(data_key(store.meta), frozenset(store.graphs()))


def _worker_main(conn: Connection, store_path: str, max_bytes: int | None, base_iri: str | None,
                 shared: bool = False) -> None:
    store, status = _load(store_path, shared)
    conn.send(status)
    while store is not None:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg is None:
            return
        if isinstance(msg, Reload):
            store = None  # a read-only store is closed before it is reopened
            store, status = _load(store_path, shared)
            conn.send(status)
            continue
        try:
            result = run_request(store, msg, max_bytes=max_bytes, base_iri=base_iri)
        except Exception as exc:  # noqa: BLE001  (every failure goes back to the caller, typed)
            conn.send(Failure.of(exc))
        else:
            conn.send(Answer(result.media_type, result.kind, result.rows))
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


def child_entry(argv: list[str]) -> None:
    """The worker's ``main``: argv = socket fd, store path, max bytes, base IRI, memory cap, parent pid,
    and optionally ``shared`` (open the on-disk store read-only instead of loading a copy)."""
    fd, store_path, max_bytes, base_iri, memory = int(argv[0]), argv[1], int(argv[2]), argv[3], int(argv[4])
    _die_with_parent(int(argv[5]))
    if memory:  # address-space cap: a query that would exhaust the machine's memory kills only this worker
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    shared = len(argv) > 6 and argv[6] == "shared"
    _worker_main(Connection(fd), store_path, max_bytes or None, base_iri or None, shared)
