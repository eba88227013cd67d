"""A curated write is durable by the store's synced write-ahead log, not by a flush, and the delta
files it writes unsynced are repaired from the store (docs/notes/scale.md §27).

* A child process commits through the write path and is killed (SIGKILL) right after the answer;
  the commit had written no table file (the write lived only in the log), and the store reopened
  holds it, snapshot and meta brought level by `recover`.
* Every log file the commit changed is synced after the commit and before ``meta.json`` (the
  answer), by a descriptor of its own; the folder is synced when the set of log names changes.
* A power loss may leave the unsynced delta files cut short, zeroed or missing while ``meta.json``
  (synced) names them: the last delta cut at every byte offset, an earlier one zeroed or removed;
  `recover` then gives the on-disk store's state and the log is consistent again.
"""

from __future__ import annotations

import gc
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pyoxigraph as ox
import pytest

from iscg_graph.build.pipeline import write_store
from iscg_graph.curation.writes import Author, WritePath, recover
from iscg_graph.rdf import snapshot_delta, wal_sync
from iscg_graph.rdf import store as store_module
from iscg_graph.rdf.store import DB, META, SNAPSHOT, EmbeddedStore, read_meta

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "candidates" / "mini.trig"
Q32 = "https://w3id.org/iscg/id/question/itu-d/2018-2021/3-2"
ALT = "http://www.w3.org/2004/02/skos/core#altLabel"
GRAPH = "https://w3id.org/iscg/graph/itu-d"
ROOT = Path(__file__).resolve().parents[2]


def _build(folder: Path) -> None:
    mem = ox.Store()
    mem.load(path=str(FIXTURE), format=ox.RdfFormat.TRIG)
    store = write_store(folder, mem.dump(format=ox.RdfFormat.N_QUADS) or b"", "test")
    del store
    gc.collect()  # the RocksDB lock goes with the last reference


def _alias(text: str) -> ox.Quad:
    return ox.Quad(ox.NamedNode(Q32), ox.NamedNode(ALT), ox.Literal(text, language="en"), ox.NamedNode(GRAPH))


def _write(path: WritePath, text: str) -> None:
    assert path.apply(lambda work: work.add(_alias(text)), Author("editor", text, "test", "test")) is not None


def _norm(quads: object) -> list[str]:
    return sorted(str(q) for q in quads)  # type: ignore[attr-defined]


CHILD = textwrap.dedent("""
    import os, sys, time
    from pathlib import Path
    import pyoxigraph as ox
    from iscg_graph.curation.writes import Author, WritePath
    from iscg_graph.rdf.store import EmbeddedStore

    root = Path(sys.argv[1])
    store = EmbeddedStore.open_writable(root)
    tables = sorted(n for n in os.listdir(root / "oxigraph") if n.endswith(".sst"))
    quad = ox.Quad(ox.NamedNode(sys.argv[2]), ox.NamedNode(sys.argv[3]),
                   ox.Literal("survives a kill", language="en"), ox.NamedNode(sys.argv[4]))
    record = WritePath(store).apply(lambda work: work.add(quad), Author("editor", "c", "test", "test"))
    assert record is not None
    # no flush: the commit wrote no table file, it is in the write-ahead log only
    assert sorted(n for n in os.listdir(root / "oxigraph") if n.endswith(".sst")) == tables
    print("answered", record.number, flush=True)
    time.sleep(120)
""")


def test_a_commit_survives_a_kill_right_after_the_answer(tmp_path: Path) -> None:
    root = tmp_path / "build"
    _build(root)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(root), Q32, ALT, GRAPH],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT)
    try:
        assert child.stdout is not None
        line = child.stdout.readline().decode()
        assert line.startswith("answered"), (line, child.stderr.read().decode() if child.stderr else "")
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    store = EmbeddedStore.open_writable(root)
    assert _alias("survives a kill") in store.inner
    recover(store)
    assert store.snapshot_consistent() and not recover(store)
    assert _norm(EmbeddedStore.open_snapshot(root).inner) == _norm(store.inner)


