"""Short queries while long ones run: p99 of light lookups and of short worker queries, with and
without two runaway queries in flight, with and without the demotion of long queries.

    python bench/isolation.py                      # 10k generated triples, 4 workers
    python bench/isolation.py --triples 100k --rounds 300 --demote-after 1.0

The engine is the service's (`iscg_graph.query.compose.build_engine`: result cache off, light
queries in-process, the rest in worker processes); no HTTP server, so no port is taken. Each
scenario runs ``--rounds`` light lookups (answered in-process) and as many short worker queries
(a small aggregate that is not proven light), alternately, from one client thread; the runaway
queries (a four-way cross join, stopped by the engine's timeout) start first from their own threads.
Prints one markdown table. Figures depend on how loaded the machine is: say so when quoting them.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from generate import generate, iter_sizes  # noqa: E402

from iscg_graph.build.pipeline import write_store  # noqa: E402
from iscg_graph.errors import QueryError  # noqa: E402
from iscg_graph.query.compose import build_engine  # noqa: E402

JSON = "application/sparql-results+json"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
LIGHT = (HERE / "queries" / "light-label.rq").read_text()
# short, but a full scan (not proven light): it needs a worker
SHORT = """PREFIX iscg: <https://w3id.org/iscg/ontology#>
SELECT ?sector (COUNT(?q) AS ?n) WHERE { ?q a iscg:Question ; iscg:sector ?sector } GROUP BY ?sector"""


def p(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000


def scenario(store: Path, *, runaways: int, demote_after: float | None, rounds: int, workers: int,
             timeout: float, shared: bool = False) -> dict[str, object]:
    stack = build_engine(store, workers=workers, timeout=timeout, light_rows=1000, cache_bytes=0,
                         wait=True, demote_after=demote_after, shared_store=shared)
    engine = stack.engine
    try:
        engine.run(SHORT, media_type=JSON)  # warm: every layer loaded
        engine.run(LIGHT, media_type=JSON)
        stop = threading.Event()

        def runaway() -> None:
            while not stop.is_set():  # keep `runaways` long queries in flight for the whole scenario
                try:
                    engine.run(RUNAWAY, media_type=JSON)
                except QueryError:
                    pass

        threads = [threading.Thread(target=runaway, daemon=True) for _ in range(runaways)]
        for t in threads:
            t.start()
        if runaways:
            time.sleep(max(demote_after or 0.0, 0.5) + 0.5)  # past the threshold: in steady state
        light, short, failed = [], [], 0
        for _ in range(rounds):
            began = time.perf_counter()
            engine.run(LIGHT, media_type=JSON)
            light.append(time.perf_counter() - began)
            began = time.perf_counter()
            try:
                engine.run(SHORT, media_type=JSON)
                short.append(time.perf_counter() - began)
            except QueryError:
                failed += 1
        stop.set()
    finally:
        engine.close()
    return {
        "light p50": statistics.median(light) * 1000,
        "light p99": p(light, 0.99),
        "short p50": statistics.median(short) * 1000 if short else float("nan"),
        "short p99": p(short, 0.99) if short else float("nan"),
        "failed": failed,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--triples", default="10k")
    ap.add_argument("--rounds", type=int, default=200)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--timeout", type=float, default=20.0, help="engine timeout (stops each runaway)")
    ap.add_argument("--demote-after", type=float, default=1.0)
    ap.add_argument("--store", type=Path, help="an existing store directory (e.g. bench/run.py's "
                    "var/bench/iscg-store-data-1m) instead of generating --triples")
    ap.add_argument("--shared-store", action="store_true", help="workers read the on-disk store")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = args.store
        if store is None:
            data = Path(tmp) / "data.nq"
            with open(data, "w", encoding="utf-8") as out:
                generate(next(iter_sizes(args.triples)), out)
            store = Path(tmp) / "store"
            made = write_store(store, data.read_bytes(), "isolation")
            del made
        rows = []
        for runaways in (0, 2):
            for demote in (None, args.demote_after):
                r = scenario(store, runaways=runaways, demote_after=demote, rounds=args.rounds,
                             workers=args.workers, timeout=args.timeout, shared=args.shared_store)
                rows.append((runaways, demote, r))
    print(f"\n{args.store or args.triples} triples, {args.workers} workers, {args.rounds} rounds, "
          f"timeout {args.timeout:g} s{', shared store' if args.shared_store else ''}\n")
    print("| runaway queries | demotion | light p50 ms | light p99 ms | short p50 ms | short p99 ms "
          "| failed |")
    print("|---|---|---|---|---|---|---|")
    for runaways, demote, r in rows:
        label = f"after {demote:g} s" if demote else "off"
        print(f"| {runaways} | {label} | {r['light p50']:.1f} | {r['light p99']:.1f} | "
              f"{r['short p50']:.1f} | {r['short p99']:.1f} | {r['failed']} |")


if __name__ == "__main__":
    main()
