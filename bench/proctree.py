"""What a server and its query workers use, read from /proc (Linux): memory, CPU time, and a wait
for the tree to go quiet after a start.

A server of this service keeps working after its first answer: each query worker loads its in-memory
copy of the store in the background (docs/notes/scale.md §52), which at a million triples keeps both
cores of this machine busy for 15-20 s. A scenario run in that window measures the start-up, not
the service; `settle` waits until the tree's CPU use has dropped, and says how long it took.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

PROC = Path("/proc")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of one process (0 when it has gone)."""
    try:
        fields = (PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tree(pid: int) -> list[int]:
    """A process and all its descendants."""
    children: dict[int, list[int]] = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    todo, found = [pid], []
    while todo:
        p = todo.pop()
        found.append(p)
        todo += children.get(p, [])
    return found


def tree_memory(pid: int) -> tuple[float, float]:
    """RSS and PSS in MB of a process and all its descendants (a server and its query workers).
    PSS splits shared pages (the on-disk store's mapped files, the interpreter) between them."""
    rss = pss = 0
    for p in tree(pid):
        for name, field in (("status", "VmRSS"), ("smaps_rollup", "Pss")):
            try:
                for line in (PROC / str(p) / name).read_text().splitlines():
                    if line.startswith(field + ":"):
                        kb = int(line.split()[1])
                        rss, pss = (rss + kb, pss) if field == "VmRSS" else (rss, pss + kb)
            except OSError:
                pass
    return rss / 1024, pss / 1024


def tree_cpu(pid: int) -> float:
    """CPU seconds used so far by a process and its live descendants."""
    return sum(cpu_seconds(p) for p in tree(pid))


def settle(pid: int, *, busy: float = 0.1, window: float = 1.0, cap: float = 120.0) -> float | None:
    """Wait until the tree of ``pid`` uses less than ``busy`` of one core over ``window`` seconds;
    the seconds waited (None: still busy after ``cap`` seconds)."""
    began = time.monotonic()
    before = tree_cpu(pid)
    while time.monotonic() - began < cap:
        time.sleep(window)
        now = tree_cpu(pid)
        if now - before < busy * window:
            return time.monotonic() - began
        before = now
    return None
