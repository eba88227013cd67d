"""What bringing the candidate index level with the store's review decisions costs at load
(`iscg_graph.overlap.index_sync`), on a built store (writes into it: give a copy).

    python bench/index_sync.py STORE_DIR [--decisions 200]

Prints, for: nothing to do; N decisions committed to the store only (as after N crashes between the
commit and the journal line: each is found, applied and its line appended and synced); the same N
then held by the journal; each time the index's load, the finding (one query of the reviews graph
and one pass over the candidate pairs) and the applying, wall ms, with the load average.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from iscg_graph.overlap.index import CandidateIndex  # noqa: E402
from iscg_graph.overlap.index_sync import missing_decisions, reconcile  # noqa: E402
from iscg_graph.overlap.review import Decision, prepare_decision, reviews_graph  # noqa: E402
from iscg_graph.rdf.store import EmbeddedStore  # noqa: E402

BASE = "https://w3id.org/iscg/"


def _round(store: EmbeddedStore, store_dir: Path, label: str) -> None:
    graph = reviews_graph(BASE)
    t0 = time.perf_counter()
    index = CandidateIndex.load(store_dir)
    t1 = time.perf_counter()
    missing = missing_decisions(index, store, graph)
    t2 = time.perf_counter()
    applied = reconcile(index, store, store_dir, graph)
    t3 = time.perf_counter()
    print(f"| {label} | {len(missing)} | {(t1 - t0) * 1e3:.1f} | {(t2 - t1) * 1e3:.1f} | "
          f"{(t3 - t2) * 1e3:.1f} | {applied} | {os.getloadavg()[0]:.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store_dir", type=Path)
    parser.add_argument("--decisions", type=int, default=200)
    args = parser.parse_args()
    store = EmbeddedStore.open_writable(args.store_dir)
    print(f"{len(store):,} quads")
    print("| case | missing | load ms | find ms | reconcile ms (finds again, applies) | applied | load avg |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    _round(store, args.store_dir, "nothing to do")
    index = CandidateIndex.load(args.store_dir)
    seen: set[frozenset[str]] = set()
    pairs = []
    for cand in index.query("question", limit=args.decisions * 3).candidates:
        key = frozenset((cand.left["iri"], cand.right["iri"]))
        if key not in seen and len(pairs) < args.decisions:
            seen.add(key)
            pairs.append((cand.left["iri"], cand.right["iri"]))
    for n, (left, right) in enumerate(pairs):  # committed as the write path does, minus shapes/snapshot
        write = prepare_decision(store, Decision(left, right, "reject" if n % 2 else "accept", "Bench",
                                                 "overlap"), base=BASE, today=date(2026, 12, 6))
        removed, added, _, _ = write.quads(store.inner)
        for quad in removed:
            store.inner.remove(quad)
        store.inner.extend(added)
    _round(store, args.store_dir, f"{len(pairs)} in the store only")
    _round(store, args.store_dir, f"{len(pairs)} held by the journal")


if __name__ == "__main__":
    main()
