"""Time canned queries directly with pyoxigraph, without a server: one store, one query at a time.

    python bench/canned.py --store var/store-1m/oxigraph --derive            # on-disk store, in place
    python bench/canned.py --store var/store-1m/oxigraph --memory            # copied into memory first
    python bench/canned.py --nq var/bench/data-100k.nq                 # N-Quads, in memory
    python bench/canned.py --store … --memory --text var/old/question-duplicate-candidates.rq

``--text`` also times a query file outside the catalogue (e.g. a canned query's previous text from
git), bound with the values of the canned query of the same file name, on the same store.

``--derive`` recomputes the derived graph (``graph/derived``) of the store first and says how long
that took (a store built before the derived data changed needs it). ``--nq`` always derives. Each
query runs uncached, with the values the service bench binds (`run.CANNED_VALUES`), ``--repeat``
times; the p50 and every run are printed, wall and CPU (user+sys of the process), with the
machine's load average. (The plain texts the derived graph replaced, tests/fixtures/plain_queries/,
are timed by `run.py --canned` as ``plain:<name>``, with a client time-out.)
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import pyoxigraph as ox

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))

from run import CANNED_VALUES  # noqa: E402

from iscg_graph.query.catalog import load_catalog, parse_query_file  # noqa: E402
from iscg_graph.query.workbench_text import bound_text  # noqa: E402
from iscg_graph.rdf.derived import derived_graph, materialise_store  # noqa: E402
from iscg_graph.vocab import DEFAULT_BASE  # noqa: E402

DEFAULT_QUERIES = "question-duplicate-candidates,study-group-neighbours,theme-dossier"


def derive(store: ox.Store) -> float:
    graph = derived_graph(DEFAULT_BASE)
    started = time.perf_counter()
    triples = materialise_store(store, graph)
    if store.contains_named_graph(ox.NamedNode(graph)):
        store.remove_graph(ox.NamedNode(graph))
    store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(graph)) for t in triples)
    return time.perf_counter() - started


def open_store(args: argparse.Namespace) -> ox.Store:
    if args.nq:
        store = ox.Store()
        store.bulk_load(path=str(args.nq), format=ox.RdfFormat.N_QUADS)
        print(f"derived graph computed in {derive(store):.1f} s", flush=True)
        return store
    store = ox.Store(str(args.store))
    if args.derive:
        print(f"derived graph computed in {derive(store):.1f} s", flush=True)
        store.flush()
    if args.memory:
        started = time.perf_counter()
        memory = ox.Store()
        memory.bulk_extend(store.quads_for_pattern(None, None, None))
        print(f"copied into memory in {time.perf_counter() - started:.1f} s", flush=True)
        return memory
    return store


def _run(store: ox.Store, text: str) -> tuple[int, float, float]:
    """Rows, wall seconds and CPU seconds (user+sys of this process) of one uncached run."""
    started, cpu = time.perf_counter(), time.process_time()
    rows = sum(1 for _ in store.query(text, use_default_graph_as_union=True))  # type: ignore[union-attr]
    return rows, time.perf_counter() - started, time.process_time() - cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--store", type=Path, help="a pyoxigraph (RocksDB) store directory")
    source.add_argument("--nq", type=Path, help="an N-Quads file, loaded into memory")
    parser.add_argument("--derive", action="store_true", help="recompute the store's derived graph first")
    parser.add_argument("--memory", action="store_true", help="copy the store into memory first")
    parser.add_argument("--queries", default=DEFAULT_QUERIES)
    parser.add_argument("--text", type=Path, action="append", default=[],
                        help="a query file to time too (values: those of the canned query of its name)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    store = open_store(args)
    catalog = load_catalog()
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    timed = [(name, catalog[name]) for name in args.queries.split(",") if name]
    timed += [(f"{path} (file)", parse_query_file(path)) for path in args.text]
    for name, spec in timed:
        text = bound_text(spec, CANNED_VALUES.get(name.split("/")[-1].split(".rq")[0], {}), DEFAULT_BASE)
        runs = [_run(store, text) for _ in range(args.repeat)]
        times = [t for _rows, t, _cpu in runs]
        cpus = [c for _rows, _t, c in runs]
        print(f"{name}: {runs[0][0]} rows, p50 {statistics.median(times) * 1000:.0f} ms "
              f"(runs: {', '.join(f'{t * 1000:.0f}' for t in times)} ms), "
              f"CPU p50 {statistics.median(cpus) * 1000:.0f} ms "
              f"(runs: {', '.join(f'{c * 1000:.0f}' for c in cpus)} ms)", flush=True)
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
