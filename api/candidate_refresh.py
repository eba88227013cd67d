"""What the candidates router and the curation forms share: the lock around the candidate index of
the served store, and its refresh after a review decision (recomputed, then reloaded on next use)."""

from __future__ import annotations

import threading

from fastapi import Request

from iscg_graph.overlap.scoring import precompute

__all__ = ["index_lock", "refresh_index"]

index_lock = threading.Lock()


def refresh_index(request: Request) -> None:
    store = request.app.state.store
    with index_lock:
        if store.path is not None:
            precompute(store, store.path)
        request.app.state.candidate_index = None
