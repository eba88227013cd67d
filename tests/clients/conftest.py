"""A live service on a free loopback port with a small ITU-shaped store, for real SPARQL clients."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sparql_client_data import client_nquads  # noqa: E402  (this folder is on sys.path)

from iscg_graph.build.pipeline import write_store


@pytest.fixture(scope="session")
def live_endpoint(tmp_path_factory: pytest.TempPathFactory, live_service: Callable[..., str]) -> str:
    work = tmp_path_factory.mktemp("clients")
    store = write_store(work / "store", client_nquads(), "clients-test")
    del store
    return f"{live_service(work / 'store', ISCG_BUDGET_SECONDS_PER_MINUTE='0')}/sparql"
