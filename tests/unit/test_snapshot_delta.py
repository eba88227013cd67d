"""The snapshot's delta log (docs/notes/scale.md §16): a curated write appends its exact quads
instead of rewriting ``snapshot.nq``; readers replay them; compaction folds them back in.

On a small valid dataset written as a real on-disk store, random curated writes (SPARQL Update,
Graph Store Protocol, reverts, a blank-node write that takes the full rewrite) are followed by
checks that the snapshot + deltas replayed equal the on-disk store quad for quad, and that a copy
that caught up equals one loaded again. A crash is simulated between each file operation of a
write and of a compaction: the store then opens, and after `recover` answers as the on-disk store.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api import sparql
from api.budget import QueryBudget
from api.routers import store as store_router
from api.settings import Settings
from api.writes import app_write_path
from iscg_graph.build.pipeline import write_store
from iscg_graph.build.release_diff import diff_paths
from iscg_graph.build.releases import create_release
from iscg_graph.curation.accounts import LocalAccounts
from iscg_graph.curation.history import changes
from iscg_graph.curation.writes import Author, recover
from iscg_graph.errors import ChangeConflict
from iscg_graph.query.engine import InProcessEngine
from iscg_graph.rdf import atomic_files, snapshot_delta, wal_sync
from iscg_graph.rdf import store as store_module
from iscg_graph.rdf.snapshot_export import current_nquads, snapshot_is_whole
from iscg_graph.rdf.store import SNAPSHOT, EmbeddedStore, read_meta

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "candidates" / "mini.trig"
Q32 = "https://w3id.org/iscg/id/question/itu-d/2018-2021/3-2"
ALT = "http://www.w3.org/2004/02/skos/core#altLabel"
GRAPH = "https://w3id.org/iscg/graph/itu-d"
SCRATCH = "http://example.org/scratch"
PASSWORD = "correct horse battery"


class Env:
    def __init__(self, client: TestClient, app: FastAPI, store: EmbeddedStore, token: str):
        self.client, self.app, self.store, self.token = client, app, store, token

    def update(self, text: str) -> None:
        r = self.client.post("/sparql", content=text, headers={
            "Authorization": f"Bearer {self.token}", "Content-Type": "application/sparql-update"})
        assert r.status_code == 200, r.text

    def put(self, body: bytes, method: str = "put") -> None:
        r = getattr(self.client, method)("/store", params={"graph": SCRATCH}, content=body, headers={
            "Authorization": f"Bearer {self.token}", "Content-Type": "text/turtle"})
        assert r.status_code in (200, 201), r.text

    def revert_last(self) -> None:
        last = max(changes(self.store.inner), key=lambda c: c.number)
        try:
            app_write_path(self.app).revert(last.number, Author("editor", "revert", "test", "test"))
        except ChangeConflict:  # a revert of a revert's target, say: nothing written
            pass


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    mem = ox.Store()
    mem.load(path=str(FIXTURE), format=ox.RdfFormat.TRIG)
    store = write_store(tmp_path / "build", mem.dump(format=ox.RdfFormat.N_QUADS) or b"", "test")
    accounts = LocalAccounts(tmp_path / "accounts.sqlite")
    accounts.add_user("admin", PASSWORD, "admin")
    accounts.add_user("editor", PASSWORD, "editor")
    token, _ = accounts.create_token("editor")
    app = FastAPI()
    app.state.settings = Settings(store_path=tmp_path / "build", accounts_path=tmp_path / "accounts.sqlite",
                                  budget_seconds_per_minute=0)
    app.state.store = store
    app.state.engine = InProcessEngine(store)
    app.state.budget = QueryBudget(0)
    app.include_router(sparql.router)
    app.include_router(store_router.router)
    yield Env(TestClient(app), app, store, token)
    del store


def norm(quads: object) -> list[str]:
    """Quads as sorted text, blank nodes named alike (the snapshot may label them differently)."""
    def term(t: object) -> str:
        return "_:b" if isinstance(t, ox.BlankNode) else str(t)
    return sorted(f"{term(q.subject)} {q.predicate} {term(q.object)} {term(q.graph_name)}"
                  for q in quads)  # type: ignore[attr-defined]


def on_disk(store: EmbeddedStore) -> list[str]:
    return norm(store.inner)


def random_write(env: Env, rng: random.Random, n: int) -> None:
    kind = rng.choice(["insert", "delete", "put", "post", "revert"])
    if kind == "insert" or not changes(env.store.inner):
        env.update(f'INSERT DATA {{ GRAPH <{GRAPH}> {{ <{Q32}> <{ALT}> "alias {n}"@en }} }}')
    elif kind == "delete":
        env.update(f"DELETE WHERE {{ GRAPH <{GRAPH}> {{ <{Q32}> <{ALT}> ?o }} }}")
    elif kind in ("put", "post"):
        env.put(f'<http://a> <http://b> "{n}" .'.encode(), kind)
    else:
        env.revert_last()


def test_random_writes_replayed_equal_the_store_and_a_caught_up_copy(env: Env,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_module, "COMPACT_RATIO", 100.0)  # no compaction by size here (see below)
    rng = random.Random(17)
    path = env.store.path
    assert path is not None
    snapshot_before = (path / SNAPSHOT).read_bytes()
    copy = EmbeddedStore.open_snapshot(path)
    for n in range(14):
        generation = env.store.meta.generation
        random_write(env, rng, n)
        if env.store.meta.generation == generation:  # nothing changed (a delete of nothing)
            continue
        assert norm(EmbeddedStore.open_snapshot(path).inner) == on_disk(env.store)
        assert copy.catch_up() and copy.meta.generation == env.store.meta.generation
        assert norm(copy.inner) == on_disk(env.store)
    meta = read_meta(path)
    assert meta.base < meta.generation and meta.graphs == store_module.count_graphs(env.store.inner)
    assert (path / SNAPSHOT).read_bytes() == snapshot_before  # never rewritten: appended instead
    assert sorted(snapshot_delta.delta_files(path)) == list(range(meta.base + 1, meta.generation + 1))
    # a blank node in the write: the snapshot is rewritten and the log folded into it
    env.put(b"[] <http://b> 1 .")
    meta = read_meta(path)
    assert meta.base == meta.generation and not snapshot_delta.delta_files(path)
    assert snapshot_delta.snapshot_generation(path / SNAPSHOT) == meta.generation
    assert norm(EmbeddedStore.open_snapshot(path).inner) == on_disk(env.store)
    assert not copy.catch_up()  # its deltas were compacted away: it must load again
    assert not recover(env.store)


def test_compaction_when_the_log_passes_its_threshold(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    path = env.store.path
    assert path is not None
    monkeypatch.setattr(store_module, "COMPACT_RATIO", 0.0005)  # a few hundred bytes of log
    copy = EmbeddedStore.open_snapshot(path)
    seen_delta = seen_compaction = False
    for n in range(8):
        env.update(f'INSERT DATA {{ GRAPH <{GRAPH}> {{ <{Q32}> <{ALT}> "alias {n}"@en }} }}')
        meta = read_meta(path)
        seen_delta |= meta.base < meta.generation
        if meta.base == meta.generation:
            seen_compaction = True
            assert not snapshot_delta.delta_files(path)
        assert norm(EmbeddedStore.open_snapshot(path).inner) == on_disk(env.store)
        if not copy.catch_up():
            copy = EmbeddedStore.open_snapshot(path)
        assert norm(copy.inner) == on_disk(env.store)
    assert seen_delta and seen_compaction


def _restarted(store: EmbeddedStore) -> EmbeddedStore:
    """The store as a new process opens it after a crash (meta read again from disk)."""
    assert store.path is not None
    return EmbeddedStore(store.inner, path=store.path, meta=read_meta(store.path))


class Crash(Exception):
    pass


def _raise_on(monkeypatch: pytest.MonkeyPatch, module: object, name: str, after: bool = False) -> None:
    """Make ``module.name`` raise `Crash` (before it runs, or after it ran)."""
    original = getattr(module, name)

    def crashing(*args: object, **kwargs: object) -> object:
        if after:
            original(*args, **kwargs)
        raise Crash(name)

    monkeypatch.setattr(module, name, crashing)


WRITE_STEPS = [  # the steps of a logged write, then of a compaction: crash before / after each
    ("delta", wal_sync, "wal_files", False),            # committed, its log not yet synced
    ("delta", atomic_files.os, "replace", False),       # the delta file's rename
    ("delta", store_module, "write_meta", False),       # delta written, meta.json not
    ("delta", store_module, "write_meta", True),        # meta.json written (the write is complete)
    ("compact", store_module, "_atomic_dump", False),   # nothing written yet
    ("compact", store_module, "_atomic_dump", True),    # new snapshot, old meta, deltas still there
    ("compact", store_module, "write_meta", True),      # new snapshot and meta, deltas still there
    ("compact", snapshot_delta, "remove_deltas", False),
]


@pytest.mark.parametrize("mode, module, name, after", WRITE_STEPS)
def test_a_crash_between_steps_leaves_a_consistent_store(env: Env, monkeypatch: pytest.MonkeyPatch,
                                                         mode: str, module: object, name: str,
                                                         after: bool) -> None:
    path = env.store.path
    assert path is not None
    for n in range(2):  # a log to fold or to extend
        env.update(f'INSERT DATA {{ GRAPH <{GRAPH}> {{ <{Q32}> <{ALT}> "before {n}"@en }} }}')
    if mode == "compact":
        monkeypatch.setattr(store_module, "COMPACT_RATIO", 0.0)
    committed_before = on_disk(env.store)
    _raise_on(monkeypatch, module, name, after)
    with pytest.raises(Crash):
        env.update(f'INSERT DATA {{ GRAPH <{GRAPH}> {{ <{Q32}> <{ALT}> "crash"@en }} }}')
    monkeypatch.undo()
    assert on_disk(env.store) != committed_before  # the commit itself happened
    # a reader opening meanwhile gets the data as before the write or as after it, never a mix
    assert norm(EmbeddedStore.open_snapshot(path).inner) in (committed_before, on_disk(env.store))
    restarted = _restarted(env.store)
    recover(restarted)
    assert norm(EmbeddedStore.open_snapshot(path).inner) == on_disk(restarted)
    assert restarted.snapshot_consistent() and not recover(restarted)
    assert all(g > restarted.meta.base for g in snapshot_delta.delta_files(path))


def test_served_files_hold_the_writes(env: Env, tmp_path: Path) -> None:
    """Releases, release diffs and the N-Quads others copy come from the snapshot with its deltas."""
    path = env.store.path
    assert path is not None
    env.update(f'INSERT DATA {{ GRAPH <{GRAPH}> {{ <{Q32}> <{ALT}> "after the build"@en }} }}')
    assert not snapshot_is_whole(path)
    assert b'"after the build"@en' not in (path / SNAPSHOT).read_bytes()
    assert b'"after the build"@en' in current_nquads(path)
    release = create_release(path, tmp_path / "releases", "r1", base="https://w3id.org/iscg/")
    assert b'"after the build"@en' in (release.path / SNAPSHOT).read_bytes()
    assert read_meta(release.path).base == read_meta(release.path).generation  # a whole snapshot
    assert norm(EmbeddedStore.open_snapshot(release.path).inner) == on_disk(env.store)
    assert not diff_paths(release.path, path, base="https://w3id.org/iscg/").items


def test_a_damaged_delta_is_refused_and_recover_rewrites(env: Env) -> None:
    path = env.store.path
    assert path is not None
    env.update(f'INSERT DATA {{ GRAPH <{GRAPH}> {{ <{Q32}> <{ALT}> "x"@en }} }}')
    [delta] = snapshot_delta.delta_files(path).values()
    delta.write_bytes(delta.read_bytes().replace(b"TC .\n", b""))  # cut short
    with pytest.raises(store_module.StoreError, match="damaged"):
        EmbeddedStore.open_snapshot(path)
    delta.unlink()
    assert recover(env.store)
    assert norm(EmbeddedStore.open_snapshot(path).inner) == on_disk(env.store)


def test_a_worker_applies_the_deltas_instead_of_reloading(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker loop (in a thread, on a pipe): after a write, `Reload` applies the new delta to
    its copy (no new load) and the answers equal those of a copy loaded from scratch; after a
    compaction it loads again."""
    import threading
    from multiprocessing import Pipe

    from iscg_graph.query import worker_process
    from iscg_graph.query.engine import run_request
    from iscg_graph.query.interface import QueryRequest
    from iscg_graph.query.messages import Answer, Ready, Reload

    path = env.store.path
    assert path is not None
    loads: list[str] = []
    original = EmbeddedStore.open_snapshot.__func__  # type: ignore[attr-defined]

    def counted(cls: type[EmbeddedStore], where: object, **kwargs: object) -> EmbeddedStore:
        loads.append(str(where))
        return original(cls, where, **kwargs)  # type: ignore[no-any-return]

    monkeypatch.setattr(EmbeddedStore, "open_snapshot", classmethod(counted))
    parent, child = Pipe()
    # capped: the copy is loaded before answering, no on-disk store, no background thread
    thread = threading.Thread(target=worker_process._worker_main,
                              args=(child, str(path), None, None, False, True), daemon=True)
    thread.start()
    assert isinstance(parent.recv(), Ready) and len(loads) == 1
    ask = QueryRequest(f"SELECT ?o WHERE {{ <{Q32}> <{ALT}> ?o }} ORDER BY ?o",
                       "application/sparql-results+json")

    def answer() -> bytes:
        parent.send(ask)
        assert isinstance(parent.recv(), Answer)
        return parent.recv_bytes()

    for n in range(3):
        env.update(f'INSERT DATA {{ GRAPH <{GRAPH}> {{ <{Q32}> <{ALT}> "worker {n}"@en }} }}')
        parent.send(Reload())
        ready = parent.recv()
        assert isinstance(ready, Ready) and ready.generation[2] == env.store.meta.generation
        assert f'"worker {n}"'.encode() in answer()
    assert len(loads) == 1  # caught up three times, never loaded again
    fresh = EmbeddedStore.open_snapshot(path)  # the worker's answers equal a fresh copy's
    assert answer() == run_request(fresh, ask, max_bytes=None, base_iri=None).body
    env.store.refresh()  # compaction: the deltas the worker would need are gone
    env.update(f'INSERT DATA {{ GRAPH <{GRAPH}> {{ <{Q32}> <{ALT}> "after compaction"@en }} }}')
    parent.send(Reload())
    assert isinstance(parent.recv(), Ready) and len(loads) == 3
    assert b'"after compaction"' in answer()
    parent.send(None)
    thread.join(10)


