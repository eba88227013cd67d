"""Virtuoso 7 (Debian `virtuoso-opensource`) as the remote store: the staged load, the dataset the
engine names, and the canned queries compared with the embedded store."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from iscg_graph.build.remote_load import load_build, staging_prefix
from iscg_graph.errors import ServerLacksFeature
from iscg_graph.query.catalog import load_catalog
from iscg_graph.query.engine import InProcessEngine
from iscg_graph.query.portability import refused_queries
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


def test_every_canned_query_answers_the_same_or_is_refused_saying_why(
        virtuoso: RemoteEngine, real_store: EmbeddedStore) -> None:
    """Every case of every canned query gives the embedded store's solutions on Virtuoso, except
    the queries listed as deviating there, which are refused naming what the server lacks."""
    refused = refused_queries("virtuoso")
    found = differences(InProcessEngine(real_store), virtuoso)
    wrong = {case: why for case, why in found.items() if case.split("?")[0] not in refused}
    assert wrong == {}
    for case, why in found.items():
        assert why.startswith("ServerLacksFeature: ") and "(virtuoso): the server lacks " in why, case
    assert {case.split("?")[0] for case in found} == refused  # every listed query is refused


def test_the_refusals_are_not_stale(virtuoso: RemoteEngine, real_store: EmbeddedStore) -> None:
    """Sent anyway (as to an unknown server), each refused query still differs in some case: the day
    Virtuoso agrees, this fails and the entry goes."""
    cfg = virtuoso.config
    anyway = RemoteEngine(RemoteConfig(cfg.query_url, cfg.update_url, kind="generic", timeout=10.0,
                                       poll_interval=0.0))
    refused = refused_queries("virtuoso")
    assert refused and refused <= set(load_catalog())
    found = differences(InProcessEngine(real_store), anyway,
                        only=lambda case: case.split("?")[0] in refused)
    assert {case.split("?")[0] for case in found} == refused


def test_a_refusal_is_a_501_naming_the_missing_feature(virtuoso: RemoteEngine) -> None:
    from api.errors import problem_for
    from api.settings import Settings

    text = load_catalog()["theme-coverage"].text
    with pytest.raises(ServerLacksFeature) as caught:
        virtuoso.run(text, media_type=JSON)
    problem = problem_for(caught.value, Settings())
    assert problem.status == 501
    assert "theme-coverage" in str(problem.detail) and "xsd:boolean" in str(problem.detail)
