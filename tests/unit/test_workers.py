"""ProcessPoolEngine on its own: swap of a rebuilt store, recovery when the store appears late, no orphans."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from iscg_graph.build.pipeline import write_store
from iscg_graph.query.workers import EngineUnavailable, ProcessPoolEngine

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


REPO = Path(__file__).resolve().parents[2]


def _gone(pid: int) -> bool:
    """Exited (a zombie waiting for a reaper counts: it runs nothing)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal is Linux's")
def test_a_busy_worker_does_not_outlive_a_killed_service(tmp_path: Path) -> None:
    """SIGKILL runs no shutdown code; the worker is in the middle of a query that never ends and
    holds the GIL, so only the kernel can stop it: it must, or it burns a core until reboot."""
    data = "".join(f'<urn:s{i}> <urn:p> "{i}" <urn:g> .\n' for i in range(200)).encode()
    made = write_store(tmp_path / "store", data, "v1")
    del made
    script = textwrap.dedent(f"""
        import threading, time
        from iscg_graph.query.workers import ProcessPoolEngine
        engine = ProcessPoolEngine({str(tmp_path / "store")!r}, workers=1, timeout=600).start(wait=True)
        endless = "SELECT (COUNT(*) AS ?n) WHERE {{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }}"
        threading.Thread(target=engine.run, args=(endless,), kwargs={{"media_type": {JSON!r}}},
                         daemon=True).start()
        print(*engine.worker_pids(), flush=True)
        time.sleep(600)
    """)
    service = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, cwd=REPO,
                               env={**os.environ, "PYTHONPATH": str(REPO)})
    try:
        assert service.stdout is not None
        (worker,) = (int(pid) for pid in service.stdout.readline().split())
        time.sleep(1.0)  # the query is under way
        assert not _gone(worker)
        service.send_signal(signal.SIGKILL)
        service.wait(10)
        deadline = time.monotonic() + 10
        while not _gone(worker):
            assert time.monotonic() < deadline, f"worker {worker} outlived its service"
            time.sleep(0.05)
    finally:
        service.kill()
        service.wait(10)


def test_a_worker_started_from_a_thread_that_has_ended_keeps_serving(tmp_path: Path) -> None:
    """The parent-death signal follows the thread that started the worker, not the process: workers
    started from a short-lived thread (a request's, a retry's) must not die with it."""
    engine = ProcessPoolEngine(store(tmp_path / "store", "urn:v2", "v2"), workers=1, timeout=10)
    starter = threading.Thread(target=engine.start, kwargs={"wait": True})
    starter.start()
    starter.join()
    try:
        before = engine.worker_pids()
        time.sleep(0.5)
        assert b"true" in engine.run(ASK, media_type=JSON).body
        assert engine.worker_pids() == before
        assert not any(_gone(pid) for pid in before)
    finally:
        engine.close()


def test_a_worker_imports_only_what_it_runs(tmp_path: Path) -> None:
    """The worker loads pyoxigraph, not the library's public API (rdflib, scipy, pyshacl...): the
    shared libraries it maps say which compiled packages it imported."""
    with ProcessPoolEngine(store(tmp_path / "s", "urn:v1", "v1"), workers=1, timeout=10) as engine:
        assert b"false" in engine.run(ASK, media_type=JSON).body
        maps = Path(f"/proc/{engine.worker_pids()[0]}/maps").read_text()
    assert "pyoxigraph" in maps
    for heavy in ("numpy", "scipy", "_pydantic_core"):
        assert heavy not in maps, heavy