def test_the_light_path_catches_its_copy_up(env: Env) -> None:
    """The in-process light path keeps its copy (the same store object) and applies the delta."""
    import time

    from iscg_graph.query.inline import InlineRunner
    from iscg_graph.rdf.store import data_key

    path = env.store.path
    assert path is not None
    runner = InlineRunner(path, max_rows=100)
    runner.load(background=False)
    copy = runner.store
    ask = f"SELECT ?o WHERE {{ <{Q32}> <{ALT}> ?o }}"
    env.update(f'INSERT DATA {{ GRAPH <{GRAPH}> {{ <{Q32}> <{ALT}> "light"@en }} }}')
    after = data_key(env.store.meta)
    assert runner.run(ask, generation=after, media_type="application/sparql-results+json") is None
    deadline = time.monotonic() + 30  # caught up in the background
    while runner.generation != after and time.monotonic() < deadline:
        time.sleep(0.05)
    got = runner.run(ask, generation=after, media_type="application/sparql-results+json")
    assert got is not None and b'"light"' in got.body and runner.store is copy


def test_a_worker_takes_its_loaded_copy_and_catches_it_up_on_reload(env: Env,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Uncapped, the worker answers from the on-disk store while its copy loads; a `Reload` once the
    copy is loaded catches the copy up instead of starting another load."""
    import threading
    import time
    from multiprocessing import Pipe

    from iscg_graph.query import worker_process
    from iscg_graph.query.interface import QueryRequest
    from iscg_graph.query.messages import Answer, Ready, Reload

    path = env.store.path
    assert path is not None
    loaded: list[EmbeddedStore] = []
    original = EmbeddedStore.open_snapshot.__func__  # type: ignore[attr-defined]

    def counted(cls: type[EmbeddedStore], where: object, **kwargs: object) -> EmbeddedStore:
        store = original(cls, where, **kwargs)
        loaded.append(store)
        return store  # type: ignore[no-any-return]

    monkeypatch.setattr(EmbeddedStore, "open_snapshot", classmethod(counted))
    parent, child = Pipe()
    thread = threading.Thread(target=worker_process._worker_main,
                              args=(child, str(path), None, None, False, False), daemon=True)
    thread.start()
    assert isinstance(parent.recv(), Ready)
    deadline = time.monotonic() + 30
    while not loaded and time.monotonic() < deadline:  # the background copy
        time.sleep(0.05)
    time.sleep(0.2)  # its thread ends right after the load returns
    env.update(f'INSERT DATA {{ GRAPH <{GRAPH}> {{ <{Q32}> <{ALT}> "copy caught up"@en }} }}')
    parent.send(Reload())
    ready = parent.recv()
    assert isinstance(ready, Ready) and ready.generation[2] == env.store.meta.generation
    parent.send(QueryRequest(f"SELECT ?o WHERE {{ <{Q32}> <{ALT}> ?o }}", "application/sparql-results+json"))
    assert isinstance(parent.recv(), Answer) and b'"copy caught up"' in parent.recv_bytes()
    assert len(loaded) == 1 and loaded[0].meta.generation == env.store.meta.generation
    parent.send(None)
    thread.join(10)


def test_a_dump_downloaded_after_writes_contains_them(env: Env) -> None:
    """`/dumps/iscg.nq.gz` is written again when curated writes came after it, once per change."""
    import gzip

    from api.routers import dataset
    from iscg_graph.build.publish import write_dumps

    path = env.store.path
    assert path is not None
    write_dumps(env.store, path / "dumps", "https://w3id.org/iscg/")  # as the build leaves them
    env.app.include_router(dataset.router)
    first = env.client.get("/dumps/iscg.nq.gz")
    assert first.status_code == 200 and b'"dumped"@en' not in gzip.decompress(first.content)
    env.update(f'INSERT DATA {{ GRAPH <{GRAPH}> {{ <{Q32}> <{ALT}> "dumped"@en }} }}')
    after = env.client.get("/dumps/iscg.nq.gz")
    assert after.status_code == 200 and b'"dumped"@en' in gzip.decompress(after.content)
    assert after.headers["etag"] != first.headers["etag"]
    stamp = (path / "dumps" / "iscg.nq.gz").stat().st_mtime_ns
    assert env.client.get("/dumps/iscg.nq.gz").status_code == 200  # unchanged data: not written again
    assert (path / "dumps" / "iscg.nq.gz").stat().st_mtime_ns == stamp
