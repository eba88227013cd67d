"""Live reload: the build the store link points to is served within seconds, with no restart.

`iscg build` writes a new build directory and swaps the store link (``store_path``) to it. The
service follows (`follow_builds`, a lifespan task polling the link every ``reload_interval``
seconds) and switches with `switch_build`: it opens the new build, starts its engine stack
(cache, in-process light path, worker processes), takes a lease on it, and only then replaces
``app.state.store`` and ``app.state.engine`` in one step, so every request sees one whole build.
The old engine is closed once the requests that already hold it can have finished
(``query_timeout`` later), and the lease on the old build is given up then, so `iscg build` may
delete it.

`switch_build` is also the in-process hook for anything that swaps a build in itself (a curated
write): call it right after the link changed. Writes within one build are followed by the engine
itself (``meta.json``'s generation). A new engine has a new, empty result cache: nothing cached
from the old build is ever served after the switch.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from pathlib import Path

from fastapi import FastAPI

from iscg_graph.curation.replay import ReplayReport, catch_up, predecessors
from iscg_graph.curation.writes import Validator, WritePath, recover
from iscg_graph.errors import StoreError
from iscg_graph.query.compose import EngineStack, build_engine
from iscg_graph.rdf import leases
from iscg_graph.rdf.derived import DERIVED_FORMAT, refresh_store, stale_derived_graph
from iscg_graph.rdf.store import SNAPSHOT, EmbeddedStore

from .settings import Settings

__all__ = ["Served", "close_served", "follow_builds", "install", "open_build", "switch_build"]

log = logging.getLogger("iscg.reload")
_switching = threading.Lock()


class Served:
    """One build as the service serves it: the store, its engine stack, and the lease that pins it."""

    def __init__(self, build_dir: Path, store: EmbeddedStore, stack: EngineStack, lease: leases.Lease):
        self.build_dir = build_dir
        self.store = store
        self.stack = stack
        self.lease = lease


def open_build(settings: Settings, build_dir: Path, validator: Validator | None = None) -> Served:
    """Lease ``build_dir``, open its store and start its engine (workers boot in the background)."""
    lease = leases.take(build_dir)
    try:
        store = EmbeddedStore.open_writable(build_dir)
        recover(store)  # a curated write killed after its commit: snapshot and meta brought level
        # writes made on the builds this one replayed from, after it did (the service was killed
        # before switching): caught up before anyone is served this build
        _report(catch_up(store, predecessors(build_dir), validate=validator), build_dir)
        # a derived graph computed by another version of this code (an upgrade on an old build) is
        # recomputed before anyone reads it: its queries would answer from statements it lacks
        stale = stale_derived_graph(store.inner)
        if stale is not None:
            log.warning("build %s: its derived graph is not of format %s (another version of this "
                        "service computed it); recomputing it before serving", build_dir.name, DERIVED_FORMAT)
            refresh_store(store, stale)
        # the result cache, then lookups proven to touch few rows (run here, on an in-memory copy),
        # then the killable workers: the layers of one engine (iscg_graph.query.compose)
        stack = build_engine(build_dir, workers=settings.query_workers, timeout=settings.query_timeout,
                             max_bytes=settings.max_result_bytes, base_iri=settings.base_iri,
                             cache_bytes=settings.result_cache_bytes, light_rows=settings.light_query_rows,
                             memory_bytes=settings.worker_memory_bytes or None,
                             demote_after=settings.demote_after_seconds or None,
                             shared_store=settings.worker_shared_store,
                             copy_wait=settings.worker_copy_wait_seconds)
    except BaseException:
        lease.release()
        raise
    return Served(build_dir, store, stack, lease)


def close_served(served: Served) -> None:
    served.stack.engine.close()
    served.lease.release()


def install(app: FastAPI, served: Served) -> None:
    """Make ``served`` the build every new request sees."""
    state = app.state
    state.served = served
    state.store = served.store
    state.engine_stack = served.stack
    state.engine = served.stack.engine


def current_target(store_path: Path) -> Path | None:
    """The build directory the store link points to now, when it is a complete build."""
    target = Path(os.path.realpath(store_path))
    return target if (target / SNAPSHOT).is_file() else None


def switch_build(app: FastAPI, build_dir: Path | None = None) -> bool:
    """Serve ``build_dir`` (default: where the store link points now) from the next request on.

    False when that build is already served. Thread-safe; blocks while the new store opens
    (milliseconds on the real data). The old build stays open, leased, until the requests that
    hold it can have finished.
    """
    settings: Settings = app.state.settings
    if build_dir is not None:
        target: Path | None = Path(os.path.realpath(build_dir))
    else:
        target = current_target(settings.store_path)
    if target is None:
        return False
    with _switching:
        old: Served | None = getattr(app.state, "served", None)
        if old is not None and old.build_dir == target:
            return False
        validator = getattr(app.state, "write_validator", None)
        served = open_build(settings, target, validator)
        try:
            _hand_over(app, old, served, validator)
        except BaseException:
            close_served(served)
            raise
        _refresh_dependents(app)
    log.warning("serving build %s", target.name)
    if old is not None:
        grace = threading.Timer(settings.query_timeout + 1.0, close_served, args=(old,))
        grace.daemon = True
        grace.start()
    return True


def _report(report: ReplayReport, build_dir: Path) -> None:
    if report.total:
        log.warning("build %s caught up with %d change(s) made after it was built: applied %s, already "
                    "there %s, conflicts %s", build_dir.name, report.total, report.applied,
                    report.already, report.conflicts)


def _hand_over(app: FastAPI, old: Served | None, served: Served, validator: Validator | None) -> None:
    """Install ``served`` with no write lost: while the old build's write path is held, replay onto
    the new build the changes made on the old one since the build replayed its journal, then
    install it; writes waiting on the old write path go on to the new one."""
    state = app.state
    settings: Settings = state.settings
    successor = WritePath(served.store, base=settings.base_iri, validate=validator)
    if old is None or getattr(state, "store", None) is not old.store:
        install(app, served)
        state.write_path = successor
        return
    from .writes import app_write_path

    previous = app_write_path(app)  # the one every request of the old build writes through
    with previous.handing_over(successor):
        _report(catch_up(served.store, [old.store.inner], validate=validator), served.build_dir)
        install(app, served)
        state.write_path = successor


def _refresh_dependents(app: FastAPI) -> None:
    """What is derived from the store when it is opened: the candidate index. (SPARQL plans are
    keyed on the store's graphs, so they need nothing.)"""
    from .routers import candidates

    candidates.start_index(app)


async def follow_builds(app: FastAPI, interval: float) -> None:
    """Poll the store link; switch when it points at another build. Runs until cancelled."""
    settings: Settings = app.state.settings
    while True:
        await asyncio.sleep(interval)
        try:
            target = current_target(settings.store_path)
            served: Served | None = getattr(app.state, "served", None)
            if target is not None and (served is None or served.build_dir != target):
                await asyncio.to_thread(switch_build, app, target)
        except (OSError, StoreError) as exc:  # a build half-removed under us: try again next time
            log.warning("cannot switch to the new build yet: %s", exc)
        except Exception:  # noqa: BLE001  (never let one bad build stop the service following the link)
            log.exception("switching to the new build failed; still serving the previous one")
