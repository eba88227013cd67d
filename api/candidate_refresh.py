"""What the candidates router and the curation forms share: the lock around the candidate index of
the served store, what identifies the index on disk, and its update after a change: a review
decision flags its one pair (`record_in_index`, no recomputation); other changes (an item retired)
recompute it (`refresh_index`, then reloaded on next use)."""

from __future__ import annotations

import threading

from fastapi import Request

from iscg_graph.overlap.columnar import HEADER_FILE as CANDIDATES_FILE
from iscg_graph.overlap.columnar import OVERLAY_FILE, append_overlay
from iscg_graph.overlap.review import RELATIONS, Decision, ReviewOutcome, reviews_graph
from iscg_graph.rdf.store import EmbeddedStore

__all__ = ["index_lock", "index_stamp", "loading", "record_in_index", "refresh_index"]

index_lock = threading.Lock()


def index_stamp(store: EmbeddedStore) -> object:
    """What identifies the index on disk: the header's and the review overlay's mtimes (None: none)."""
    if store.path is None:  # an in-memory store (tests): one index per generation
        return ("mem", store.meta.generation, len(store))
    stamps = []
    for name in (CANDIDATES_FILE, OVERLAY_FILE):
        path = store.path / name
        stamps.append(path.stat().st_mtime_ns if path.exists() else None)
    return tuple(stamps) if stamps[0] is not None else None


def loading(state: object) -> bool:
    """Whether an index of the served store is being loaded or computed in the background."""
    pending = getattr(state, "candidates_pending", None)
    return pending is not None and pending.is_alive()


def refresh_index(request: Request) -> None:
    """Recompute the store's candidate index after a change that moves pairs in or out of it; not on
    a service told not to compute one and serving a store without it (ISCG_CANDIDATES_AT_STARTUP=false:
    hours at ten million triples, in the request)."""
    if getattr(request.app.state, "candidates_off", False):
        return
    store = request.app.state.store
    with index_lock:
        if store.path is not None:
            from iscg_graph.overlap.scoring import precompute  # scipy: only when recomputing

            precompute(store, store.path, background=True)
        request.app.state.candidate_index = None


def record_in_index(request: Request, decision: Decision, outcome: ReviewOutcome) -> None:
    """Flag the one reviewed pair in the served index and the store's overlay: no recomputation."""
    store = request.app.state.store
    cached = getattr(request.app.state, "candidate_index", None)
    entry = {
        "left": decision.left.strip(),
        "right": decision.right.strip(),
        "link": outcome.mapping,
        "status": outcome.status,
        "kind": RELATIONS[outcome.relation][0],
        "graph": reviews_graph(request.app.state.settings.base_iri),
        "confidence": "Confirmed",
    }
    if cached is None:  # nothing served yet: the overlay file is read when the index is loaded
        if store.path is not None and (store.path / CANDIDATES_FILE).exists():
            with index_lock:
                append_overlay(store.path, entry)
        return
    if loading(request.app.state):
        # the served index is the previous build's or generation's while this store's loads (it holds
        # the lock for as long as that takes): the decision goes to this store's journal only, which
        # the load reads, or whose new stamp reloads an index loaded before it; the load's
        # reconciliation with the store, where the decision is committed, covers a journal not yet
        # written. Recorded in the previous index, that index would be kept as this store's.
        if store.path is not None and (store.path / CANDIDATES_FILE).exists():
            append_overlay(store.path, entry)
        return
    cached[1].record(entry, store.path)
    with index_lock:
        request.app.state.candidate_index = (index_stamp(store), cached[1])
