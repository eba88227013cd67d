"""What the first validated write of a process builds, built ahead of it.

The write path's focus validation (`incremental`) reads the shapes' reach, and the engine runs the
shapes compiled, with the ontology encoded beside the data (`iscg_graph.rdf.turbo_input`): all of
it cached per process, and all of it built by whichever write comes first. At 1M that first review
decision took 1.2 s against 35-44 ms for the next ones (docs/notes/scale.md §43): the shapes and the
ontology parsed, the 18 SPARQL constraints of the shapes parsed for their access paths (with rdflib's
SPARQL parser imported), the engine's program compiled and the ontology encoded, and the derived
graph's modules imported. None of it depends on the data. And, on a build with no decision yet, the
review register's highest number read from every mapping (`iscg_graph.overlap.review_register`).

`warm` builds all of that once per process, `warm_register` reads the register of a store: the
service starts both in a background thread a few seconds after it opened its store (`start`, from
its lifespan; setting ``write_warm_up_delay``), so that their 0.7-1.2 s of CPU come after the
start-up's first answers (started at once, the first worker answer came later in two runs of
`bench/startup.py` at load 8). A write does not wait for them: one arriving before they ended
builds what is still missing itself, as every first write did before (each cache is built whole or
not at all; at worst one is built twice), and a decision arriving before the register was read
reads it itself. `builds` counts the warm-ups that built anything (a test holds the first write to
building nothing once the service's warm-up ran).
"""

from __future__ import annotations

import importlib
import logging
import threading

import pyoxigraph as ox
from rdflib import Graph, URIRef

from ..rdf.store import EmbeddedStore
from .history import CHANGES_GRAPH

__all__ = ["builds", "forget", "is_warm", "start", "stop", "warm", "warm_register"]

log = logging.getLogger("iscg.curation.warm_up")

_lock = threading.Lock()
_done = False
_builds = 0

# what a curated write imports on first use (the derived graph's bounded recompute)
_MODULES = ("iscg_graph.rdf.derived", "iscg_graph.rdf.derived_delta", "iscg_graph.rdf.validation",
            "iscg_graph.rdf.turbo_input")

_NOTHING = URIRef("urn:iscg:warm-up")  # a focus node of no data: the engine runs, reports nothing


def is_warm() -> bool:
    return _done


def builds() -> int:
    """How many times `warm` built the caches in this process (since `forget`): 0 or 1."""
    return _builds


def warm() -> None:
    """Build the write path's per-process caches now, once; cheap when done. Never raises: a
    warm-up that fails leaves the first write to build (and report) what it needs."""
    global _done, _builds
    if _done:
        return
    with _lock:
        if _done:
            return
        try:
            from ..rdf.validation import validate_triples
            from . import incremental

            for name in _MODULES:
                importlib.import_module(name)
            incremental.focus(Graph(), ())  # the shapes parsed and their access paths
            validate_triples(set(), focus_nodes={_NOTHING})  # program compiled, ontology encoded
        except Exception:  # noqa: BLE001 - the first write builds it again and raises there
            log.exception("warming the write path failed; the first write builds what it needs")
            return
        _builds += 1
        _done = True


def start(store: EmbeddedStore | None = None, base: str = "", *,
          delay: float = 0.0) -> threading.Thread | None:
    """`warm` in a daemon thread, ``delay`` seconds from now; with ``store``, also its review
    register read when it has no counter yet (`warm_register`). None when there is nothing to do.
    (At the process's priority: a thread reniced to 19 would be descheduled holding the interpreter
    lock on a busy machine, and every request thread would wait for it.)"""
    if _done and store is None:
        return None
    thread = threading.Timer(delay, _warm_all, args=(store, base))
    thread.name, thread.daemon = "write-warm-up", True
    thread.start()
    return thread


def stop(thread: threading.Thread | None) -> None:
    """Cancel a warm-up `start` gave that has not begun, or wait for it to end: it holds the store
    (whose last reference, dropped, releases the store's lock for the next process or build)."""
    if thread is None:
        return
    if isinstance(thread, threading.Timer):
        thread.cancel()
    thread.join()
    if isinstance(thread, threading.Timer):
        thread.args = ()  # (a Timer keeps its arguments after it ran: the store among them)


def warm_register(store: EmbeddedStore, base: str) -> None:
    """The highest register number of ``store``'s records, read now and kept for its current data,
    when it states no counter yet (a build with no decision): what the first decision reads
    otherwise (`iscg_graph.overlap.review_register`). Never raises."""
    from ..overlap.review import reviews_graph
    from ..overlap.review_register import counter_quads, highest_record

    if store.path is None:  # (kept for stores on disk only: `review_register.read_as`)
        return
    try:
        if not counter_quads(store.inner, reviews_graph(base)):
            highest_record(store, base, ox.NamedNode(CHANGES_GRAPH))
    except Exception:  # noqa: BLE001 - the first decision reads it itself
        log.exception("reading the review register failed; the first decision reads it")


def _warm_all(store: EmbeddedStore | None, base: str) -> None:
    warm()
    if store is not None:
        warm_register(store, base)


def forget() -> None:
    """Tests only: mark the process cold again (`builds` back to 0) and drop the caches `warm` fills."""
    global _done, _builds
    from ..rdf import turbo_input, validation
    from . import incremental

    for thread in threading.enumerate():  # a warm-up still to come would fill them again
        if thread.name == "write-warm-up" and thread is not threading.current_thread():
            stop(thread)
    with _lock:
        _done, _builds = False, 0
        incremental._paths.cache_clear()
        validation._load_shapes_cached.cache_clear()
        validation._load_ontology_cached.cache_clear()
        validation._turbo_program.cache_clear()
        turbo_input._CACHE.clear()

