"""Workers that share the on-disk store (read-only) instead of each loading a copy of the snapshot."""

from __future__ import annotations

import os
import threading
import time
from multiprocessing.connection import Connection
from pathlib import Path

import pytest

from iscg_graph.build.pipeline import write_store
from iscg_graph.query.workers import ProcessPoolEngine
from iscg_graph.rdf.store import SNAPSHOT, EmbeddedStore

JSON = "application/sparql-results+json"


def test_shared_workers_read_the_on_disk_store_and_follow_writes(tmp_path: Path) -> None:
    path = tmp_path / "store"
    made = write_store(path, b'<urn:a> <urn:p> "x" <urn:g> .\n', "v1")
    del made
    writer = EmbeddedStore.open_writable(path)  # the service's writer holds the store meanwhile
    (path / SNAPSHOT).rename(tmp_path / "moved.nq")  # a worker loading a copy could not start now
    with ProcessPoolEngine(path, workers=1, timeout=30, shared_store=True) as engine:
        assert b"true" in engine.run("ASK { <urn:a> ?p ?o }", media_type=JSON).body
        assert b"false" in engine.run("ASK { <urn:b> ?p ?o }", media_type=JSON).body
        writer.add_to_graph("urn:g", b'<urn:b> <urn:p> "y" .\n')  # new generation: workers reopen
        assert b"true" in engine.run("ASK { <urn:b> ?p ?o }", media_type=JSON).body


def test_open_read_only_sees_the_built_data(tmp_path: Path) -> None:
    path = tmp_path / "store"
    made = write_store(path, b'<urn:a> <urn:p> "x" <urn:g> .\n', "v1")
    del made
    assert EmbeddedStore.open_read_only(path).select("SELECT ?s WHERE { ?s ?p ?o }")


def test_the_light_path_reads_the_on_disk_store_beside_the_writer(tmp_path: Path) -> None:
    """With the shared store the server process keeps no copy of the data for light queries: it
    reads the build's store read-only, in the process that holds it for writing, and follows a
    write once its generation is asked for."""
    from iscg_graph.query.inline import InlineRunner
    from iscg_graph.rdf.store import data_key

    path = tmp_path / "store"
    made = write_store(path, b'<urn:a> <urn:p> "x" <urn:g> .\n', "v1")
    del made
    writer = EmbeddedStore.open_writable(path)
    (path / SNAPSHOT).rename(tmp_path / "moved.nq")  # a private copy could not be loaded now
    runner = InlineRunner(path, max_rows=100, shared_store=True)
    runner.load(background=False)
    before = data_key(writer.meta)
    answer = runner.run("SELECT ?o WHERE { <urn:a> <urn:p> ?o }", generation=before, media_type=JSON)
    assert answer is not None and b'"x"' in answer.body and runner.runs == 1
    (tmp_path / "moved.nq").rename(path / SNAPSHOT)  # the writer rewrites the snapshot on a write
    writer.add_to_graph("urn:g", b'<urn:a> <urn:p> "y" .\n')
    after = data_key(writer.meta)
    assert runner.run("SELECT ?o WHERE { <urn:a> <urn:p> ?o }", generation=after, media_type=JSON) is None
    deadline = time.monotonic() + 30  # the first call after the write reloads in the background
    while runner.generation != after and time.monotonic() < deadline:
        time.sleep(0.05)
    again = runner.run("SELECT ?o WHERE { <urn:a> <urn:p> ?o }", generation=after, media_type=JSON)
    assert again is not None and b'"y"' in again.body


def _open_store_files(pid: int, store: Path) -> list[str]:
    """Files of the on-disk database (``oxigraph/``) the process holds open."""
    fd_dir = Path(f"/proc/{pid}/fd")
    found = []
    for fd in fd_dir.iterdir():
        try:
            target = str(fd.readlink())
        except OSError:
            continue
        if target.startswith(str(store / "oxigraph")):
            found.append(target)
    return found


