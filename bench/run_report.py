"""The markdown of a bench/run.py run: the scenario table, the answers each server gave, the issue's
ratios and targets (names: server key -> the name the tables print)."""

from __future__ import annotations

import json
from collections.abc import Iterable

from load import LoadResult
from pages import PREFIX as PAGE_PREFIX

LIGHTS = ("light-label", "light-varying")
# the targets by data size: (a canned query's or first page's uncached p50, start-up to the
# first answer), seconds; the 1M targets for the smaller sizes
TARGETS = {"10m": (10.0, 30.0)}
DEFAULT_TARGETS = (1.0, 3.0)


def targets(size: str) -> tuple[float, float]:
    """(query or page target, start-up target) in seconds for a run at ``size``."""
    return TARGETS.get(size, DEFAULT_TARGETS)


def startup(started: dict[str, float], names: dict[str, str], target: float) -> str:
    """Each server's start-up to its first answer; this service's against the issue's target."""
    return ", ".join(
        f"{names[k]} {v:.2f} s" + (f" (< {target:g} s: {'met' if v < target else 'not met'})"
                                   if k.startswith("iscg") else "")
        for k, v in started.items())


def settling(settled: dict[str, float | None], names: dict[str, str], skipped: bool) -> str:
    """How long after its first answer each server's processes went quiet, before the scenarios ran."""
    if skipped:
        return "Scenarios run right after the first answer (--no-settle: the workers may still be loading)"
    return "Quiet (under a tenth of a core) before the scenarios, after the first answer: " + ", ".join(
        f"{names[k]} " + (f"{v:.1f} s" if v is not None else "still busy at 120 s")
        for k, v in settled.items())


OVERLAP = ("theme-overlap-count", "duplicate-pairs")


def fmt_ms(value: float | None) -> str:
    return "–" if value is None else (f"{value * 1000:.1f}" if value < 10 else f"{value * 1000:.0f}")


def table(results: dict[str, dict[str, LoadResult]], sc: Iterable[tuple[str, str]],
          names: dict[str, str]) -> str:
    """One row per (scenario, query) in ``sc`` and server that ran it."""
    lines = [
        "| scenario | query | server | done/errors | p50 ms | p99 ms | req/s |",
        "|---|---|---|---|---|---|---|",
    ]
    for scenario, query in sc:
        key = f"{scenario}|{query}"
        for server, by in results.items():
            r = by.get(key)
            if r is None:
                continue
            lines.append(
                f"| {scenario} | {query} | {names[server]} | {r.completed}/{r.errors} | "
                f"{fmt_ms(r.p50)} | {fmt_ms(r.p99)} | {r.throughput:.1f} |"
            )
    return "\n".join(lines)


def answers(results: dict[str, dict[str, LoadResult]], queries: Iterable[str]) -> str:
    """Every server's answer to each query, reduced to what must agree (solutions as a sorted set)."""
    out = []
    for query in queries:
        if query.startswith(PAGE_PREFIX):  # one server's pages (HTML too): nothing to compare
            continue
        seen: dict[str, str] = {}
        for server, by in results.items():
            for key, r in by.items():
                if key.endswith(f"|{query}") and r.sample and server not in seen:
                    seen[server] = _digest(r.sample)
        if seen:
            agree = len(set(seen.values())) == 1
            out.append(
                f"- {query}: {'same answer from every server that answered' if agree else 'ANSWERS DIFFER'} "
                f"({next(iter(seen.values())) if agree else seen})"
            )
    return "\n".join(out)


def _digest(body: bytes) -> str:
    data = json.loads(body)
    rows = sorted(
        json.dumps({k: v.get("value") for k, v in b.items()}, sort_keys=True)
        for b in data["results"]["bindings"]
    )
    return f"{len(rows)} row(s)" + (f", first {rows[0]}" if rows else "")


