"""Leases on a built store: a build that a running process still serves is never deleted.

A process that serves a build takes a lease on it: a file ``<build>/.leases/<pid>-<n>`` holding the
process id and its start time (from ``/proc``). `iscg build` prunes old builds only when no live
lease remains (`in_use`). Leases survive a crash as files but not as claims: a lease whose process
is gone, or whose pid now belongs to a newer process (the start time differs), is stale, is removed
by the next `in_use`, and pins nothing. Worker processes die with the service that started them,
so the service's lease covers them.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path

__all__ = ["LEASES", "Lease", "in_use", "live_leases", "take"]

LEASES = ".leases"
_counter = itertools.count(1)


def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (Linux), or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            fields = fh.read().rsplit(")", 1)[-1].split()
    except FileNotFoundError:
        return None
    except OSError:
        return ""  # /proc unreadable: fall back to the pid alone
    if fields and fields[0] == "Z":
        return None  # a zombie serves nothing
    return fields[19] if len(fields) > 19 else ""


def _alive(pid: int, started: str) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # exists, owned by someone else
    now = _start_time(pid)
    if now is None:
        return False
    return not (started and now and now != started)  # a reused pid is another process


class Lease:
    """One process's claim on one build; `release` (or leaving the ``with`` block) gives it up."""

    def __init__(self, path: Path):
        self.path = path

    def release(self) -> None:
        self.path.unlink(missing_ok=True)

    def __enter__(self) -> Lease:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def __repr__(self) -> str:
        return f"Lease({self.path})"


def take(build_dir: Path) -> Lease:
    """Claim ``build_dir`` for this process (several claims per process are fine)."""
    folder = Path(build_dir) / LEASES
    folder.mkdir(exist_ok=True)
    pid = os.getpid()
    path = folder / f"{pid}-{next(_counter)}"
    tmp = folder / f".{path.name}.tmp"
    tmp.write_text(f"{pid} {_start_time(pid) or ''}\n", "ascii")
    os.replace(tmp, path)  # never a half-written lease
    return Lease(path)


def live_leases(build_dir: Path) -> list[Path]:
    """The live leases on ``build_dir``; stale ones (dead or reused pids) are removed on the way."""
    folder = Path(build_dir) / LEASES
    try:
        entries = [p for p in folder.iterdir() if not p.name.startswith(".")]
    except (FileNotFoundError, NotADirectoryError):
        return []
    live = []
    for path in entries:
        try:
            pid_text, _, started = path.read_text("ascii").strip().partition(" ")
            pid = int(pid_text)
        except FileNotFoundError:
            continue  # released meanwhile
        except (OSError, ValueError):
            path.unlink(missing_ok=True)  # unreadable: a crash mid-write cannot make one, so junk
            continue
        if _alive(pid, started):
            live.append(path)
        else:
            path.unlink(missing_ok=True)
    return live


def in_use(build_dir: Path) -> bool:
    """Whether any running process holds a lease on ``build_dir``."""
    return bool(live_leases(build_dir))
