"""Live reload: a build swapped in while the service runs is served within seconds, no restart.

Builds are made as `iscg build` makes them (store, candidate index, dumps, then `swap_in` moves the
store link), from a small dataset whose label changes from build to build. While three builds land
in a row, a client keeps asking for `/api/candidates`, a dump and `/sparql`: every answer is 200,
`/sparql` answers from each new build within 10 s, and the builds still in use are never deleted.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from iscg_graph.build.pipeline import _post_build_steps, builds_dir, swap_in, write_store
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

    def keep_asking() -> None:
        with httpx.Client(base_url=base, timeout=30) as client:
            while not stop.is_set():
                for path in ("/api/candidates?limit=5", "/dumps/iscg.nq.gz", "/dataset"):
                    resp = client.get(path)
                    if resp.status_code != 200:
                        failures.append(f"{path}: {resp.status_code} {resp.text[:200]}")

    asker = threading.Thread(target=keep_asking)
    asker.start()
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
