"""Memory of the query workers: each loading its own copy of the snapshot, or sharing the on-disk
store read-only (``ISCG_WORKER_SHARED_STORE``).

    python bench/worker_memory.py                  # 10k and 100k generated triples, 2 workers
    python bench/worker_memory.py --triples 1m --workers 2
    python bench/worker_memory.py --store var/store-1m --canned theme-coverage,sector-overlap-matrix

For each mode: start-up of the pool, the workers' RSS and PSS (PSS splits shared pages between the
processes that map them) after a full scan and a short aggregate, and the time of that aggregate.
The OS page cache holding the shared store is not in any process's RSS: it is one copy per machine.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from generate import generate, iter_sizes  # noqa: E402

from iscg_graph.build.pipeline import write_store  # noqa: E402
from iscg_graph.errors import QueryError  # noqa: E402
from iscg_graph.query.workers import ProcessPoolEngine  # noqa: E402

JSON = "application/sparql-results+json"
SCAN = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
SHORT = """PREFIX iscg: <https://w3id.org/iscg/ontology#>
SELECT ?sector (COUNT(?q) AS ?n) WHERE { ?q a iscg:Question ; iscg:sector ?sector } GROUP BY ?sector"""


def _kb(pid: int, field: str, source: str) -> int:
    with open(f"/proc/{pid}/{source}") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def _canned(names: list[str]) -> dict[str, str]:
    from iscg_graph.query.catalog import load_catalog
    from iscg_graph.query.workbench_text import bound_text
    from iscg_graph.vocab import DEFAULT_BASE

    catalog = load_catalog()
    return {name: bound_text(catalog[name], {}, DEFAULT_BASE) for name in names}


def measure(store: Path, workers: int, shared: bool, canned: dict[str, str]) -> dict[str, float]:
    began = time.perf_counter()
    with ProcessPoolEngine(store, workers=workers, timeout=120, shared_store=shared) as engine:
        startup = time.perf_counter() - began
        for _ in range(workers * 2):
            engine.run(SCAN, media_type=JSON)
        t = time.perf_counter()
        for _ in range(10):
            engine.run(SHORT, media_type=JSON)
        short = (time.perf_counter() - t) / 10
        out = {"startup": startup, "short": short * 1000}
        for name, text in canned.items():
            times = []
            for _ in range(3):
                t = time.perf_counter()
                try:
                    engine.run(text, media_type=JSON, timeout=60)
                except QueryError:  # stopped at 60 s: reported as such
                    times.append(float("inf"))
                    break
                times.append(time.perf_counter() - t)
            out[name] = sorted(times)[len(times) // 2] * 1000
        pids = engine.worker_pids()
        out["rss"] = sum(_kb(p, "VmRSS", "status") for p in pids) / 1024
        out["pss"] = sum(_kb(p, "Pss", "smaps_rollup") for p in pids) / 1024
    return out


def report(size: str, store: Path, workers: int, canned: dict[str, str]) -> None:
    for shared in (False, True):
        r = measure(store, workers, shared, canned)
        mode = "shared read-only store" if shared else "copy per worker"
        extra = "".join(f" {r[name]:.0f} |" for name in canned)
        load = " ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"| {size} | {workers} | {mode} | {r['startup']:.2f} | {r['rss']:.0f} | "
              f"{r['pss']:.0f} | {r['short']:.1f} |{extra} {load} |", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--triples", nargs="+", default=["10k", "100k"])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--store", type=Path, help="a built store to measure instead of generating data")
    ap.add_argument("--canned", default="", help="canned queries to time too (comma-separated names)")
    args = ap.parse_args()
    canned = _canned([n for n in args.canned.split(",") if n])
    print("| triples | workers | mode | pool start-up s | workers' RSS MB | workers' PSS MB "
          "| short query ms |" + "".join(f" {n} ms |" for n in canned) + " load average |")
    print("|---|---|---|---|---|---|---|" + "---|" * len(canned) + "---|")
    if args.store is not None:
        report(args.store.name, args.store.resolve(), args.workers, canned)
        return
    for size in args.triples:
        with tempfile.TemporaryDirectory() as tmp:
            data = Path(tmp) / "data.nq"
            with open(data, "w", encoding="utf-8") as out:
                generate(next(iter_sizes(size)), out)
            store = Path(tmp) / "store"
            made = write_store(store, data.read_bytes(), "memory")
            del made
            report(size, store, args.workers, canned)


if __name__ == "__main__":
    main()
