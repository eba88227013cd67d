"""The classes and properties the service knows: those of the ontology and those the data uses.

Read through the engine interface (SPARQL JSON results), so it works on any engine, the embedded
store or a remote one. A build writes the set into its derived graph (``dv:knownTerm``, kept current
by every curated write: `iscg_graph.rdf.known_terms`), so the read is a lookup; the graphs that
change outside that derivation (the change journal, the dataset description, the review decisions:
`iscg_graph.rdf.known_terms.is_live`) are read live beside it. A store without that data (built
before it existed, or a remote store loaded otherwise) gets the one SELECT over the whole store, as
before. `KnownTerms` keeps the set and reloads it when the engine's data generation or graphs change
(a rebuild, a curated write), and at the latest after ``max_age`` seconds (10 minutes: an engine
that reports no generation still catches up).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable

from ..rdf.derived import DV_KNOWN_TERM
from ..rdf.known_terms import is_live
from .engine import QueryEngine
from .interface import BaseEngine, QueryRequest

JSON = "application/sparql-results+json"
TERMS_QUERY = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?t WHERE {
  { [] ?t [] }
  UNION { [] a ?t }
  UNION { GRAPH ?o { ?t ?p [] } FILTER(STRENDS(STR(?o), "/graph/ontology")) }
  UNION { GRAPH ?o { [] rdfs:subClassOf|rdfs:subPropertyOf|rdfs:domain|rdfs:range ?t }
          FILTER(STRENDS(STR(?o), "/graph/ontology")) }
  FILTER(isIRI(?t))
}"""



def stored_terms_query(live_graphs: Iterable[str] = ()) -> str:
    """The query reading the stored terms, plus the terms of ``live_graphs`` (read in full)."""
    branches = [f"{{ [] <{DV_KNOWN_TERM}> ?t }}"]
    for graph in live_graphs:
        if not graph or any(c in graph for c in '<>"{}|^`\\ '):
            raise ValueError(f"not an IRI: {graph!r}")
        branches += [f"{{ GRAPH <{graph}> {{ [] ?t [] }} }}", f"{{ GRAPH <{graph}> {{ [] a ?t }} }}"]
    return "SELECT DISTINCT ?t WHERE {\n  " + "\n  UNION ".join(branches) + "\n  FILTER(isIRI(?t))\n}"


def _run(engine: QueryEngine, query: str, timeout: float | None) -> frozenset[str]:
    if isinstance(engine, BaseEngine):  # a lookup every /sparql request may wait for: never held back
        result = engine.execute(QueryRequest.of(query, media_type=JSON, at_once=True), timeout)
    else:
        result = engine.run(query, media_type=JSON, timeout=timeout)
    data = json.loads(result.body)
    return frozenset(b["t"]["value"] for b in data["results"]["bindings"] if "t" in b)


def load_terms(engine: QueryEngine, *, timeout: float | None = None) -> frozenset[str]:
    """The known terms: stored by the build when it did (a lookup), else the scan of the store."""
    live = sorted(g for g in engine.graphs() if is_live(g))
    stored = _run(engine, stored_terms_query(live), timeout)
    if DV_KNOWN_TERM in stored:  # the build wrote the set (it always lists its own property)
        return stored
    return _run(engine, TERMS_QUERY, timeout)


class KnownTerms:
    """The known-term set of one engine, reloaded on change (thread-safe; one load at a time)."""

    def __init__(self, max_age: float = 600.0, clock: Callable[[], float] = time.monotonic):
        self.max_age = max_age
        self._clock = clock
        self._lock = threading.Lock()
        self._terms: frozenset[str] | None = None
        self._key: object = None
        self._loaded_at = 0.0

    @staticmethod
    def _engine_key(engine: QueryEngine) -> object:
        return (engine.generation, engine.graphs())

    def peek(self, engine: QueryEngine) -> frozenset[str] | None:
        """The set if it is current, without loading (for callers that must not block)."""
        if self._terms is None or self._key != self._engine_key(engine):
            return None
        if self._clock() - self._loaded_at > self.max_age:
            return None
        return self._terms

    def get(self, engine: QueryEngine, *, timeout: float | None = None) -> frozenset[str]:
        current = self.peek(engine)
        if current is not None:
            return current
        with self._lock:
            current = self.peek(engine)
            if current is not None:
                return current
            key = self._engine_key(engine)
            self._terms = load_terms(engine, timeout=timeout)
            self._key = key
            self._loaded_at = self._clock()
            return self._terms
