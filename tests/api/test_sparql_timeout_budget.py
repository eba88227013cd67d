"""Timeout (503 + Retry-After, CPU freed, others still served), per-client budget (429), reloads.

A "runaway" query is a four-way cross join over the store (~200^4 solutions): it would run for
minutes; the endpoint must stop it at the configured timeout by killing its worker process.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from api.budget import QueryBudget
from api.main import create_app
from api.settings import Settings
from iscg_graph.build.pipeline import write_store

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
SIMPLE = "SELECT ?o WHERE { <urn:item:7> <urn:p:label> ?o }"  # proven light: runs in the server process
NESTED = "SELECT ?o WHERE { { <urn:item:7> <urn:p:label> ?o } }"  # outside the light subset: a worker
GRAPH = "urn:graph:items"


def items_nquads(n: int = 200) -> bytes:
    return "".join(f'<urn:item:{i}> <urn:p:label> "item {i}" <{GRAPH}> .\n' for i in range(n)).encode()


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("safety") / "store"
    store = write_store(path, items_nquads(), "test")
    del store
    return path


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.fixture(scope="module")
def client(store_path: Path) -> Iterator[TestClient]:
    settings = Settings(
        store_path=store_path,
        environment="test",
        query_workers=2,
        query_timeout=2.0,
        budget_seconds_per_minute=0,
    )
    with TestClient(create_app(settings)) as c:
        yield c


@pytest.mark.slow
def test_runaway_query_gets_503_its_cpu_is_freed_and_others_are_served(client: TestClient) -> None:
    stack = client.app.state.engine_stack  # type: ignore[attr-defined]
    engine, inline = stack.pool, stack.inline
    assert inline is not None
    before = set(engine.worker_pids())
    assert len(before) == 2
    deadline = time.monotonic() + 60  # both workers loaded: the test is about running, not starting
    while engine.idle_workers() < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    outcome: dict[str, httpx.Response] = {}

    def runaway() -> None:
        outcome["resp"] = client.get("/sparql", params={"query": RUNAWAY, "format": "json"})

    thread = threading.Thread(target=runaway)
    started = time.monotonic()
    thread.start()
    time.sleep(0.3)
    # meanwhile, simple queries keep being answered: by the other worker, and (light ones) in-process
    # (how many, and how much CPU the runaway burned, are figures for bench/safety.py)
    served = 0
    inline_before = inline.runs
    light_items = set()
    while thread.is_alive() and served < 40:
        item = served % 200  # a different query each time: not the result cache
        query = (NESTED if served % 2 else SIMPLE).replace("item:7", f"item:{item}")
        if not served % 2:
            light_items.add(item)
        resp = client.get("/sparql", params={"query": query, "format": "csv"})
        assert resp.status_code == 200 and resp.text.splitlines()[1] == f"item {item}"
        served += 1
    thread.join(30)
    elapsed = time.monotonic() - started
    resp = outcome["resp"]
    assert resp.status_code == 503, resp.text
    assert resp.headers["retry-after"].isdigit()
    assert "2 s" in resp.text and '"bindings"' not in resp.text  # never a 200 with a partial body
    assert elapsed >= 1.9  # never stopped before its timeout
    assert served >= 1  # answered while the runaway query ran (it runs until its timeout)
    # the light half ran in-process (each distinct one once: repeats come from the result cache)
    assert inline.runs - inline_before == len(light_items) >= 1
    # the worker that ran it was killed: it no longer exists, so its CPU is free
    killed = before - set(engine.worker_pids())
    assert len(killed) == 1
    (pid,) = killed
    assert not _alive(pid)  # it is gone, and its CPU with it
    # the pool is back to full strength
    deadline = time.monotonic() + 20
    while len(engine.worker_pids()) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(engine.worker_pids()) == 2
    assert client.get("/sparql", params={"query": SIMPLE, "format": "csv"}).status_code == 200


def test_workers_reload_after_a_write(client: TestClient) -> None:
    store = client.app.state.store  # type: ignore[attr-defined]
    ask = {"query": "ASK { { <urn:item:new> ?p ?o } }", "format": "json"}  # outside the light subset
    light = {"query": "ASK { <urn:item:new> ?p ?o }", "format": "json"}  # runs in-process
    assert client.get("/sparql", params=ask).json()["boolean"] is False
    assert client.get("/sparql", params=light).json()["boolean"] is False
    store.add_to_graph(GRAPH, b'<urn:item:new> <urn:p:label> "new" .\n')
    assert client.get("/sparql", params=ask).json()["boolean"] is True
    assert client.get("/sparql", params=ask).json()["boolean"] is True  # the other worker too
    assert client.get("/sparql", params=light).json()["boolean"] is True  # and the in-process path


# -- budget --------------------------------------------------------------------------------------


@pytest.mark.slow
def test_budget_exceeded_is_429_with_retry_after(tmp_path: Path) -> None:
    store = write_store(tmp_path / "store", items_nquads(), "test")
    del store
    settings = Settings(
        store_path=tmp_path / "store",
        environment="test",
        query_workers=1,
        query_timeout=0.6,
        budget_seconds_per_minute=1.0,
        budget_exempt_loopback=True,
    )
    with TestClient(create_app(settings)) as client:  # host "testclient": not loopback, so budgeted
        first = client.get("/sparql", params={"query": RUNAWAY})
        second = client.get("/sparql", params={"query": RUNAWAY})
        assert (first.status_code, second.status_code) == (503, 503)  # 2 x 0.6 s spent
        third = client.get("/sparql", params={"query": SIMPLE})
        assert third.status_code == 429, third.text
        assert 1 <= int(third.headers["retry-after"]) <= 60
        assert "budget" in third.text


@pytest.mark.slow
def test_one_client_cannot_occupy_every_worker(tmp_path: Path) -> None:
    store = write_store(tmp_path / "store", items_nquads(), "test")
    del store
    settings = Settings(
        store_path=tmp_path / "store",
        environment="test",
        query_workers=2,
        query_timeout=1.0,
        budget_seconds_per_minute=50.0,
        budget_concurrent_queries=1,
    )
    with TestClient(create_app(settings)) as client:
        client.get("/sparql", params={"query": "ASK {}"})  # workers up
        first: dict[str, httpx.Response] = {}
        thread = threading.Thread(
            target=lambda: first.update(r=client.get("/sparql", params={"query": RUNAWAY}))
        )
        thread.start()
        time.sleep(0.3)
        second = client.get("/sparql", params={"query": RUNAWAY})
        assert second.status_code == 429 and second.headers["retry-after"] == "1"
        assert "already has 1 running query" in second.text
        thread.join(20)
        assert first["r"].status_code == 503
        assert client.get("/sparql", params={"query": SIMPLE}).status_code == 200  # the slot was released


def test_the_in_process_path_can_be_turned_off(tmp_path: Path) -> None:
    made = write_store(tmp_path / "store", items_nquads(), "test")
    del made
    settings = Settings(store_path=tmp_path / "store", environment="test", light_query_rows=0,
                        budget_seconds_per_minute=0, result_cache_bytes=0)
    with TestClient(create_app(settings)) as client:
        assert client.app.state.engine_stack.inline is None  # type: ignore[attr-defined]
        resp = client.get("/sparql", params={"query": SIMPLE, "format": "csv"})
        assert resp.status_code == 200 and resp.text.splitlines()[1] == "item 7"


def test_budget_window_and_loopback_exemption() -> None:
    now = [1000.0]
    budget = QueryBudget(10.0, exempt_loopback=True, clock=lambda: now[0])
    budget.charge("203.0.113.5", 6.0)
    assert budget.retry_after("203.0.113.5") is None
    now[0] += 20
    budget.charge("203.0.113.5", 5.0)
    assert budget.retry_after("203.0.113.5") == 40  # the first charge leaves the window at t+60
    assert budget.retry_after("198.51.100.1") is None  # per client
    for loopback in ("127.0.0.1", "::1"):
        budget.charge(loopback, 100.0)
        assert budget.retry_after(loopback) is None
    now[0] += 41
    assert budget.retry_after("203.0.113.5") is None
    strict = QueryBudget(10.0, exempt_loopback=False, clock=lambda: now[0])
    strict.charge("127.0.0.1", 11.0)
    assert strict.retry_after("127.0.0.1") == 60
    assert QueryBudget(0, clock=lambda: now[0]).retry_after("203.0.113.5") is None


def test_loopback_is_budgeted_unless_exempted_and_the_window_is_configurable() -> None:
    now = [1000.0]
    budget = QueryBudget(2.0, window=5.0, clock=lambda: now[0])
    assert budget.applies_to("127.0.0.1") and budget.applies_to("::1")  # no exemption by default
    budget.charge("127.0.0.1", 2.5)
    assert budget.retry_after("127.0.0.1") == 5
    now[0] += 3
    assert budget.retry_after("127.0.0.1") == 2
    now[0] += 2
    assert budget.retry_after("127.0.0.1") is None  # the charge left the 5-second window


def test_settings_default_to_a_budget_that_can_fire() -> None:
    default = Settings()
    assert not default.budget_exempt_loopback
    reachable = default.budget_window_seconds * default.budget_concurrent_queries
    assert default.budget_seconds_per_minute < reachable
    production = Settings(environment="production", budget_exempt_loopback=True,
                          session_secret="a-test-secret")  # type: ignore[arg-type]
    assert not production.budget_exempt_loopback
    with pytest.raises(ValueError, match="can never be spent"):
        Settings(budget_seconds_per_minute=120, budget_concurrent_queries=1)
    unlimited = Settings(budget_seconds_per_minute=120, budget_concurrent_queries=0)
    assert unlimited.budget_seconds_per_minute == 120


def test_concurrency_slots() -> None:
    budget = QueryBudget(10.0, exempt_loopback=True, concurrent=2)
    assert budget.start("203.0.113.5") and budget.start("203.0.113.5")
    assert not budget.start("203.0.113.5")
    assert budget.start("198.51.100.1")  # per client
    assert all(budget.start("127.0.0.1") for _ in range(5))  # loopback exempt
    budget.finish("203.0.113.5", 0.5)
    assert budget.start("203.0.113.5")
    assert budget.spent("203.0.113.5") == 0.5
    assert QueryBudget(10.0, concurrent=0).start("203.0.113.5")  # 0: no limit
