"""The service on `oxigraph serve`, loaded by `iscg build --remote`: every kind of route answers
what the service on the embedded store answers."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from .parity import canonical
from .servers import oxigraph_server

ISCG = str(Path(sys.executable).parent / "iscg")
QUESTION = "/id/question/itu-t/2017-2020/4-17"
THEME = "https://w3id.org/iscg/id/theme/resolution-areas/27"


def get(base: str, path: str, accept: str = "*/*") -> tuple[int, str, bytes]:
    request = urllib.request.Request(base + path, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=60) as resp:
            return resp.status, resp.headers.get("Content-Type", ""), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", ""), exc.read()


def remote_env(root: str) -> dict[str, str]:
    return {"ISCG_REMOTE_QUERY_URL": f"{root}/query", "ISCG_REMOTE_UPDATE_URL": f"{root}/update",
            "ISCG_REMOTE_KIND": "oxigraph", "ISCG_REMOTE_POLL_INTERVAL": "0.5"}


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory,
             live_service: Callable[..., str]) -> Iterator[tuple[str, str]]:
    """(embedded service, service on an Oxigraph server loaded with `iscg build --remote`)."""
    folder = tmp_path_factory.mktemp("remote-service")
    server, root = oxigraph_server(folder)
    try:
        store = folder / "store"
        env = {**remote_env(root), "PATH": str(Path(sys.executable).parent)}
        done = subprocess.run([ISCG, "build", "--store", str(store), "--remote"], capture_output=True,
                              text=True, env={**env, "HOME": str(folder)}, timeout=600, check=False)
        assert done.returncode == 0, done.stderr + done.stdout
        assert "loaded" in done.stdout and "transaction" in done.stdout
        embedded = live_service(store)  # the same build, served from the embedded store
        remote = live_service(store, **remote_env(root))
        yield embedded, remote
    finally:
        server.stop()


def _sparql(base: str, query: str) -> bytes:
    status, _, body = get(base, "/sparql?" + urllib.parse.urlencode({"query": query}),
                          "application/sparql-results+json")
    assert status == 200, body[:300]
    return body


def test_sparql_endpoint(services: tuple[str, str]) -> None:
    embedded, remote = services
    query = ("SELECT ?s ?label WHERE { ?s a <https://w3id.org/iscg/ontology#Question> ; "
             "<http://www.w3.org/2000/01/rdf-schema#label> ?label }")
    assert canonical(_sparql(remote, query)) == canonical(_sparql(embedded, query))
    assert len(canonical(_sparql(remote, query))[1]) > 200


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_label_columns_on_the_remote_engine(services: tuple[str, str], lang: str) -> None:
    """labels= is computed by the service after the query, through the engine: the same columns on
    a remote server as on the embedded store (English fall-back and Chinese labels alike)."""
    embedded, remote = services
    query = ("SELECT ?s WHERE { ?s a <https://w3id.org/iscg/ontology#Sector> }")
    path = "/sparql?" + urllib.parse.urlencode({"query": query, "labels": lang})
    answers = []
    for base in (embedded, remote):
        status, _, body = get(base, path, "application/sparql-results+json")
        assert status == 200, body[:300]
        answers.append(json.loads(body))
    assert answers[0]["head"]["vars"] == answers[1]["head"]["vars"] == ["s", "sLabel"]
    rows = [sorted((b["s"]["value"], b["sLabel"]["value"], b["sLabel"].get("xml:lang"))
                   for b in a["results"]["bindings"]) for a in answers]
    assert rows[0] == rows[1] and len(rows[0]) >= 3


@pytest.mark.parametrize("path", [
    "/api/queries/theme-dossier?format=json&theme=" + urllib.parse.quote(THEME),
    "/api/queries/sector-overlap-matrix?format=json",
    "/api/queries/question-duplicate-candidates?format=json",
])
def test_canned_queries(services: tuple[str, str], path: str) -> None:
    embedded, remote = services
    want, got = get(embedded, path), get(remote, path)
    assert got[0] == want[0] == 200
    assert canonical(got[2], (" | ", "; ", ", ")) == canonical(want[2], (" | ", "; ", ", "))


@pytest.mark.parametrize(("path", "accept"), [
    ("/reports/sector-overlap-matrix", "text/html"),
    (QUESTION, "text/turtle"),
    (QUESTION, "text/html"),
    ("/search?q=cybersecurity", "application/json"),
    ("/api/candidates?kind=question", "application/json"),
    ("/themes", "text/html"),
    ("/dataset", "text/turtle"),
])
def test_pages_search_candidates(services: tuple[str, str], path: str, accept: str) -> None:
    embedded, remote = services
    want, got = get(embedded, path, accept), get(remote, path, accept)
    assert got[0] == want[0] == 200, got[2][:300]
    if accept == "text/turtle":
        assert _triples(got[2]) == _triples(want[2])
    elif accept == "application/json":
        assert json.loads(got[2]) == json.loads(want[2])
    else:
        assert len(got[2]) > 1000
        assert _text(got[2]) == _text(want[2])


def test_dumps_hold_the_same_quads(services: tuple[str, str]) -> None:
    embedded, remote = services
    want, got = get(embedded, "/dumps/iscg.nq.gz"), get(remote, "/dumps/iscg.nq.gz")
    assert got[0] == want[0] == 200
    assert gzip.decompress(got[2]) == gzip.decompress(want[2])


def _triples(body: bytes) -> set[str]:
    import pyoxigraph as ox

    return {str(t) for t in ox.parse(body, format=ox.RdfFormat.TURTLE)
            if not isinstance(t.subject, ox.BlankNode) and not isinstance(t.object, ox.BlankNode)}


def _text(body: bytes) -> list[str]:
    """A page's words, sorted: GROUP_CONCAT cells list the same parts in an order SPARQL leaves open."""
    import re

    return sorted(re.split(r"[\s;,|<>]+", body.decode("utf-8")))
