"""Leases on builds: live ones pin a build, a crashed process's lease pins nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from iscg_graph.build.pipeline import swap_in
from iscg_graph.rdf import leases


def test_a_lease_pins_until_released(tmp_path: Path) -> None:
    build = tmp_path / "b1"
    build.mkdir()
    assert not leases.in_use(build)
    with leases.take(build) as lease:
        assert leases.in_use(build) and lease.path.exists()
        second = leases.take(build)
        assert len(leases.live_leases(build)) == 2
        second.release()
    assert not leases.in_use(build)


def test_a_dead_process_lease_is_stale_and_removed(tmp_path: Path) -> None:
    build = tmp_path / "b1"
    build.mkdir()
    code = ("import sys; from pathlib import Path; from iscg_graph.rdf import leases; "
            "leases.take(Path(sys.argv[1]))")
    subprocess.run([sys.executable, "-c", code, str(build)], check=True)  # exits without releasing
    files = list((build / leases.LEASES).iterdir())
    assert len(files) == 1  # the file survived the process...
    assert not leases.in_use(build)  # ...but not as a claim
    assert not any((build / leases.LEASES).iterdir())


def test_a_reused_pid_does_not_pin(tmp_path: Path) -> None:
    build = tmp_path / "b1"
    (build / leases.LEASES).mkdir(parents=True)
    # this process's pid, but a start time it never had: the pid was reused by someone else
    (build / leases.LEASES / f"{os.getpid()}-1").write_text(f"{os.getpid()} 1\n", "ascii")
    assert not leases.in_use(build)
    (build / leases.LEASES / "junk").write_text("not a lease", "ascii")
    assert not leases.in_use(build)


def test_swap_in_keeps_leased_builds(tmp_path: Path) -> None:
    link = tmp_path / "store"
    builds = tmp_path / "store.builds"
    dirs = []
    for n in range(4):
        d = builds / f"{n:04d}"
        d.mkdir(parents=True)
        dirs.append(d)
    held = leases.take(dirs[0])
    for d in dirs:
        swap_in(link, d)
    assert sorted(p.name for p in builds.iterdir()) == ["0000", "0002", "0003"]  # 0001 was free
    held.release()
    extra = builds / "0004"
    extra.mkdir()
    swap_in(link, extra)
    assert sorted(p.name for p in builds.iterdir()) == ["0003", "0004"]
