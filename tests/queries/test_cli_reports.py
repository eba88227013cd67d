"""`iscg report` and `iscg query` on a store built from the fixture."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from iscg_graph.build.pipeline import write_store
from iscg_graph.cli.main import app


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory, mini_store) -> Path:  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("cli") / "store"
    write_store(path, mini_store.dump_nquads(), "cli-fixture")
    return path


def _run(*args: str) -> object:
    return CliRunner().invoke(app, list(args))


def test_report_csv(store_dir: Path) -> None:
    result = _run("report", "theme-dossier", "--store", str(store_dir), "-p", "theme=resolution-areas/27")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0][:3] == ["Theme", "Theme (IRI)", "How it relates"]
    assert any("ITU-T SG5 (2017-2020)" in cell for row in rows for cell in row)


def test_report_xlsx_and_json(store_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "m.xlsx"
    result = _run(
        "report", "sector-overlap-matrix", "--store", str(store_dir), "--format", "xlsx", "-o", str(target)
    )
    assert result.exit_code == 0, result.output
    ws = load_workbook(target)["Report"]
    assert ws["A1"].value == "Sector" and ws.freeze_panes == "A2" and ws.max_row == 7
    result = _run("report", "annex-duplicate-areas", "--store", str(store_dir), "--format", "json")
    doc = json.loads(result.stdout)
    assert doc["computed_from"]["Data version"] == "cli-fixture"
    assert {r["Area"] for r in doc["rows"]} == {"Gender", "WSIS & SDGs"}


def test_report_html(store_dir: Path) -> None:
    result = _run(
        "report", "theme-coverage", "--store", str(store_dir), "--format", "html", "-p", "scheme=isctf-topics"
    )
    assert result.exit_code == 0 and "<table>" in result.stdout and "Gender" in result.stdout


def test_bad_parameter_exits_2_naming_it(store_dir: Path) -> None:
    result = _run("report", "theme-coverage", "--store", str(store_dir), "-p", "scheme=nope")
    assert result.exit_code == 2 and "scheme" in result.output
    result = _run("query", "theme-coverage", "--store", str(store_dir), "-p", "colour=red")
    assert result.exit_code == 2 and "colour" in result.output


def test_query_prints_sparql_results(store_dir: Path) -> None:
    result = _run("query", "question-duplicate-candidates", "--store", str(store_dir), "-p", "min_score=0.4")
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["results"]["bindings"]) == 1


def test_lists(store_dir: Path) -> None:
    assert "sector-overlap-matrix" in _run("report").stdout
    assert "list-themes" in _run("query").stdout
