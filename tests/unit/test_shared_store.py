"""Workers that share the on-disk store (read-only) instead of each loading a copy of the snapshot."""

from __future__ import annotations

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
