"""A live service on a free loopback port with a small ITU-shaped store, for real SPARQL clients."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest
from sparql_client_data import REPO, client_nquads  # noqa: E402  (this folder is on sys.path)

from iscg_graph.build import write_store
from iscg_graph.liveserver import ServerProcess, free_port


@pytest.fixture(scope="session")
def live_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    work = tmp_path_factory.mktemp("clients")
    store = write_store(work / "store", client_nquads(), "clients-test")
    del store
    port = free_port()
    env = {"ISCG_STORE_PATH": str(work / "store"), "ISCG_ENVIRONMENT": "test", "ISCG_QUERY_WORKERS": "1",
           "ISCG_BUDGET_SECONDS_PER_MINUTE": "0"}
    argv = [sys.executable, "-m", "uvicorn", "api.main:create_app", "--factory", "--host", "127.0.0.1",
            "--port", str(port), "--log-level", "warning"]
    base = f"http://127.0.0.1:{port}"
    with ServerProcess(argv, ready_url=f"{base}/health", log=work / "server.log", env=env, cwd=REPO):
        yield f"{base}/sparql"
