"""The one query-engine interface, and the base every engine and every layer is built on.

Callers (the SPARQL endpoint, canned queries, reports, linked-data pages) type against
`QueryEngine` and never ask an engine what it can do: every engine answers every method.

- ``run`` / ``run_async``: a query's serialised result (`EngineResult`), blocking or on the event loop;
- ``answer_now``: the result if the engine can give it at once without waiting (a cache hit, a query
  proven light), else None and nothing runs: the caller then asks ``run_async``;
- ``graphs``: the named graphs of the dataset served (dataset-IRI checks, service description);
- ``generation``: a value that changes whenever the data served changes (results computed on one
  generation stay exact until it moves);
- ``close``: release workers, connections, copies.

Engines: the in-process engine (CLI, tests), the worker pool (killable processes), and a remote
SPARQL 1.1 server reached over HTTP. Layers wrap any engine and are engines themselves
(`iscg_graph.query.layers`): ``CachingEngine(InlineFirst(WorkerPool(store)))``, composed in one
place (`iscg_graph.query.compose`).

`BaseEngine` turns the keyword-argument calls into one immutable `QueryRequest` (hashable: a
cache key as it is; picklable: what a worker receives), so an engine or a layer implements three
request-level methods instead of repeating the keyword arguments.
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, NamedTuple, Protocol, runtime_checkable

__all__ = ["BaseEngine", "EngineResult", "QueryEngine", "QueryRequest", "ResultKind"]

ResultKind = Literal["bindings", "boolean", "graph"]


@dataclass(frozen=True)
class EngineResult:
    body: bytes
    media_type: str
    kind: ResultKind
    rows: int | None = None  # solutions/triples, when counted (large bodies under a row limit)


class QueryRequest(NamedTuple):
    """One query to answer: the text, what to produce, and its dataset and limits.

    Substitutions are N-Triples term strings (``<https://…>``, ``"text"@en``) so a request crosses
    process and network boundaries unchanged; they are kept sorted, so equal requests are equal.
    A named tuple (immutable, picklable), not a dataclass: it is the result cache's key, and tuple
    hashing and comparison run in C (a dataclass's took a few µs of a cached answer's time).
    """

    sparql: str
    media_type: str
    substitutions: tuple[tuple[str, str], ...] = ()
    default_graph: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    row_limit: int | None = None
    at_once: bool = False
    """The service's own small lookup (the known terms): answered from the store a worker has now,
    never held back for the in-memory copy it is loading (`iscg_graph.query.worker_process`)."""

    @classmethod
    def of(cls, sparql: str, *, media_type: str, substitutions: Mapping[str, str] | None = None,
           default_graph: Sequence[str] | None = None, named_graphs: Sequence[str] | None = None,
           row_limit: int | None = None, at_once: bool = False) -> QueryRequest:
        return cls(sparql, media_type, tuple(sorted(substitutions.items())) if substitutions else (),
                   tuple(default_graph) if default_graph is not None else None,
                   tuple(named_graphs) if named_graphs is not None else None, row_limit, at_once)

    @property
    def substitution_map(self) -> dict[str, str]:
        return dict(self.substitutions)

    @property
    def default_graph_list(self) -> list[str] | None:
        return list(self.default_graph) if self.default_graph is not None else None

    @property
    def named_graph_list(self) -> list[str] | None:
        return list(self.named_graphs) if self.named_graphs is not None else None


@runtime_checkable
class QueryEngine(Protocol):
    """What every caller may ask of a query engine (and all it may ask)."""

    @property
    def generation(self) -> Hashable: ...

    def graphs(self, wait: float = 0.0) -> frozenset[str]: ...

    def run(self, sparql: str, *, media_type: str, substitutions: Mapping[str, str] | None = None,
            default_graph: Sequence[str] | None = None, named_graphs: Sequence[str] | None = None,
            timeout: float | None = None, row_limit: int | None = None) -> EngineResult: ...

    async def run_async(self, sparql: str, *, media_type: str,
                        substitutions: Mapping[str, str] | None = None,
                        default_graph: Sequence[str] | None = None,
                        named_graphs: Sequence[str] | None = None, timeout: float | None = None,
                        row_limit: int | None = None) -> EngineResult: ...

    def answer_now(self, sparql: str, *, media_type: str, default_graph: Sequence[str] | None = None,
                   named_graphs: Sequence[str] | None = None,
                   row_limit: int | None = None) -> EngineResult | None: ...

    def close(self) -> None: ...


class BaseEngine(ABC):
    """`QueryEngine` from three request-level methods (and ``graphs``, ``generation``, ``close``).

    ``execute`` runs a request, blocking; ``execute_async`` waits on the event loop (by default:
    ``execute`` in a thread); ``answer_at_once`` answers without waiting or returns None (by
    default: None). Layers call these on the engine they wrap.
    """

    @property
    @abstractmethod
    def generation(self) -> Hashable: ...

    @abstractmethod
    def graphs(self, wait: float = 0.0) -> frozenset[str]: ...

    @abstractmethod
    def execute(self, request: QueryRequest, timeout: float | None = None) -> EngineResult: ...

    async def execute_async(self, request: QueryRequest, timeout: float | None = None) -> EngineResult:
        return await asyncio.to_thread(self.execute, request, timeout)

    def answer_at_once(self, request: QueryRequest) -> EngineResult | None:
        return None

    def close(self) -> None:
        return None

    # -- the keyword-argument face every caller uses --------------------------------------------
    def run(self, sparql: str, *, media_type: str, substitutions: Mapping[str, str] | None = None,
            default_graph: Sequence[str] | None = None, named_graphs: Sequence[str] | None = None,
            timeout: float | None = None, row_limit: int | None = None) -> EngineResult:
        request = QueryRequest.of(sparql, media_type=media_type, substitutions=substitutions,
                                  default_graph=default_graph, named_graphs=named_graphs, row_limit=row_limit)
        return self.execute(request, timeout)

    async def run_async(self, sparql: str, *, media_type: str,
                        substitutions: Mapping[str, str] | None = None,
                        default_graph: Sequence[str] | None = None,
                        named_graphs: Sequence[str] | None = None, timeout: float | None = None,
                        row_limit: int | None = None) -> EngineResult:
        request = QueryRequest.of(sparql, media_type=media_type, substitutions=substitutions,
                                  default_graph=default_graph, named_graphs=named_graphs, row_limit=row_limit)
        return await self.execute_async(request, timeout)

    def answer_now(self, sparql: str, *, media_type: str, default_graph: Sequence[str] | None = None,
                   named_graphs: Sequence[str] | None = None,
                   row_limit: int | None = None) -> EngineResult | None:
        request = QueryRequest.of(sparql, media_type=media_type, default_graph=default_graph,
                                  named_graphs=named_graphs, row_limit=row_limit)
        return self.answer_at_once(request)

    def __enter__(self) -> BaseEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
