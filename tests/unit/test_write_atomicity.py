"""A write is all or nothing, also when the writing process is killed (SIGKILL) in the middle.

A child process opens a real on-disk store and commits one large change (tens of thousands of
quads) through the write path; the parent kills it with SIGKILL at several moments after the
commit began. Reopened: the store holds either none of the change or all of it together with its
journal record, and `recover` brings the snapshot (what readers load) level with it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from iscg_graph.build.pipeline import write_store
from iscg_graph.curation.history import CHANGES_GRAPH
from iscg_graph.curation.writes import recover
from iscg_graph.rdf.store import EmbeddedStore

ADDED = 60_000
BASE_NQ = b"<http://e/s> <http://e/p> <http://e/o> <http://e/g> .\n"

CHILD = textwrap.dedent(f"""
    import sys
    import pyoxigraph as ox
    from iscg_graph.curation.writes import Author, WritePath
    from iscg_graph.rdf.store import EmbeddedStore

    class Ok:
        conforms = True
        violations = ()

    store = EmbeddedStore.open_writable(sys.argv[1])
    original = store.apply_update

    def announced(text, **kwargs):
        print("committing", flush=True)
        original(text, **kwargs)
        print("committed", flush=True)

    store.apply_update = announced
    if sys.argv[2] == "after-commit":  # stop between the transaction and the snapshot rewrite
        def stalled(*args):
            print("transaction committed", flush=True)
            import time
            time.sleep(60)

        store._after_write = stalled
    g = ox.NamedNode("http://e/big")
    quads = [ox.Quad(ox.NamedNode(f"http://e/s{{i}}"), ox.NamedNode("http://e/p"), ox.Literal(str(i)), g)
             for i in range({ADDED})]
    WritePath(store, validate=lambda graph: Ok()).apply(lambda work: work.extend(quads),
                                                        Author("tester", "bulk", "test", "test"))
    print("done", flush=True)
""")


def _run_and_kill(store_dir: Path, script: Path, when: float | str) -> str:
    child = subprocess.Popen([sys.executable, str(script), str(store_dir), str(when)], stdout=subprocess.PIPE,
                             cwd=Path(__file__).resolve().parents[2])
    assert child.stdout is not None
    wait_for = "transaction committed" if when == "after-commit" else "committing"
    line = ""
    while line != wait_for:
        line = child.stdout.readline().decode().strip()
        assert line or child.poll() is None, f"the child ended before {wait_for!r}"
    if isinstance(when, float):
        time.sleep(when)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    rest = child.stdout.read().decode()
    if when == "after-commit":
        return "committed"
    return "committed" if "committed" in rest else "killed during commit"


@pytest.mark.slow
@pytest.mark.parametrize("when", [0.0, 0.3, "after-commit"])
def test_kill_9_during_a_large_write_leaves_all_or_nothing(tmp_path: Path, when: float | str) -> None:
    store = write_store(tmp_path / "store", BASE_NQ, "kill-test")
    before = len(store)
    del store
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    outcome = _run_and_kill(tmp_path / "store", script, when)

    reopened = EmbeddedStore.open_writable(tmp_path / "store")
    big = sum(1 for _ in reopened.inner.quads_for_pattern(None, None, None, ox.NamedNode("http://e/big")))
    journal = sum(1 for _ in reopened.inner.quads_for_pattern(None, None, None, ox.NamedNode(CHANGES_GRAPH)))
    assert (big, journal > 0) in ((0, False), (ADDED, True)), (outcome, big, journal)
    if outcome == "committed":
        assert big == ADDED
    if when == "after-commit":
        assert (reopened.path / "snapshot.nq").read_bytes() == BASE_NQ  # type: ignore[operator]
        assert recover(reopened)
    else:
        recover(reopened)
    snapshot = EmbeddedStore.open_snapshot(tmp_path / "store")
    assert len(snapshot) == len(reopened) == before + big + journal
