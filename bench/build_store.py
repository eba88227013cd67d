"""The benchmark's store build, streamed and timed per step (what bench/run.py builds before serving).

    python bench/build_store.py var/bench/data-10m.nq var/bench/iscg-store-data-10m
    python bench/build_store.py DATA STORE --steps derived        # refresh the derived data only
    python bench/build_store.py DATA STORE --steps candidates --report var/bench/build-10m.json

A benchmark store is the generated N-Quads as they are (no tables, SHACL or RDFS closure: the
generator writes the closed data) plus what `iscg build` adds after loading: the derived graph and
the candidate index. Each step works from the on-disk store, never from a whole in-memory copy, so
memory stays bounded at ten million quads (docs/notes/scale.md §9):

1. ``load``: Oxigraph's bulk loader reads the file itself (no Python bytes of the whole file);
2. ``derived``: the derived graph, computed from the on-disk store (`materialise_store`) and applied
   as a difference (bulk-loaded and appended to the snapshot); ``meta.json`` follows;
3. ``candidates``: the candidate precompute reading the on-disk store opened read-only.

Prints one line per step (wall time, CPU time, peak RSS of this process so far, store size on
disk) and, with ``--report``, merges them into a JSON file.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

STEPS = ("load", "derived", "candidates")


def disk_mb(path: Path) -> float:
    """Bytes on disk under ``path`` (files only, symlinks not followed), in MB."""
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            p = Path(root) / name
            if not p.is_symlink():
                total += p.stat().st_size
    return total / 1e6


def _load(data: Path, store: Path) -> dict:
    """An empty store directory, the data bulk-loaded from the file, snapshot, graph counts, meta."""
    import pyoxigraph as ox

    from iscg_graph.rdf.store import DB, SNAPSHOT, StoreMeta, count_graphs, write_meta

    if store.exists():
        raise SystemExit(f"{store} already exists: remove it, or run the later steps with --steps")
    store.mkdir(parents=True)
    inner = ox.Store(str(store / DB))
    inner.bulk_load(path=str(data), format=ox.RdfFormat.N_QUADS)
    inner.flush()
    shutil.copyfile(data, store / SNAPSHOT)  # the snapshot is the loaded data, byte for byte
    graphs = count_graphs(inner)
    meta = StoreMeta(data_version=f"bench-{data.stem}",
                     built_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                     generation=0, triples=sum(graphs.values()), graphs=graphs)
    write_meta(store, meta)
    return {"quads": meta.triples}


def _derived(data: Path, store: Path) -> dict:
    """The derived graph, computed from the on-disk store (`materialise_store`, as `refresh_store`
    does) and applied as a difference: what is new is bulk-loaded and appended to the snapshot, what
    went away (none on a fresh store) is removed and then the snapshot is dumped again. The
    transactional clear and load of `refresh_store` and its full re-dump took 5 of its 6 minutes at
    1M on a loaded machine (docs/notes/scale.md §9)."""
    import pyoxigraph as ox

    from iscg_graph.rdf import snapshot_delta
    from iscg_graph.rdf.derived import derived_graph, materialise_store
    from iscg_graph.rdf.snapshot_export import snapshot_is_whole
    from iscg_graph.rdf.store import (
        SNAPSHOT,
        EmbeddedStore,
        StoreMeta,
        _atomic_dump,
        count_graphs,
        write_meta,
    )
    from iscg_graph.vocab import DEFAULT_BASE

    opened = EmbeddedStore.open_writable(store)
    name = ox.NamedNode(derived_graph(DEFAULT_BASE))  # as `iscg build` adds it
    wanted = {ox.Quad(t.subject, t.predicate, t.object, name)
              for t in materialise_store(opened.inner, name.value)}
    held = set(opened.inner.quads_for_pattern(None, None, None, name))
    added, dropped = wanted - held, held - wanted
    body = ox.serialize(sorted(added, key=str), format=ox.RdfFormat.N_QUADS) or b""
    if added:
        opened.inner.bulk_load(body, format=ox.RdfFormat.N_QUADS)
    for quad in dropped:
        opened.inner.remove(quad)
    opened.inner.flush()
    generation = opened.meta.generation + 1
    # appending is right only for a snapshot that is the whole data and names no generation (a
    # store with curated writes since has deltas after it, or a compacted one names its generation)
    plain = snapshot_delta.snapshot_generation(store / SNAPSHOT) is None and snapshot_is_whole(store)
    if dropped or not plain:
        _atomic_dump(opened.inner, store / SNAPSHOT, generation)
    elif added:
        with open(store / SNAPSHOT, "rb+") as snapshot:  # holds the rest already: add the new quads
            size = snapshot.seek(0, os.SEEK_END)
            if size and (snapshot.seek(size - 1), snapshot.read(1))[1] != b"\n":
                snapshot.write(b"\n")
            snapshot.write(body)
    graphs = count_graphs(opened.inner)
    meta = StoreMeta(data_version=opened.meta.data_version, built_at=opened.meta.built_at,
                     generation=generation, triples=sum(graphs.values()), graphs=graphs)
    write_meta(store, meta)
    snapshot_delta.remove_deltas(store)  # folded into the snapshot above
    return {"derived_triples": len(wanted), "added": len(added), "removed": len(dropped),
            "quads": meta.triples}


def _candidates(data: Path, store: Path) -> dict:
    from iscg_graph.overlap.scoring import precompute
    from iscg_graph.rdf.store import EmbeddedStore

    summary = precompute(EmbeddedStore.open_read_only(store), store)
    return {"items": summary.items, "candidates": sum(summary.counts.values())}


RUN: dict[str, Callable[[Path, Path], dict]] = {"load": _load, "derived": _derived, "candidates": _candidates}


def run_steps(data: Path, store: Path, steps: list[str], report: Path | None = None) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for step in steps:
        wall, cpu = time.perf_counter(), time.process_time()
        extra = RUN[step](data, store)
        row = {
            "seconds": round(time.perf_counter() - wall, 1),
            "cpu_seconds": round(time.process_time() - cpu, 1),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "store_mb": round(disk_mb(store)),
            "load_average": os.getloadavg()[0],
            **extra,
        }
        out[step] = row
        print(f"{step:10} " + " ".join(f"{k}={v}" for k, v in row.items()), flush=True)
        if report is not None:
            done = json.loads(report.read_text("utf-8")) if report.is_file() else {}
            done[step] = row
            report.write_text(json.dumps(done, indent=2), "utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data", type=Path)
    parser.add_argument("store", type=Path)
    parser.add_argument("--steps", default=",".join(STEPS), help=f"comma-separated, of {', '.join(STEPS)}")
    parser.add_argument("--report", type=Path, help="merge each step's figures into this JSON file")
    args = parser.parse_args(argv)
    steps = args.steps.split(",")
    unknown = [s for s in steps if s not in RUN]
    if unknown:
        parser.error(f"unknown step(s) {', '.join(unknown)}; steps are {', '.join(STEPS)}")
    run_steps(args.data, args.store, steps, args.report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
