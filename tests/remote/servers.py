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

__all__ = ["OXIGRAPH", "missing", "oxigraph_server", "virtuoso_server"]

OXIGRAPH = Path(sys.executable).parent / "oxigraph"


def missing(reason: str) -> None:
    """Skip (locally) or fail (under CI) a test whose server is not available."""
    if os.environ.get("CI"):
        pytest.fail(f"required SPARQL server unavailable under CI: {reason}")
    pytest.skip(reason)


def oxigraph_server(folder: Path, *, timeout_s: int | None = None,
                    start_timeout: float = 60.0) -> tuple[ServerProcess, str]:
    """`oxigraph serve` on an on-disk store in ``folder``; returns the server and its root URL.
    ``start_timeout``: seconds to wait for its first answer (reopening a large store takes longer)."""
    binary = str(OXIGRAPH) if OXIGRAPH.exists() else shutil.which("oxigraph")
    if binary is None:
        missing("the `oxigraph` command is not installed (pip install oxigraph)")
    port = free_port()
    argv = [str(binary), "serve", "--location", str(folder / "oxigraph"), "--bind", f"127.0.0.1:{port}"]
    if timeout_s is not None:
        argv += ["--timeout-s", str(timeout_s)]
    root = f"http://127.0.0.1:{port}"
    server = ServerProcess(argv, ready_url=f"{root}/", log=folder / "oxigraph.log",
                           start_timeout=start_timeout).start()
    return server, root


def run(argv: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, check=False, timeout=120)


VIRTUOSO_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")
SETTINGS = Path(__file__).resolve().parents[2] / "deploy" / "virtuoso" / "iscg.ini"


def ini_settings(path: Path = SETTINGS) -> dict[str, dict[str, str]]:
    """``[section] key = value`` of an ini file (``;`` comments, Virtuoso's syntax)."""
    found: dict[str, dict[str, str]] = {}
    section = ""
    for raw in path.read_text("utf-8").splitlines():
        line = raw.split(";", 1)[0].strip()
        if line.startswith("["):
            section = line
            found.setdefault(section, {})
        elif "=" in line:
            key, value = (part.strip() for part in line.split("=", 1))
            found[section][key] = value
    return found


def virtuoso_ini(text: str, settings: dict[str, dict[str, str]]) -> str:
    """Debian's virtuoso.ini with ``settings`` written over it (keys missing from a section added)."""
    pending = {section: dict(keys) for section, keys in settings.items()}
    out: list[str] = []
    section = ""

    def flush() -> None:
        out.extend(f"{key} = {value}" for key, value in pending.pop(section, {}).items())

    for line in text.splitlines():
        if line.startswith("["):
            flush()
            section = line.strip()
        key = line.split("=")[0].strip()
        if key and not key.startswith(";") and key in pending.get(section, {}):
            line = f"{key} = {pending[section].pop(key)}"
        out.append(line)
    flush()
    return "\n".join(out) + "\n"


def virtuoso_server(folder: Path) -> tuple[ServerProcess, str]:
    """Virtuoso 7 (``virtuoso-t``) on a generated ini in ``folder``; returns it and its root URL.

    The ini is Debian's with this service's settings (``deploy/virtuoso/iscg.ini``) and loopback
    ports. SPARQL Update is granted to the anonymous SPARQL account, as the loader needs."""
    binary, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    if binary is None or isql is None or not VIRTUOSO_INI.is_file():
        missing("Virtuoso 7 is not installed (apt-get install virtuoso-opensource; `make virtuoso`)")
    sql_port, http_port = free_port(), free_port()
    db = folder / "db"
    db.mkdir(parents=True, exist_ok=True)
    text = VIRTUOSO_INI.read_text("utf-8").replace("/var/lib/virtuoso-opensource-7/db", str(db))
    settings = ini_settings()
    settings.setdefault("[Parameters]", {})["ServerPort"] = f"127.0.0.1:{sql_port}"
    settings.setdefault("[HTTPServer]", {})["ServerPort"] = f"127.0.0.1:{http_port}"
    ini = folder / "virtuoso.ini"
    ini.write_text(virtuoso_ini(text, settings), "utf-8")
    root = f"http://127.0.0.1:{http_port}"
    server = ServerProcess([str(binary), "-f", "-c", str(ini)], ready_url=f"{root}/sparql?query=ASK%7B%7D",
                           log=folder / "virtuoso.log", cwd=db, start_timeout=120).start()
    done = run([str(isql), str(sql_port), "dba", "dba",
                'exec=grant SPARQL_UPDATE to "SPARQL"; '
                'grant execute on DB.DBA.SPARQL_INSERT_DICT_CONTENT to "SPARQL"; '
                'grant execute on DB.DBA.SPARQL_DELETE_DICT_CONTENT to "SPARQL";'])
    if done.returncode != 0:
        server.stop()
        raise RuntimeError(f"isql-vt failed: {done.stdout}{done.stderr}")
    return server, root
