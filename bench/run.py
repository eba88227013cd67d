"""Benchmark: this service vs `oxigraph serve` vs `rdflib-endpoint`, same data, same queries.

    python bench/run.py                      # 10k triples, every server, every scenario
    python bench/run.py --size 1m --servers iscg,oxigraph
    python bench/run.py --quick              # smaller request counts and caps

Generates the synthetic data (bench/generate.py) unless present, prepares each server's store,
then for one server at a time (never two at once: the machine is small) starts it on a free
loopback port, runs the scenarios with the bounded load generator (bench/load.py) and stops it.
Scenarios: single-client latency per query, 8 clients on the light queries, 8 clients on each
overlap query. ``light-label`` repeats one lookup (what a result cache is good at);
``light-varying`` asks for the label of a different resource each time (every labelled subject of
the data, in a fixed shuffled order), so neither a result cache nor a plan cache can answer it.
Servers ``iscg-oxigraph`` and ``iscg-virtuoso`` are this service on a remote store
(bench/remote_stack.py): the bench data loaded into `oxigraph serve` or Virtuoso 7, the service in
front with the remote settings, so each request pays the extra network hop. Server ``floor``
(bench/floor_app.py) is uvicorn + pyoxigraph with no checks at all: the best
single-request latency any service on this stack could show, to tell the stack's cost from this
service's. Prints a markdown table and writes it, with the raw figures as JSON, to bench/results/.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO / "tests"))  # the server-process helper the live tests use

from generate import SIZES, generate  # noqa: E402
from liveserver import ServerProcess, api_server, free_port  # noqa: E402
from load import LoadResult, run_load  # noqa: E402
from pages import PREFIX as PAGE_PREFIX  # noqa: E402
from pages import page_paths, page_targets, run_page  # noqa: E402
from proctree import settle, tree_memory  # noqa: E402
from remote_stack import RemoteStack  # noqa: E402
from run_report import LIGHTS, answers, canned_targets, fmt_ms, ratios, settling, startup, table, targets  # noqa: E402

QUERIES: dict[str, str | list[str]] = {
    name: (HERE / "queries" / f"{name}.rq").read_text("utf-8")
    for name in ("light-label", "light-varying", "theme-overlap-count", "duplicate-pairs")
}
LIGHT, VARYING = LIGHTS
EXAMPLE_SUBJECT = "<https://w3id.org/iscg/id/question/itu-t/2017-2020/1-1>"  # replaced in light-varying
# every canned query (queries/*.rq), its text with these values bound as the workbench binds them
# (the required parameters get a value the generated data holds; the rest keep their defaults)
CANNED_VALUES: dict[str, dict[str, str]] = {
    "sector-overlap-detail": {"sector_a": "ITU-R", "sector_b": "ITU-T"},
    "study-group-neighbours": {"study_group": "itu-t/2017-2020/sg1"},
    "theme-dossier": {"theme": "isctf-topics/1"},
}
PLAIN_QUERIES = REPO / "tests" / "fixtures" / "plain_queries"  # the texts the derived graph replaced


def canned_queries() -> dict[str, str]:
    """``canned:<name>`` -> the canned query's text with its values bound, and ``plain:<name>`` for
    each query that reads the derived graph: the plain text it replaced (for `oxigraph serve` on the
    generated data alone, and for this service: what the derived graph saves)."""
    from iscg_graph.query.catalog import load_catalog, parse_query_file
    from iscg_graph.query.workbench_text import bound_text
    from iscg_graph.vocab import DEFAULT_BASE

    out = {}
    catalog = load_catalog()
    for name in sorted(catalog):
        out[f"canned:{name}"] = bound_text(catalog[name], CANNED_VALUES.get(name, {}), DEFAULT_BASE)
    for path in sorted(PLAIN_QUERIES.glob("*.rq")):
        spec = parse_query_file(path)
        out[f"plain:{path.stem}"] = bound_text(spec, CANNED_VALUES.get(path.stem, {}), DEFAULT_BASE)
    return out
BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Scenario:
    name: str
    query: str
    clients: int
    requests: int
    time_cap: float
    stop_if_warmup_times_out: bool = False  # one time-out, not two, for a text with no answer in it


def scenarios(quick: bool) -> list[Scenario]:
    k = 0.4 if quick else 1.0
    return [
        Scenario("1 client", LIGHT, 1, int(300 * k), 10 * k),
        Scenario("8 clients", LIGHT, 8, int(4000 * k), 12 * k),
        Scenario("1 client", VARYING, 1, int(300 * k), 10 * k),
        Scenario("8 clients", VARYING, 8, int(4000 * k), 12 * k),
        Scenario("1 client", "theme-overlap-count", 1, int(50 * k), 15 * k),
        Scenario("1 client", "duplicate-pairs", 1, int(20 * k), 20 * k),
        Scenario("8 clients", "theme-overlap-count", 8, int(200 * k), 15 * k),
        Scenario("8 clients", "duplicate-pairs", 8, int(40 * k), 20 * k),
    ]


def canned_scenarios(quick: bool, plain: bool = True, only: set[str] | None = None) -> list[Scenario]:
    """One client, a few requests each: the uncached p50 of every canned query (and plain text), or
    of those named in ``only``."""
    return [Scenario("1 client", name, 1, 3 if quick else 5, 30.0, True) for name in canned_queries()
            if (plain or not name.startswith("plain:")) and (not only or name.split(":", 1)[1] in only)]


def prepare_data(size: str, work: Path) -> Path:
    data = work / f"data-{size}.nq"
    if not data.is_file():
        tmp = data.with_suffix(".tmp")
        with open(tmp, "w", encoding="utf-8", buffering=1 << 20) as out:
            generate(SIZES[size], out)
        tmp.replace(data)
    return data


def varying_queries(data: Path, template: str) -> list[str]:
    """The light-varying query for every labelled subject of the data, in a fixed shuffled order."""
    label = b"<http://www.w3.org/2000/01/rdf-schema#label>"
    with open(data, "rb") as lines:
        subjects = sorted({parts[0].decode() for parts in (line.split(b" ", 2) for line in lines)
                           if len(parts) == 3 and parts[1] == label})
    random.Random(6).shuffle(subjects)
    return [template.replace(EXAMPLE_SUBJECT, subject) for subject in subjects]


def iscg_server(data: Path, work: Path, port: int, workers: int, cache: bool = True,
                inline: bool = True, shared: bool = False, candidates: bool = True,
                demote: bool = True) -> ServerProcess:
    from build_store import run_steps

    from iscg_graph.overlap.scoring import CANDIDATES_FILE

    store = iscg_store(data, work)
    steps = [] if (store / "meta.json").is_file() else ["load", "derived"]  # as `iscg build` adds it
    if candidates and not (store / CANDIDATES_FILE).is_file():  # as `iscg build` does: else the
        steps.append("candidates")  # service computes them in a background thread, sharing the CPU
    run_steps(data, store, steps, work / f"build-{data.stem}.json")  # streamed (bench/build_store.py)
    env = {
        "ISCG_BUDGET_SECONDS_PER_MINUTE": "0",
        "ISCG_QUERY_WORKERS": str(workers),
        "ISCG_QUERY_TIMEOUT": "60",
        "ISCG_RESULT_CACHE_BYTES": "64000000" if cache else "0",
        "ISCG_LIGHT_QUERY_ROWS": "1000" if inline else "0",
        "ISCG_WORKER_SHARED_STORE": "true" if shared else "false",
        "ISCG_CANDIDATES_AT_STARTUP": "true" if candidates else "false",  # no hours of precompute
        **({} if demote else {"ISCG_DEMOTE_AFTER_SECONDS": "0"}),
    }
    return api_server(
        store,
        port,
        log=work / "iscg.log",
        env=env,
        extra=["--no-access-log"],
        ready_path="/sparql?query=ASK%7B%7D",
        start_timeout=600,
    )


def iscg_store(data: Path, work: Path) -> Path:
    return work / f"iscg-store-{data.stem}"  # (= remote_stack.ensure_store's folder)


def oxigraph_server(data: Path, work: Path, port: int) -> ServerProcess:
    """`oxigraph serve` on the same data as this service: the service's snapshot (the generated
    data plus the derived graph) when it was built, so the canned queries that read the derived
    graph run there too; else the generated data."""
    snapshot = iscg_store(data, work) / "snapshot.nq"
    source = snapshot if snapshot.is_file() else data
    location = work / (f"oxigraph-{data.stem}-snapshot" if source == snapshot else f"oxigraph-{data.stem}")
    if not location.is_dir():
        subprocess.run(
            [str(BIN / "oxigraph"), "load", "--location", str(location), "--file", str(source)],
            check=True,
            capture_output=True,
        )
    argv = [
        str(BIN / "oxigraph"),
        "serve",
        "--location",
        str(location),
        "--bind",
        f"127.0.0.1:{port}",
        "--union-default-graph",
    ]
    return ServerProcess(
        argv,
        ready_url=f"http://127.0.0.1:{port}/query?query=ASK%7B%7D",
        log=work / "oxigraph.log",
        start_timeout=600,
    )


def floor_server(data: Path, work: Path, port: int) -> ServerProcess:
    """bench/floor_app.py under uvicorn with this service's flags: the stack with no checks."""
    argv = [sys.executable, "-m", "uvicorn", "floor_app:app", "--app-dir", str(HERE), "--host", "127.0.0.1",
            "--port", str(port), "--log-level", "warning", "--no-access-log"]
    return ServerProcess(
        argv,
        ready_url=f"http://127.0.0.1:{port}/sparql?query=ASK%7B%7D",
        log=work / "floor.log",
        env={"BENCH_FLOOR_DATA": str(data)},
        cwd=REPO,
        start_timeout=600,
    )


