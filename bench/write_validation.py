"""The write path's validation step alone, on a built store: read from the store vs. an rdflib copy.

    python bench/write_validation.py var/store-100k [--rounds 5]

Two curated writes, validated by `WritePath.check` (nothing is committed; the dataset-after is the
store seen through the patch, by lookups): a theme link added to a Question (accepted) and a
mapping node without its status and relation kind (refused: the dataset-before is validated too).
Prints, per write, the CPU and wall milliseconds of the check (median of ``--rounds``), the focus
nodes, the store lookups and the triples of the subgraph validated; then what the previous design
paid first: the whole dataset converted to one rdflib graph (CPU and wall seconds, triples).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import pyoxigraph as ox  # noqa: E402

from iscg_graph.curation import incremental  # noqa: E402
from iscg_graph.curation.focus_graph import Views, changed_triples  # noqa: E402
from iscg_graph.curation.history import CHANGES_GRAPH  # noqa: E402
from iscg_graph.curation.patch import Patch  # noqa: E402
from iscg_graph.curation.writes import WritePath, to_rdflib  # noqa: E402
from iscg_graph.errors import ValidationFailed  # noqa: E402
from iscg_graph.rdf.store import EmbeddedStore  # noqa: E402

ISCG = "https://w3id.org/iscg/ontology#"
TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


class _Through:
    """The store seen through added quads (lookups only), as the write path's dataset-after."""

    def __init__(self, base: ox.Store, added: list[ox.Quad]):
        self.base, self.added = base, added

    def quads_for_pattern(self, s, p, o, g=None) -> Iterator[ox.Quad]:  # type: ignore[no-untyped-def]
        yield from self.base.quads_for_pattern(s, p, o, g)
        for q in self.added:
            if s in (None, q.subject) and p in (None, q.predicate) and o in (None, q.object):
                yield q


def _first(store: ox.Store, cls: str, n: int) -> list[ox.NamedNode]:
    found = store.quads_for_pattern(None, TYPE, ox.NamedNode(ISCG + cls), None)
    return [q.subject for q, _ in zip(found, range(n), strict=False)]  # type: ignore[misc]


def _writes(store: ox.Store) -> dict[str, list[ox.Quad]]:
    left, right = _first(store, "Question", 2)
    theme = _first(store, "Theme", 1)[0]
    graph = next(iter(store.quads_for_pattern(left, None, None, None))).graph_name
    node = ox.NamedNode("https://w3id.org/iscg/id/mapping/BENCH-1")
    return {
        "theme link (accepted)": [ox.Quad(left, ox.NamedNode(ISCG + "addressesTheme"), theme, graph)],
        "incomplete mapping (refused)": [
            ox.Quad(node, TYPE, ox.NamedNode(ISCG + "Mapping"), graph),
            ox.Quad(node, ox.NamedNode(ISCG + "subject"), left, graph),
            ox.Quad(node, ox.NamedNode(ISCG + "object"), right, graph),
        ],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("store", type=Path, help="a built store (only read)")
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    store = EmbeddedStore.open_snapshot(args.store)
    path = WritePath(store)
    print(f"## validation of a write, {len(store.inner):,} quads, load average {os.getloadavg()[0]:.1f}")
    print("| write | CPU ms | wall ms | focus nodes | lookups (focus, after) | subgraph triples (after) |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, added in _writes(store.inner).items():
        after, patch = _Through(store.inner, added), Patch((), tuple(added))
        cpu, wall = [], []
        for _ in range(args.rounds + 1):  # the first loads the shapes and their reach: not counted
            t, c = time.perf_counter(), time.process_time()
            try:
                path.check(patch, after)
            except ValidationFailed:
                pass
            cpu.append((time.process_time() - c) * 1000)
            wall.append((time.perf_counter() - t) * 1000)
        cpu, wall = cpu[1:], wall[1:]
        views = Views(store.inner, after, without=(CHANGES_GRAPH,))
        nodes = incremental.focus(views.after, changed_triples(patch, views)) or set()
        sub = incremental.neighbourhood(incremental._paths() or frozenset(), nodes, views.after)
        print(f"| {label} | {statistics.median(cpu):.0f} | {statistics.median(wall):.0f} | {len(nodes)} | "
              f"{views.before.lookups + views.after.lookups} | {len(sub)} |")
    journal = ox.NamedNode(CHANGES_GRAPH)
    t, c = time.perf_counter(), time.process_time()
    graph = to_rdflib(q for q in store.inner if q.graph_name != journal)
    print("\nthe whole dataset as one rdflib graph (the previous first write, now the fallback only): "
          f"{time.process_time() - c:.1f} s CPU, {time.perf_counter() - t:.1f} s wall, "
          f"{len(graph):,} triples")


if __name__ == "__main__":
    main()