def ratios(results: dict[str, dict[str, LoadResult]], names: dict[str, str]) -> str:
    """The issue's targets, for each variant of this service that ran."""
    out = []
    ox_, rd = results.get("oxigraph", {}), results.get("rdflib", {})
    for variant in ("iscg-nocache", "iscg", "iscg-workers"):
        ours = results.get(variant)
        if not ours:
            continue
        who = names[variant]
        if variant != "iscg-nocache":  # cached answers / the worker-only path: the light queries' figures
            out.extend(_light_ratios(who, ours, ox_))
            continue
        for q in OVERLAP:
            for name in ("1 client", "8 clients"):
                a, b = ours.get(f"{name}|{q}"), rd.get(f"{name}|{q}")
                if a and b:
                    bound = "" if b.completed else " (rdflib-endpoint completed none: a lower bound)"
                    denom = b.throughput if b.completed else 1 / b.elapsed
                    out.append(
                        f"- {who}: {q}, {name}: throughput / rdflib-endpoint = "
                        f"{a.throughput / denom:.0f}x (target ≥ 100x){bound}"
                    )
        for q in OVERLAP:
            a, b = ours.get(f"1 client|{q}"), ox_.get(f"1 client|{q}")
            if a and b and a.p50 and b.p50:
                out.append(
                    f"- {who}: {q}, 1 client: p50 latency / oxigraph serve = {a.p50 / b.p50:.2f} "
                    "(target ≤ 1.2)"
                )
        out.extend(_light_ratios(who, ours, ox_))
    floor = results.get("floor", {})
    for q in LIGHTS:  # what no service on this stack can beat, and what this one adds to it
        f, b = floor.get(f"1 client|{q}"), ox_.get(f"1 client|{q}")
        if f and b and f.p50 and b.p50:
            out.append(f"- floor (uvicorn + pyoxigraph, no checks): {q}, 1 client: p50 latency / oxigraph "
                       f"serve = {f.p50 / b.p50:.2f}")
        for variant in ("iscg-nocache", "iscg"):
            a = results.get(variant, {}).get(f"1 client|{q}")
            if f and a and f.p50 and a.p50:
                out.append(f"- {names[variant]}: {q}, 1 client: p50 latency over the floor = "
                           f"{(a.p50 - f.p50) * 1e3:+.2f} ms ({a.p50 / f.p50:.2f}x)")
    return "\n".join(out)


def canned_targets(results: dict[str, dict[str, LoadResult]], target: float = 1.0) -> str:
    """The issue's targets for the canned queries: uncached p50 under ``target`` seconds (1 s at 1M,
    10 s at 10M) and at least 10x faster than `oxigraph serve` on the same text (the ratio); met /
    not met, from this run (no answer: not met)."""
    ours, ox_ = results.get("iscg-nocache", {}), results.get("oxigraph", {})
    lines = [f"| canned query | this service, uncached p50 ms | under {target:g} s | oxigraph serve p50 ms | "
             "ratio | done/errors (ours, oxigraph) |", "|---|---|---|---|---|---|"]
    for key in sorted(k for k in ours if "|canned:" in k or "|plain:" in k):
        a, b = ours[key], ox_.get(key)
        ratio = f"{b.p50 / a.p50:.1f}x" if (a.p50 and b and b.p50) else "–"
        theirs = f"{b.completed}/{b.errors}" if b else "not run"
        name = key.split("|", 1)[1]
        met = "not met (no answer)" if a.p50 is None else ("met" if a.p50 < target else "not met")
        lines.append(f"| {name} | {fmt_ms(a.p50)} | {met} | {fmt_ms(b.p50 if b else None)} | {ratio} | "
                     f"{a.completed}/{a.errors}, {theirs} |")
    return "\n".join(lines) if len(lines) > 2 else ""


def _light_ratios(who: str, ours: dict[str, LoadResult], ox_: dict[str, LoadResult]) -> list[str]:
    out = []
    for q in LIGHTS:
        a, b = ours.get(f"1 client|{q}"), ox_.get(f"1 client|{q}")
        if a and b and a.p50 and b.p50:
            out.append(f"- {who}: {q}, 1 client: p50 latency / oxigraph serve = {a.p50 / b.p50:.2f} "
                       "(target ≤ 1.2)")
        a, b = ours.get(f"8 clients|{q}"), ox_.get(f"8 clients|{q}")
        if a and b and b.throughput:
            out.append(f"- {who}: {q}, 8 clients: throughput / oxigraph serve = "
                       f"{a.throughput / b.throughput:.2f} (target ≥ 0.75)")
    return out
