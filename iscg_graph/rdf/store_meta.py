"""What a built store was made from, and the one file that says it: ``meta.json``.

Readers follow a store by this record: `data_key` (data version, build time, generation) changes with
every rebuild and every curated write, so a copy of the store, a cache of query results or a
candidate index can tell whether it still holds the data served (`iscg_graph.rdf.store`). The
per-graph counts are Oxigraph's own (`count_graphs`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ..errors import StoreError
from .atomic_files import atomic_write, fsync_dir

__all__ = ["META", "DataKey", "StoreMeta", "count_graphs", "data_key", "read_meta", "write_meta"]

META = "meta.json"


@dataclass(frozen=True)
class StoreMeta:
    """What a built store was made from."""

    data_version: str = "unbuilt"
    built_at: str = ""
    generation: int = 0
    triples: int = 0
    graphs: dict[str, int] = field(default_factory=dict)
    # the generation ``snapshot.nq`` holds (its deltas follow); None: the snapshot is ``generation``
    snapshot_generation: int | None = None

    @property
    def base(self) -> int:
        return self.generation if self.snapshot_generation is None else self.snapshot_generation

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> StoreMeta:
        return cls(
            data_version=str(raw.get("data_version", "unbuilt")),
            built_at=str(raw.get("built_at", "")),
            generation=int(raw.get("generation", 0)),
            triples=int(raw.get("triples", 0)),
            graphs={str(k): int(v) for k, v in dict(raw.get("graphs", {})).items()},
            snapshot_generation=(None if raw.get("snapshot_generation") is None
                                 else int(raw["snapshot_generation"])),
        )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "data_version": self.data_version,
            "built_at": self.built_at,
            "generation": self.generation,
            "triples": self.triples,
            "graphs": dict(sorted(self.graphs.items())),
        }
        if self.snapshot_generation is not None and self.snapshot_generation != self.generation:
            out["snapshot_generation"] = self.snapshot_generation
        return out


DataKey = tuple[str, str, int]


def data_key(meta: StoreMeta) -> DataKey:
    """What identifies the data a copy of the store holds: a rebuild (new version or build time,
    generation back to 0) and a write (generation + 1) both change it."""
    return (meta.data_version, meta.built_at, meta.generation)


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


def read_meta(root: Path) -> StoreMeta:
    try:
        return StoreMeta.from_json(json.loads((root / META).read_text("utf-8")))
    except FileNotFoundError:
        return StoreMeta()
    except (ValueError, OSError) as exc:
        raise StoreError(f"unreadable {root / META}: {exc}") from exc


def write_meta(root: Path, meta: StoreMeta) -> None:
    """Replace ``meta.json`` durably: its content and its name are on disk when this returns (a
    curated write answers after it; the delta files it names are not synced, docs/notes/scale.md §27)."""
    atomic_write(root / META, json.dumps(meta.to_json(), indent=2).encode("utf-8"))
    fsync_dir(root)
