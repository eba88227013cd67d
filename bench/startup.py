"""Start-up of this service on a built store: seconds to the first answers, and memory.

    python bench/startup.py var/bench/iscg-store-data-10m --shared-store

Starts the service under uvicorn on a free loopback port (as bench/run.py does, result cache off)
and measures, from the start of the process: the first ``/health``, the first light ``/sparql``
(``ASK {}``, the in-process path), the first query that needs a worker (a ``COUNT`` of the
Questions) and its answer; then the RSS / PSS of the server and its workers. One line of JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

from liveserver import api_server, free_port  # noqa: E402
from run import tree_memory  # noqa: E402

COUNT = ("PREFIX iscg: <https://w3id.org/iscg/ontology#> "
         "SELECT (COUNT(?q) AS ?n) WHERE { ?q a iscg:Question }")


def _until_ok(url: str, began: float, limit: float, timeout: float = 60.0) -> tuple[float | None, bytes]:
    """Seconds from ``began`` until ``url`` answers 200 (None past ``limit``), and the body."""
    while time.perf_counter() - began < limit:
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:
                return time.perf_counter() - began, response.read()
        except (urllib.error.URLError, OSError):
            time.sleep(0.1)
    return None, b""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("store", type=Path)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--shared-store", action="store_true")
    parser.add_argument("--limit", type=float, default=900.0, help="give up on each answer after this")
    args = parser.parse_args(argv)
    port = free_port()
    server = api_server(
        args.store.resolve(), port, log=args.store.parent / "startup.log", extra=["--no-access-log"],
        env={"ISCG_BUDGET_SECONDS_PER_MINUTE": "0", "ISCG_QUERY_WORKERS": str(args.workers),
             "ISCG_QUERY_TIMEOUT": "120", "ISCG_RESULT_CACHE_BYTES": "0",
             "ISCG_WORKER_SHARED_STORE": "true" if args.shared_store else "false",
             "ISCG_CANDIDATES_AT_STARTUP": "false"},  # a store without its index: never computed here
        start_timeout=args.limit)
    base = f"http://127.0.0.1:{port}"
    out: dict[str, object] = {"store": str(args.store), "workers": args.workers,
                              "shared_store": args.shared_store}
    began = time.perf_counter()
    with server:  # starts it, waiting (bounded) for /health
        out["health_s"] = round(time.perf_counter() - began, 1)
        light, _ = _until_ok(f"{base}/sparql?query=ASK%7B%7D", began, args.limit)
        out["first_light_sparql_s"] = _round(light)
        seconds, body = _until_ok(f"{base}/sparql?" + urllib.parse.urlencode({"query": COUNT}), began,
                                  args.limit, timeout=args.limit)
        out["first_worker_query_s"] = _round(seconds)
        out["questions"] = json.loads(body)["results"]["bindings"][0]["n"]["value"] if body else None
        assert server.process is not None
        rss, pss = tree_memory(server.process.pid)
        out["rss_mb"], out["pss_mb"] = round(rss), round(pss)
    out["load_average"] = round(os.getloadavg()[0], 1)
    print(json.dumps(out))
    return 0


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


if __name__ == "__main__":
    raise SystemExit(main())
