"""Safety figures that unit tests must not assert (they depend on how loaded the machine is).

    python bench/safety.py            # prints a markdown table; nothing is written

Measured on a small synthetic store, with the engine itself (no HTTP server):

- runaway: a four-way cross join with a 2 s timeout: time until it is stopped (should be just over
  the timeout), CPU its worker burned before it was killed, light queries answered meanwhile;
- light-while-busy: latency of a proven-light query while the only worker runs the runaway query
  (answered in-process, so it should not wait for the worker);
- nesting: time to refuse a 10,000-level nested query before parsing (the goal is well under
  100 ms);
- idle-queue: how long `IdleQueue.get(0.1)` waits on an empty queue (should be ~0.1 s).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from proctree import cpu_seconds  # noqa: E402

from iscg_graph.build.pipeline import write_store  # noqa: E402
from iscg_graph.errors import QueryError, QueryTooDeep  # noqa: E402
from iscg_graph.query.idle_queue import IdleQueue  # noqa: E402
from iscg_graph.query.inline import InlineRunner  # noqa: E402
from iscg_graph.query.nesting import check_nesting  # noqa: E402
from iscg_graph.query.workers import ProcessPoolEngine  # noqa: E402

JSON = "application/sparql-results+json"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
LIGHT = "SELECT ?o WHERE {{ <urn:item:{n}> <urn:p:label> ?o }}"


def runaway_and_light(store: Path, timeout: float = 2.0) -> list[tuple[str, str]]:
    inline = InlineRunner(store, max_rows=1000)
    with ProcessPoolEngine(store, workers=1, timeout=timeout, inline=inline, cache_bytes=0) as engine:
        engine.run("ASK {}", media_type=JSON)  # the worker is up
        (pid,) = engine.worker_pids()
        outcome: dict[str, object] = {}

        def runaway() -> None:
            began = time.monotonic()
            try:
                engine.run(RUNAWAY, media_type=JSON)
            except QueryError as exc:
                outcome["error"] = type(exc).__name__
            outcome["stopped_after"] = time.monotonic() - began

        thread = threading.Thread(target=runaway)
        thread.start()
        time.sleep(0.3)
        latencies = []
        cpu = 0.0
        while thread.is_alive():
            began = time.monotonic()
            engine.run(LIGHT.format(n=len(latencies) % 200), media_type=JSON)
            latencies.append(time.monotonic() - began)
            reading = cpu_seconds(pid)
            if reading > 0:  # 0: killed meanwhile, the last reading stands
                cpu = reading
        thread.join()
    return [
        ("runaway: stopped after (timeout 2 s)",
         f"{outcome['stopped_after']:.2f} s ({outcome.get('error')})"),
        ("runaway: CPU burned by its worker before the kill", f"{cpu:.2f} s"),
        ("light queries answered while the worker was busy", str(len(latencies))),
        ("light-while-busy: median / max latency",
         f"{statistics.median(latencies) * 1000:.2f} ms / {max(latencies) * 1000:.2f} ms"),
    ]


def nesting() -> list[tuple[str, str]]:
    text = "SELECT * WHERE { " + "{" * 10_000 + "}" * 10_000 + " }"
    times = []
    for _ in range(20):
        began = time.perf_counter()
        try:
            check_nesting(text, 128)
        except QueryTooDeep:
            pass
        times.append(time.perf_counter() - began)
    flat = "SELECT * WHERE { " + " ".join(f'?s <urn:p:{i}> "v{i}" .' for i in range(3000)) + " }"
    began = time.perf_counter()
    check_nesting(flat, 128)
    whole = time.perf_counter() - began
    return [
        ("nesting: refuse 10,000 levels (median of 20)", f"{statistics.median(times) * 1000:.2f} ms"),
        (f"nesting: scan a flat {len(flat) // 1000} KB query", f"{whole * 1000:.2f} ms"),
    ]


def idle_queue() -> list[tuple[str, str]]:
    q: IdleQueue[str] = IdleQueue()
    waits = []
    for _ in range(5):
        began = time.monotonic()
        q.get(0.1)
        waits.append(time.monotonic() - began)
    return [("idle-queue: get(0.1) on an empty queue (median of 5)", f"{statistics.median(waits):.3f} s")]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        data = "".join(f'<urn:item:{i}> <urn:p:label> "item {i}" <urn:graph:items> .\n' for i in range(200))
        made = write_store(store, data.encode(), "bench")
        del made
        rows = runaway_and_light(store) + nesting() + idle_queue()
    print("| figure | value |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
