"""One HTTP policy: the same library error gets the same status, headers and body on every route
family; 503 + Retry-After (from the settings) when no worker is free; hostile Accept headers cost
bounded memory and are never echoed back in full."""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Callable, Hashable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from test_sparql import make_store, small_nquads

from api.deps import get_store
from api.main import create_app
from api.routers.candidates import get_index
from api.settings import Settings
from iscg_graph.errors import (
    EngineUnavailable,
    NotReady,
    QueryError,
    QueryRefused,
    QueryTimeout,
    ResultTooLarge,
    StoreError,
)
from iscg_graph.query.interface import BaseEngine, EngineResult, QueryRequest

RETRY = 7
QUESTION = "/id/question/itu-t/2017-2020/4-17"
SELECT = "SELECT * WHERE { ?s ?p ?o } LIMIT 1"


class Failing(BaseEngine):
    """The service's engine, except that every query raises ``error`` while one is set."""

    def __init__(self, inner: BaseEngine):
        self.inner = inner
        self.error: Exception | None = None

    @property
    def generation(self) -> Hashable:
        return self.inner.generation

    def graphs(self, wait: float = 0.0) -> frozenset[str]:
        return self.inner.graphs(wait)

    def execute(self, request: QueryRequest, timeout: float | None = None) -> EngineResult:
        if self.error is not None:
            raise self.error
        return self.inner.execute(request, timeout)

    async def execute_async(self, request: QueryRequest, timeout: float | None = None) -> EngineResult:
        if self.error is not None:
            raise self.error
        return await self.inner.execute_async(request, timeout)


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_store(tmp_path_factory.mktemp("policy"), small_nquads())


@pytest.fixture(scope="module")
def client(store_path: Path) -> Iterator[TestClient]:
    settings = Settings(store_path=store_path, environment="test", query_workers=1, query_timeout=1.0,
                        retry_after_seconds=RETRY, budget_seconds_per_minute=0, light_query_rows=0,
                        result_cache_bytes=0)
    with TestClient(create_app(settings)) as c:
        c.app.state.engine.graphs(wait=60)  # type: ignore[attr-defined]
        yield c


def _raising(error: Exception) -> Callable[[], Any]:
    def dependency() -> Any:
        raise error

    return dependency


# route family -> how to make the library raise there, and the request
FAMILIES: dict[str, tuple[str, str]] = {
    "sparql": ("engine", f"/sparql?query={SELECT}"),
    "canned query": ("engine", "/api/queries/list-themes"),
    "report page": ("engine", "/reports/sector-overlap-matrix"),
    "report download": ("engine", "/reports/sector-overlap-matrix.csv"),
    "candidates": ("index", "/api/candidates"),
    "linked data": ("store", QUESTION),
}
ERRORS = [
    (EngineUnavailable("all 1 query workers stayed busy for 1 s; retry later"), 503),
    (QueryTimeout("the query ran longer than 1 s and was stopped"), 503),
    (NotReady("still being prepared"), 503),
    (StoreError("the store cannot be read"), 503),
    (ResultTooLarge("the result has 30 rows, more than the limit of 20"), 400),
    (QueryRefused("SERVICE is not allowed"), 403),
    (QueryError("RuntimeError: boom"), 400),
]


@pytest.mark.parametrize(("error", "status"), ERRORS, ids=[type(e).__name__ for e, _ in ERRORS])
def test_the_same_error_gets_the_same_answer_on_every_route_family(client: TestClient, error: Exception,
                                                                    status: int) -> None:
    app: Any = client.app
    real = app.state.engine
    failing = Failing(real)
    answers = {}
    try:
        app.state.engine = failing
        for family, (how, url) in FAMILIES.items():
            failing.error = error if how == "engine" else None
            app.dependency_overrides.clear()
            if how == "index":
                app.dependency_overrides[get_index] = _raising(error)
            elif how == "store":
                app.dependency_overrides[get_store] = _raising(error)
            resp = client.get(url)
            answers[family] = (resp.status_code, resp.headers.get("retry-after"), resp.json())
    finally:
        app.state.engine = real
        app.dependency_overrides.clear()
    first = answers["sparql"]
    assert first[0] == status
    assert first[1] == (str(RETRY) if status == 503 else None)
    assert str(error) in first[2]["detail"]
    different = {family: answer for family, answer in answers.items() if answer != first}
    assert different == {}


def test_503_with_retry_after_when_no_worker_is_free(client: TestClient) -> None:
    app: Any = client.app
    pool = app.state.engine_stack.pool
    held = pool._idle.get(30)  # the only worker, taken as a long query would
    assert held is not None
    try:
        for url in (f"/sparql?query={SELECT}", "/api/queries/list-themes", "/reports/sector-overlap-matrix"):
            resp = client.get(url)
            assert resp.status_code == 503, (url, resp.text)
            assert resp.headers["retry-after"] == str(RETRY)
            assert "stayed busy" in resp.json()["detail"]
    finally:
        pool._idle.release(held)
    assert client.get(f"/sparql?query={SELECT}").status_code == 200


def test_distinct_huge_accept_headers_cost_bounded_memory(client: TestClient) -> None:
    urls = [f"/sparql?query={SELECT}", "/api/queries/list-themes", QUESTION, "/api/candidates"]
    for url in urls:  # warm every path first: what they keep on purpose is not the headers' cost
        client.get(url, headers={"accept": "text/csv"})
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for i in range(10):
            accept = f"image/x-{i}, " + "image/x-none;q=0.1, " * 52_000  # ~1 MB, distinct each time
            resp = client.get(urls[i % len(urls)], headers={"accept": accept})
            assert resp.status_code == 406, resp.text[:200]
            assert len(resp.content) < 2000  # the header is never echoed back in full
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert grown < 50_000_000, f"{grown / 1e6:.1f} MB kept after ten 1 MB Accept headers"
