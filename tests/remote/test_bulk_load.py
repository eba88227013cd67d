"""Loading and copying a large store: the Graph Store Protocol load (N-Triples chunks into staging
graphs, then one switch) and the paged copy (each graph in ``ORDER BY`` pages, counted against the
server's own count) give exactly what the one-request paths give, on a real `oxigraph serve`."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from iscg_graph.build.remote_load import load_build, staging_prefix
from iscg_graph.errors import StoreError
from iscg_graph.query.remote import RemoteEngine
from iscg_graph.query.remote_mirror import mirror, token_of
from iscg_graph.rdf.store import SNAPSHOT, read_meta
from iscg_graph.vocab import DEFAULT_BASE

from .conftest import oxigraph_config
from .servers import oxigraph_server

pytestmark = [pytest.mark.server]


@pytest.fixture(scope="module")
def gsp_loaded(tmp_path_factory: pytest.TempPathFactory, built_store: Path) -> Iterator[RemoteEngine]:
    folder = tmp_path_factory.mktemp("bulk-load")
    server, root = oxigraph_server(folder)
    try:
        engine = RemoteEngine(oxigraph_config(root, gsp_url=f"{root}/store"))
        build = Path(os.path.realpath(built_store))
        loaded = load_build(build, engine, base=DEFAULT_BASE, strategy="gsp")
        assert loaded.strategy == "gsp" and loaded.triples == read_meta(build).triples
        yield engine
    finally:
        server.stop()


def quads(folder: Path) -> set[str]:
    return {str(q) for q in ox.parse(path=str(folder / SNAPSHOT), format=ox.RdfFormat.N_QUADS)}


def test_the_gsp_load_holds_the_build_and_no_staging_graph(gsp_loaded: RemoteEngine, built_store: Path,
                                                           tmp_path: Path) -> None:
    graphs = {r["g"].value for r in gsp_loaded.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")}
    assert not any(g.startswith(staging_prefix(DEFAULT_BASE)) for g in graphs)
    copy = mirror(gsp_loaded, tmp_path / "one")
    assert quads(copy) == quads(Path(os.path.realpath(built_store)))
    assert token_of(copy) == gsp_loaded.read_generation()


def test_a_paged_copy_is_the_same_copy(gsp_loaded: RemoteEngine, tmp_path: Path) -> None:
    whole = mirror(gsp_loaded, tmp_path / "whole")
    paged = mirror(gsp_loaded, tmp_path / "paged", page=1500)  # several pages per large graph
    assert quads(paged) == quads(whole)
    assert token_of(paged) == token_of(whole) == gsp_loaded.read_generation()


def test_a_server_cutting_answers_gives_an_error_not_a_partial_copy(gsp_loaded: RemoteEngine,
                                                                    tmp_path: Path) -> None:
    class Cutting(RemoteEngine):  # what Virtuoso does at ResultSetMaxRows: a shorter answer, no error
        def select(self, sparql: str, timeout: float | None = None) -> list[dict[str, object]]:
            rows = super().select(sparql, timeout)
            return rows if "COUNT" in sparql else rows[:1000]

    with pytest.raises(StoreError, match="ResultSetMaxRows"):
        mirror(Cutting(gsp_loaded.config), tmp_path / "cut", page=5000)


def test_iscg_build_remote_with_a_gsp_url(gsp_loaded: RemoteEngine, tmp_path: Path) -> None:
    from iscg_graph.cli.main import app

    cfg = gsp_loaded.config
    before = gsp_loaded.read_generation()
    got = CliRunner().invoke(app, ["build", "--store", str(tmp_path / "store"), "--remote",
                                   "--remote-query-url", cfg.query_url, "--remote-update-url",
                                   str(cfg.update_url), "--remote-gsp-url", str(cfg.gsp_url),
                                   "--remote-kind", "oxigraph"])
    assert got.exit_code == 0, got.output
    assert "(gsp," in got.output
    assert gsp_loaded.read_generation() != before
