"""What a person waits for: the first page of every canned query through ``/api/queries/<name>``
(JSON, ``limit`` rows asked of the store) and of every report through ``/reports/<name>`` (HTML, 50
rows and the total), timed next to the canned text through ``/sparql`` (`run.py --canned`).

Used by ``bench/run.py --pages``: scenarios named ``page:api:<name>`` and ``page:report:<name>``,
one client, run against this service only (the other servers have no such routes)."""

from __future__ import annotations

from urllib.parse import urlencode

from load import LoadResult, run_load

__all__ = ["PREFIX", "page_paths", "page_targets", "run_page"]

PREFIX = "page:"


def page_paths(values: dict[str, dict[str, str]], only: set[str] | None = None) -> dict[str, str]:
    """``page:api:<name>`` and (reports) ``page:report:<name>`` -> the path of the first page; with
    ``only``, of those canned queries alone (a run at 10M times the slow ones again)."""
    from iscg_graph.query.catalog import load_catalog
    from iscg_graph.query.paging import DEFAULT_LIMIT

    out = {}
    catalog = load_catalog()
    for name in sorted(catalog):
        if only and name not in only:
            continue
        given = values.get(name, {})
        out[f"{PREFIX}api:{name}"] = f"/api/queries/{name}?" + urlencode({**given, "limit": DEFAULT_LIMIT})
        if catalog[name].report:
            out[f"{PREFIX}report:{name}"] = f"/reports/{name}" + (f"?{urlencode(given)}" if given else "")
    return out


def run_page(port: int, path: str, *, requests: int, time_cap: float) -> LoadResult:
    """One client asking for the same first page ``requests`` times (one warm-up not counted; a
    warm-up with no answer in the time-out is the page's one error)."""
    return run_load(f"http://127.0.0.1:{port}/", "", clients=1, requests=requests, time_cap=time_cap,
                    request_timeout=max(30.0, time_cap), paths=[path], stop_if_warmup_times_out=True)


def page_targets(results: dict[str, dict[str, LoadResult]], names: dict[str, str],
                 target: float = 1.0) -> str:
    """The issue's target for canned queries and report pages: uncached p50 under ``target`` seconds
    (1 s at 1M, 10 s at 10M); a page with no answer has not met it."""
    lines = [f"| first page | server | p50 ms | p99 ms | under {target:g} s |", "|---|---|---|---|---|"]
    for server, rows in results.items():
        for key, r in sorted(rows.items()):
            query = key.split("|", 1)[1]
            if not query.startswith(PREFIX):
                continue
            p50 = r.p50
            met = "not met (no answer)" if p50 is None else ("met" if p50 < target else "not met")
            p50_ms = "–" if p50 is None else f"{p50 * 1000:.1f}"
            p99_ms = "–" if r.p99 is None else f"{r.p99 * 1000:.1f}"
            who = names.get(server, server)
            lines.append(f"| {query[len(PREFIX):]} | {who} | {p50_ms} | {p99_ms} | {met} |")
    return "\n".join(lines) if len(lines) > 2 else ""
