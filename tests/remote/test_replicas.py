"""Two service replicas on one Oxigraph server: a new build loaded into the server is served by
both within 10 s (their result caches, local copies and candidate indexes follow the store's
generation, not a local file)."""

from __future__ import annotations

import json
import os
import shutil
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path

from iscg_graph.build.remote_load import load_build
from iscg_graph.query.remote import RemoteEngine
from iscg_graph.rdf.store import SNAPSHOT, read_meta, write_meta
from iscg_graph.vocab import DEFAULT_BASE

from .conftest import oxigraph_config
from .servers import oxigraph_server
from .test_service_on_oxigraph import get, remote_env

NEW_LABEL = "Replica test label"
QUESTION = f"{DEFAULT_BASE}id/question/itu-t/2017-2020/4-17"
ASK = f'ASK {{ <{QUESTION}> <http://www.w3.org/2000/01/rdf-schema#label> "{NEW_LABEL}"@fr }}'


def _changed_build(source: Path, into: Path) -> Path:
    """A copy of a build with one more label and its own data version (what a rebuild gives)."""
    shutil.copytree(source, into, ignore=shutil.ignore_patterns("oxigraph", "dumps", "*.json.tmp"))
    with open(into / SNAPSHOT, "a", encoding="utf-8") as fh:
        fh.write(f'<{QUESTION}> <http://www.w3.org/2000/01/rdf-schema#label> "{NEW_LABEL}"@fr '
                 f"<{DEFAULT_BASE}graph/questions> .\n")
    meta = read_meta(into)
    write_meta(into, type(meta)(data_version="replica0test", built_at=meta.built_at, generation=0,
                                triples=meta.triples + 1, graphs=meta.graphs))
    return into


def _asked(base: str) -> bool:
    status, _, body = get(base, "/sparql?" + urllib.parse.urlencode({"query": ASK}),
                          "application/sparql-results+json")
    assert status == 200, body[:300]
    return bool(json.loads(body)["boolean"])


def test_a_new_build_is_seen_by_both_replicas_within_10_s(
        tmp_path: Path, built_store: Path, live_service: Callable[..., str]) -> None:
    server, root = oxigraph_server(tmp_path)
    try:
        engine = RemoteEngine(oxigraph_config(root))
        build = Path(os.path.realpath(built_store))
        load_build(build, engine, base=DEFAULT_BASE)
        env = remote_env(root)
        for i in (1, 2):
            (tmp_path / f"replica{i}").mkdir()
        replicas = [live_service(tmp_path / f"replica{i}" / "store", **env) for i in (1, 2)]
        for base in replicas:  # served and cached on the first generation
            assert not _asked(base)
            assert not _asked(base)
            assert json.loads(get(base, "/health")[2])["data_version"] == read_meta(build).data_version
        load_build(_changed_build(build, tmp_path / "rebuilt"), engine, base=DEFAULT_BASE)
        loaded = time.monotonic()
        pending = set(replicas)
        while pending and time.monotonic() - loaded < 10.0:
            for base in list(pending):
                health = json.loads(get(base, "/health")[2])
                if health["data_version"] == "replica0test" and _asked(base):
                    pending.discard(base)
            time.sleep(0.2)
        assert not pending, f"not following the store after 10 s: {sorted(pending)}"
        for base in replicas:  # the pages read the new copy too
            status, _, page = get(base, QUESTION.removeprefix(DEFAULT_BASE.rstrip("/")), "text/turtle")
            assert status == 200 and NEW_LABEL.encode() in page
    finally:
        server.stop()
