"""The store interface and its embedded pyoxigraph implementation.

A built store is a directory::

    <path>/                  (a symlink swapped atomically by `iscg build`)
        oxigraph/            the on-disk pyoxigraph (RocksDB) store: the single writer opens it
        snapshot.nq          N-Quads of the whole dataset, rewritten atomically after every change
        meta.json            data version, build time, counts per graph

Only one process may open ``oxigraph/`` for writing, and a read-only open of a store that is being
written can fail or see a stale snapshot, so every *reader* (the CLI, killable query workers,
tests) loads ``snapshot.nq`` into an in-memory store instead: the real graph is small and loads in
milliseconds. A remote SPARQL 1.1 store can later implement the same `Store` protocol.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pyoxigraph as ox

from ..errors import StoreError, StoreNotBuilt

SNAPSHOT = "snapshot.nq"
META = "meta.json"
DB = "oxigraph"

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


@dataclass(frozen=True)
class StoreMeta:
    """What a built store was made from."""

    data_version: str = "unbuilt"
    built_at: str = ""
    generation: int = 0
    triples: int = 0
    graphs: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> StoreMeta:
        return cls(
            data_version=str(raw.get("data_version", "unbuilt")),
            built_at=str(raw.get("built_at", "")),
            generation=int(raw.get("generation", 0)),
            triples=int(raw.get("triples", 0)),
            graphs={str(k): int(v) for k, v in dict(raw.get("graphs", {})).items()},
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "data_version": self.data_version,
            "built_at": self.built_at,
            "generation": self.generation,
            "triples": self.triples,
            "graphs": dict(sorted(self.graphs.items())),
        }


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


DataKey = tuple[str, str, int]


def data_key(meta: StoreMeta) -> DataKey:
    """What identifies the data a copy of the store holds: a rebuild (new version or build time,
    generation back to 0) and a write (generation + 1) both change it."""
    return (meta.data_version, meta.built_at, meta.generation)


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _atomic_dump(store: ox.Store, path: Path) -> None:
    """Write every quad of ``store`` to ``path`` atomically, streamed by Oxigraph (a whole-store
    ``bytes`` would hold the snapshot in memory: about 2 GB at ten million quads)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            store.dump(fh, format=ox.RdfFormat.N_QUADS)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


_COUNT_DEFAULT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
_COUNT_NAMED = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


def count_graphs(store: ox.Store) -> dict[str, int]:
    """Quads per graph ("" for the default graph), counted by Oxigraph itself: 0.8 s at a million
    quads where a Python loop over them took 12 s (it runs at every start-up and every write)."""
    counts: dict[str, int] = {}
    for row in store.query(_COUNT_DEFAULT):  # type: ignore[union-attr]  # the default graph alone
        if int(row["n"].value):
            counts[""] = int(row["n"].value)
    for row in store.query(_COUNT_NAMED):  # type: ignore[union-attr]
        g = row["g"]
        key = g.value if isinstance(g, ox.NamedNode) else ""
        counts[key] = counts.get(key, 0) + int(row["n"].value)
    return counts


class EmbeddedStore:
    """pyoxigraph behind the `Store` protocol; the default graph is the union of named graphs."""

    def __init__(self, inner: ox.Store, *, path: Path | None = None, meta: StoreMeta | None = None):
        self._inner = inner
        self.path = path
        self.meta = meta or StoreMeta()

    # -- opening -------------------------------------------------------------------------------
    @classmethod
    def in_memory(cls) -> EmbeddedStore:
        return cls(ox.Store())

    @classmethod
    def open_snapshot(cls, path: str | os.PathLike[str]) -> EmbeddedStore:
        """A private in-memory copy of a built store (safe next to a running writer)."""
        root = Path(path)
        snap = root / SNAPSHOT
        if not snap.is_file():
            raise StoreNotBuilt(f"no built store at {root} (run `iscg build --store {root}`)")
        meta = read_meta(root)  # before the data: a write meanwhile makes the copy look older, never newer
        inner = ox.Store()
        try:
            inner.bulk_load(path=str(snap), format=ox.RdfFormat.N_QUADS)
        except (OSError, SyntaxError, ValueError) as exc:
            raise StoreError(f"cannot load {snap}: {exc}") from exc
        return cls(inner, path=root, meta=meta)

    @classmethod
    def open_read_only(cls, path: str | os.PathLike[str]) -> EmbeddedStore:
        """The on-disk store opened read-only (no copy: processes share the OS page cache).

        It sees the data as of opening; reopen it when ``meta.json``'s generation changes."""
        root = Path(path)
        if not (root / DB).is_dir():
            raise StoreNotBuilt(f"no built store at {root} (run `iscg build --store {root}`)")
        meta = read_meta(root)  # before the data, as open_snapshot does
        try:
            inner = ox.Store.read_only(str(root / DB))
        except OSError as exc:
            raise StoreError(f"cannot open {root / DB} read-only: {exc}") from exc
        return cls(inner, path=root, meta=meta)

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

    def apply_update(self, sparql_update: str) -> None:
        """Run a SPARQL Update in one transaction (all or nothing, also under kill -9), then refresh
        snapshot and meta. The curation write path (`iscg_graph.curation.writes`) is the caller."""
        self._inner.update(sparql_update)
        self._after_write()

    def refresh(self) -> None:
        """Rewrite snapshot and meta from the on-disk store (after a crash between the two)."""
        self._after_write()

    def _after_write(self) -> None:
        """Keep snapshot and meta in step with the on-disk store (readers reload on generation)."""
        if self.path is None:
            return
        self._inner.flush()
        _atomic_dump(self._inner, self.path / SNAPSHOT)
        graphs = count_graphs(self._inner)
        self.meta = StoreMeta(
            data_version=self.meta.data_version,
            built_at=self.meta.built_at,
            generation=self.meta.generation + 1,
            triples=sum(graphs.values()),
            graphs=graphs,
        )
        write_meta(self.path, self.meta)


def read_meta(root: Path) -> StoreMeta:
    try:
        return StoreMeta.from_json(json.loads((root / META).read_text("utf-8")))
    except FileNotFoundError:
        return StoreMeta()
    except (ValueError, OSError) as exc:
        raise StoreError(f"unreadable {root / META}: {exc}") from exc


def write_meta(root: Path, meta: StoreMeta) -> None:
    _atomic_write(root / META, json.dumps(meta.to_json(), indent=2).encode("utf-8"))
