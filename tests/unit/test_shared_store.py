"""Workers that share the on-disk store (read-only) instead of each loading a copy of the snapshot."""

from __future__ import annotations

import time
from pathlib import Path

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
