"""Running proven-light queries where they are asked, instead of in a worker process.

`InlineRunner` holds the service's own store and a `iscg_graph.light` budget: a query whose proof
says it touches at most ``max_rows`` solutions runs at once, in the calling thread (on the event
loop for the endpoint: a few tens of microseconds, bounded); any other query returns None and goes
to a killable worker. Pattern counts are remembered for one data generation.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import islice

import pyoxigraph as ox

from .engine import EngineResult, execute
from .errors import QueryError
from .light import MAX_TEXT, Pattern, prove_light
from .store import EmbeddedStore

__all__ = ["InlineRunner"]

_REMEMBERED = 8192  # counts and verdicts kept per generation


class InlineRunner:
    def __init__(self, store: EmbeddedStore, *, max_rows: int, max_bytes: int | None = None,
                 base_iri: str | None = None):
        self.store = store
        self.max_rows = max_rows
        self.max_bytes = max_bytes
        self.base_iri = base_iri
        self.runs = 0  # queries answered here (observability, tests)
        self._generation: object = None
        self._counts: dict[Pattern, int] = {}
        self._proofs: dict[str, bool] = {}

    def is_light(self, sparql: str, generation: object) -> bool:
        """Whether ``sparql`` is proven light on the data of ``generation`` (the counts span every
        graph, so the proof holds for any dataset a request names)."""
        if generation != self._generation:  # new data: every count may have changed
            self._counts = {}
            self._proofs = {}
            self._generation = generation
        verdict = self._proofs.get(sparql)
        if verdict is None:
            verdict = self.max_rows > 0 and prove_light(sparql, self._count, self.max_rows) is not None
            if len(self._proofs) >= _REMEMBERED:
                self._proofs.clear()
            if len(sparql) <= MAX_TEXT:  # longer texts are never light: nothing to remember
                self._proofs[sparql] = verdict
        return verdict

    def _count(self, pattern: Pattern, cap: int) -> int:
        known = self._counts.get(pattern)
        if known is not None:
            return known
        try:
            s = ox.NamedNode(pattern.subject) if pattern.subject else None
            p = ox.NamedNode(pattern.predicate) if pattern.predicate else None
            o = _object(pattern.object)
        except ValueError:  # not a valid IRI: the parser will say so, in a worker
            return cap + 1
        n = sum(1 for _ in islice(self.store.inner.quads_for_pattern(s, p, o, None), cap + 1))
        if len(self._counts) >= _REMEMBERED:
            self._counts.clear()
        self._counts[pattern] = n
        return n

    def run(self, sparql: str, *, generation: object, media_type: str,
            substitutions: Mapping[str, str] | None = None, default_graph: list[str] | None = None,
            named_graphs: list[str] | None = None, row_limit: int | None = None) -> EngineResult | None:
        """The result, if the query is proven light (else None: send it to a worker)."""
        if substitutions or not self.is_light(sparql, generation):
            return None
        self.runs += 1
        try:
            return execute(self.store, sparql, media_type=media_type, default_graph=default_graph,
                           named_graphs=named_graphs, row_limit=row_limit, max_bytes=self.max_bytes,
                           base_iri=self.base_iri)
        except QueryError:
            raise
        except Exception as exc:  # evaluation errors, as a worker reports them
            raise QueryError(f"{type(exc).__name__}: {exc}") from exc


def _object(term: str | tuple[str, str] | None) -> ox.NamedNode | ox.Literal | None:
    if term is None:
        return None
    if isinstance(term, tuple):
        return ox.Literal(term[1])
    return ox.NamedNode(term)
