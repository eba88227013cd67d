"""The store interface and its embedded pyoxigraph implementation.

A built store is a directory::

    <path>/                  (a symlink swapped atomically by `iscg build`)
        oxigraph/            the on-disk pyoxigraph (RocksDB) store: the single writer opens it
        snapshot.nq          N-Quads of the whole dataset, as of its last full rewrite (compaction)
        snapshot-delta/      what each curated write changed since (`iscg_graph.rdf.snapshot_delta`)
        meta.json            data version, build time, generation, counts per graph (`store_meta`)

Only one process may open ``oxigraph/`` for writing. A read-only open of a store that is being
written sees it as of opening and can fail (a compaction deleted a table file it was about to open:
it is tried again, then given up), so readers (the CLI, killable query workers, tests) load
``snapshot.nq`` into an in-memory store, the deltas after it replayed; query workers open the
on-disk store read-only first and fall back to the snapshot. A copy that holds generation N
catches up with `catch_up` (the deltas N+1..M) instead of loading again. A remote SPARQL 1.1 store
can implement the same `Store` protocol.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, Protocol

import pyoxigraph as ox

from ..errors import StoreError, StoreNotBuilt
from . import snapshot_delta as deltas
from .atomic_files import atomic_file
from .read_progress import counted
from .store_meta import META, DataKey, StoreMeta, count_graphs, data_key, read_meta, write_meta
from .wal_sync import WalSync

# the record of what a store holds lives in `store_meta`; importable from here as before
__all__ = ["DB", "META", "SNAPSHOT", "DataKey", "Delta", "EmbeddedStore", "Store", "StoreMeta", "Term",
           "count_graphs", "data_key", "read_meta", "write_meta"]

SNAPSHOT = "snapshot.nq"
DB = "oxigraph"

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


# A read-only open reads the list of table files, then opens each: the writer's compaction can delete
# one in between (RocksDB reports "Corruption ... No such file"). A new attempt reads the new list.
_READ_ONLY_ATTEMPTS = 4
_READ_ONLY_PAUSE = 0.05  # seconds, doubled after each failed attempt (0.35 s in all at most)


def _open_read_only(db: Path) -> ox.Store:
    """``db`` opened read-only, a few attempts if a compaction raced the open (StoreError: it could
    not be; readers then load the snapshot instead)."""
    pause = _READ_ONLY_PAUSE
    for attempt in range(_READ_ONLY_ATTEMPTS):
        try:
            return ox.Store.read_only(str(db))
        except (OSError, RuntimeError) as exc:
            if attempt + 1 == _READ_ONLY_ATTEMPTS:
                raise StoreError(f"cannot open {db} read-only: {exc}") from exc
            time.sleep(pause)
            pause *= 2
    raise AssertionError("unreachable")


class Store(Protocol):
    """What the rest of the project may ask of a store."""

    meta: StoreMeta

    def query(
        self,
        sparql: str,
        *,
        substitutions: Mapping[str, Term] | None = None,
        default_graph: list[str] | None = None,
        named_graphs: list[str] | None = None,
        base_iri: str | None = None,
    ) -> Any: ...

    def select(
        self, sparql: str, substitutions: Mapping[str, Term] | None = None
    ) -> list[dict[str, Term]]: ...

    def graphs(self) -> list[str]: ...

    def __len__(self) -> int: ...


Delta = tuple[Sequence[ox.Quad], Sequence[ox.Quad]]
"""The exact quads a write removed and added."""

# the delta log is folded into a new snapshot once it passes this fraction of the snapshot's size
# (docs/notes/scale.md §16: replaying a delta costs ~3x the CPU per byte of a bulk load, so a
# full log adds at most ~30 % to a fresh load; at 1M that is a compaction every ~2,700 reviews)
COMPACT_RATIO = 0.1
_ATTEMPTS = 5  # loads of a snapshot that a compaction replaced meanwhile


def _atomic_dump(store: ox.Store, path: Path, generation: int | None = None) -> None:
    """Write every quad of ``store`` to ``path`` atomically, streamed by Oxigraph (a whole-store
    ``bytes`` would hold the snapshot in memory: about 2 GB at ten million quads); ``generation``
    goes into a first comment line (`snapshot_delta.snapshot_header`)."""
    with atomic_file(path) as fh:
        if generation is not None:
            fh.write(deltas.snapshot_header(generation))
        store.dump(fh, format=ox.RdfFormat.N_QUADS)


class EmbeddedStore:
    """pyoxigraph behind the `Store` protocol; the default graph is the union of named graphs."""

    def __init__(self, inner: ox.Store, *, path: Path | None = None, meta: StoreMeta | None = None,
                 copy: bool = False):
        self._inner = inner
        self.path = path
        self.meta = meta or StoreMeta()
        self._copy = copy  # an in-memory copy of the snapshot: `catch_up` may apply deltas to it
        # on-disk: a commit logged as a delta is made durable by syncing the store's log
        self._sync_log = WalSync(path / DB) if path is not None and not copy else None

    # -- opening -------------------------------------------------------------------------------
    @classmethod
    def in_memory(cls) -> EmbeddedStore:
        return cls(ox.Store())

    @classmethod
    def open_snapshot(cls, path: str | os.PathLike[str], *,
                      progress: Callable[[int, int], None] | None = None) -> EmbeddedStore:
        """A private in-memory copy of a built store (safe next to a running writer): the snapshot,
        then the deltas written since, up to the generation ``meta.json`` names. ``progress`` is
        told the bytes of the snapshot read so far and its size, a megabyte at a time (the file is
        then read through Python: about 5 % slower than Oxigraph reading it by its path)."""
        root = Path(path)
        if not (root / SNAPSHOT).is_file():
            raise StoreNotBuilt(f"no built store at {root} (run `iscg build --store {root}`)")
        for _attempt in range(_ATTEMPTS):
            real = Path(os.path.realpath(root))  # one build, even if the store link is swapped meanwhile
            snap = real / SNAPSHOT
            meta = read_meta(real)  # before the data: a write meanwhile makes the copy look older
            inner = ox.Store()
            try:
                with open(snap, "rb") as fh:
                    holds = deltas.snapshot_generation_of(fh.readline(200))
                    if progress is None:
                        inner.bulk_load(path=str(snap), format=ox.RdfFormat.N_QUADS)
                    else:
                        fh.seek(0)
                        inner.bulk_load(input=counted(fh, progress), format=ox.RdfFormat.N_QUADS)
                    same = os.fstat(fh.fileno()).st_ino == os.stat(snap).st_ino
            except (OSError, SyntaxError, ValueError) as exc:
                raise StoreError(f"cannot load {snap}: {exc}") from exc
            if not same:  # compacted while it loaded: which generation was loaded is unknown
                continue
            holds = meta.base if holds is None else holds
            if holds < meta.generation:
                found = deltas.read_deltas(real, holds + 1, meta.generation)
                if found is None:  # compacted after meta.json was read: load the new snapshot
                    continue
                for delta in found:
                    deltas.apply_delta(inner, delta)
            # a snapshot newer than meta.json (compacted meanwhile) is taken as it is: it looks older
            return cls(inner, path=root, meta=replace(meta, snapshot_generation=None), copy=True)
        raise StoreError(f"the snapshot of {root} kept changing while it loaded; try again")

    def catch_up(self) -> bool:
        """Bring an in-memory copy to the generation ``meta.json`` names by applying the deltas
        written since its own (each one atomically). False when it cannot: not a copy, another
        build, or the deltas it needs were compacted away; the caller then loads a new copy."""
        if not self._copy or self.path is None:
            return False
        real = Path(os.path.realpath(self.path))
        try:
            meta = read_meta(real)
        except StoreError:
            return False
        have = self.meta
        if (meta.data_version, meta.built_at) != (have.data_version, have.built_at):
            return False
        if meta.generation == have.generation:
            return True
        if meta.generation < have.generation or have.generation < meta.base:
            return False
        try:
            found = deltas.read_deltas(real, have.generation + 1, meta.generation)
        except StoreError:
            return False
        if found is None:
            return False
        try:
            for delta in found:
                deltas.apply_delta(self._inner, delta)
                self.meta = replace(have, generation=delta.generation)
        except Exception:  # noqa: BLE001  (a damaged delta: this copy is no longer trusted)
            self.meta = replace(have, generation=-1)
            return False
        self.meta = replace(meta, snapshot_generation=None)
        return True

    @classmethod
    def open_read_only(cls, path: str | os.PathLike[str]) -> EmbeddedStore:
        """The on-disk store opened read-only (no copy: processes share the OS page cache).

        It sees the data as of opening; reopen it when ``meta.json``'s generation changes."""
        root = Path(path)
        if not (root / DB).is_dir():
            raise StoreNotBuilt(f"no built store at {root} (run `iscg build --store {root}`)")
        meta = read_meta(root)  # before the data, as open_snapshot does
        return cls(_open_read_only(root / DB), path=root, meta=meta)

    @classmethod
    def open_writable(cls, path: str | os.PathLike[str]) -> EmbeddedStore:
        """The on-disk store, for the single writer (the service process)."""
        root = Path(path)
        if not (root / DB).is_dir():
            raise StoreNotBuilt(f"no built store at {root} (run `iscg build --store {root}`)")
        try:
            inner = ox.Store(str(root / DB))
        except OSError as exc:
            raise StoreError(f"cannot open {root / DB}: {exc}") from exc
        return cls(inner, path=root, meta=read_meta(root))

    # -- reading -------------------------------------------------------------------------------
    def query(
        self,
        sparql: str,
        *,
        substitutions: Mapping[str, Term] | None = None,
        default_graph: list[str] | None = None,
        named_graphs: list[str] | None = None,
        base_iri: str | None = None,
    ) -> Any:
        kwargs: dict[str, Any] = {} if base_iri is None else {"base_iri": base_iri}
        if default_graph is not None:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graph]
        else:
            kwargs["use_default_graph_as_union"] = True
        if named_graphs is not None:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        if substitutions:
            kwargs["substitutions"] = {ox.Variable(k): v for k, v in substitutions.items()}
        return self._inner.query(sparql, **kwargs)

    def select(self, sparql: str, substitutions: Mapping[str, Term] | None = None) -> list[dict[str, Term]]:
        result = self.query(sparql, substitutions=substitutions)
        if not isinstance(result, ox.QuerySolutions):
            raise StoreError("select() needs a SELECT query")
        names = [v.value for v in result.variables]
        rows: list[dict[str, Term]] = []
        for solution in result:
            row = {}
            for name in names:
                value = solution[name]
                if value is not None:
                    row[name] = value
            rows.append(row)
        return rows

    def ask(self, sparql: str, substitutions: Mapping[str, Term] | None = None) -> bool:
        return bool(self.query(sparql, substitutions=substitutions))

    def graphs(self) -> list[str]:
        return sorted(g.value for g in self._inner.named_graphs() if isinstance(g, ox.NamedNode))

    def quads(
        self,
        subject: ox.NamedNode | ox.BlankNode | ox.Triple | None = None,
        predicate: ox.NamedNode | None = None,
        obj: Term | None = None,
        graph: ox.NamedNode | ox.BlankNode | ox.DefaultGraph | None = None,
    ) -> Iterable[ox.Quad]:
        return self._inner.quads_for_pattern(subject, predicate, obj, graph)

    def __len__(self) -> int:
        return len(self._inner)

    def dump_nquads(self) -> bytes:
        return self._inner.dump(format=ox.RdfFormat.N_QUADS) or b""

    @property
    def inner(self) -> ox.Store:
        """The pyoxigraph store itself, for code that serialises with Oxigraph's writers."""
        return self._inner

    @property
    def on_disk(self) -> bool:
        """Whether queries read the built store in place (RocksDB) rather than a copy in memory:
        there a lookup costs several times a step of a scan. (A store made from an ``ox.Store``
        without a path counts as in memory; the answer only guides how to query, never what.)"""
        return self.path is not None and not self._copy

    # -- writing -------------------------------------------------------------------------------
    def load_nquads(self, data: bytes) -> None:
        self._inner.load(data, format=ox.RdfFormat.N_QUADS)

    def replace_graph(self, graph_iri: str, nquads_or_ntriples: bytes) -> None:
        """Replace one named graph's content (N-Triples input), then refresh snapshot and meta.

        Clearing and loading are two steps: readers of this process's store could see the graph
        empty in between, which is why only the build (before a store is served) calls this;
        readers elsewhere load the snapshot, which is rewritten atomically afterwards.
        """
        graph = ox.NamedNode(graph_iri)
        if graph in set(self._inner.named_graphs()):
            self._inner.clear_graph(graph)
        self._inner.load(nquads_or_ntriples, format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
        self._after_write()

    def add_to_graph(self, graph_iri: str, ntriples: bytes) -> None:
        self._inner.load(ntriples, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(graph_iri))
        self._after_write()

    def apply_update(self, sparql_update: str, *, delta: Delta | None = None) -> None:
        """Run a SPARQL Update in one transaction (all or nothing, also under kill -9), then bring
        snapshot and meta level. The curation write path (`iscg_graph.curation.writes`) is the caller;
        ``delta`` (quads removed, quads added: exactly what the update does) is appended to the
        snapshot's delta log instead of rewriting the snapshot."""
        self._inner.update(sparql_update)
        self._after_write(delta)

    def refresh(self) -> None:
        """Rewrite snapshot and meta from the on-disk store, folding in the delta log (compaction;
        also after a crash between a commit and its snapshot)."""
        self._after_write()

    def _after_write(self, delta: Delta | None = None) -> None:
        """Make the commit durable, then keep snapshot (+ deltas) and meta in step with the on-disk
        store (readers follow the generation). A logged delta: the store's write-ahead log synced
        (`wal_sync`, a few milliseconds), the delta file not synced (`recover` rewrites the snapshot
        if a power loss damaged it); a full rewrite: the store flushed, as the build does."""
        if self.path is None:
            return
        if delta is not None:
            if self._sync_log is not None:
                self._sync_log()
            if self._log(*delta):
                return
        self._inner.flush()
        generation = self.meta.generation + 1
        _atomic_dump(self._inner, self.path / SNAPSHOT, generation)
        graphs = count_graphs(self._inner)
        self.meta = StoreMeta(
            data_version=self.meta.data_version,
            built_at=self.meta.built_at,
            generation=generation,
            triples=sum(graphs.values()),
            graphs=graphs,
        )
        write_meta(self.path, self.meta)
        deltas.remove_deltas(self.path)  # last: until meta.json names the new snapshot, they are used

    def _log(self, removed: Sequence[ox.Quad], added: Sequence[ox.Quad]) -> bool:
        """Append the delta of this write (False: rewrite the snapshot instead, when the delta has
        blank nodes or the log has grown past `COMPACT_RATIO` of the snapshot)."""
        assert self.path is not None
        removed, added = tuple(dict.fromkeys(removed)), tuple(dict.fromkeys(added))  # counted once each
        if deltas.has_blank_nodes((*removed, *added)):
            return False
        try:
            snapshot_bytes = (self.path / SNAPSHOT).stat().st_size
        except OSError:
            return False
        if deltas.log_bytes(self.path) > snapshot_bytes * COMPACT_RATIO:
            return False
        generation = self.meta.generation + 1
        deltas.write_delta(self.path, generation, removed, added)
        graphs = deltas.counts_after(self.meta.graphs, removed, added)
        self.meta = replace(self.meta, generation=generation, triples=sum(graphs.values()), graphs=graphs,
                            snapshot_generation=self.meta.base)
        write_meta(self.path, self.meta)
        return True

    def snapshot_consistent(self) -> bool:
        """Whether snapshot, delta log and meta agree (`recover` rewrites them when not): the snapshot
        holds ``meta.base``, every delta base+1..generation is there and none is past it. Leftover
        deltas at or before the base (a compaction killed before removing them) are removed."""
        if self.path is None:
            return True
        return deltas.consistent(self.path / SNAPSHOT, self.meta.base, self.meta.generation)
