"""A test server never outlives the test process that started it, however that process dies."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]

# A server that starts a child of its own (as uvicorn starts query workers), records the child's
# pid, then serves HTTP on the port given as its first argument.
SERVER = """
import http.server, subprocess, sys
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"])
open(sys.argv[2], "w").write(str(child.pid))
http.server.test(http.server.SimpleHTTPRequestHandler, port=int(sys.argv[1]), bind="127.0.0.1")
"""

# A "test process" that starts that server through ServerProcess, prints its pid and waits.
STARTER = """
import sys, time
sys.path.insert(0, sys.argv[1])
from liveserver import ServerProcess, free_port
port = free_port()
server = ServerProcess([sys.executable, sys.argv[2], str(port), sys.argv[3]],
                       ready_url=f"http://127.0.0.1:{port}/", log=sys.argv[4]).start()
print(server.process.pid, flush=True)
time.sleep(300)
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


def _wait_gone(pid: int, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.05)
    return False


@pytest.fixture()
def server_script(tmp_path: Path) -> Path:
    script = tmp_path / "server.py"
    script.write_text(SERVER)
    return script


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal is Linux-only")
def test_server_dies_when_its_test_process_is_killed(tmp_path: Path, server_script: Path) -> None:
    child_pid_file = tmp_path / "child.pid"
    starter = subprocess.Popen(
        [sys.executable, "-c", STARTER, str(TESTS), str(server_script), str(child_pid_file),
         str(tmp_path / "server.log")],
        stdout=subprocess.PIPE, text=True)
    try:
        server_pid = int(starter.stdout.readline())  # type: ignore[union-attr]
        assert _alive(server_pid)
    finally:
        starter.kill()  # kill -9: no finaliser and no atexit run in the test process
        starter.wait(10)
    assert _wait_gone(server_pid), "the server outlived the test process that started it"
    # The sleeping child has no parent-death signal of its own (uvicorn's workers do): tidy it.
    subprocess.run(["kill", "-9", child_pid_file.read_text()], check=False)


def test_stop_takes_the_servers_children_with_it(tmp_path: Path, server_script: Path) -> None:
    from liveserver import ServerProcess, free_port

    port = free_port()
    child_pid_file = tmp_path / "child.pid"
    server = ServerProcess([sys.executable, str(server_script), str(port), str(child_pid_file)],
                           ready_url=f"http://127.0.0.1:{port}/", log=tmp_path / "server.log").start()
    child = int(child_pid_file.read_text())
    assert _alive(child)
    server.stop()
    assert _wait_gone(child), "a child of the server survived stop()"
    assert server.process is not None and not _alive(server.process.pid)