def rdflib_server(data: Path, work: Path, port: int) -> ServerProcess:
    argv = [str(BIN / "rdflib-endpoint"), "serve", str(data), "--host", "127.0.0.1", "--port", str(port)]
    return ServerProcess(
        argv,
        ready_url=f"http://127.0.0.1:{port}/?query=ASK%7B%7D",
        log=work / "rdflib-endpoint.log",
        start_timeout=900,
    )


SERVERS = {
    "iscg": ("this service", "/sparql"),
    "iscg-nocache": ("this service, result cache off", "/sparql"),
    "iscg-workers": ("this service, cache and in-process path off", "/sparql"),
    "floor": ("floor: uvicorn + pyoxigraph, no checks", "/sparql"),
    "oxigraph": ("oxigraph serve", "/query"),
    "rdflib": ("rdflib-endpoint", "/"),
    "iscg-oxigraph": ("this service over oxigraph serve, result cache off", "/sparql"),
    "iscg-virtuoso": ("this service over Virtuoso 7, result cache off", "/sparql"),
}


OPTIONS: list[tuple[str, dict[str, Any]]] = [
    ("--size", {"default": "10k", "choices": sorted(SIZES)}),
    ("--servers", {"default": "iscg,iscg-nocache,floor,oxigraph,rdflib"}),
    ("--quick", {"action": "store_true"}),
    ("--queries", {"default": ",".join(QUERIES), "help": "which queries' scenarios to run"}),
    ("--workers", {"type": int, "default": 2, "help": "query worker processes of this service"}),
    ("--shared-store", {"action": "store_true",
                        "help": "this service's workers and light path read the on-disk store (no copies)"}),
    ("--canned", {"action": "store_true",
                  "help": "also every canned query (uncached p50, 1 client), and the plain texts"}),
    ("--pages", {"action": "store_true",
                 "help": "also the first page of every canned query (/api/queries/<name>) and report "
                 "(/reports/<name>), this service only (bench/pages.py)"}),
    ("--skip-plain", {"action": "store_true",
                      "help": "with --canned: not the plain texts the derived graph replaced"}),
    ("--canned-only", {"default": "",
                       "help": "with --canned or --pages: only these canned queries and their pages "
                       "(comma-separated names)"}),
    ("--skip-candidates", {"action": "store_true",
                           "help": "serve a store without a candidate index, not computing it (hours at 10M: "
                           "its pairwise scoring is quadratic); the candidate routes answer 503"}),
    ("--no-demote", {"action": "store_true",
                     "help": "this service's worker queries keep the bench's priority past 1 s "
                     "(else nice 19: behind any other work on a shared machine)"}),
    ("--no-settle", {"action": "store_true",
                     "help": "run the scenarios right after the first answer, while the query workers may "
                     "still be loading their copies of the store (else wait, up to 2 min, until the "
                     "server's processes use under a tenth of a core: bench/proctree.py)"}),
    ("--work", {"type": Path, "default": REPO / "var" / "bench"}),
    ("--out", {"type": Path, "default": HERE / "results"}),
]
"""The command line, declared once: (flag, argparse options)."""


