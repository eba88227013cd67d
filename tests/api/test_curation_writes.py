"""Writes through the service: SPARQL Update at /sparql and the Graph Store Protocol at /store.

On a small valid dataset (tests/fixtures/candidates/mini.trig) written as a real on-disk store:
roles (anonymous 401, reader/reviewer 403, editor allowed), writing off without an admin, the
read-only setting, SHACL violations answered 422 with the report and the whole dataset unchanged
(hash before/after), and every committed change recorded in graph/changes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api import sparql
from api.budget import QueryBudget
from api.head import HeadAsGet
from api.routers import store as store_router
from api.settings import Settings
from iscg_graph.build.pipeline import write_store
from iscg_graph.curation.accounts import LocalAccounts
from iscg_graph.curation.history import CHANGES_GRAPH, changes
from iscg_graph.query.engine import InProcessEngine
from iscg_graph.rdf.store import EmbeddedStore

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "candidates" / "mini.trig"
ID = "https://w3id.org/iscg/id/"
Q32 = ID + "question/itu-d/2018-2021/3-2"
PASSWORD = "correct horse battery"


def _dataset_hash(store: EmbeddedStore) -> str:
    lines = sorted(f"{q.subject} {q.predicate} {q.object} {q.graph_name}" for q in store.inner)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


@pytest.fixture
def env(tmp_path: Path) -> Iterator[tuple[TestClient, EmbeddedStore, dict[str, str]]]:
    mem = ox.Store()
    mem.load(path=str(FIXTURE), format=ox.RdfFormat.TRIG)
    store = write_store(tmp_path / "build", mem.dump(format=ox.RdfFormat.N_QUADS) or b"", "test")
    accounts = LocalAccounts(tmp_path / "accounts.sqlite")
    tokens: dict[str, str] = {}
    for role in ("admin", "editor", "reviewer", "reader"):
        accounts.add_user(role, PASSWORD, role)
        tokens[role], _ = accounts.create_token(role)
    app = FastAPI()
    app.state.settings = Settings(store_path=tmp_path / "build", accounts_path=tmp_path / "accounts.sqlite",
                                  budget_seconds_per_minute=0)
    app.state.store = store
    app.state.engine = InProcessEngine(store)
    app.state.budget = QueryBudget(0)
    app.include_router(sparql.router)
    app.include_router(store_router.router)
    app.add_middleware(HeadAsGet)  # as create_app: HEAD is a GET without the body
    yield TestClient(app), store, tokens
    del store


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


INSERT_LABEL = (f'INSERT DATA {{ GRAPH <https://w3id.org/iscg/graph/itu-d> {{ <{Q32}> '
                '<http://www.w3.org/2004/02/skos/core#altLabel> "cyber"@en } }')


def test_update_by_editor_is_committed_and_recorded(env) -> None:
    client, store, tokens = env
    r = client.post("/sparql", content=INSERT_LABEL, params={"comment": "alias used by TDAG"},
                    headers={**bearer(tokens["editor"]), "Content-Type": "application/sparql-update"})
    assert r.status_code == 200, r.text
    assert r.json()["added"] == 1
    ask = f'ASK {{ <{Q32}> <http://www.w3.org/2004/02/skos/core#altLabel> "cyber"@en }}'
    assert store.ask(ask)
    [record] = changes(store.inner)
    assert record.author == "editor" and record.comment == "alias used by TDAG"
    assert record.kind == "sparql-update" and "POST /sparql" in record.origin
    assert Q32 in record.about and record.patch_text.count("\nA ") == 1
    # the snapshot (what query workers load) has the change and its record
    assert EmbeddedStore.open_snapshot(store.path).ask(ask)  # type: ignore[arg-type]


def test_form_update_by_admin(env) -> None:
    client, store, tokens = env
    r = client.post("/sparql", data={"update": INSERT_LABEL}, headers=bearer(tokens["admin"]))
    assert r.status_code == 200, r.text
    assert len(changes(store.inner)) == 1


@pytest.mark.parametrize("who, status", [(None, 401), ("reader", 403), ("reviewer", 403), ("bogus", 401)])
def test_update_refused_without_editor_role(env, who, status) -> None:
    client, store, tokens = env
    before = _dataset_hash(store)
    headers = {"Content-Type": "application/sparql-update"}
    if who:
        headers.update(bearer(tokens.get(who, "iscg_000000000000_" + "x" * 43)))
    r = client.post("/sparql", content=INSERT_LABEL, headers=headers)
    assert r.status_code == status, r.text
    r = client.put("/store", params={"graph": "http://example.org/g"},
                   content=b"<http://a> <http://b> <http://c> .",
                   headers={**headers, "Content-Type": "application/n-triples"})
    assert r.status_code == status, r.text
    assert _dataset_hash(store) == before


def test_writing_off_without_admin_and_when_read_only(env, tmp_path: Path) -> None:
    client, store, tokens = env
    accounts = LocalAccounts(tmp_path / "accounts.sqlite")
    accounts.set_disabled("admin", True)
    headers = {**bearer(tokens["editor"]), "Content-Type": "application/sparql-update"}
    r = client.post("/sparql", content=INSERT_LABEL, headers=headers)
    assert r.status_code == 403 and "admin account" in r.json()["detail"]
    accounts.set_disabled("admin", False)
    client.app.state.settings = client.app.state.settings.model_copy(update={"read_only": True})
    r = client.post("/sparql", content=INSERT_LABEL, headers=headers)
    assert r.status_code == 403 and "read-only" in r.json()["detail"]
    assert changes(store.inner) == []


def test_shacl_violation_is_422_with_report_and_store_unchanged(env) -> None:
    client, store, tokens = env
    before = _dataset_hash(store)
    snapshot_before = (store.path / "snapshot.nq").read_bytes()  # type: ignore[operator]
    # a Question without its study group
    update = f"DELETE WHERE {{ GRAPH ?g {{ <{Q32}> <https://w3id.org/iscg/ontology#studyGroup> ?sg }} }}"
    r = client.post("/sparql", content=update,
                    headers={**bearer(tokens["editor"]), "Content-Type": "application/sparql-update"})
    assert r.status_code == 422, r.text
    violations = r.json()["violations"]
    assert any(v["focus_node"] == Q32 and v["path"] == "https://w3id.org/iscg/ontology#studyGroup"
               for v in violations), violations
    assert all(v["message"] for v in violations)
    assert _dataset_hash(store) == before
    assert (store.path / "snapshot.nq").read_bytes() == snapshot_before  # type: ignore[operator]


def test_journal_graph_cannot_be_written(env) -> None:
    client, store, tokens = env
    update = f"INSERT DATA {{ GRAPH <{CHANGES_GRAPH}> {{ <http://a> <http://b> <http://c> }} }}"
    r = client.post("/sparql", content=update,
                    headers={**bearer(tokens["editor"]), "Content-Type": "application/sparql-update"})
    assert r.status_code == 403
    r = client.put("/store", params={"graph": CHANGES_GRAPH}, content=b"<http://a> <http://b> <http://c> .",
                   headers={**bearer(tokens["editor"]), "Content-Type": "application/n-triples"})
    assert r.status_code == 403


def test_load_is_refused(env) -> None:
    client, store, tokens = env
    r = client.post("/sparql", content="LOAD <http://127.0.0.1:9/x.ttl>",
                    headers={**bearer(tokens["editor"]), "Content-Type": "application/sparql-update"})
    assert r.status_code == 403 and "LOAD" in r.json()["detail"]


def test_graph_store_put_get_post_delete(env) -> None:
    client, store, tokens = env
    g = "http://example.org/scratch"
    h = {**bearer(tokens["editor"]), "Content-Type": "text/turtle"}
    r = client.put("/store", params={"graph": g, "comment": "scratch"}, content=b"<http://a> <http://b> 1 .",
                   headers=h)
    assert r.status_code == 201, r.text
    r = client.get("/store", params={"graph": g}, headers={"Accept": "application/n-triples"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/n-triples")
    assert b"<http://a> <http://b>" in r.content
    r = client.post("/store", params={"graph": g}, content=b"<http://a> <http://b> 2 .", headers=h)
    assert r.status_code == 200
    assert len(list(store.inner.quads_for_pattern(None, None, None, ox.NamedNode(g)))) == 2
    r = client.put("/store", params={"graph": g}, content=b"<http://a> <http://b> 3 .", headers=h)
    assert r.status_code == 200
    assert len(list(store.inner.quads_for_pattern(None, None, None, ox.NamedNode(g)))) == 1
    assert client.head("/store", params={"graph": g}).status_code == 200
    r = client.delete("/store", params={"graph": g}, headers=bearer(tokens["editor"]))
    assert r.status_code == 200
    assert client.get("/store", params={"graph": g}).status_code == 404
    assert client.delete("/store", params={"graph": g}, headers=bearer(tokens["editor"])).status_code == 404
    assert [c.kind for c in changes(store.inner)] == ["graph-store"] * 4


LAUGHS = (Path(__file__).resolve().parents[1] / "fixtures" / "hostile" / "laughs.rdf").read_bytes()


def test_hostile_bodies_to_the_graph_store_are_refused(env) -> None:
    client, store, tokens = env
    before = _dataset_hash(store)
    g = {"graph": "http://example.org/hostile"}
    h = bearer(tokens["editor"])
    r = client.put("/store", params=g, content=LAUGHS, headers={**h, "Content-Type": "application/rdf+xml"})
    assert r.status_code == 400 and "entity" in r.json()["detail"]
    remote = b'{"@context": "http://127.0.0.1:9/c.jsonld", "@id": "http://e/s", "name": "x"}'
    r = client.post("/store", params=g, content=remote, headers={**h, "Content-Type": "application/ld+json"})
    assert r.status_code == 400 and "nothing is fetched" in r.json()["detail"]
    files = {"f": ("bomb.rdf", LAUGHS, "application/rdf+xml")}
    r = client.post("/store", params=g, files=files, headers=h)
    assert r.status_code == 400, r.text
    client.app.state.settings = client.app.state.settings.model_copy(update={"max_write_bytes": 100})
    r = client.put("/store", params=g, content=b"<http://a> <http://b> '" + b"x" * 200 + b"' .",
                   headers={**h, "Content-Type": "text/turtle"})
    assert r.status_code == 413
    r = client.put("/store", params=g, content=b"x", headers={**h, "Content-Type": "application/x-bogus"})
    assert r.status_code == 415
    assert _dataset_hash(store) == before
