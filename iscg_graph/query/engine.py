"""Running a query on an embedded store, and the simple in-process engine.

Callers hand a query text plus typed substitutions to a `QueryEngine` (the interface:
`iscg_graph.query.interface`) and get back the serialised body produced by Oxigraph's own writers.
Every engine over an embedded store runs `execute` below: the worker pool
(`iscg_graph.query.workers.ProcessPoolEngine`) in processes that can be killed on timeout, the
light-query layer in the caller, and `InProcessEngine` in the calling thread (the CLI and unit tests).

Substitutions cross process boundaries, so they are given as N-Triples term strings
(``<https://…>``, ``"text"@en``, ``"3"^^<http://www.w3.org/2001/XMLSchema#integer>``).

Row limits are enforced without converting rows to Python objects: the result is serialised by
Oxigraph into a buffer that refuses to grow past a byte cap, and rows are only counted exactly
when the body is large enough to hold more rows than the limit (every row takes at least one byte
in every format). Over the limit, `ResultTooLarge` is raised: never a silently truncated body.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Hashable, Mapping

import pyoxigraph as ox

from ..errors import QuerySyntaxError, ResultTooLarge
from ..rdf.store import EmbeddedStore, data_key
from .interface import BaseEngine, EngineResult, QueryEngine, QueryRequest

__all__ = ["GRAPH_FORMATS", "RESULTS_FORMATS", "EngineResult", "InProcessEngine", "QueryEngine", "execute",
           "parse_term", "run_request", "syntax_error"]

Term = ox.NamedNode | ox.Literal | ox.BlankNode

# media type -> pyoxigraph format, for SELECT/ASK and for CONSTRUCT/DESCRIBE
RESULTS_FORMATS: dict[str, ox.QueryResultsFormat] = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/n-quads": ox.RdfFormat.N_QUADS,
}

_POSITION = re.compile(r"^error at (\d+):(\d+): ?(.*)$", re.DOTALL)


def parse_term(nt: str) -> ox.NamedNode | ox.Literal | ox.BlankNode:
    """One N-Triples term string -> pyoxigraph term."""
    quads = list(ox.parse(f"<urn:s> <urn:p> {nt} .".encode(), format=ox.RdfFormat.N_TRIPLES))
    if len(quads) != 1:
        raise ValueError(f"not one RDF term: {nt!r}")
    return quads[0].object  # type: ignore[return-value]


def syntax_error(exc: SyntaxError) -> QuerySyntaxError:
    """Oxigraph's parser message ("error at 1:25: expected …") -> a typed error with the position."""
    text = str(exc)
    match = _POSITION.match(text)
    if match:
        return QuerySyntaxError(match.group(3), int(match.group(1)), int(match.group(2)))
    return QuerySyntaxError(text)


def execute(
    store: EmbeddedStore,
    sparql: str,
    *,
    media_type: str,
    substitutions: Mapping[str, str] | None = None,
    default_graph: list[str] | None = None,
    named_graphs: list[str] | None = None,
    row_limit: int | None = None,
    max_bytes: int | None = None,
    base_iri: str | None = None,
) -> EngineResult:
    """Run one query on a store and serialise its result (shared by every engine).

    ``row_limit``: more solutions/triples than this raise `ResultTooLarge`.
    ``max_bytes``: a serialised body larger than this raises `ResultTooLarge` (memory guard).
    ``base_iri``: relative IRIs in the query resolve against it (the service uses its public base).
    """
    subs = {k: parse_term(v) for k, v in (substitutions or {}).items()}
    try:
        result = store.query(sparql, substitutions=subs, default_graph=default_graph,
                             named_graphs=named_graphs, base_iri=base_iri)
    except SyntaxError as exc:
        raise syntax_error(exc) from exc
    try:
        return _serialise(result, media_type, row_limit, max_bytes)
    except Exception as exc:  # noqa: BLE001  (re-raised below)
        failure = exc
    # pyoxigraph results may only be dropped by the thread that made them, and a traceback keeps its
    # frames' locals alive until the garbage collector (on any thread) frees them: keep none.
    del result
    seen: set[int] = set()
    cause: BaseException | None = failure
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        cause.__traceback__ = None
        cause = cause.__cause__ or cause.__context__
    raise failure


