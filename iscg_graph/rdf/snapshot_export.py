"""The data of a built store as others get it: ``snapshot.nq`` with the deltas written since.

``snapshot.nq`` alone can be older than ``meta.json`` (curated writes append to the delta log,
`iscg_graph.rdf.snapshot_delta`), so anything that serves or copies a store's data to the outside
(release diffs, `iscg build --remote`) reads it through here: the file itself when it is whole,
else an in-memory copy with the deltas replayed. Never a stale file.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from ..errors import StoreError
from . import snapshot_delta as deltas
from .store import SNAPSHOT, EmbeddedStore, read_meta

__all__ = ["current_nquads", "current_quads", "snapshot_is_whole"]


def snapshot_is_whole(root: Path) -> bool:
    """Whether ``snapshot.nq`` alone is the data ``meta.json`` names (no deltas after it)."""
    meta = read_meta(root)
    holds = deltas.snapshot_generation(root / SNAPSHOT)
    return (meta.base if holds is None else holds) >= meta.generation


def current_nquads(root: str | os.PathLike[str]) -> bytes:
    """The data of a built store as N-Quads, its deltas included."""
    root = Path(root)
    if snapshot_is_whole(root):
        try:
            return (root / SNAPSHOT).read_bytes()
        except OSError as exc:
            raise StoreError(f"cannot read {root / SNAPSHOT}: {exc}") from exc
    return EmbeddedStore.open_snapshot(root).dump_nquads()


def current_quads(root: Path) -> Iterable[ox.Quad]:
    """The quads of a built store, its deltas included (streamed from the file when it is whole)."""
    if snapshot_is_whole(root):
        return ox.parse(path=str(root / SNAPSHOT), format=ox.RdfFormat.N_QUADS)
    return EmbeddedStore.open_snapshot(root).quads()
