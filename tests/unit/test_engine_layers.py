"""The engine interface and its layers: every engine answers every method; the cache and the
light-query path wrap any engine; workers and the pool exchange typed messages."""

from __future__ import annotations

import asyncio
import pickle
import re
from collections.abc import Hashable
from pathlib import Path

import pytest

from iscg_graph.build.pipeline import write_store
from iscg_graph.errors import EngineUnavailable, QueryError, QuerySyntaxError, ResultTooLarge
from iscg_graph.query.engine import InProcessEngine
from iscg_graph.query.inline import InlineRunner
from iscg_graph.query.interface import BaseEngine, EngineResult, QueryEngine, QueryRequest
from iscg_graph.query.layers import CachingEngine, InlineFirst
from iscg_graph.query.messages import Failure
from iscg_graph.query.result_cache import ResultCache
from iscg_graph.query.workers import ProcessPoolEngine
from iscg_graph.rdf.store import EmbeddedStore

JSON = "application/sparql-results+json"
REPO = Path(__file__).resolve().parents[2]


class Counting(BaseEngine):
    """An engine that answers every query with its own call count (and can change its data)."""

    def __init__(self) -> None:
        self.calls: list[QueryRequest] = []
        self.data: Hashable = 1

    @property
    def generation(self) -> Hashable:
        return self.data

    def graphs(self, wait: float = 0.0) -> frozenset[str]:
        return frozenset({"urn:g"})

    def execute(self, request: QueryRequest, timeout: float | None = None) -> EngineResult:
        self.calls.append(request)
        return EngineResult(str(len(self.calls)).encode(), request.media_type, "bindings")


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("layers") / "store"
    nquads = "".join(f'<urn:item:{i}> <urn:p:label> "item {i}" <urn:g> .\n' for i in range(300)).encode()
    made = write_store(path, nquads, "test")
    del made
    return path


def test_every_engine_and_layer_is_a_query_engine(store_path: Path) -> None:
    inner = InProcessEngine(EmbeddedStore.open_snapshot(store_path))
    engines = [inner, ProcessPoolEngine(store_path), CachingEngine(inner, ResultCache(1000)),
               InlineFirst(inner, InlineRunner(store_path, max_rows=10))]
    for engine in engines:
        assert isinstance(engine, QueryEngine), type(engine).__name__


def test_requests_are_equal_whatever_the_order_of_substitutions() -> None:
    a = QueryRequest.of("SELECT * {}", media_type=JSON, substitutions={"a": "<urn:a>", "b": '"b"'})
    b = QueryRequest.of("SELECT * {}", media_type=JSON, substitutions={"b": '"b"', "a": "<urn:a>"})
    assert a == b and hash(a) == hash(b) and pickle.loads(pickle.dumps(a)) == a
    assert a.substitution_map == {"a": "<urn:a>", "b": '"b"'}
    assert QueryRequest.of("ASK {}", media_type=JSON, default_graph=["urn:g"]).default_graph_list == ["urn:g"]


def test_the_cache_answers_repeats_until_the_generation_moves() -> None:
    inner = Counting()
    engine = CachingEngine(inner, ResultCache(1_000_000))
    assert engine.run("SELECT * {}", media_type=JSON).body == b"1"
    assert engine.run("SELECT * {}", media_type=JSON).body == b"1"  # from memory
    assert engine.run("SELECT * {}", media_type="text/csv").body == b"2"  # another request
    inner.data = 2
    assert engine.run("SELECT * {}", media_type=JSON).body == b"3"  # the data changed
    assert asyncio.run(engine.run_async("SELECT * {}", media_type=JSON)).body == b"3"
    assert engine.run("SELECT (NOW() AS ?t) {}", media_type=JSON).body == b"4"
    assert engine.run("SELECT (NOW() AS ?t) {}", media_type=JSON).body == b"5"  # volatile: never kept


