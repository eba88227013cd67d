"""Real SPARQL servers for the remote-engine tests, started on free loopback ports.

`oxigraph serve` comes with the ``oxigraph`` wheel (test extras). Virtuoso 7 comes from Debian
(``virtuoso-opensource``, installed by ``make test``): ``virtuoso-t`` runs in the foreground on a
generated ini in a temporary directory. A server that cannot be started skips its tests with the
reason, except under ``CI``, where the test fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from liveserver import ServerProcess, free_port

__all__ = ["OXIGRAPH", "missing", "oxigraph_server"]

OXIGRAPH = Path(sys.executable).parent / "oxigraph"


def missing(reason: str) -> None:
    """Skip (locally) or fail (under CI) a test whose server is not available."""
    if os.environ.get("CI"):
        pytest.fail(f"required SPARQL server unavailable under CI: {reason}")
    pytest.skip(reason)


def oxigraph_server(folder: Path, *, timeout_s: int | None = None) -> tuple[ServerProcess, str]:
    """`oxigraph serve` on an on-disk store in ``folder``; returns the server and its root URL."""
    binary = str(OXIGRAPH) if OXIGRAPH.exists() else shutil.which("oxigraph")
    if binary is None:
        missing("the `oxigraph` command is not installed (pip install oxigraph)")
    port = free_port()
    argv = [str(binary), "serve", "--location", str(folder / "oxigraph"), "--bind", f"127.0.0.1:{port}"]
    if timeout_s is not None:
        argv += ["--timeout-s", str(timeout_s)]
    root = f"http://127.0.0.1:{port}"
    server = ServerProcess(argv, ready_url=f"{root}/", log=folder / "oxigraph.log").start()
    return server, root


def run(argv: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, check=False, timeout=120)
