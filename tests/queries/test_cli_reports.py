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


@pytest.mark.parametrize(("command", "name", "choices"), [
    ("report", "theme-coverage", "csv, xlsx, html, json"),
    ("query", "list-themes", "json, csv, tsv, xml"),
])
def test_an_unknown_format_exits_2_naming_the_choices(store_dir: Path, command: str, name: str,
                                                      choices: str) -> None:
    result = _run(command, name, "--store", str(store_dir), "--format", "pdf")
    assert result.exit_code == 2, result.output
    assert choices in result.output and "'pdf'" in result.output and f"{command} failed" in result.output


@pytest.mark.parametrize("command", ["report", "query"])
def test_an_unknown_name_or_a_missing_store_exits_1(store_dir: Path, tmp_path: Path, command: str) -> None:
    result = _run(command, "no-such-query", "--store", str(store_dir))
    assert result.exit_code == 1 and "no-such-query" in result.output and f"{command} failed" in result.output
    result = _run(command, "list-themes", "--store", str(tmp_path / "nothing"))
    assert result.exit_code == 1 and f"{command} failed" in result.output


def test_query_writes_csv_to_a_file_and_says_so(store_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "themes.csv"
    result = _run("query", "list-themes", "--store", str(store_dir), "--format", "csv", "-o", str(target))
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert len(rows) > 1 and result.stdout == ""
    assert f"wrote {target.stat().st_size} bytes to {target}" in result.stderr.replace("\n", "")


def test_report_xlsx_without_output_is_written_under_its_name(store_dir: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = _run("report", "sector-overlap-matrix", "--store", str(store_dir), "--format", "xlsx")
    assert result.exit_code == 0, result.output
    assert load_workbook(tmp_path / "sector-overlap-matrix.xlsx")["Report"]["A1"].value == "Sector"
    assert result.stdout == "" and "6 rows · data version cli-fixture" in result.stderr