def _serialise(result: ox.QueryBoolean | ox.QuerySolutions | ox.QueryTriples, media_type: str,
               row_limit: int | None, max_bytes: int | None) -> EngineResult:
    if isinstance(result, ox.QueryBoolean):
        effective = _effective(media_type, RESULTS_FORMATS)
        body = result.serialize(format=RESULTS_FORMATS[effective]) or b""
        return EngineResult(body, effective, "boolean", None)
    if isinstance(result, ox.QuerySolutions):
        effective = _effective(media_type, RESULTS_FORMATS)
        fmt = RESULTS_FORMATS[effective]
        body = _write(result, fmt, max_bytes)
        rows = _count_solutions(body, fmt) if row_limit is not None and len(body) > row_limit else None
        if row_limit is not None and rows is not None and rows > row_limit:
            raise ResultTooLarge(f"the result has {rows} rows, more than the limit of {row_limit}")
        return EngineResult(body, effective, "bindings", rows)
    # QueryTriples (CONSTRUCT / DESCRIBE)
    effective = _effective(media_type, GRAPH_FORMATS)
    gfmt = GRAPH_FORMATS[effective]
    body = _write(result, gfmt, max_bytes)
    triples = _count_triples(body, gfmt) if row_limit is not None and len(body) > row_limit else None
    if row_limit is not None and triples is not None and triples > row_limit:
        raise ResultTooLarge(f"the result has {triples} triples, more than the limit of {row_limit}")
    return EngineResult(body, effective, "graph", triples)



def _effective(media_type: str, table: Mapping[str, object]) -> str:
    return media_type if media_type in table else next(iter(table))


class _CappedBuffer(io.RawIOBase):
    """A write-only buffer that raises once more than ``cap`` bytes were written."""

    def __init__(self, cap: int):
        self.cap = cap
        self.buf = io.BytesIO()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.size += len(data)
        if self.size > self.cap:
            raise ResultTooLarge(f"the serialised result is larger than {self.cap} bytes")
        return self.buf.write(data)


def _write(result: ox.QuerySolutions | ox.QueryTriples, fmt: ox.QueryResultsFormat | ox.RdfFormat,
           max_bytes: int | None) -> bytes:
    if max_bytes is None:
        return result.serialize(format=fmt) or b""  # type: ignore[arg-type]
    out = _CappedBuffer(max_bytes)
    try:
        result.serialize(out, format=fmt)  # type: ignore[arg-type]
    except ResultTooLarge:
        raise
    except OSError as exc:  # pyoxigraph may wrap the writer's exception
        if out.size > out.cap:
            raise ResultTooLarge(f"the serialised result is larger than {out.cap} bytes") from exc
        raise
    return out.buf.getvalue()


def _count_solutions(body: bytes, fmt: ox.QueryResultsFormat) -> int:
    """Exact number of solutions in a serialised SELECT result (only called on large bodies)."""
    if fmt == ox.QueryResultsFormat.TSV:  # TSV escapes line breaks inside terms
        return max(body.count(b"\n") - 1, 0) if body.endswith(b"\n") else body.count(b"\n")
    if fmt == ox.QueryResultsFormat.CSV:  # fields with line breaks are quoted
        return max(sum(1 for _ in csv.reader(io.StringIO(body.decode("utf-8")))) - 1, 0)
    parsed = ox.parse_query_results(body, format=fmt)
    count = 0
    for _ in parsed:  # type: ignore[union-attr]
        count += 1
    return count


def _count_triples(body: bytes, fmt: ox.RdfFormat) -> int:
    if fmt == ox.RdfFormat.N_TRIPLES:
        return body.count(b"\n")
    return sum(1 for _ in ox.parse(body, format=fmt))


def run_request(store: EmbeddedStore, request: QueryRequest, *, max_bytes: int | None = None,
                base_iri: str | None = None) -> EngineResult:
    """`execute` for a `QueryRequest` (what engines receive)."""
    return execute(store, request.sparql, media_type=request.media_type,
                   substitutions=request.substitution_map or None, default_graph=request.default_graph_list,
                   named_graphs=request.named_graph_list, row_limit=request.row_limit, max_bytes=max_bytes,
                   base_iri=base_iri)


class InProcessEngine(BaseEngine):
    """Runs queries in the calling thread (``run_async``: in a thread): no timeout enforcement (CLI,
    tests)."""

    def __init__(self, store: EmbeddedStore):
        self.store = store

    @property
    def generation(self) -> Hashable:
        return data_key(self.store.meta)

    def graphs(self, wait: float = 0.0) -> frozenset[str]:
        """Named graphs of the store (the endpoint checks dataset IRIs against them)."""
        return frozenset(self.store.graphs())

    def execute(self, request: QueryRequest, timeout: float | None = None) -> EngineResult:
        return run_request(self.store, request)
