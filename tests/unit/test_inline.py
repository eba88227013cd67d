"""Proven-light queries run in the caller (the `InlineFirst` layer over `ProcessPoolEngine`),
everything else in a killable worker; both give the same answers and the same errors."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from iscg_graph.build.pipeline import write_store
from iscg_graph.errors import QueryError, QueryTimeout
from iscg_graph.query.compose import EngineStack, build_engine
from iscg_graph.query.inline import InlineRunner
from iscg_graph.query.workers import ProcessPoolEngine
from iscg_graph.rdf.store import EmbeddedStore, data_key, read_meta

JSON = "application/sparql-results+json"
GRAPH = "urn:graph:items"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
LIGHT = [
    "SELECT ?o WHERE { <urn:item:7> <urn:p:label> ?o }",
    "SELECT * WHERE { <urn:item:7> ?p ?o OPTIONAL { ?o <urn:p:label> ?x } } ORDER BY ?p",
    "ASK { <urn:item:3> <urn:p:next> <urn:item:4> }",
    "SELECT (COUNT(*) AS ?n) WHERE { <urn:item:9> ?p ?o FILTER(isIRI(?o) || STRSTARTS(STR(?o), 'item')) }",
    "CONSTRUCT WHERE { <urn:item:5> ?p ?o }",
    "SELECT ?s WHERE { ?s <urn:p:label> \"item 12\" }",
]


def items(n: int = 200) -> bytes:
    return "".join(f'<urn:item:{i}> <urn:p:label> "item {i}" <{GRAPH}> .\n'
                   f"<urn:item:{i}> <urn:p:next> <urn:item:{i + 1}> <{GRAPH}> .\n" for i in range(n)).encode()


@pytest.fixture(scope="module")
def engines(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[EngineStack, ProcessPoolEngine]]:
    """The same store served with the in-process path and without it (workers only)."""
    location = tmp_path_factory.mktemp("inline") / "store"
    made = write_store(location, items(), "test")
    del made
    with_inline = build_engine(location, workers=1, timeout=5, light_rows=1000, wait=True)
    with with_inline.engine, ProcessPoolEngine(location, workers=1, timeout=5) as workers_only:
        yield with_inline, workers_only


def rows(body: bytes) -> object:
    data = json.loads(body)
    if "boolean" in data:
        return data["boolean"]
    return sorted(json.dumps(b, sort_keys=True) for b in data["results"]["bindings"])


@pytest.mark.parametrize("query", LIGHT)
def test_light_queries_run_in_the_caller_and_answer_as_a_worker_would(
        engines: tuple[EngineStack, ProcessPoolEngine], query: str) -> None:
    stack, workers_only = engines
    inline_engine = stack.engine
    assert stack.inline is not None
    before = stack.inline.runs
    media = "application/n-triples" if query.startswith("CONSTRUCT") else JSON
    here = inline_engine.run(query, media_type=media)
    there = workers_only.run(query, media_type=media)
    assert stack.inline.runs == before + 1
    if media == JSON:
        assert rows(here.body) == rows(there.body)
    else:
        assert sorted(here.body.splitlines()) == sorted(there.body.splitlines())
    assert (here.media_type, here.kind) == (there.media_type, there.kind)


def test_errors_are_the_same_as_from_a_worker(engines: tuple[EngineStack, ProcessPoolEngine]) -> None:
    stack, workers_only = engines
    inline_engine = stack.engine
    assert stack.inline is not None
    query = "SELECT (STR(?o) AS ?o) WHERE { <urn:item:1> <urn:p:label> ?o }"  # in the subset, yet invalid
    before = stack.inline.runs
    with pytest.raises(QueryError) as here:
        inline_engine.run(query, media_type=JSON)
    with pytest.raises(QueryError) as there:
        workers_only.run(query, media_type=JSON)
    assert stack.inline.runs == before + 1
    assert (type(here.value), str(here.value)) == (type(there.value), str(there.value))
    # over the row limit: the same explicit error, never a truncated body
    many = "SELECT * WHERE { <urn:item:1> ?p ?o }"
    with pytest.raises(QueryError) as here:
        inline_engine.run(many, media_type=JSON, row_limit=1)
    with pytest.raises(QueryError) as there:
        workers_only.run(many, media_type=JSON, row_limit=1)
    assert (type(here.value), str(here.value)) == (type(there.value), str(there.value))


def test_a_light_query_is_answered_while_every_worker_is_busy(
        engines: tuple[EngineStack, ProcessPoolEngine]) -> None:
    stack, _ = engines
    inline_engine = stack.engine
    stuck: dict[str, BaseException] = {}

    def runaway() -> None:
        try:
            inline_engine.run(RUNAWAY, media_type=JSON, timeout=1.5)
        except QueryError as exc:
            stuck["error"] = exc

    assert stack.inline is not None
    before = stack.inline.runs
    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.3)  # the only worker is now running the runaway query
    answered = inline_engine.run(LIGHT[0], media_type=JSON)
    assert b"item 7" in answered.body
    # answered while the runaway query still held the only worker (it runs until its timeout);
    # how fast is a figure for bench/safety.py, not an assertion for a loaded machine
    assert thread.is_alive()
    thread.join(20)
    # the runaway query was never run here: it went to the worker and was stopped there
    assert isinstance(stuck.get("error"), QueryTimeout)
    assert stack.inline.runs == before + 1


def test_the_event_loop_path_runs_light_queries_in_the_caller_too(
        engines: tuple[EngineStack, ProcessPoolEngine]) -> None:
    stack, _ = engines
    inline_engine = stack.engine
    assert stack.inline is not None
    before = stack.inline.runs
    nested = "SELECT ?o WHERE { { <urn:item:7> <urn:p:label> ?o } }"  # outside the subset: a worker

    async def both() -> tuple[bytes, bytes]:
        light = await inline_engine.run_async(LIGHT[0], media_type=JSON)
        assert stack.inline is not None and stack.inline.runs == before + 1
        return light.body, (await inline_engine.run_async(nested, media_type=JSON)).body

    light, other = asyncio.run(both())
    assert b"item 7" in light and b"item 7" in other
    assert stack.inline.runs == before + 1


def test_counts_are_taken_again_when_the_data_changes(tmp_path: Path) -> None:
    made = write_store(tmp_path / "store", items(100), "test")
    del made
    store = EmbeddedStore.open_writable(tmp_path / "store")
    runner = InlineRunner(tmp_path / "store", max_rows=150)
    runner.load(background=False)
    first = data_key(read_meta(tmp_path / "store"))
    all_labels = "SELECT ?s WHERE { ?s <urn:p:label> ?o }"
    assert runner.is_light(all_labels, generation=first)  # 100 labels
    store.add_to_graph(GRAPH, "".join(f'<urn:new:{i}> <urn:p:label> "n" .\n' for i in range(100)).encode())
    second = data_key(read_meta(tmp_path / "store"))
    assert second != first
    # the copy is older than the data: nothing runs here until it is reloaded (in the background)
    assert runner.run(all_labels, generation=second, media_type=JSON) is None
    deadline = time.monotonic() + 10
    while runner.generation != second and time.monotonic() < deadline:
        time.sleep(0.01)
    assert runner.generation == second
    assert not runner.is_light(all_labels, generation=second)  # 200 > 150: counted again
    assert runner.run(all_labels, generation=second, media_type=JSON) is None  # goes to a worker
    off = InlineRunner(tmp_path / "store", max_rows=0)
    off.load(background=False)
    assert not off.is_light("ASK {}", generation=second)


def test_the_on_disk_store_answers_until_the_copy_is_in(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    # a start-up: the copy of the snapshot takes seconds at a million triples; light queries are
    # answered meanwhile from the build's on-disk store, then from the copy once it is in
    made = write_store(tmp_path / "store", items(50), "test")
    del made
    release = threading.Event()
    loading = EmbeddedStore.open_snapshot

    def slow_copy(path: object, *args: object, **kwargs: object) -> EmbeddedStore:
        assert release.wait(10)
        return loading(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(EmbeddedStore, "open_snapshot", staticmethod(slow_copy))
    key = data_key(read_meta(tmp_path / "store"))
    runner = InlineRunner(tmp_path / "store", max_rows=1000)
    runner.load()
    deadline = time.monotonic() + 10
    while runner.generation != key and time.monotonic() < deadline:
        time.sleep(0.01)
    query = "SELECT ?o WHERE { <urn:item:7> <urn:p:label> ?o }"
    before = runner.run(query, generation=key, media_type=JSON)
    assert before is not None and rows(before.body) == rows(json.dumps(
        {"head": {"vars": ["o"]}, "results": {"bindings": [{"o": {"type": "literal", "value": "item 7"}}]}}))
    assert runner.store is not None and not runner.store._copy  # the on-disk store, read-only
    release.set()
    while (runner.store is None or not runner.store._copy) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert runner.store is not None and runner.store._copy  # the copy, once loaded
    after = runner.run(query, generation=key, media_type=JSON)
    assert after is not None and rows(after.body) == rows(before.body)
