"""``ISCG_CANDIDATES_AT_STARTUP=false``: a store without a readable candidate index is served at
once and never computes one (at ten million triples the precompute takes hours and gigabytes,
docs/notes/scale.md §9); the candidate routes answer 503 naming what to do, and a store that has
its index serves it as before."""

from __future__ import annotations

import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient

from api.candidate_refresh import refresh_index
from api.main import create_app
from api.settings import Settings
from iscg_graph.rdf.store import EmbeddedStore


def test_no_index_and_no_computation_answers_503_naming_the_build(built_store: Path, tmp_path: Path) -> None:
    copy = tmp_path / "build"
    shutil.copytree(built_store.resolve(), copy)
    (copy / "candidates.json").unlink()
    settings = Settings(environment="test", store_path=copy, query_workers=1, retry_after_seconds=9,
                        candidates_at_startup=False)
    with TestClient(create_app(settings)) as c:
        assert c.get("/health").status_code == 200
        assert c.app.state.candidates_pending is None  # type: ignore[attr-defined]  # nothing computing
        assert c.get("/health").json()["candidates"] == "off"
        refused = c.get("/api/candidates")
        assert refused.status_code == 503 and refused.headers["retry-after"] == "9"
        assert "ISCG_CANDIDATES_AT_STARTUP" in refused.json()["detail"]
        assert "iscg build" in refused.json()["detail"]
        assert c.get("/sparql", params={"query": "ASK {}"}).status_code == 200  # the rest is served
        document = c.get("/openapi.json")  # its code lists come from the index: left open, not computed
        assert document.status_code == 200
        assert c.get("/api/candidates").status_code == 503
    assert not (copy / "candidates.json").exists()


def test_a_store_with_its_index_serves_it_whatever_the_setting(built_store: Path, tmp_path: Path) -> None:
    copy = tmp_path / "build"
    shutil.copytree(built_store.resolve(), copy)
    settings = Settings(environment="test", store_path=copy, query_workers=1, candidates_at_startup=False)
    with TestClient(create_app(settings)) as c:
        assert c.get("/api/candidates").status_code == 200


@pytest.mark.parametrize("off", [True, False])
def test_a_change_recomputes_the_index_only_where_the_service_computes_one(
        built_store: Path, tmp_path: Path, off: bool) -> None:
    """A curation write that moves pairs (an item retired, a table imported) recomputes the index in
    its request; a service told not to compute one leaves a store without it as it is."""
    copy = tmp_path / "build"
    shutil.copytree(built_store.resolve(), copy)
    (copy / "candidates.json").unlink()
    store = EmbeddedStore.open_snapshot(copy)
    state = SimpleNamespace(store=store, candidates_off=off, candidate_index=("stale", None))
    refresh_index(SimpleNamespace(app=SimpleNamespace(state=state)))  # type: ignore[arg-type]
    assert (copy / "candidates.json").exists() is not off
