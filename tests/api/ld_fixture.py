"""The small linked-data dataset shared by test_resources.py, test_workbench.py and the browser test."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from iscg_graph.build.publish import publish
from iscg_graph.rdf.store import EmbeddedStore, StoreMeta

BASE = "https://w3id.org/iscg/"
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "linked-data" / "sample.trig"
BUILT_AT = "2026-11-24T20:00:00Z"


def load_fixture_store(path: Path) -> EmbeddedStore:
    """The fixture in an in-memory store whose files (meta.json, snapshot, dumps) live in `path`."""
    path.mkdir(parents=True, exist_ok=True)
    inner = ox.Store()
    inner.load(path=str(FIXTURE), format=ox.RdfFormat.TRIG)
    store = EmbeddedStore(inner, path=path, meta=StoreMeta(data_version="fixture", built_at=BUILT_AT))
    publish(store, path, BASE)
    return store


def fixture_nquads() -> bytes:
    inner = ox.Store()
    inner.load(path=str(FIXTURE), format=ox.RdfFormat.TRIG)
    return inner.dump(format=ox.RdfFormat.N_QUADS) or b""