def test_answer_now_is_a_hit_or_nothing_runs() -> None:
    inner = Counting()
    engine = CachingEngine(inner, ResultCache(1_000_000))
    assert engine.answer_now("SELECT * {}", media_type=JSON) is None and inner.calls == []
    assert engine.cache.misses == 0  # the caller goes on to run_async, which counts the miss
    engine.run("SELECT * {}", media_type=JSON)
    hit = engine.answer_now("SELECT * {}", media_type=JSON)
    assert hit is not None and hit.body == b"1" and len(inner.calls) == 1
    assert engine.graphs() == frozenset({"urn:g"}) and engine.generation == 1


def test_light_queries_run_in_the_layer_and_the_rest_below(store_path: Path) -> None:
    store = EmbeddedStore.open_snapshot(store_path)
    below = InProcessEngine(store)
    runner = InlineRunner(store_path, max_rows=100)
    runner.load(background=False)
    calls: list[str] = []

    class Recording(InProcessEngine):
        def execute(self, request: QueryRequest, timeout: float | None = None) -> EngineResult:
            calls.append(request.sparql)
            return super().execute(request, timeout)

    engine = InlineFirst(Recording(store), runner)
    light = "SELECT ?o WHERE { <urn:item:7> <urn:p:label> ?o }"
    heavy = "SELECT ?s WHERE { ?s <urn:p:label> ?o }"  # 300 rows > 100
    assert b"item 7" in engine.run(light, media_type=JSON).body
    assert runner.runs == 1 and calls == []
    now = engine.answer_now(light, media_type=JSON)
    assert now is not None and runner.runs == 2
    assert engine.answer_now(heavy, media_type=JSON) is None and calls == []  # nothing ran
    assert engine.run(heavy, media_type=JSON).body == below.run(heavy, media_type=JSON).body
    assert calls == [heavy]
    again = asyncio.run(engine.run_async(light, media_type=JSON))
    assert again.body == engine.run(light, media_type=JSON).body


def test_layers_stack_in_any_order_over_any_engine(store_path: Path) -> None:
    runner = InlineRunner(store_path, max_rows=100)
    runner.load(background=False)
    engine = CachingEngine(InlineFirst(InProcessEngine(EmbeddedStore.open_snapshot(store_path)), runner),
                           ResultCache(1_000_000))
    light = "SELECT ?o WHERE { <urn:item:8> <urn:p:label> ?o }"
    first = engine.answer_now(light, media_type=JSON)
    assert first is not None and runner.runs == 1
    assert engine.answer_now(light, media_type=JSON) == first and runner.runs == 1  # now from the cache
    assert engine.cache.hits == 1


@pytest.mark.parametrize("error", [QuerySyntaxError("expected }", 2, 5), ResultTooLarge("over 10 rows"),
                                   QueryError("bad"), ValueError("not an IRI")])
def test_worker_failures_come_back_as_the_same_typed_error(error: Exception) -> None:
    failure = pickle.loads(pickle.dumps(Failure.of(error)))
    back = failure.error()
    assert isinstance(back, QueryError)
    if isinstance(error, QueryError):
        assert type(back) is type(error) and str(back) == str(error)
    else:
        assert str(back) == "ValueError: not an IRI"


def test_engine_unavailable_is_a_query_error_in_the_one_tree() -> None:
    import iscg_graph.query.workers

    assert issubclass(EngineUnavailable, QueryError)
    assert iscg_graph.query.workers.EngineUnavailable is EngineUnavailable


def test_no_caller_asks_an_engine_what_it_can_do() -> None:
    """Callers rely on the interface: no ``getattr``/``hasattr`` on an engine in the library or the API."""
    pattern = re.compile(r"\b(getattr|hasattr)\([^)]*engine", re.IGNORECASE)
    offenders = [f"{path.relative_to(REPO)}:{n}"
                 for folder in ("iscg_graph", "api") for path in sorted((REPO / folder).rglob("*.py"))
                 for n, line in enumerate(path.read_text().splitlines(), 1) if pattern.search(line)]
    assert offenders == []