def run_scenarios(server: str, proc: ServerProcess | RemoteStack, port: int, sc: list[Scenario],
                  results: dict[str, dict[str, LoadResult]], memory: dict[str, tuple[float, float]]) -> None:
    """Every scenario of ``sc`` against one started server: its figures into ``results``, its largest
    footprint into ``memory`` (a timed-out request restarts the server before the next scenario)."""
    endpoint = f"http://127.0.0.1:{port}{SERVERS[server][1]}"
    results[server] = {}
    restart = False
    for s in sc:
        if server == "floor" and s.query not in LIGHTS:  # it has no timeout: a floor for lookups only
            continue
        if s.query.startswith(PAGE_PREFIX) and not server.startswith("iscg"):
            continue  # a route of this service, not a SPARQL text
        if restart:  # a timed-out request may still be running there (rdflib-endpoint cannot stop
            proc.stop()  # it; this service's workers keep it until the query time-out)
            proc.start()
        if s.query.startswith(PAGE_PREFIX):
            r = run_page(port, str(QUERIES[s.query]), requests=s.requests, time_cap=s.time_cap)
            results[server][f"{s.name}|{s.query}"] = r
            restart = r.errors > 0  # else the next route waits behind it
            print(f"{server:9} {s.query:40} p50={fmt_ms(r.p50):>7} ms err={r.errors} "
                  f"load={os.getloadavg()[0]:.1f}", flush=True)
            continue
        r = run_load(
            endpoint,
            QUERIES[s.query],
            clients=s.clients,
            requests=s.requests,
            time_cap=s.time_cap,
            request_timeout=max(30.0, s.time_cap),
            stop_if_warmup_times_out=s.stop_if_warmup_times_out,
        )
        results[server][f"{s.name}|{s.query}"] = r
        restart = r.errors > 0
        if proc.process is not None:  # the largest footprint seen while serving
            memory[server] = max(memory.get(server, (0.0, 0.0)), tree_memory(proc.process.pid))
        print(
            f"{server:9} {s.name:9} {s.query:20} done={r.completed:5} err={r.errors:3} "
            f"p50={fmt_ms(r.p50):>7} p99={fmt_ms(r.p99):>7} ms  {r.throughput:8.1f} req/s "
            f"load={os.getloadavg()[0]:.1f}"
            + (f"  e.g. {r.error_samples[0]}" if r.error_samples else ""),
            flush=True,
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    for flags, options in OPTIONS:
        parser.add_argument(flags, **options)
    args = parser.parse_args(argv)
    load_at_start = os.getloadavg()[0]
    args.work.mkdir(parents=True, exist_ok=True)
    data = prepare_data(args.size, args.work)
    chosen = set(args.queries.split(","))
    sc = [s for s in scenarios(args.quick) if s.query in chosen]
    if args.canned:
        QUERIES.update(canned_queries())
        sc += canned_scenarios(args.quick, plain=not args.skip_plain,
                               only=set(filter(None, args.canned_only.split(","))))
    if args.pages:
        pages = page_paths(CANNED_VALUES, only=set(filter(None, args.canned_only.split(","))))
        QUERIES.update(pages)
        sc += [Scenario("1 client", key, 1, 3 if args.quick else 5, 30.0, True) for key in pages]
    if VARYING in chosen:  # a pass over the whole file in Python (minutes at 10M)
        QUERIES[VARYING] = varying_queries(data, str(QUERIES[VARYING]))
    results: dict[str, dict[str, LoadResult]] = {}
    started: dict[str, float] = {}
    settled: dict[str, float | None] = {}  # seconds after the first answer until the server was quiet
    memory: dict[str, tuple[float, float]] = {}
    resting: dict[str, tuple[float, float]] = {}
    failed: dict[str, str] = {}  # a server that could not start or serve: its figures so far are kept
    for server in args.servers.split(","):
        port = free_port()
        if server in ("iscg", "iscg-nocache", "iscg-workers"):
            proc = iscg_server(data, args.work, port, args.workers, cache=server == "iscg",
                               inline=server != "iscg-workers", shared=args.shared_store,
                               candidates=not args.skip_candidates, demote=not args.no_demote)
        elif server == "oxigraph":
            proc = oxigraph_server(data, args.work, port)
        elif server in ("iscg-oxigraph", "iscg-virtuoso"):  # bench/remote_stack.py
            proc = RemoteStack(server.split("-")[1], data, args.work, port,  # type: ignore[arg-type]
                               {"ISCG_BUDGET_SECONDS_PER_MINUTE": "0", "ISCG_QUERY_TIMEOUT": "60",
                                "ISCG_RESULT_CACHE_BYTES": "0"})  # every request pays the hop
        elif server == "floor":
            proc = floor_server(data, args.work, port)
        else:
            proc = rdflib_server(data, args.work, port)
        try:
            with proc:
                started[server] = proc.started_in or 0.0
                if not args.no_settle and proc.process is not None:
                    settled[server] = settle(proc.process.pid)
                run_scenarios(server, proc, port, sc, results, memory)
                if not args.no_settle and proc.process is not None:  # what it keeps once quiet
                    settle(proc.process.pid)
                    resting[server] = tree_memory(proc.process.pid)
        except Exception as exc:  # noqa: BLE001 - one server that fails must not lose the others' figures
            failed[server] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:300]}"
            print(f"{server:9} failed: {failed[server]}", flush=True)
    names = {k: v[0] for k, v in SERVERS.items()}
    query_target, startup_target = targets(args.size)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%MZ")
    command = "python bench/run.py " + " ".join(argv if argv is not None else sys.argv[1:])
    triples = sum(1 for _ in open(data, "rb"))
    report = "\n".join(
        [
            f"## SPARQL endpoint benchmark, {triples} triples ({args.size}), {stamp}",
            "",
            f"Command: `{command.strip()}`  ",
            f"Machine: {platform.machine()}, {os.cpu_count()} cores shared, "
            f"Python {platform.python_version()}; load generator on the same machine (loopback); "
            f"this service with {args.workers} query workers.  ",
            "Start-up to first answer: " + startup(started, names, startup_target) + "  ",
            settling(settled, names, args.no_settle) + "  ",
            "Memory (the server process and its workers, largest after any scenario; RSS / PSS MB): "
            + ", ".join(f"{SERVERS[k][0]} {r:.0f} / {p:.0f}" for k, (r, p) in memory.items())
            + (" (workers and light path on the shared read-only store)" if args.shared_store else "")
            + (" (no candidate index: not built, not computed by the service)"
               if args.skip_candidates else "")
            + (" (worker queries not demoted past 1 s)" if args.no_demote else "") + "  ",
            "Memory at rest (after the scenarios, once quiet; RSS / PSS MB): "
            + (", ".join(f"{SERVERS[k][0]} {r:.0f} / {p:.0f}" for k, (r, p) in resting.items()) or "not read")
            + "  ",
            f"Load average (1 min) at the start: {load_at_start:.1f}, at the end: {os.getloadavg()[0]:.1f}"
            + "".join(f"  \nFailed: {SERVERS[k][0]}: {v}" for k, v in failed.items()),
            "",
            table(results, [(s.name, s.query) for s in sc], names),
            "",
            ratios(results, names),
            "",
            canned_targets(results, query_target),
            "",
            page_targets(results, names, query_target),
            "",
            "Answers checked (the first answer of each server, rows as a set):",
            answers(results, QUERIES),
            "",
        ]
    )
    print("\n" + report)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{args.size}-{stamp}.md").write_text(report, "utf-8")
    raw = {
        server: {
            key: {
                "completed": r.completed,
                "errors": r.errors,
                "elapsed": r.elapsed,
                "p50": r.p50,
                "p99": r.p99,
                "throughput": r.throughput,
                "error_samples": r.error_samples,
            }
            for key, r in by.items()
        }
        for server, by in results.items()
    }
    (args.out / f"{args.size}-{stamp}.json").write_text(json.dumps(raw, indent=2), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
