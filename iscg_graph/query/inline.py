"""Running proven-light queries where they are asked, instead of in a worker process.

`InlineRunner` keeps its own in-memory copy of the store (``snapshot.nq``, as a worker does:
about 15 % faster than the on-disk store for these lookups) and a `iscg_graph.query.light` budget: a
query whose proof says it touches at most ``max_rows`` solutions runs at once, in the calling thread
(on the event loop for the endpoint: a few tens of microseconds, bounded); any other query returns
None and goes to a killable worker. So does every query while the copy is older than the data
the caller serves: the copy catches up (the snapshot's deltas since its generation) or is reloaded
in a background thread, never on the caller's time. Until the first copy is in, the build's on-disk
store, opened read-only in milliseconds, answers these queries (the workers do the same), so the
first answers after a start do not wait for a load.
Pattern counts and verdicts are remembered for the copy's data.

With ``shared_store`` (the service's ``worker_shared_store``) the "copy" is the build's on-disk
store opened read-only instead, as the workers then open it: no second copy of the data in the
server process, and it is ready in milliseconds at a million triples (docs/notes/scale.md).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from itertools import islice
from pathlib import Path

import pyoxigraph as ox

from ..errors import QueryError, StoreError
from ..rdf.store import DataKey, EmbeddedStore, data_key
from .engine import EngineResult, execute
from .interface import QueryRequest
from .light import MAX_TEXT, Pattern, prove_light

__all__ = ["InlineRunner"]

_REMEMBERED = 8192  # counts and verdicts kept per copy of the data


class InlineRunner:
    def __init__(self, store_path: str | os.PathLike[str], *, max_rows: int, max_bytes: int | None = None,
                 base_iri: str | None = None, shared_store: bool = False):
        self.store_path = Path(store_path)
        # read the build's on-disk store (read-only, pages shared with the workers through the OS
        # cache) instead of loading a private in-memory copy of the snapshot: milliseconds instead
        # of seconds at a million triples, and no second copy of the data in this process
        self.shared_store = shared_store
        self.max_rows = max_rows
        self.max_bytes = max_bytes
        self.base_iri = base_iri
        self.runs = 0  # queries answered here (observability, tests)
        self.store: EmbeddedStore | None = None
        self.generation: DataKey | None = None  # the data the copy holds
        self._counts: dict[Pattern, int] = {}
        self._proofs: dict[str, bool] = {}
        self._loading = threading.Lock()

    def load(self, background: bool = True) -> None:
        """(Re)load the copy, unless a load is already under way."""
        if not self._loading.acquire(blocking=False):
            return
        if background:
            threading.Thread(target=self._load, daemon=True).start()
        else:
            self._load()

    def _load(self) -> None:
        try:
            held = self.store
            if held is not None and not self.shared_store:
                self.generation = None  # callers meanwhile: not light (the copy is being changed)
                if held.catch_up():  # the deltas written since the copy's generation, each atomically
                    self._counts, self._proofs = {}, {}
                    self.generation = data_key(held.meta)
                    return
            if held is None and not self.shared_store:  # nothing to answer from yet: the on-disk
                self._use(self._read_only())  # store, read-only, while the copy loads (as a worker)
            store = (EmbeddedStore.open_read_only(self.store_path) if self.shared_store
                     else EmbeddedStore.open_snapshot(self.store_path))
            self._use(store)
        except Exception:  # noqa: BLE001  (no copy: every query goes to a worker; retried on the next one)
            pass
        finally:
            self._loading.release()

    def _use(self, store: EmbeddedStore | None) -> None:
        if store is not None:
            self.generation = None  # callers meanwhile: not light (counts and verdicts are replaced)
            self.store, self._counts, self._proofs = store, {}, {}
            self.generation = data_key(store.meta)

    def _read_only(self) -> EmbeddedStore | None:
        try:
            return EmbeddedStore.open_read_only(self.store_path)
        except StoreError:  # no on-disk database (a release): light queries wait for the copy
            return None

    def is_light(self, sparql: str, generation: object) -> bool:
        """Whether ``sparql`` is proven light on the data of ``generation`` (the counts span every
        graph, so the proof holds for any dataset a request names). False while the copy holds
        other data (it is then reloaded)."""
        if generation != self.generation or self.store is None:
            self.load()
            return False
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
        assert self.store is not None
        try:
            s = ox.NamedNode(pattern.subject) if pattern.subject else None
            p = ox.NamedNode(pattern.predicate) if pattern.predicate else None
            o = _object(pattern.object)
        except ValueError:  # not a valid IRI: the parser will say so, in a worker
            return cap + 1
        n = len(list(islice(self.store.inner.quads_for_pattern(s, p, o, None), cap + 1)))
        if len(self._counts) >= _REMEMBERED:
            self._counts.clear()
        self._counts[pattern] = n
        return n

    def run(self, sparql: str, *, generation: object, media_type: str,
            substitutions: Mapping[str, str] | None = None, default_graph: list[str] | None = None,
            named_graphs: list[str] | None = None, row_limit: int | None = None) -> EngineResult | None:
        """The result, if the query is proven light (else None: send it to a worker)."""
        store = self.store
        if substitutions or store is None or not self.is_light(sparql, generation):
            return None
        self.runs += 1
        try:
            return execute(store, sparql, media_type=media_type, default_graph=default_graph,
                           named_graphs=named_graphs, row_limit=row_limit, max_bytes=self.max_bytes,
                           base_iri=self.base_iri)
        except QueryError:
            raise
        except Exception as exc:  # evaluation errors, as a worker reports them
            raise QueryError(f"{type(exc).__name__}: {exc}") from exc


    def answer(self, request: QueryRequest, generation: object) -> EngineResult | None:
        """`run` for a `QueryRequest`."""
        return self.run(request.sparql, generation=generation, media_type=request.media_type,
                        substitutions=request.substitution_map, default_graph=request.default_graph_list,
                        named_graphs=request.named_graph_list, row_limit=request.row_limit)


def _object(term: str | tuple[str, str] | None) -> ox.NamedNode | ox.Literal | None:
    if term is None:
        return None
    if isinstance(term, tuple):
        return ox.Literal(term[1])
    return ox.NamedNode(term)
