"""A live service on a free loopback port, loaded with the W3C protocol tests' graph data."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import rdflib
from external import W3C_SPARQL11 as W3C
from external import missing

from iscg_graph.build.pipeline import write_store

UT = rdflib.Namespace("http://www.w3.org/2009/sparql/tests/test-update#")

# The protocol tests name a default graph that no test loads (data0.rdf) and expect an answer; in
# this store every dataset IRI must name a stored graph or be allow-listed, so the runner's service
# allow-lists the test suite's data namespace. Nothing is ever fetched for it (see test_protocol.py).
TEST_DATA_NAMESPACE = "http://kasei.us/2009/09/sparql/data/"


def w3c_dir() -> Path:
    if not (W3C / "protocol" / "manifest.ttl").is_file():
        missing(f"W3C SPARQL 1.1 manifests at {W3C} (CI copies shared/ beside the repository as ../shared)")
    return W3C


def graph_data(manifest: rdflib.Graph) -> dict[str, Path]:
    """Every ut:graphData of the manifest: graph name (rdfs:label) -> file."""
    out: dict[str, Path] = {}
    for node in manifest.objects(None, UT.graphData):
        name = str(manifest.value(node, rdflib.RDFS.label))
        out[name] = Path(str(manifest.value(node, UT.graph)).removeprefix("file://"))
    return out


@pytest.fixture(scope="session")
def w3c_service(tmp_path_factory: pytest.TempPathFactory, live_service: Callable[..., str]) -> str:
    root = w3c_dir()
    manifest = rdflib.Graph().parse(root / "protocol" / "manifest.ttl", format="turtle")
    data = graph_data(manifest)
    assert len(data) == 3, data  # data1-3.nt
    nquads = b""
    for name, path in sorted(data.items()):
        for line in path.read_text("utf-8").splitlines():
            if line.strip():
                nquads += line.rstrip().removesuffix(".").rstrip().encode() + f" <{name}> .\n".encode()
    work = tmp_path_factory.mktemp("w3c")
    store = write_store(work / "store", nquads, "w3c-protocol-tests")
    del store
    base = live_service(
        work / "store",
        ISCG_BUDGET_SECONDS_PER_MINUTE="0",
        ISCG_ALLOWED_SERVICE_IRIS=json.dumps([TEST_DATA_NAMESPACE]),
    )
    return f"{base}/sparql"


EDITOR_PASSWORD = "w3c-editor-password"


@pytest.fixture(scope="session")
def w3c_write_service(tmp_path_factory: pytest.TempPathFactory,
                      live_service: Callable[..., str]) -> tuple[str, str, bytes]:
    """A live service on a scratch store with the protocol tests' data, an admin and an editor:
    (base URL, the editor's bearer token, the initial N-Quads, to reset the store between tests)."""
    from iscg_graph.curation.accounts import LocalAccounts

    root = w3c_dir()
    manifest = rdflib.Graph().parse(root / "protocol" / "manifest.ttl", format="turtle")
    nquads = b""
    for name, path in sorted(graph_data(manifest).items()):
        for line in path.read_text("utf-8").splitlines():
            if line.strip():
                nquads += line.rstrip().removesuffix(".").rstrip().encode() + f" <{name}> .\n".encode()
    work = tmp_path_factory.mktemp("w3c-write")
    del_store = write_store(work / "store", nquads, "w3c-write-tests")
    del del_store
    accounts = LocalAccounts(work / "accounts.sqlite")
    accounts.add_user("admin", EDITOR_PASSWORD, "admin")
    accounts.add_user("editor", EDITOR_PASSWORD, "editor")
    token, _ = accounts.create_token("editor")
    base = live_service(
        work / "store",
        ISCG_BUDGET_SECONDS_PER_MINUTE="0",
        ISCG_ACCOUNTS_PATH=str(work / "accounts.sqlite"),
        ISCG_ALLOWED_SERVICE_IRIS=json.dumps([TEST_DATA_NAMESPACE]),
    )
    return base, token, nquads