def test_the_log_the_commit_went_to_is_synced_before_meta(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "build"
    _build(root)
    store = EmbeddedStore.open_writable(root)
    path = WritePath(store)
    _write(path, "first")  # the shapes loaded, the folder synced once
    events: list[str] = []
    real_sync = getattr(os, "fdatasync", os.fsync)

    def synced(fd: int) -> None:
        events.append("sync " + os.path.basename(os.readlink(f"/proc/self/fd/{fd}")))
        real_sync(fd)

    real_meta = store_module.write_meta

    def meta(*args: object) -> None:
        events.append("meta")
        real_meta(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(wal_sync.os, "fdatasync" if hasattr(os, "fdatasync") else "fsync", synced)
    monkeypatch.setattr(store_module, "write_meta", meta)
    before = {p.name: p.read_bytes() for p in wal_sync.wal_files(root / DB)}
    _write(path, "second")
    after = {p.name: p.read_bytes() for p in wal_sync.wal_files(root / DB)}
    changed = {name for name, data in after.items() if before.get(name) != data}
    assert changed  # the commit went to a log file
    assert events[-1] == "meta"
    assert changed <= {e.removeprefix("sync ") for e in events[:-1]}
    assert _alias("second") in EmbeddedStore.open_snapshot(root).inner


def test_the_folder_is_synced_when_its_logs_change(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folders: list[Path] = []
    monkeypatch.setattr(wal_sync, "fsync_dir", folders.append)
    (tmp_path / "000004.log").write_bytes(b"a")
    (tmp_path / "000005.sst").write_bytes(b"b")
    sync = wal_sync.WalSync(tmp_path)
    sync()
    sync()
    assert folders == [tmp_path]  # the first time only
    (tmp_path / "000004.log").rename(tmp_path / "000009.log")  # a recycled log
    sync()
    sync()
    (tmp_path / "000010.log").write_bytes(b"c")
    sync()
    assert folders == [tmp_path] * 3
    assert [p.name for p in wal_sync.wal_files(tmp_path)] == ["000009.log", "000010.log"]


@pytest.fixture
def logged(tmp_path: Path) -> tuple[EmbeddedStore, Path, Path]:
    """A store with three logged writes, and a copy of its snapshot, deltas and meta."""
    root = tmp_path / "build"
    _build(root)
    store = EmbeddedStore.open_writable(root)
    path = WritePath(store)
    for n in range(3):
        _write(path, f"alias {n}")
    meta = read_meta(root)
    assert meta.generation - meta.base == 3 and store.snapshot_consistent()
    saved = tmp_path / "saved"
    saved.mkdir()
    shutil.copy2(root / SNAPSHOT, saved / SNAPSHOT)
    shutil.copy2(root / META, saved / META)
    shutil.copytree(root / snapshot_delta.DELTAS, saved / snapshot_delta.DELTAS)
    return store, root, saved


def _restore(root: Path, saved: Path) -> None:
    shutil.copy2(saved / SNAPSHOT, root / SNAPSHOT)
    shutil.copy2(saved / META, root / META)
    shutil.rmtree(root / snapshot_delta.DELTAS, ignore_errors=True)
    shutil.copytree(saved / snapshot_delta.DELTAS, root / snapshot_delta.DELTAS)


def _unsynced_meta(root: Path, meta: object) -> None:
    (root / META).write_text(json.dumps(meta.to_json(), indent=2), "utf-8")  # type: ignore[attr-defined]


def _recovered(store: EmbeddedStore, root: Path) -> None:
    """As the service starts after a power loss: meta read again, `recover`, then a reader."""
    restarted = EmbeddedStore(store.inner, path=root, meta=read_meta(root))
    assert recover(restarted)
    assert restarted.snapshot_consistent() and not recover(restarted)
    assert _norm(EmbeddedStore.open_snapshot(root).inner) == _norm(store.inner)


def test_the_last_delta_cut_at_every_offset_is_repaired(logged: tuple[EmbeddedStore, Path, Path],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    store, root, saved = logged
    last = snapshot_delta.delta_path(root, read_meta(root).generation)
    whole = last.read_bytes()
    assert len(whole) > 1000
    # the repair's own syncs are not what this checks (thousands of them would take minutes)
    monkeypatch.setattr(os, "fsync", lambda fd: None)
    monkeypatch.setattr(store_module, "write_meta", _unsynced_meta)
    monkeypatch.setattr(snapshot_delta, "fsync_dir", lambda folder: None)
    for offset in range(len(whole)):
        _restore(root, saved)
        last.write_bytes(whole[:offset])
        with pytest.raises(store_module.StoreError, match="damaged"):
            EmbeddedStore.open_snapshot(root)
        _recovered(store, root)


@pytest.mark.parametrize("damage", ["zeroed", "missing", "one byte changed", "header zeroed"])
def test_an_earlier_delta_lost_to_a_power_loss_is_repaired(logged: tuple[EmbeddedStore, Path, Path],
                                                           damage: str) -> None:
    store, root, _ = logged
    meta = read_meta(root)
    middle = snapshot_delta.delta_path(root, meta.base + 2)
    data = middle.read_bytes()
    if damage == "zeroed":  # the size reached the disk, the data did not
        middle.write_bytes(bytes(len(data)))
    elif damage == "missing":
        middle.unlink()
    elif damage == "one byte changed":
        at = data.index(b'"alias 1"') + 2
        middle.write_bytes(data[:at] + b"X" + data[at + 1:])
    else:  # the first block lost, the rest (ending in `TC .`) on disk
        head = data.index(b"\n")
        middle.write_bytes(bytes(head) + data[head:])
    assert not store.snapshot_consistent()
    _recovered(store, root)


def test_a_delta_of_earlier_code_without_a_checksum_is_read(logged: tuple[EmbeddedStore, Path, Path]) -> None:
    """Delta files written before the checksum (synced then) are still replayed."""
    store, root, _ = logged
    for generation, path in snapshot_delta.delta_files(root).items():
        body = path.read_bytes().split(b"\n", 1)[1]
        path.write_bytes(f"# iscg snapshot delta: generation {generation}\n".encode() + body)
    assert store.snapshot_consistent() and not recover(store)
    assert _norm(EmbeddedStore.open_snapshot(root).inner) == _norm(store.inner)
