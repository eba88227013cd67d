"""Shared fixtures: a store built once per session from the shipped data."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def built_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Path of a store built from the real data (the build's own validation included)."""
    from iscg_graph.build import build

    path = tmp_path_factory.mktemp("store") / "store"
    build(path)
    return path


@pytest.fixture(scope="session")
def real_store(built_store: Path):  # type: ignore[no-untyped-def]
    """An in-memory copy of the real store, for read-only tests."""
    from iscg_graph.store import EmbeddedStore

    return EmbeddedStore.open_snapshot(built_store)
