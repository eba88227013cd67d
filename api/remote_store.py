"""The service on a remote SPARQL 1.1 store (settings ``ISCG_REMOTE_*``), and following its generation.

With ``remote_query_url`` set, the service's engine is the remote server's (`RemoteEngine`, behind
the result cache): ``/sparql``, ``/api/queries`` and the reports are answered by the server, after
the same safety rules as on the embedded store (checked here before anything is sent). The pages,
search, thesauri, dataset description, dumps and candidates read a local copy of the dataset made
for the store's current generation (`iscg_graph.query.remote_mirror`).

Replicas stay consistent through the store itself: `follow_remote` reads the generation token every
``remote_poll_interval`` seconds; when another process loaded a build or wrote, it fetches the new
copy, recomputes what derives from it (candidate index, dumps) and swaps it in, as `live_reload`
does for a new local build. The result cache keys on the same token, so no replica serves an answer
computed on an older generation once it has read the new token.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import threading
from pathlib import Path

from fastapi import FastAPI

from iscg_graph.build.publish import write_dumps
from iscg_graph.curation.remote_writes import RemoteWritePath
from iscg_graph.errors import ISCGError
from iscg_graph.query.compose import build_remote_engine
from iscg_graph.query.remote import RemoteConfig, RemoteEngine
from iscg_graph.query.remote_mirror import mirror
from iscg_graph.rdf import leases
from iscg_graph.rdf.store import EmbeddedStore

from .live_reload import Served, close_served, install
from .settings import Settings

__all__ = ["follow_remote", "is_remote", "open_remote", "remote_config", "remote_engine_of",
           "remote_write_path"]

log = logging.getLogger("iscg.remote")
_switching = threading.Lock()


def is_remote(settings: Settings) -> bool:
    return bool(settings.remote_query_url)


def remote_config(settings: Settings) -> RemoteConfig:
    assert settings.remote_query_url
    password = settings.remote_password.get_secret_value() if settings.remote_password else None
    return RemoteConfig(
        settings.remote_query_url, settings.remote_update_url, settings.remote_gsp_url,
        settings.remote_user, password,
        timeout=settings.remote_timeout or settings.query_timeout,
        poll_interval=settings.remote_poll_interval, kind=settings.remote_kind,
        base_iri=settings.base_iri, max_bytes=settings.max_result_bytes)


def _cache_dir(settings: Settings) -> Path:
    if settings.remote_cache_dir is not None:
        return settings.remote_cache_dir
    return settings.store_path.with_name(settings.store_path.name + ".remote")


def open_remote(settings: Settings, engine: RemoteEngine | None = None) -> Served:
    """The remote engine stack and a local copy of the store's current generation, leased."""
    remote = engine or RemoteEngine(remote_config(settings))
    folder = mirror(remote, _cache_dir(settings))
    lease = leases.take(folder)
    try:
        store = EmbeddedStore.open_snapshot(folder)
        if not (folder / "dumps").is_dir():
            write_dumps(store, folder / "dumps", settings.base_iri)  # the dumps of this generation
        stack = build_remote_engine(remote, cache_bytes=settings.result_cache_bytes)
    except BaseException:
        lease.release()
        raise
    return Served(folder, store, stack, lease)


def remote_engine_of(app: FastAPI) -> RemoteEngine:
    """The app's one connection to the remote store (made on first use, shared by every generation)."""
    try:
        made: RemoteEngine = app.state.remote_engine
    except AttributeError:
        made = app.state.remote_engine = RemoteEngine(remote_config(app.state.settings))
    return made


def remote_write_path(app: FastAPI) -> RemoteWritePath:
    """The one write path on a remote store: it reads the served copy of the store's generation,
    sends each change as one guarded update, then serves the new generation (`switch_generation`)."""
    state = app.state
    return RemoteWritePath(remote_engine_of(app), lambda: state.store, lambda: _follow_now(app),
                           base=state.settings.base_iri, validate=getattr(state, "write_validator", None))


def _follow_now(app: FastAPI) -> None:
    switch_generation(app)


def _warm_index(app: FastAPI) -> None:
    """The candidate index of the generation now served, loaded in the background: a write may be
    switching generations while holding the index lock (review decisions do), so never wait for it
    here; requests meanwhile read the previous generation's index (`api.candidate_index.index_now`;
    milliseconds when this replica's write carried the index over, a computation on the others)."""
    from .routers import candidates

    worker = threading.Thread(target=candidates.warm_index, args=(app,), name="candidate-index", daemon=True)
    app.state.candidates_pending = worker
    worker.start()


def switch_generation(app: FastAPI) -> bool:
    """Serve the remote store's current generation (False when it is the one served)."""
    settings: Settings = app.state.settings
    with _switching:
        old: Served | None = getattr(app.state, "served", None)
        remote = remote_engine_of(app)
        remote.refresh_generation()
        served = open_remote(settings, remote)
        if old is not None and old.build_dir == served.build_dir:
            served.lease.release()
            return False
        install(app, served)
        _warm_index(app)
    log.warning("serving remote generation %s", served.build_dir.name)
    if old is not None:
        def retire() -> None:
            old.lease.release()  # the engine is shared with the new build: not closed
            if not leases.in_use(old.build_dir):
                shutil.rmtree(old.build_dir, ignore_errors=True)

        grace = threading.Timer(settings.query_timeout + 1.0, retire)
        grace.daemon = True
        grace.start()
    return True


async def follow_remote(app: FastAPI, interval: float) -> None:
    """Poll the store's generation; switch to a new one when it moves. Runs until cancelled."""
    while True:
        await asyncio.sleep(interval)
        try:
            engine = remote_engine_of(app)
            served: Served | None = getattr(app.state, "served", None)
            if served is None:
                continue
            generation = await asyncio.to_thread(engine.refresh_generation)
            if _stale(served, generation):
                await asyncio.to_thread(switch_generation, app)
        except ISCGError as exc:
            log.warning("cannot follow the remote store yet: %s", exc)
        except Exception:  # noqa: BLE001  (never let one bad load stop the service following the store)
            log.exception("switching to the store's new generation failed; still serving the previous one")


def _stale(served: Served, generation: object) -> bool:
    from iscg_graph.query.remote_mirror import folder_name

    return served.build_dir.name != folder_name(generation)


def close_remote(app: FastAPI) -> None:
    served: Served | None = getattr(app.state, "served", None)
    if served is not None:
        close_served(served)
