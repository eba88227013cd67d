"""Fixtures: a real Oxigraph server loaded with the shipped build, and engines on it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from iscg_graph.build.remote_load import load_build
from iscg_graph.query.remote import RemoteConfig, RemoteEngine
from iscg_graph.vocab import DEFAULT_BASE

from .servers import oxigraph_server


@pytest.fixture(scope="session")
def oxigraph_root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server, root = oxigraph_server(tmp_path_factory.mktemp("oxigraph"))
    try:
        yield root
    finally:
        server.stop()


def oxigraph_config(root: str, **extra: object) -> RemoteConfig:
    return RemoteConfig(f"{root}/query", f"{root}/update", kind="oxigraph", poll_interval=0.0,
                        **extra)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def loaded_oxigraph(oxigraph_root: str, built_store: Path) -> str:
    """The Oxigraph server with the shipped build loaded (returns its root URL)."""
    engine = RemoteEngine(oxigraph_config(oxigraph_root))
    load_build(Path(os.path.realpath(built_store)), engine, base=DEFAULT_BASE)
    return oxigraph_root
