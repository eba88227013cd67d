"""Live reload: a build swapped in while the service runs is served within seconds, no restart.

Builds are made as `iscg build` makes them (store, candidate index, dumps, then `swap_in` moves the
store link), from a small dataset whose label changes from build to build. While three builds land
in a row, a client keeps asking for `/api/candidates`, a dump and `/sparql`: every answer is 200,
`/sparql` answers from each new build within 10 s, and the builds still in use are never deleted.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from iscg_graph.build.pipeline import DEFAULT_DATA, _post_build_steps, build, builds_dir, swap_in, write_store
from iscg_graph.rdf import leases

pytestmark = [pytest.mark.server, pytest.mark.slow]

BASE = "https://w3id.org/iscg/"
LABEL_QUERY = f"SELECT ?l WHERE {{ <{BASE}id/question/itu-t/2017-2020/1-17> " \
              "<http://www.w3.org/2000/01/rdf-schema#label> ?l }"


def _nquads(version: int) -> bytes:
    """Questions and themes, as in the endpoint tests; Question 1's label names the build."""
    graph = f"<{BASE}graph/questions>"
    label = "<http://www.w3.org/2000/01/rdf-schema#label>"
    rdf_type = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
    lines = []
    for n in range(1, 13):
        q = f"<{BASE}id/question/itu-t/2017-2020/{n}-17>"
        name = f"Question {n}/17, build {version}" if n == 1 else f"Question {n}/17 on security"
        lines += [f"{q} {rdf_type} <{BASE}ontology#Question> {graph} .", f'{q} {label} "{name}"@en {graph} .']
    return ("\n".join(lines) + "\n").encode()


def _build(link: Path, version: int) -> Path:
    """What `iscg build` does after validation: a new build directory, derived files, the swap."""
    build_dir = builds_dir(link) / f"{version:04d}-v{version}"
    store = write_store(build_dir, _nquads(version), f"v{version}")
    for step in _post_build_steps():
        step(store, build_dir)
    del store  # release the RocksDB lock before the service opens it
    swap_in(link, build_dir)
    return build_dir


def _label(base: str) -> str:
    resp = httpx.get(f"{base}/sparql", params={"query": LABEL_QUERY, "format": "json"}, timeout=30)
    assert resp.status_code == 200, resp.text
    return str(resp.json()["results"]["bindings"][0]["l"]["value"])


def test_three_builds_in_a_row_are_served_without_restart(
    live_service: Callable[..., str], tmp_path: Path
) -> None:
    link = tmp_path / "store"
    first = _build(link, 1)
    base = live_service(link, ISCG_RELOAD_INTERVAL="0.5", ISCG_QUERY_TIMEOUT="5")
    assert _label(base).endswith("build 1")
    assert leases.in_use(first)  # the service holds the build it serves
    dump = httpx.get(f"{base}/dataset", headers={"accept": "application/json"}, timeout=30)
    assert dump.status_code == 200, dump.text

    failures: list[str] = []
    stop = threading.Event()
    asker = _asking(base, ("/api/candidates?limit=5", "/dumps/iscg.nq.gz", "/dataset"), failures, stop)
    try:
        for version in (2, 3, 4):
            _build(link, version)
            deadline = time.monotonic() + 10
            while not _label(base).endswith(f"build {version}"):
                assert time.monotonic() < deadline, f"build {version} not served within 10 s"
                time.sleep(0.2)
    finally:
        stop.set()
        asker.join(60)
    assert failures == []
    assert os.path.realpath(link).endswith("0004-v4")
    # builds the service still held were kept; once it lets them go (a query timeout after the
    # switch), the next build prunes everything but the newest two
    deadline = time.monotonic() + 20
    while any(leases.in_use(p) for p in builds_dir(link).iterdir() if not p.name.startswith("0004")):
        assert time.monotonic() < deadline, "old builds still leased long after the switch"
        time.sleep(0.5)
    _build(link, 5)
    assert sorted(p.name for p in builds_dir(link).iterdir()) == ["0004-v4", "0005-v5"]
    deadline = time.monotonic() + 10
    while not _label(base).endswith("build 5"):
        assert time.monotonic() < deadline, "build 5 not served within 10 s"
        time.sleep(0.2)


def _asking(base: str, paths: tuple[str, ...], failures: list[str],
            stop: threading.Event) -> threading.Thread:
    def keep_asking() -> None:
        with httpx.Client(base_url=base, timeout=60) as client:
            while not stop.is_set():
                for path in paths:
                    resp = client.get(path)
                    if resp.status_code != 200:
                        failures.append(f"{path}: {resp.status_code} {resp.text[:200]}")
                stop.wait(0.2)

    thread = threading.Thread(target=keep_asking)
    thread.start()
    return thread


def test_iscg_build_with_changed_data_is_served_without_restart(
    live_service: Callable[..., str], tmp_path: Path
) -> None:
    """The real thing: the shipped data, one name changed, rebuilt by the `iscg` command."""
    data = tmp_path / "data"
    shutil.copytree(DEFAULT_DATA, data)
    link = tmp_path / "store"
    build(link, data)
    base = live_service(link, ISCG_RELOAD_INTERVAL="0.5", ISCG_QUERY_TIMEOUT="10")
    marker = "Radiocommunication Sector (ITU-R) renamed for the reload test"  # no comma: a CSV cell
    ask = f'ASK {{ ?s ?p ?o FILTER(STR(?o) = "{marker}") }}'

    def renamed() -> bool:
        resp = httpx.get(f"{base}/sparql", params={"query": ask, "format": "json"}, timeout=60)
        assert resp.status_code == 200, resp.text
        return bool(resp.json()["boolean"])

    assert not renamed()
    table = data / "organisations" / "organisations.csv"
    text = table.read_text("utf-8")
    assert text.count("Radiocommunication Sector (ITU-R)") >= 1
    table.write_text(text.replace("Radiocommunication Sector (ITU-R)", marker, 1), "utf-8")

    failures: list[str] = []
    stop = threading.Event()
    asker = _asking(base, ("/api/candidates?limit=5", "/dumps/iscg.nq.gz"), failures, stop)
    try:
        iscg = Path(sys.executable).parent / "iscg"
        done = subprocess.run([str(iscg), "build", "--store", str(link), "--data", str(data)],
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-2000:]
        deadline = time.monotonic() + 10
        while not renamed():
            assert time.monotonic() < deadline, "the rebuilt data was not served within 10 s"
            time.sleep(0.2)
    finally:
        stop.set()
        asker.join(120)
    assert failures == []