def test_a_worker_answers_from_the_on_disk_store_while_its_copy_cannot_load(tmp_path: Path) -> None:
    """A worker of the default mode (a copy each) is ready before its copy: it answers from the
    on-disk store, read-only, meanwhile (here the snapshot is gone, so it stays there)."""
    path = tmp_path / "store"
    made = write_store(path, b'<urn:a> <urn:p> "x" <urn:g> .\n', "v1")
    del made
    writer = EmbeddedStore.open_writable(path)
    (path / SNAPSHOT).rename(tmp_path / "moved.nq")
    with ProcessPoolEngine(path, workers=1, timeout=30) as engine:
        assert b"true" in engine.run("ASK { <urn:a> ?p ?o }", media_type=JSON).body
        assert b"true" in engine.run("ASK { <urn:a> ?p ?o }", media_type=JSON).body
    del writer


def test_a_worker_moves_to_its_in_memory_copy_and_a_shared_one_stays_on_disk(tmp_path: Path) -> None:
    path = tmp_path / "store"
    made = write_store(path, b'<urn:a> <urn:p> "x" <urn:g> .\n', "v1")
    del made
    with ProcessPoolEngine(path.resolve(), workers=1, timeout=30, shared_store=True) as engine:
        assert b"true" in engine.run("ASK { <urn:a> ?p ?o }", media_type=JSON).body
        assert _open_store_files(engine.worker_pids()[0], path.resolve())  # it reads the database
    with ProcessPoolEngine(path.resolve(), workers=1, timeout=30) as engine:
        pid = engine.worker_pids()[0]
        deadline = time.monotonic() + 30  # the copy loads in the worker's background thread
        while True:
            assert b"true" in engine.run("ASK { <urn:a> ?p ?o }", media_type=JSON).body
            if not _open_store_files(pid, path.resolve()) or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert _open_store_files(pid, path.resolve()) == []  # switched: the database is closed


class _Racing:
    """pyoxigraph as seen by a reader whose first ``fails`` read-only opens race a compaction."""

    def __init__(self, fails: int) -> None:
        import pyoxigraph

        self._real, self.fails, self.tries = pyoxigraph, fails, 0
        racing = self

        class Store:
            def __new__(cls, *args: object) -> pyoxigraph.Store:  # in-memory and writable: the real one
                return pyoxigraph.Store(*args)

            @staticmethod
            def read_only(path: str) -> pyoxigraph.Store:
                racing.tries += 1
                if racing.tries <= racing.fails:
                    raise RuntimeError(f"Corruption: IO error: No such file or directory: {path}/000041.sst")
                return pyoxigraph.Store.read_only(path)

        self.Store = Store

    def __getattr__(self, name: str) -> object:
        return getattr(self._real, name)


