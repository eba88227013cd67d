"""Start-up to the first answer, and memory side by side with `oxigraph serve`, on a built store.

    python bench/startup.py --store var/store-1m                 # both worker modes, then oxigraph
    python bench/startup.py --store var/store-1m --modes shared --no-oxigraph

For each mode of this service (``copy``: each worker loads its own copy of the snapshot;
``shared``: workers and the light path open the on-disk store read-only), starts it under uvicorn
on a free loopback port as ``make run`` does, and times from the launch: the first ``/health``,
the first ``/sparql`` answer (an ``ASK {}``, the light path), the first answer that needs a worker
(a ``GROUP BY`` over the Questions). Then runs the same queries plus a full scan and reads the RSS
and PSS of the whole process tree (server and workers). ``oxigraph serve-read-only`` on the same
on-disk store gets the same queries and the same memory reading. The store is only read.
One run per line: quote the machine's load average (printed) with the figures.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO / "tests"))

from liveserver import ServerProcess, api_server, free_port  # noqa: E402
from proctree import tree_memory  # noqa: E402
from run import BIN  # noqa: E402

ASK = "ASK {}"
SHORT = """PREFIX iscg: <https://w3id.org/iscg/ontology#>
SELECT ?sector (COUNT(?q) AS ?n) WHERE { ?q a iscg:Question ; iscg:sector ?sector } GROUP BY ?sector"""
SCAN = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
JSON = "application/sparql-results+json"


def _get(url: str, timeout: float = 120.0) -> bool:
    req = urllib.request.Request(url, headers={"Accept": JSON})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            resp.read()
            return bool(resp.status < 400)
    except (urllib.error.URLError, OSError):
        return False


def _until(url: str, began: float, limit: float) -> float | None:
    """Seconds from ``began`` to the first successful answer of ``url`` (None past ``limit``)."""
    while time.monotonic() - began < limit:
        if _get(url):
            return time.monotonic() - began
        time.sleep(0.02)
    return None


def _query_url(base: str, query: str) -> str:
    return base + "?" + urllib.parse.urlencode({"query": query})


def measure(proc: ServerProcess, base: str, limit: float) -> dict[str, float | None]:
    """Start ``proc`` (its ready URL: ``/health``, or the first query where there is none), time its
    first answers from the launch, then read its process tree's memory after the same queries."""
    proc.start_timeout = limit
    began = time.monotonic()
    proc.start()
    assert proc.process is not None
    out: dict[str, float | None] = {"health": time.monotonic() - began}
    out["first"] = _until(_query_url(base, ASK), began, limit)
    out["worker"] = _until(_query_url(base, SHORT), began, limit)
    for query in (SHORT, SCAN, SCAN, SHORT):
        _get(_query_url(base, query))
    out["rss"], out["pss"] = tree_memory(proc.process.pid)
    return out


def fmt(value: float | None, unit: str = "") -> str:
    return "–" if value is None else f"{value:.2f}{unit}" if unit == " s" else f"{value:.0f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store", type=Path, required=True, help="a built store (iscg build / bench/run.py)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--modes", default="copy,shared", help="copy, shared, or both (comma-separated)")
    ap.add_argument("--no-oxigraph", action="store_true")
    ap.add_argument("--limit", type=float, default=600.0, help="seconds to wait for each first answer")
    args = ap.parse_args(argv)
    store = args.store.resolve()
    log_dir = REPO / "var"
    log_dir.mkdir(exist_ok=True)
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("| server | first /health s | first /sparql s | first worker answer s | tree RSS MB | tree PSS MB "
          "| load average after |")
    print("|---|---:|---:|---:|---:|---:|---|")
    runs: list[tuple[str, ServerProcess, str]] = []
    for mode in args.modes.split(","):
        port = free_port()
        env = {"ISCG_QUERY_WORKERS": str(args.workers), "ISCG_BUDGET_SECONDS_PER_MINUTE": "0",
               "ISCG_WORKER_SHARED_STORE": str(mode == "shared").lower(),
               "ISCG_CANDIDATES_AT_STARTUP": "false"}  # a store without its index: not computed here
        proc = api_server(store, port, log=log_dir / f"startup-{mode}.log", env=env,
                          extra=["--no-access-log"])
        runs.append((f"this service, {args.workers} workers, {mode}", proc, f"http://127.0.0.1:{port}/sparql"))
    if not args.no_oxigraph:
        port = free_port()
        argv_ox = [str(BIN / "oxigraph"), "serve-read-only", "--location", str(store / "oxigraph"),
                   "--bind", f"127.0.0.1:{port}", "--union-default-graph"]
        base = f"http://127.0.0.1:{port}/query"
        proc = ServerProcess(argv_ox, ready_url=_query_url(base, ASK), log=log_dir / "startup-oxigraph.log")
        runs.append(("oxigraph serve-read-only (first /health: its first answer)", proc, base))
    for name, proc, base in runs:
        try:
            r = measure(proc, base, args.limit)
        finally:
            proc.stop()
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
        print(f"| {name} | {fmt(r['health'], ' s')} | {fmt(r['first'], ' s')} | {fmt(r['worker'], ' s')} "
              f"| {fmt(r['rss'])} | {fmt(r['pss'])} | {load} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
