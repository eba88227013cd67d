"""ProcessPoolEngine on its own: swap of a rebuilt store, recovery when the store appears late."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from iscg_graph.build import write_store
from iscg_graph.workers import EngineUnavailable, ProcessPoolEngine

ASK = "ASK { <urn:v2> ?p ?o }"
JSON = "application/sparql-results+json"


def store(path: Path, subject: str, version: str) -> Path:
    made = write_store(path, f'<{subject}> <urn:p> "x" <urn:g> .\n'.encode(), version, built_at=version)
    del made
    return path


def swap(link: Path, target: Path) -> None:
    tmp = link.with_name(link.name + ".tmp")
    os.symlink(target, tmp)
    os.replace(tmp, link)


def test_a_rebuilt_store_swapped_in_is_picked_up(tmp_path: Path) -> None:
    link = tmp_path / "store"
    swap(link, store(tmp_path / "build-1", "urn:v1", "2026-01-01T00:00:00Z"))
    with ProcessPoolEngine(link, workers=1, timeout=10) as engine:
        assert b"false" in engine.run(ASK, media_type=JSON).body
        # the new build has generation 0 too: the build time tells them apart
        swap(link, store(tmp_path / "build-2", "urn:v2", "2026-01-02T00:00:00Z"))
        assert b"true" in engine.run(ASK, media_type=JSON).body


def test_the_pool_recovers_when_the_store_appears_later(tmp_path: Path) -> None:
    path = tmp_path / "store"
    engine = ProcessPoolEngine(path, workers=1, timeout=5, start_timeout=10).start()
    try:
        with pytest.raises(EngineUnavailable, match="no query worker"):
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:  # until the first boot has failed
                engine.run(ASK, media_type=JSON)
        store(path, "urn:v2", "2026-01-02T00:00:00Z")
        deadline = time.monotonic() + 15
        while True:
            try:
                assert b"true" in engine.run(ASK, media_type=JSON).body
                break
            except EngineUnavailable:
                assert time.monotonic() < deadline, "no worker came back"
                time.sleep(0.2)
    finally:
        engine.close()


def test_a_query_that_exhausts_its_memory_cap_kills_only_its_worker(tmp_path: Path) -> None:
    path = tmp_path / "store"
    nquads = "".join(f'<urn:item:{i}> <urn:p> "item {i}" <urn:g> .\n' for i in range(200)).encode()
    made = write_store(path, nquads, "test")
    del made
    huge = "SELECT ?a ?c ?f ?i WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i"  # 8M sorted rows
    with ProcessPoolEngine(path, workers=1, timeout=30, memory_bytes=600_000_000) as engine:
        before = engine.worker_pids()
        with pytest.raises(EngineUnavailable, match="stopped unexpectedly"):
            engine.run(huge, media_type="text/csv")
        assert b"true" in engine.run("ASK { ?s ?p ?o }", media_type=JSON).body  # a new worker answers
        assert engine.worker_pids() != before
