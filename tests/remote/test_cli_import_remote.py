"""`iscg import --remote`: a mapping table checked against, and committed to, a real `oxigraph serve`.

The command reads the store's current generation as a replica does, commits through the replicas'
write path (validated, one guarded request carrying the patch, the journal record and a new
generation token), and a service replica on the same server serves the change within 10 s; a table
that would break the shapes, a missing update URL and a second run of the same file change nothing.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from iscg_graph.build.remote_load import load_build
from iscg_graph.cli.main import app
from iscg_graph.query.remote import RemoteEngine
from iscg_graph.vocab import DEFAULT_BASE

from .conftest import oxigraph_config
from .servers import oxigraph_server
from .test_remote_writes import ask, call, remote_hash, within
from .test_service_on_oxigraph import remote_env

pytestmark = [pytest.mark.server, pytest.mark.slow]

ISCG = "https://w3id.org/iscg/ontology#"
Q62 = f"{DEFAULT_BASE}id/question/itu-d/2014-2017/6-2"
SG13 = f"{DEFAULT_BASE}id/study-group/itu-t/2017-2020/sg13"
PATTERN = f"?m <{ISCG}subject> <{Q62}> ; <{ISCG}object> <{SG13}>"
MAPPING = f"ASK {{ {PATTERN} }}"
GOOD = ["Q7/2", " WP 1C* ", "", "WTSA Res. 72", "complements"]  # recorded already


def xlsx(rows: list[list[str]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "ITU-D"
    ws.append(["ITU-D Question", "ITU-R", "ITU-T", "Resolutions", "Notes"])
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@dataclass
class Server:
    root: str
    engine: RemoteEngine
    replica: str


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, built_store: Path,
           live_service: Callable[..., str]) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("cli-import-remote")
    process, root = oxigraph_server(folder)
    try:
        engine = RemoteEngine(oxigraph_config(root))
        load_build(Path(os.path.realpath(built_store)), engine, base=DEFAULT_BASE)
        (folder / "replica").mkdir()
        replica = live_service(folder / "replica" / "store", **remote_env(root),
                               ISCG_BUDGET_SECONDS_PER_MINUTE="0")
        yield Server(root, engine, replica)
    finally:
        process.stop()


def remote_args(root: str) -> list[str]:
    return ["--remote", "--remote-query-url", f"{root}/query", "--remote-update-url", f"{root}/update",
            "--remote-kind", "oxigraph"]


def test_a_preview_reads_the_remote_store_and_writes_nothing(server: Server, tmp_path: Path) -> None:
    table = tmp_path / "table.xlsx"
    table.write_bytes(xlsx([GOOD, ["Q6/2", "", "SG 13", "", ""]]))
    before = remote_hash(server.engine)
    # the --store given does not exist: everything is read from the remote store
    got = CliRunner().invoke(app, ["import", str(table), "--author", "a", "--comment", "c",
                                   "--store", str(tmp_path / "absent"), "--period", "ITU-D=2014-2017",
                                   *remote_args(server.root)])
    assert got.exit_code == 0, got.output
    assert "1 to add, 2 already recorded" in got.output
    assert remote_hash(server.engine) == before


def test_a_shape_violation_is_reported_and_the_server_is_unchanged(server: Server, tmp_path: Path) -> None:
    table = tmp_path / "same-sector.csv"
    table.write_text("ITU-D Question,ITU-D (other Questions)\nQ6/2,Q7/2\n", "utf-8")
    before = remote_hash(server.engine)
    got = CliRunner().invoke(app, ["import", str(table), "--author", "a", "--comment", "c", "--commit",
                                   "--period", "ITU-D=2014-2017", *remote_args(server.root)])
    assert got.exit_code == 1, got.output
    assert "Union parts" in got.output
    assert remote_hash(server.engine) == before


def test_without_an_update_url_the_command_says_so(server: Server, tmp_path: Path) -> None:
    table = tmp_path / "table.csv"
    table.write_text("ITU-D Question,ITU-T\nQ6/2,SG 13\n", "utf-8")
    got = CliRunner().invoke(app, ["import", str(table), "--author", "a", "--comment", "c", "--commit",
                                   "--remote", "--remote-query-url", f"{server.root}/query"],
                             env={"ISCG_REMOTE_UPDATE_URL": ""})
    assert got.exit_code == 2, got.output
    assert "--remote-update-url" in got.output


def test_a_commit_is_one_journalled_change_that_the_replicas_follow(server: Server, tmp_path: Path) -> None:
    table = tmp_path / "after-iscg.xlsx"
    table.write_bytes(xlsx([GOOD, ["Q6/2", "", "SG 13", "", ""]]))
    generation = server.engine.read_generation()
    assert not ask(server.replica, MAPPING)
    args = ["import", str(table), "--author", "ISCG secretariat", "--comment", "after ISCG, remote",
            "--period", "ITU-D=2014-2017", "--commit", *remote_args(server.root)]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "committed as one change: 1 mapping(s) added" in first.output
    # on the server: the mapping, the journal record (author, comment, file) and a new generation
    assert len(server.engine.select(f"SELECT ?m WHERE {{ GRAPH ?g {{ {PATTERN} }} }}")) == 1
    assert server.engine.read_generation() != generation
    record = server.engine.select(
        "SELECT ?c WHERE { GRAPH ?g { ?c <http://purl.org/dc/terms/creator> ?who ; "
        "<http://www.w3.org/2000/01/rdf-schema#comment> ?why } "
        "FILTER(STR(?who) = \"ISCG secretariat\" && CONTAINS(STR(?why), \"after ISCG, remote\")) }")
    assert len(record) == 1, record
    # a replica of the service: its SPARQL endpoint asks the server, but its answers are cached per
    # generation, and it learns the new one at its next poll (ISCG_REMOTE_POLL_INTERVAL); its pages
    # and /changes read its copy of the store's generation, fetched when it notices the new token
    within(60, lambda: ask(server.replica, MAPPING))  # generous: 2 shared cores under load

    def listed() -> bool:
        status, body = call(server.replica, "/changes", headers={"Accept": "application/json"})
        return status == 200 and "after ISCG, remote" in json.dumps(json.loads(body), ensure_ascii=False)

    within(30, listed)  # (the fetch of the new copy; generous: 2 shared cores under load)
    # the same file again: nothing to add, nothing sent
    written = server.engine.read_generation()
    second = CliRunner().invoke(app, args)
    assert second.exit_code == 0 and "nothing to add" in second.output, second.output
    assert server.engine.read_generation() == written
