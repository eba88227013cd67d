"""Shared fixtures: a store built once per session from the shipped data; live servers on a store."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def built_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Path of a store built from the real data (the build's own validation included)."""
    from iscg_graph.build.pipeline import build

    path = tmp_path_factory.mktemp("store") / "store"
    build(path)
    return path


@pytest.fixture(scope="session")
def real_store(built_store: Path):  # type: ignore[no-untyped-def]
    """An in-memory copy of the real store, for read-only tests."""
    from iscg_graph.rdf.store import EmbeddedStore

    return EmbeddedStore.open_snapshot(built_store)


@pytest.fixture(scope="session")
def live_service() -> Iterator[Callable[..., str]]:
    """Start this service under uvicorn on a free loopback port: `live_service(store, **ISCG_env)`.

    Returns the base URL once /health answers; the log is `server.log` beside the store, one query
    worker unless `env` says otherwise. Every server started is stopped at the end of the session.
    """
    from liveserver import api_server, free_port

    with ExitStack() as running:

        def start(store: Path, **env: str) -> str:
            port = free_port()
            settings = {"ISCG_QUERY_WORKERS": "1", **env}
            # 150 s: a service on a remote store fetches its copy first, slow on 2 shared cores
            running.enter_context(api_server(store, port, log=store.parent / "server.log", env=settings,
                                             start_timeout=150.0))
            return f"http://127.0.0.1:{port}"

        yield start


@pytest.fixture(scope="session")
def new_period(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes]:
    """A store built from the real data without a few of the latest Questions, and the Questions table
    that adds them back as a new study period would arrive (tests/new_period_data.py). Tests that
    write copy the store first."""
    from new_period_data import split_data

    from iscg_graph.build.pipeline import build

    root = tmp_path_factory.mktemp("new-period")
    data, table = split_data(root)
    build(root / "store", data)
    return root / "store", table
