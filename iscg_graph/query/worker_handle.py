"""The parent's handle on one query worker process (`iscg_graph.query.workers` keeps a pool of them).

A worker is started with ``python -c`` (not multiprocessing's spawn, which re-runs the parent's
``__main__``) and talks over a socket pair wrapped in a multiprocessing `Connection`; its side is
`iscg_graph.query.worker_process`.

- **A light process.** The worker imports only what it runs: pyoxigraph and the few modules of
  `worker_process`. The package's public API (``iscg_graph/__init__.py``) re-exports the whole
  library (rdflib, pyshacl, scipy, the build); importing it would cost every worker ~50 MB before
  any data. So the child registers a bare ``iscg_graph`` package (its path only, no ``__init__``
  run) before importing `worker_process`; every module below it is imported normally.
- **No orphans.** On Linux a worker asks the kernel to kill it when the service dies (even by
  SIGKILL), so a query still running cannot outlive it. pyoxigraph holds the GIL while it
  evaluates, so the worker could not notice by itself. The kernel ties this to the *thread* that
  started the worker, so every worker is started from one spawner thread that lives as long as the
  process.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from pathlib import Path

from ..errors import EngineUnavailable, StoreError
from ..rdf.store import DataKey
from .messages import LoadFailed, Ready

__all__ = ["Worker", "readable"]

_PACKAGE_DIR = Path(__file__).resolve().parents[1]
_PACKAGE_ROOT = str(_PACKAGE_DIR.parent)

# The child's program: the package root first on its path (as PYTHONPATH would, the environment
# unread), a bare `iscg_graph` package so the public API's imports are skipped, then the worker.
CHILD_CODE = (
    "import sys, types; "
    f"sys.path.insert(0, {_PACKAGE_ROOT!r}); "
    "pkg = types.ModuleType('iscg_graph'); "
    f"pkg.__path__ = [{str(_PACKAGE_DIR)!r}]; "
    "sys.modules['iscg_graph'] = pkg; "
    "from iscg_graph.query.worker_process import child_entry; child_entry(sys.argv[1:])"
)


async def readable(conn: Connection, timeout: float) -> None:
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


class Worker:
    """One worker process and the parent's end of its socket. Raises `RuntimeError` when the
    spawner takes no more work (the interpreter is exiting)."""

    def __init__(self, store_path: str, max_bytes: int | None, base_iri: str | None,
                 memory_bytes: int | None = None, shared_store: bool = False, copy_wait: float = 0.0):
        parent_sock, child_sock = socket.socketpair()
        argv = [sys.executable, "-c", CHILD_CODE, str(child_sock.fileno()), store_path, str(max_bytes or 0),
                base_iri or "", str(memory_bytes or 0), str(os.getpid()), "shared" if shared_store else "",
                repr(float(copy_wait))]
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
        if not isinstance(msg, Ready):
            reason = msg.reason if isinstance(msg, LoadFailed) else repr(msg)
            raise StoreError(f"query worker cannot load the store: {reason}")
        self.generation = msg.generation
        self.graphs = msg.graphs

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
