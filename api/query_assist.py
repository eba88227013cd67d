"""What `/sparql` adds for people beside the protocol: explained syntax errors, unknown-term
warnings, label columns and the entailment switch. The route calls these small hooks; the logic
lives in `iscg_graph.query` (diagnostics, terms, labels, options).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Collection, Sequence
from typing import Any

from iscg_graph.errors import QueryError, QuerySyntaxError
from iscg_graph.query import labels as labels_mod
from iscg_graph.query.diagnostics import explain, unknown_terms, warning_header
from iscg_graph.query.engine import QueryEngine
from iscg_graph.query.options import QueryOptions, default_graphs, parse_options
from iscg_graph.query.terms import KnownTerms
from iscg_graph.vocab import prefixes

WARNING_HEADER = "ISCG-Warning"
log = logging.getLogger(__name__)


def known_terms(state: Any) -> KnownTerms:
    held = getattr(state, "known_terms", None)
    if held is None:
        held = state.known_terms = KnownTerms()
    return held


def load_terms(state: Any, engine: QueryEngine, timeout: float) -> frozenset[str] | None:
    """The known terms (loading them if needed: blocking, call from a thread), or None when they
    cannot be read now (warnings are then left out; the query itself is not affected)."""
    try:
        return known_terms(state).get(engine, timeout=timeout)
    except QueryError as exc:
        state.terms_failed_at = time.monotonic()
        log.warning("known terms not loaded: %s", exc)
        return None


TERMS_WAIT = 2.0  # seconds a query waits for the known terms before it runs without their warnings
TERMS_RETRY = 600.0  # seconds before a load that failed (too slow on a very large store) is tried again
_loader_lock = threading.Lock()


def terms_soon(state: Any, engine: QueryEngine, timeout: float,
               wait: float = TERMS_WAIT) -> frozenset[str] | None:
    """The known terms if they are loaded within ``wait`` seconds (blocking: call from a thread).

    They are loaded in a background thread, one load at a time, so a query never waits longer than
    ``wait`` for them: on a small store they are there in milliseconds, as before; on a million
    triples their query takes longer than a query's timeout, and the query then runs without the
    unknown-term warnings (as the fast lane already does) instead of waiting for it. A load that
    failed is not tried again for ``TERMS_RETRY`` seconds (each try costs a worker its timeout).
    """
    terms = known_terms(state).peek(engine)
    if terms is not None:
        return terms
    with _loader_lock:
        loader: threading.Thread | None = getattr(state, "terms_loader", None)
        failed = getattr(state, "terms_failed_at", None)
        if (loader is None or not loader.is_alive()) and \
                (failed is None or time.monotonic() - failed > TERMS_RETRY):
            loader = threading.Thread(target=load_terms, args=(state, engine, timeout),
                                      name="known-terms", daemon=True)
            state.terms_loader = loader
            loader.start()
    if loader is not None:
        loader.join(wait)
    return known_terms(state).peek(engine)


def options_and_dataset(params: Sequence[tuple[str, str]], store_graphs: Collection[str],
                        names_dataset: bool) -> tuple[QueryOptions, list[str] | None]:
    """Raises `iscg_graph.query.options.OptionError` (a 400) on a bad value."""
    options = parse_options(params)
    return options, default_graphs(options, store_graphs, names_dataset=names_dataset)


def warning_headers(query: str, terms: frozenset[str] | None, base_iri: str) -> dict[str, str]:
    if not terms:
        return {}
    found = unknown_terms(query, terms, prefixes(base_iri))
    if not found:
        return {}
    return {WARNING_HEADER: warning_header(found)}  # CORSMiddleware exposes it to browsers


def syntax_message(query: str | None, exc: QuerySyntaxError, base_iri: str) -> str:
    if query is None:
        where = "at " if exc.line is not None else ": "
        return f"SPARQL syntax error {where}{exc}"
    return explain(query, exc, prefixes(base_iri)).message()


def label_body(body: bytes, engine: QueryEngine, language: str, media_type: str, timeout: float) -> bytes:
    return labels_mod.label_result(body, engine, language, media_type, timeout=timeout)
