"""No write is lost around a rebuild.

A change made through the service after `iscg build` replayed the journal, but before the service
switched to that build, is caught up onto the new build before it is served: at the switch (under
the old build's write lock, so nothing lands on the old build after the catch-up; a write waiting on
that lock goes on to the new build) and, if the service was killed before it switched, when it
opens the new build on restart (each build names the build it replayed from). Real on-disk stores,
the real switch (`api.live_reload`) with its query worker, SPARQL Update through `/sparql`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api import sparql
from api.budget import QueryBudget
from api.live_reload import close_served, install, open_build, switch_build
from api.settings import Settings
from iscg_graph.build.pipeline import builds_dir, swap_in, write_store
from iscg_graph.curation.history import changes
from iscg_graph.curation.replay import PREDECESSOR, catch_up, predecessors, replay_for_build
from iscg_graph.curation.writes import Author, WritePath
from iscg_graph.rdf.store import EmbeddedStore

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "candidates" / "mini.trig"
Q32 = "https://w3id.org/iscg/id/question/itu-d/2018-2021/3-2"
ALT = "http://www.w3.org/2004/02/skos/core#altLabel"
GRAPH = "https://w3id.org/iscg/graph/itu-d"


class Ok:
    conforms = True
    violations = ()


def ok(graph: object) -> Ok:  # shapes are checked by the write path tests; here: the hand-over
    return Ok()


def _nquads() -> bytes:
    mem = ox.Store()
    mem.load(path=str(FIXTURE), format=ox.RdfFormat.TRIG)
    return mem.dump(format=ox.RdfFormat.N_QUADS) or b""


def _build(link: Path, name: str) -> Path:
    """What `iscg build` does once the tables validate: a new build, the journal replayed from the
    served build, the swap of the store link."""
    build_dir = builds_dir(link) / name
    store = write_store(build_dir, _nquads(), name)
    if link.exists():
        replay_for_build(store, build_dir, link.resolve(), validate=ok)
    del store  # the RocksDB lock goes before anyone opens the build
    swap_in(link, build_dir)
    return build_dir


def _alias(text: str) -> str:
    return f'INSERT DATA {{ GRAPH <{GRAPH}> {{ <{Q32}> <{ALT}> "{text}"@en }} }}'


def _has(store: EmbeddedStore, text: str) -> bool:
    return store.ask(f'ASK {{ <{Q32}> <{ALT}> "{text}"@en }}')


def _add(text: str):  # type: ignore[no-untyped-def]
    def run(work: ox.Store) -> None:
        work.add(ox.Quad(ox.NamedNode(Q32), ox.NamedNode(ALT), ox.Literal(text, language="en"),
                         ox.NamedNode(GRAPH)))
    return run


@pytest.fixture
def service(tmp_path: Path) -> Iterator[tuple[FastAPI, Path]]:
    link = tmp_path / "store"
    _build(link, "0001")
    settings = Settings(store_path=link, accounts_path=tmp_path / "accounts.sqlite", query_workers=1,
                        budget_seconds_per_minute=0, reload_interval=0, query_timeout=5)
    app = FastAPI()
    app.state.settings = settings
    app.state.write_validator = ok
    app.state.budget = QueryBudget(0)
    install(app, open_build(settings, link.resolve(), ok))
    app.include_router(sparql.router)
    yield app, link
    close_served(app.state.served)


def _editor(app: FastAPI) -> dict[str, str]:
    from iscg_graph.curation.accounts import LocalAccounts

    accounts = LocalAccounts(app.state.settings.accounts_path)
    accounts.add_user("admin", "correct horse battery", "admin")
    token, _ = accounts.create_token("admin")
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/sparql-update"}


def _update(client: TestClient, headers: dict[str, str], text: str) -> None:
    r = client.post("/sparql", content=_alias(text), params={"comment": text}, headers=headers)
    assert r.status_code == 200, r.text


def test_write_between_build_and_switch_is_in_the_served_build(service: tuple[FastAPI, Path]) -> None:
    app, link = service
    client, headers = TestClient(app), _editor(app)
    _update(client, headers, "before the build")
    new_dir = _build(link, "0002")  # replays "before the build"
    assert (new_dir / PREDECESSOR).read_text().strip() == "0001"
    _update(client, headers, "after the build")  # still served by build 0001
    assert app.state.served.build_dir.name == "0001"

    assert switch_build(app)
    served = app.state.store
    assert app.state.served.build_dir == new_dir
    assert _has(served, "before the build") and _has(served, "after the build")
    assert [r.comment for r in sorted(changes(served.inner), key=lambda r: r.number)] == \
        ["before the build", "after the build"]
    # what the query workers answer from (the snapshot) has it too, and /sparql says so
    assert _has(EmbeddedStore.open_snapshot(new_dir), "after the build")
    ask = f'ASK {{ <{Q32}> <{ALT}> "after the build"@en }}'
    r = client.get("/sparql", params={"query": ask}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200 and r.json()["boolean"] is True, r.text
    # and a write now goes to the served build, numbered after the caught-up ones
    _update(client, headers, "after the switch")
    assert [r.number for r in changes(app.state.store.inner)] == [3, 2, 1]


def test_write_waiting_during_the_switch_goes_to_the_new_build(tmp_path: Path) -> None:
    old = write_store(tmp_path / "a", _nquads(), "a")
    new = write_store(tmp_path / "b", _nquads(), "b")
    before, after = WritePath(old, validate=ok), WritePath(new, validate=ok)
    holding, release = threading.Event(), threading.Event()

    def switch() -> None:
        with before.handing_over(after):
            holding.set()
            release.wait(30)

    switcher = threading.Thread(target=switch)
    switcher.start()
    assert holding.wait(30)
    done: list[object] = []
    writer = threading.Thread(target=lambda: done.append(before.apply(_add("late"), Author("ed", "late"))))
    writer.start()
    writer.join(0.5)
    assert writer.is_alive()  # held off while the new build catches up
    release.set()
    switcher.join(30)
    writer.join(30)
    assert done and done[0] is not None
    assert _has(new, "late") and not _has(old, "late")


def test_service_killed_before_switching_catches_up_on_restart(service: tuple[FastAPI, Path]) -> None:
    app, link = service
    client, headers = TestClient(app), _editor(app)
    _update(client, headers, "one")
    _build(link, "0002")
    _update(client, headers, "two")  # on 0001, after 0002 replayed; the service then dies
    _build(link, "0003")  # a second build meanwhile: it replays 0002, which lacks "two"
    close_served(app.state.served)

    restarted = app.state.served = open_build(app.state.settings, link.resolve(), ok)  # the restart
    assert restarted.build_dir.name == "0003"
    assert _has(restarted.store, "one") and _has(restarted.store, "two")
    assert sorted(r.comment for r in changes(restarted.store.inner)) == ["one", "two"]
    assert _has(EmbeddedStore.open_snapshot(restarted.build_dir), "two")
    # opening it again has nothing more to add (the catch-up is idempotent)
    assert catch_up(restarted.store, predecessors(restarted.build_dir), validate=ok).total == 0
