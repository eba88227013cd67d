"""Where ``iscg import`` reads the graph and commits a change: the embedded store, or a remote store.

`LocalTarget` is the store directory (``--store``), as before: the preview reads a snapshot, the
commit opens it writable (one writer: not while a service has it open).

`RemoteTarget` is a remote SPARQL 1.1 store (``--remote``, the same settings as ``iscg build
--remote``). The preview reads a local copy of the store's current generation, fetched as a service
replica fetches it (`iscg_graph.query.remote_mirror`, into a temporary folder unless
``--remote-cache-dir`` is given); the commit goes through `RemoteWritePath`, the write path of the
service's replicas: the change is computed on that copy, validated against the shapes, and sent as
one guarded update carrying the patch, the journal record (author, comment, file) and a new
generation token, which every replica notices at its next poll and follows (candidate index and
dumps are recomputed there). If a replica wrote meanwhile, the change is computed again on the new
generation; if the server cannot say whether the write landed, the command says so.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Protocol

import typer

from ..curation.writes import WritePath
from ..errors import ISCGError
from ..query.remote import RemoteConfig, RemoteEngine
from ..query.remote_mirror import mirror
from ..rdf.store import EmbeddedStore

__all__ = ["KINDS", "LocalTarget", "RemoteTarget", "Target", "remote_engine"]

KINDS = ("oxigraph", "virtuoso", "generic")


class Target(Protocol):
    remote: bool

    def snapshot(self) -> EmbeddedStore: ...

    def write_path(self, base: str) -> WritePath: ...

    def close(self) -> None: ...


def remote_engine(query_url: str | None, update_url: str | None, kind: str, user: str | None,
                  password: str | None, base: str, *, writes: bool = True,
                  gsp_url: str | None = None) -> RemoteEngine:
    """The engine for ``--remote``: both URLs are needed to write, the query URL to read."""
    if not query_url or (writes and not update_url):
        raise typer.BadParameter("needs --remote-query-url and --remote-update-url (or ISCG_REMOTE_QUERY_URL "
                                 "/ ISCG_REMOTE_UPDATE_URL)", param_hint="--remote")
    if kind not in KINDS:
        raise typer.BadParameter(f"{kind!r}: one of {', '.join(KINDS)}", param_hint="--remote-kind")
    return RemoteEngine(RemoteConfig(query_url, update_url, gsp_url or None, user=user, password=password,
                                     kind=kind, base_iri=base))  # type: ignore[arg-type]


class LocalTarget:
    remote = False

    def __init__(self, store: Path):
        self.store = store

    def snapshot(self) -> EmbeddedStore:
        return EmbeddedStore.open_snapshot(self.store)

    def write_path(self, base: str) -> WritePath:
        return WritePath(EmbeddedStore.open_writable(self.store), base=base)

    def close(self) -> None:
        """(Nothing held.)"""


class RemoteTarget:
    """A remote store, read through a local copy of its current generation (module text)."""

    remote = True

    def __init__(self, engine: RemoteEngine, cache_dir: Path | None = None):
        self.engine = engine
        self._own = cache_dir is None
        self.cache_dir = Path(tempfile.mkdtemp(prefix="iscg-remote-")) if cache_dir is None else cache_dir
        self._store: EmbeddedStore | None = None

    def snapshot(self) -> EmbeddedStore:
        if self._store is None:
            self.follow()
        assert self._store is not None
        return self._store

    def follow(self) -> None:
        """Read the store's current generation (fetched unless this copy already holds it)."""
        self.engine.refresh_generation()
        self._store = EmbeddedStore.open_snapshot(mirror(self.engine, self.cache_dir))

    def write_path(self, base: str) -> WritePath:
        from ..curation.remote_writes import RemoteWritePath

        if not self.engine.config.update_url:
            raise ISCGError("writing to the remote store needs --remote-update-url")
        self.snapshot()
        return RemoteWritePath(self.engine, self.snapshot, self.follow, base=base)

    def close(self) -> None:
        self._store = None
        if self._own:
            shutil.rmtree(self.cache_dir, ignore_errors=True)
