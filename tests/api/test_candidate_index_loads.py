"""The candidate index while it loads in the background: computed at start-up for a store without a
readable one (503 + Retry-After meanwhile, no answer from an old file), and loaded for a new build or
a remote store's next generation (the index served before answers meanwhile; a review decision
taken then lands in the new store's index, not in the one served meanwhile)."""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api import remote_store
from api.main import create_app
from api.routers import candidates
from api.settings import Settings
from iscg_graph.overlap.columnar import FORMAT

TOKEN = "review-token-for-these-tests"


def _build(built_store: Path, tmp_path: Path) -> Path:
    """A copy of the built store (the session's build is shared, and a service holds its write lock)."""
    copy = tmp_path / "build"
    shutil.copytree(built_store.resolve(), copy)
    return copy


def _hold_loads(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Every load of the candidate index in the background waits until the event is set."""
    release = threading.Event()
    real = candidates.warm_index

    def held(app):  # type: ignore[no-untyped-def]
        release.wait(30)
        return real(app)

    monkeypatch.setattr(candidates, "warm_index", held)
    return release


def test_a_store_without_candidates_starts_at_once_and_says_when_they_are_ready(
        built_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = _build(built_store, tmp_path)
    (copy / "candidates.json").unlink()
    release = _hold_loads(monkeypatch)
    settings = Settings(environment="test", store_path=copy, query_workers=1, retry_after_seconds=12)
    with TestClient(create_app(settings)) as c:
        health = c.get("/health")  # the service is up while the index is computed
        assert health.status_code == 200 and health.json()["candidates"] == "computing"
        waiting = c.get("/api/candidates")
        assert waiting.status_code == 503
        assert waiting.headers["retry-after"] == "12"  # the setting, as every 503
        assert "still being computed" in waiting.json()["detail"]
        release.set()
        c.app.state.candidates_pending.join(60)
        ready = c.get("/api/candidates")
        assert ready.status_code == 200
        assert (copy / "candidates.json").exists()
        assert c.get("/health").json()["candidates"] == "ready"


def test_an_index_of_an_older_format_is_recomputed_in_the_background(
        built_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A build whose candidate index this version cannot map (an older format) starts at once: the
    index is computed in the background (minutes at a million triples), 503 + Retry-After meanwhile,
    never an answer from the old file."""
    copy = _build(built_store, tmp_path)
    header = json.loads((copy / "candidates.json").read_text("utf-8"))
    (copy / "candidates.json").write_text(json.dumps({**header, "format": FORMAT - 1}), "utf-8")
    release = _hold_loads(monkeypatch)
    settings = Settings(environment="test", store_path=copy, query_workers=1, retry_after_seconds=7)
    with TestClient(create_app(settings)) as c:
        assert c.get("/health").status_code == 200
        waiting = c.get("/api/candidates")
        assert waiting.status_code == 503 and waiting.headers["retry-after"] == "7"
        release.set()
        c.app.state.candidates_pending.join(60)
        assert c.get("/api/candidates").status_code == 200
        assert json.loads((copy / "candidates.json").read_text("utf-8"))["format"] == FORMAT


def test_while_a_new_generations_index_loads_the_previous_one_answers(
        built_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A replica that moved to the remote store's next generation loads that generation's candidate
    index in the background (api/remote_store.py): the reports stay up meanwhile on the index served
    before, saying its data version, instead of 503 for as long as the load takes."""
    settings = Settings(environment="test", store_path=_build(built_store, tmp_path), query_workers=1)
    with TestClient(create_app(settings)) as c:
        before = c.get("/api/candidates", params={"limit": 5})
        assert before.status_code == 200
        release = _hold_loads(monkeypatch)
        remote_store._warm_index(c.app)  # what a generation switch starts
        try:
            assert c.get("/health").json()["candidates"] == "loading"  # the previous one answers
            meanwhile = c.get("/api/candidates", params={"limit": 5})
            assert meanwhile.status_code == 200, meanwhile.text[:300]
            assert meanwhile.json()["data_version"] == before.json()["data_version"]
            assert meanwhile.json()["candidates"] == before.json()["candidates"]
            report = c.get("/reports/candidates", params={"kind": "question"})
            assert report.status_code == 200, report.text[:300]
            assert before.json()["data_version"] in report.text
        finally:
            release.set()
            c.app.state.candidates_pending.join(60)
        assert c.get("/api/candidates", params={"limit": 5}).json() == before.json()


def test_a_decision_taken_while_a_new_index_loads_is_in_the_new_one(
        built_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A review decision while the store's new index loads (a new build or generation) goes to the
    new store's journal, not into the index served meanwhile: that one belongs to the store before,
    and recorded there it would be kept as the new store's index once the load ends."""
    settings = Settings(environment="test", store_path=_build(built_store, tmp_path), query_workers=1,
                        review_token=SecretStr(TOKEN))
    with TestClient(create_app(settings)) as c:
        first = c.get("/api/candidates", params={"limit": 1}).json()["candidates"][0]
        pair = {first["left"]["iri"], first["right"]["iri"]}
        before = c.app.state.candidate_index[1]
        release = _hold_loads(monkeypatch)
        remote_store._warm_index(c.app)
        try:
            decided = c.post("/api/candidates/review", headers={"Authorization": f"Bearer {TOKEN}"}, json={
                "left": first["left"]["iri"], "right": first["right"]["iri"], "decision": "reject",
                "reviewer": "Rita Reviewer"})
            assert decided.status_code == 201, decided.text[:300]
        finally:
            release.set()
            c.app.state.candidates_pending.join(60)
        assert c.app.state.candidate_index[1] is not before  # the store's own index, loaded
        listed = c.get("/api/candidates", params={"limit": 5000}).json()["candidates"]
        assert pair not in [{x["left"]["iri"], x["right"]["iri"]} for x in listed]
