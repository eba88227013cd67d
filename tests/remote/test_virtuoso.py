"""Virtuoso 7 (Debian `virtuoso-opensource`) as the remote store: the staged load, the dataset the
engine names, and the canned queries compared with the embedded store."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from iscg_graph.build.remote_load import load_build, staging_prefix
from iscg_graph.query.engine import InProcessEngine
from iscg_graph.query.remote import RemoteConfig, RemoteEngine
from iscg_graph.rdf.store import EmbeddedStore, read_meta
from iscg_graph.vocab import DEFAULT_BASE

from .parity import canonical, differences
from .servers import virtuoso_server

JSON = "application/sparql-results+json"
LABELS = ("SELECT ?s ?label WHERE { ?s a <https://w3id.org/iscg/ontology#Question> ; "
          "<http://www.w3.org/2000/01/rdf-schema#label> ?label }")


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory, built_store: Path) -> Iterator[RemoteEngine]:
    server, root = virtuoso_server(tmp_path_factory.mktemp("virtuoso"))
    try:
        engine = RemoteEngine(RemoteConfig(f"{root}/sparql", f"{root}/sparql", kind="virtuoso",
                                           poll_interval=0.0))
        build = Path(os.path.realpath(built_store))
        loaded = load_build(build, engine, base=DEFAULT_BASE, strategy="staged")
        assert loaded.requests > 2 and loaded.triples == read_meta(build).triples
        yield engine
    finally:
        server.stop()


def test_staged_load_switches_in_and_leaves_no_staging_graph(virtuoso: RemoteEngine,
                                                           real_store: EmbeddedStore) -> None:
    assert virtuoso.generation is not None
    assert virtuoso.graphs() == frozenset(real_store.graphs())
    rows = virtuoso.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert not [r for r in rows if r["g"].value.startswith(staging_prefix(DEFAULT_BASE))]


def test_a_plain_query_answers_the_same(virtuoso: RemoteEngine, real_store: EmbeddedStore) -> None:
    want = canonical(InProcessEngine(real_store).run(LABELS, media_type=JSON).body)
    got = canonical(virtuoso.run(LABELS, media_type=JSON).body)
    assert got == want and len(got[1]) > 200


@pytest.mark.xfail(strict=True, reason="Virtuoso 7 deviates on several canned queries (cost-estimate "
                   "refusals, long GROUP_CONCATs, trailing VALUES): docs/notes/remote.md, not fixed yet")
def test_every_canned_query_answers_the_same(virtuoso: RemoteEngine, real_store: EmbeddedStore) -> None:
    assert differences(InProcessEngine(real_store), virtuoso) == {}
