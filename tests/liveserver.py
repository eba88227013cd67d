"""A server process on a free loopback port, for tests and benchmarks that need a real socket.

`ServerProcess` starts a command (uvicorn, ``oxigraph serve``, ``rdflib-endpoint serve``), waits
(bounded) until a URL answers, and stops it on exit: SIGTERM, then SIGKILL. Its output goes to a
log file that is shown when it fails to start. `api_server` is this service under uvicorn
(`uvicorn_argv`), as the live tests and the benchmark start it.

A server never outlives the process that started it: on Linux it is started with the parent-death
signal set (SIGTERM when its parent dies, however it dies, kill -9 included), and `stop` signals its
whole process group, so a failed or interrupted test run leaves no server or query worker behind.
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path

__all__ = ["ServerProcess", "api_server", "free_port", "uvicorn_argv"]

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In the child before exec: its own process group, and SIGTERM when the parent dies (Linux)."""
    os.setpgid(0, 0)
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


class ServerProcess:
    def __init__(self, argv: Sequence[str], *, ready_url: str, log: Path,
                 env: Mapping[str, str] | None = None, cwd: Path | None = None, start_timeout: float = 60.0):
        self.argv = list(argv)
        self.ready_url = ready_url
        self.log = log
        self.env = {**os.environ, **(env or {})}
        self.cwd = cwd
        self.start_timeout = start_timeout
        self.process: subprocess.Popen[bytes] | None = None
        self.started_in: float | None = None

    def start(self) -> ServerProcess:
        began = time.monotonic()
        with open(self.log, "wb") as out:
            self.process = subprocess.Popen(self.argv, stdout=out, stderr=subprocess.STDOUT, env=self.env,
                                            cwd=self.cwd, stdin=subprocess.DEVNULL,
                                            preexec_fn=_die_with_parent)
        deadline = began + self.start_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.argv[0]} exited with {self.process.returncode}:\n{self._tail()}")
            try:
                with urllib.request.urlopen(self.ready_url, timeout=2) as resp:
                    if resp.status < 400:
                        self.started_in = time.monotonic() - began
                        return self
            except (urllib.error.URLError, OSError):
                pass  # not listening yet, or not ready (4xx/5xx)
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(
            f"{self.argv[0]} did not answer {self.ready_url} in {self.start_timeout} s:\n{self._tail()}")

    def _tail(self) -> str:
        try:
            return self.log.read_text("utf-8", errors="replace")[-4000:]
        except OSError:
            return ""

    def stop(self) -> None:
        """SIGTERM to the server's process group, then SIGKILL to what is left of it."""
        if self.process is None:
            return
        group = self.process.pid
        if self.process.poll() is None:
            self._signal_group(group, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                pass
        self._signal_group(group, signal.SIGKILL)  # stragglers of the group (workers), and a hung server
        self.process.wait(5)

    @staticmethod
    def _signal_group(group: int, sig: signal.Signals) -> None:
        try:
            os.killpg(group, sig)
        except (ProcessLookupError, PermissionError):
            pass  # the group is gone already

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


# httptools with a bounded request head, and URLs over the 65,535 bytes httptools.parse_url can
# split handed to the application whole, so the service's own limit answers (414, or 413 for a body;
# api/http_protocol.py). Keep in step with `make run`.
HTTP_FLAGS = ("--http", "api.http_protocol:BoundedHttpToolsProtocol")


def uvicorn_argv(port: int, *extra: str) -> list[str]:
    """This service's app factory under uvicorn on 127.0.0.1:`port`, logging warnings only, plus `extra`."""
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "api.main:create_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        *HTTP_FLAGS,
        *extra,
    ]


def api_server(
    store: Path,
    port: int,
    *,
    log: Path,
    env: Mapping[str, str] | None = None,
    extra: Sequence[str] = (),
    ready_path: str = "/health",
    start_timeout: float = 60.0,
) -> ServerProcess:
    """This service on `store` in the test environment, not yet started; `env` adds or overrides settings.

    As under `make run`, loopback clients (the tests, the benchmark's clients) are exempt from the
    query budget unless `env` says otherwise (``ISCG_ENVIRONMENT=production`` always budgets them).
    """
    settings = {"ISCG_STORE_PATH": str(store), "ISCG_ENVIRONMENT": "test",
                "ISCG_BUDGET_EXEMPT_LOOPBACK": "true"}
    return ServerProcess(
        uvicorn_argv(port, *extra),
        ready_url=f"http://127.0.0.1:{port}{ready_path}",
        log=log,
        env={**settings, **(env or {})},
        cwd=REPO,
        start_timeout=start_timeout,
    )
