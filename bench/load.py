"""A bounded loopback load generator: N client threads, each on its own keep-alive connection.

Every run is bounded twice: a fixed number of requests and a wall-clock cap (whichever comes first),
and every request has its own timeout. Reports completed requests, errors, p50/p99 latency and
throughput (completed / elapsed). Clients send GET ``?query=`` with ``Accept:
application/sparql-results+json``, the same bytes to every server. Given several queries, request
*n* (over all clients) sends query *n* modulo their number: the same sequence to every server.
"""

from __future__ import annotations

import http.client
import statistics
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit


@dataclass
class LoadResult:
    clients: int
    completed: int
    errors: int
    elapsed: float
    latencies: list[float] = field(default_factory=list)
    error_samples: list[str] = field(default_factory=list)
    sample: bytes = b""  # the warm-up answer, to check every server computed the same thing

    @property
    def throughput(self) -> float:
        return self.completed / self.elapsed if self.elapsed > 0 else 0.0

    def percentile(self, p: float) -> float | None:
        if not self.latencies:
            return None
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
        return ordered[index]

    @property
    def p50(self) -> float | None:
        return statistics.median(self.latencies) if self.latencies else None

    @property
    def p99(self) -> float | None:
        return self.percentile(99)


LONG_URL = 4000  # a longer query is sent as a form POST (SPARQL 1.1 Protocol), as clients do


def run_load(
    endpoint: str,
    query: str | Sequence[str],
    *,
    clients: int,
    requests: int,
    time_cap: float,
    request_timeout: float = 30.0,
    warmup: int = 1,
    paths: Sequence[str] | None = None,
    stop_if_warmup_times_out: bool = False,
) -> LoadResult:
    """GET ``endpoint?query=<text>`` (a form POST when it is long) for each text of ``query`` in
    turn, or the given ``paths`` (any route of the server, e.g. a canned query's page) on the
    endpoint's host. With ``stop_if_warmup_times_out``, a warm-up with no answer in the request
    time-out ends the run as one error: the counted requests would wait as long, behind the
    warm-up's query still running on the server (a slow query at 10M costs one time-out, not two)."""
    url = urlsplit(endpoint)
    host = url.hostname
    if not host:
        raise ValueError(f"endpoint {endpoint!r} has no host (expected e.g. http://127.0.0.1:8000/sparql)")
    texts = [query] if isinstance(query, str) else list(query)
    if paths is None:
        paths = [f"{url.path}?query={quote(text, safe='')}" for text in texts]
    headers = {"Accept": "application/sparql-results+json"}
    lock = threading.Lock()
    remaining = [requests]
    latencies: list[float] = []
    errors: list[str] = []
    stop_at = time.monotonic() + time_cap

    def connect(timeout: float = request_timeout) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(host, url.port, timeout=timeout)

    sample: list[bytes] = []

    def one(conn: http.client.HTTPConnection, n: int = 0) -> tuple[bool, str]:
        path = paths[n % len(paths)]
        if len(path) > LONG_URL and "?query=" in path:  # servers cap request lines (Oxigraph: 8 KB)
            route, _, encoded = path.partition("?")
            conn.request("POST", route, body=encoded.encode("ascii"),
                         headers={**headers, "Content-Type": "application/x-www-form-urlencoded"})
        else:
            conn.request("GET", path, headers=headers)
        resp = conn.getresponse()
        body = resp.read()
        if not sample and resp.status == 200:
            sample.append(body)
        return resp.status == 200, f"{resp.status} {body[:120]!r}"

    # warm-up on one connection (not counted, bounded by the time cap): worker start, first parse
    warmup_timeout = min(request_timeout, time_cap)
    conn = connect(warmup_timeout)
    warm_began = time.monotonic()
    for _ in range(warmup):
        try:
            one(conn)
        except TimeoutError:
            conn.close()
            if stop_if_warmup_times_out:
                message = f"warm-up: no answer in {warmup_timeout:g} s"
                return LoadResult(clients, 0, 1, time.monotonic() - warm_began, [], [message])
            conn = connect(warmup_timeout)
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = connect(warmup_timeout)
    conn.close()
    stop_at = time.monotonic() + time_cap

    sent = [0]

    def client() -> None:
        conn = connect()
        while True:
            with lock:
                if remaining[0] <= 0 or time.monotonic() >= stop_at:
                    break
                remaining[0] -= 1
                n = sent[0]
                sent[0] += 1
            started = time.perf_counter()
            try:
                ok, detail = one(conn, n)
            except (OSError, http.client.HTTPException) as exc:
                ok, detail = False, f"{type(exc).__name__}: {exc}"
                conn.close()
                conn = connect()
            took = time.perf_counter() - started
            with lock:
                if ok:
                    latencies.append(took)
                else:
                    errors.append(detail)
        conn.close()

    began = time.monotonic()
    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(time_cap + request_timeout + 5)
    elapsed = time.monotonic() - began
    return LoadResult(
        clients, len(latencies), len(errors), elapsed, latencies, errors[:3], sample[0] if sample else b""
    )
