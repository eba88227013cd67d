"""bench/proctree.py: a server's process tree (its workers included), its CPU time, and the wait for
it to go quiet before the scenarios run (a busy tree is reported as such, not waited for forever)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
BUSY_CHILD = "import subprocess, sys; subprocess.run([sys.executable, '-c', 'while True: pass'])"


@pytest.fixture(scope="module")
def proctree() -> ModuleType:
    sys.path.insert(0, str(BENCH))
    try:
        return __import__("proctree")
    finally:
        sys.path.remove(str(BENCH))


@pytest.fixture
def busy_tree() -> Iterator[subprocess.Popen[bytes]]:
    """A parent that waits on a child spinning on one core (a server and its busy worker)."""
    proc = subprocess.Popen([sys.executable, "-c", BUSY_CHILD])
    try:
        yield proc
    finally:
        subprocess.run(["pkill", "-KILL", "-P", str(proc.pid)], check=False)
        proc.kill()
        proc.wait()


def test_a_busy_worker_keeps_the_tree_busy(proctree: ModuleType, busy_tree: subprocess.Popen[bytes]) -> None:
    waited = proctree.settle(busy_tree.pid, window=0.5, cap=2.0)
    assert waited is None  # still busy at the cap
    members = proctree.tree(busy_tree.pid)
    assert busy_tree.pid in members and len(members) == 2  # the parent and its spinning child
    assert proctree.tree_cpu(busy_tree.pid) > proctree.cpu_seconds(busy_tree.pid)  # the child's counts
    rss, pss = proctree.tree_memory(busy_tree.pid)
    assert rss > 0 and pss > 0


def test_an_idle_tree_settles(proctree: ModuleType) -> None:
    proc = subprocess.Popen(["sleep", "30"])
    try:
        waited = proctree.settle(proc.pid, window=0.2, cap=10.0)
    finally:
        proc.kill()
        proc.wait()
    assert waited is not None and waited < 10.0


def test_a_process_gone_uses_no_cpu(proctree: ModuleType) -> None:
    proc = subprocess.Popen(["true"])
    proc.wait()
    assert proctree.cpu_seconds(proc.pid) == 0.0
    assert proctree.tree(proc.pid) == [proc.pid]
