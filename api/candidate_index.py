"""The candidate index of the served store, loaded once and reloaded when its file changes: what the
candidates router and the "new since" page share (the lock and stamps are `api.candidate_refresh`'s)."""

from __future__ import annotations

from types import ModuleType

from fastapi import FastAPI, Request

from iscg_graph.errors import NotReady, StoreError
from iscg_graph.overlap import columnar
from iscg_graph.overlap.index import CandidateIndex
from iscg_graph.overlap.index_sync import reconcile
from iscg_graph.overlap.review import reviews_graph
from iscg_graph.rdf.store import EmbeddedStore

from .candidate_refresh import index_lock as _lock
from .candidate_refresh import index_stamp, loading

__all__ = ["get_index", "index_now", "index_state", "warm_index"]


_COMPUTING = "the candidate index of this store is still being computed; try again shortly"
_OFF = ("this store has no candidate index this version can read, and this service does not compute it "
        "(ISCG_CANDIDATES_AT_STARTUP=false): run `iscg build` to write it")


def _phase(state: object, served: object) -> str | None:
    """``loading`` (a new index loads, the one ``served`` before answers), ``computing`` (a first
    one, 503 meanwhile), ``off`` (none, and the service computes none), or None: the index answers."""
    if loading(state):
        return "computing" if served is None else "loading"
    return "off" if getattr(state, "candidates_off", False) else None


def index_now(app: FastAPI) -> CandidateIndex | str:
    """The candidate index to answer from now, or why there is none (a message for a 503).

    The served one, reloaded when its files change. While a new one loads in the background, the
    one served before it (a replica that moved to the remote store's next generation: its reports
    stay up, one generation behind until the new index is in, and say which data version they
    show). Never computed here when the service does not compute one (`start_index`)."""
    served = getattr(app.state, "candidate_index", None)  # read once: a load may replace it
    phase = _phase(app.state, served)
    if phase == "loading":
        return served[1]  # type: ignore[index,no-any-return]
    if phase is not None:
        return _COMPUTING if phase == "computing" else _OFF
    return warm_index(app)


def index_state(app: FastAPI) -> str:
    """What the candidate routes answer from now, for ``/health`` (never loads or computes anything):
    a `_phase`, ``ready``, or ``on first use`` (loaded by the next request that needs it: after a
    change that recomputed it, or a build just switched to)."""
    served = getattr(app.state, "candidate_index", None)
    return _phase(app.state, served) or ("ready" if served is not None else "on first use")


def get_index(request: Request) -> CandidateIndex:
    """`index_now` for a route: 503 + Retry-After, saying why, when there is none to answer from."""
    index = index_now(request.app)
    if isinstance(index, str):
        raise NotReady(index)
    return index


def _scoring() -> ModuleType:
    """The candidate computation (scipy), imported when an index must be computed, not at start-up."""
    from iscg_graph.overlap import scoring

    return scoring


def warm_index(app: FastAPI) -> CandidateIndex:
    """Load (or compute) the index now; call it from the app's lifespan so no request waits for it."""
    store: EmbeddedStore = app.state.store
    state = app.state
    with _lock:
        stamp = index_stamp(store)
        cached = getattr(state, "candidate_index", None)
        if cached is not None and cached[0] == stamp and stamp is not None:
            return cached[1]
        if store.path is None:
            doc = _scoring().build_candidates(store)
            doc["data_version"] = store.meta.data_version
            index = CandidateIndex(doc)
            state.candidate_index = (stamp, index)
            return index
        try:
            if stamp is None:  # built before candidates existed: compute now
                raise FileNotFoundError(columnar.HEADER_FILE)
            index = CandidateIndex.load(store.path)  # maps the arrays: milliseconds
        except (FileNotFoundError, StoreError):  # none, or an older format: compute it once
            _scoring().precompute(store, store.path, background=True)
            index = CandidateIndex.load(store.path)
        # decisions committed to the store whose journal line a crash lost: applied and journalled
        reconcile(index, store, store.path, reviews_graph(state.settings.base_iri))
        state.candidate_index = (index_stamp(store), index)
        return index
