"""bench/run_report.py and bench/load.py: the issue's targets by data size (met / not met, no answer
counts as not met) and a warm-up with no answer ending a one-client run instead of a second wait."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _bench(name: str) -> ModuleType:
    sys.path.insert(0, str(BENCH))
    try:
        return __import__(name)
    finally:
        sys.path.remove(str(BENCH))


@pytest.fixture(scope="module")
def report() -> ModuleType:
    return _bench("run_report")


@pytest.fixture(scope="module")
def load() -> ModuleType:
    return _bench("load")


@pytest.fixture(scope="module")
def pages() -> ModuleType:
    return _bench("pages")


def _result(load: ModuleType, latencies: list[float], errors: int = 0) -> object:
    return load.LoadResult(1, len(latencies), errors, 1.0, latencies)


def test_the_targets_follow_the_size(report: ModuleType) -> None:
    assert report.targets("10m") == (10.0, 30.0)
    assert report.targets("1m") == (1.0, 3.0)
    assert report.targets("10k") == (1.0, 3.0)


def test_canned_queries_met_not_met_and_no_answer_against_the_10m_target(report: ModuleType,
                                                                        load: ModuleType) -> None:
    results = {"iscg-nocache": {
        "1 client|canned:fast": _result(load, [2.0, 3.0, 4.0]),
        "1 client|canned:slow": _result(load, [12.0]),
        "1 client|canned:none": _result(load, [], errors=1),
        "1 client|light-label": _result(load, [0.01]),
    }}
    lines = report.canned_targets(results, 10.0).splitlines()
    assert "under 10 s" in lines[0]
    rows = {line.split(" | ")[0].lstrip("| "): line for line in lines[2:]}
    assert set(rows) == {"canned:fast", "canned:slow", "canned:none"}
    assert "| 3000.0 | met |" in rows["canned:fast"]
    assert "| 12000 | not met |" in rows["canned:slow"]
    assert "| – | not met (no answer) |" in rows["canned:none"]
    # the same figures against the 1M target
    assert "| 3000.0 | not met |" in report.canned_targets(results, 1.0)


def test_first_pages_against_the_target(pages: ModuleType, load: ModuleType) -> None:
    results = {"iscg-nocache": {
        "1 client|page:api:a": _result(load, [9.5]),
        "1 client|page:report:a": _result(load, [], errors=1),
    }}
    ten = pages.page_targets(results, {"iscg-nocache": "ours"}, 10.0).splitlines()
    assert ten[0].endswith("under 10 s |")
    assert ten[2] == "| api:a | ours | 9500.0 | 9500.0 | met |"
    assert ten[3] == "| report:a | ours | – | – | not met (no answer) |"
    one = pages.page_targets(results, {"iscg-nocache": "ours"}, 1.0).splitlines()
    assert one[2].endswith("| not met |")


def test_start_up_against_the_target_for_this_service_only(report: ModuleType) -> None:
    names = {"iscg-nocache": "ours", "oxigraph": "oxigraph serve"}
    line = report.startup({"iscg-nocache": 31.0, "oxigraph": 0.5}, names, 30.0)
    assert line == "ours 31.00 s (< 30 s: not met), oxigraph serve 0.50 s"
    assert report.startup({"iscg-nocache": 12.0}, names, 30.0) == "ours 12.00 s (< 30 s: met)"


@pytest.fixture()
def stalled() -> Iterator[tuple[int, list[str], threading.Event]]:
    """A server that answers nothing until released: its port, the paths it was asked, the release."""
    asked: list[str] = []
    release = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server name
            asked.append(self.path)
            release.wait(10)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], asked, release
    finally:
        release.set()
        server.shutdown()
        server.server_close()


Stalled = tuple[int, list[str], threading.Event]


def test_a_warm_up_with_no_answer_ends_the_run_when_asked(load: ModuleType, stalled: Stalled) -> None:
    port, asked, _release = stalled
    r = load.run_load(f"http://127.0.0.1:{port}/sparql", "ASK {}", clients=1, requests=3, time_cap=0.3,
                      request_timeout=0.3, stop_if_warmup_times_out=True)
    assert (r.completed, r.errors, asked[1:]) == (0, 1, [])
    assert r.error_samples == ["warm-up: no answer in 0.3 s"]


def test_without_it_the_counted_requests_still_wait(load: ModuleType, stalled: Stalled) -> None:
    port, asked, _release = stalled
    r = load.run_load(f"http://127.0.0.1:{port}/sparql", "ASK {}", clients=1, requests=3, time_cap=0.3,
                      request_timeout=0.3)
    assert r.completed == 0 and r.errors >= 1
    assert len(asked) >= 2  # the warm-up, then at least one counted request