def test_a_read_only_open_that_races_a_compaction_is_tried_again(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The service's writer compacts when it opens a store whose log holds commits: a reader's open
    can then name a table file just deleted. A later attempt reads the new list of files."""
    import iscg_graph.rdf.store as store_module

    path = tmp_path / "store"
    write_store(path, b'<urn:a> <urn:p> "x" <urn:g> .\n', "v1")
    racing = _Racing(fails=2)
    monkeypatch.setattr(store_module, "_READ_ONLY_PAUSE", 0.001)
    monkeypatch.setattr(store_module, "ox", racing)
    assert EmbeddedStore.open_read_only(path).select("SELECT ?s WHERE { ?s ?p ?o }")
    assert racing.tries == 3


def test_a_worker_whose_read_only_open_keeps_failing_loads_the_snapshot(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Not a 503 (the fresh-clone failure this guards against): the worker loads the snapshot."""
    import iscg_graph.rdf.store as store_module
    from iscg_graph.errors import StoreError
    from iscg_graph.query.messages import Ready
    from iscg_graph.query.worker_process import _load

    path = tmp_path / "store"
    write_store(path, b'<urn:a> <urn:p> "x" <urn:g> .\n', "v1")
    racing = _Racing(fails=100)
    monkeypatch.setattr(store_module, "_READ_ONLY_PAUSE", 0.001)
    monkeypatch.setattr(store_module, "ox", racing)
    try:
        EmbeddedStore.open_read_only(path)
    except StoreError as exc:
        assert "cannot open" in str(exc) and "000041.sst" in str(exc)
    else:
        raise AssertionError("a read-only open that always fails must raise StoreError")
    store, status, copy = _load(str(path))
    assert isinstance(status, Ready) and copy is None and store is not None
    assert store.select("SELECT ?s WHERE { ?s ?p ?o }")


def test_a_workers_copy_loads_at_the_workers_own_priority(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    # at the lowest priority the queries answered from disk meanwhile kept the copy from loading for
    # as long as they came (docs/notes/scale.md §52); the load is bounded work, so it competes fairly
    from iscg_graph.query import worker_process

    seen: list[int] = []

    def record(path: object, *args: object, **kwargs: object) -> None:
        seen.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
        return None

    monkeypatch.setattr(worker_process.EmbeddedStore, "open_snapshot", staticmethod(record))
    copy = worker_process._Copy(str(tmp_path))
    copy._thread.join(10)
    assert copy.done()
    assert seen == [os.getpriority(os.PRIO_PROCESS, threading.get_native_id())]


def _worker_with_a_held_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, read: int, size: int,
                             copy_wait: float) -> tuple[Connection, threading.Event]:
    """A worker (in a thread) on a built store whose copy has read ``read`` of ``size`` bytes and
    stays loading until the returned event is set."""
    from multiprocessing import Pipe

    from iscg_graph.query import worker_process

    path = tmp_path / "store"
    made = write_store(path, b'<urn:a> <urn:p> "x" <urn:g> .\n', "v1")
    del made
    release = threading.Event()
    real = EmbeddedStore.open_snapshot

    def held(store_path: object, *, progress: object = None) -> EmbeddedStore:
        progress(read, size)  # type: ignore[operator]
        assert release.wait(30)
        return real(store_path)  # type: ignore[arg-type]

    monkeypatch.setattr(worker_process.EmbeddedStore, "open_snapshot", staticmethod(held))
    parent, child = Pipe()
    threading.Thread(target=worker_process._worker_main, args=(child, str(path), None, None),
                     kwargs={"copy_wait": copy_wait}, daemon=True).start()
    assert parent.poll(30) and isinstance(parent.recv(), worker_process.Ready)
    return parent, release


def _ask(conn: Connection, *, at_once: bool = False) -> None:
    from iscg_graph.query.interface import QueryRequest

    conn.send(QueryRequest.of("ASK { <urn:a> ?p ?o }", media_type=JSON, at_once=at_once))


def _answer(conn: Connection) -> bytes:
    from iscg_graph.query.messages import Answer

    assert isinstance(conn.recv(), Answer)
    return conn.recv_bytes()


def test_a_request_waits_for_a_copy_that_is_nearly_in(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # a query cannot move to the copy once started on disk (a heavy one ran 6-7x longer there at
    # 1M, docs/notes/scale.md §52): with the copy nine tenths read, a request waits for it
    conn, release = _worker_with_a_held_copy(tmp_path, monkeypatch, 90, 100, copy_wait=30)
    _ask(conn, at_once=True)  # the service's own lookups never wait: answered from disk
    assert conn.poll(10) and b"true" in _answer(conn)
    _ask(conn)
    assert not conn.poll(0.5)  # waiting for the copy (the load is held)
    release.set()
    assert conn.poll(30) and b"true" in _answer(conn)


def test_a_request_does_not_wait_for_a_copy_far_from_in(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    conn, release = _worker_with_a_held_copy(tmp_path, monkeypatch, 1, 10**9, copy_wait=30)
    _ask(conn)  # at this pace the copy is hours away: answered from the on-disk store now
    assert conn.poll(10) and b"true" in _answer(conn)
    release.set()
    conn.send(None)


def test_a_pool_waits_for_a_copy_at_most_half_a_query_time_out(tmp_path: Path) -> None:
    path = tmp_path / "store"
    made = write_store(path, b'<urn:a> <urn:p> "x" <urn:g> .\n', "v1")
    del made
    assert ProcessPoolEngine(path, timeout=10, copy_wait=15).copy_wait == 5
    assert ProcessPoolEngine(path, timeout=60, copy_wait=15).copy_wait == 15
