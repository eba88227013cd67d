"""Long queries yield the CPU: the worker running one is reniced past the threshold, then restored.

No timing is asserted: the tests wait (with a generous bound) for the mechanism to engage and
check the priority the kernel reports."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from iscg_graph.build.pipeline import write_store
from iscg_graph.errors import QueryTimeout
from iscg_graph.query import priority
from iscg_graph.query.priority import Demoter
from iscg_graph.query.workers import ProcessPoolEngine

pytestmark = pytest.mark.skipif(not hasattr(os, "setpriority"), reason="POSIX priorities")


def _nice(pid: int) -> int:
    return os.getpriority(os.PRIO_PROCESS, pid)


def _until(cond, bound: float = 30.0) -> bool:  # type: ignore[no-untyped-def]
    end = time.monotonic() + bound
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.02)
    return cond()


@pytest.fixture
def sleeper():  # type: ignore[no-untyped-def]
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    yield proc
    proc.kill()
    proc.wait()


def test_past_the_threshold_the_process_is_reniced_and_restored(sleeper) -> None:  # type: ignore[no-untyped-def]
    demoter = Demoter(after=0.05, nice=15)
    try:
        before = _nice(sleeper.pid)
        watch = demoter.watch(sleeper.pid)
        assert _until(lambda: watch.demoted), "the watcher never demoted the process"
        assert _nice(sleeper.pid) == 15 and demoter.demotions == 1
        assert watch.finish()
        assert _nice(sleeper.pid) == before
    finally:
        demoter.close()


def test_a_query_that_returns_in_time_is_never_reniced(sleeper) -> None:  # type: ignore[no-untyped-def]
    demoter = Demoter(after=3600, nice=15)
    try:
        before = _nice(sleeper.pid)
        watch = demoter.watch(sleeper.pid)
        assert watch.finish() and not watch.demoted
        assert _nice(sleeper.pid) == before and demoter.demotions == 0
    finally:
        demoter.close()


def test_a_restore_that_is_not_permitted_is_reported(sleeper, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    demoter = Demoter(after=0.01, nice=15)
    try:
        watch = demoter.watch(sleeper.pid)
        assert _until(lambda: watch.demoted)

        def refuse(*args: object) -> None:
            raise PermissionError("not permitted")

        monkeypatch.setattr(priority.os, "setpriority", refuse)
        assert watch.finish() is False  # the pool replaces such a worker
    finally:
        demoter.close()


def test_the_pool_demotes_the_worker_of_a_long_query(tmp_path: Path) -> None:
    path = tmp_path / "store"
    nquads = "".join(f'<urn:item:{i}> <urn:p> "item {i}" <urn:g> .\n' for i in range(300)).encode()
    made = write_store(path, nquads, "test")
    del made
    endless = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"  # 8e9 rows
    with ProcessPoolEngine(path, workers=1, timeout=20, demote_after=0.2, demoted_nice=17) as engine:
        (pid,) = engine.worker_pids()
        own = os.getpriority(os.PRIO_PROCESS, 0)
        assert _nice(pid) == own
        failure: list[BaseException] = []

        def run() -> None:
            try:
                engine.run(endless, media_type="text/csv")
            except BaseException as exc:  # noqa: BLE001
                failure.append(exc)

        runner = threading.Thread(target=run)
        runner.start()
        try:
            assert _until(lambda: _nice(pid) == 17, bound=15), "the long query's worker kept its priority"
            assert engine.demoter is not None and engine.demoter.demotions == 1
        finally:
            os.kill(pid, 9)  # end the query now rather than at its timeout
            runner.join()
        assert failure and not isinstance(failure[0], QueryTimeout)
        # its replacement starts at normal priority and answers short queries
        assert b"true" in engine.run("ASK { ?s ?p ?o }", media_type="application/sparql-results+json").body
        (fresh,) = engine.worker_pids()
        assert fresh != pid and _nice(fresh) == own
