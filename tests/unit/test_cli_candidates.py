"""`iscg candidates …` and `iscg evaluate` on a store written from the candidates fixture."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyoxigraph as ox
import pytest
import typer
from typer.testing import CliRunner

from iscg_graph.build.pipeline import write_store
from iscg_graph.cli.candidates import register
from iscg_graph.overlap.scoring import CANDIDATES_FILE

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "candidates" / "mini.trig"
ID = "https://w3id.org/iscg/id/"
runner = CliRunner()


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """Test root."""

    register(app)
    return app


@pytest.fixture
def store(tmp_path: Path) -> Path:
    mem = ox.Store()
    mem.load(path=str(FIXTURE), format=ox.RdfFormat.TRIG)
    s = write_store(tmp_path / "store", mem.dump(format=ox.RdfFormat.N_QUADS) or b"", "cli-test")
    del s
    return tmp_path / "store"


def test_precompute_then_list(app: typer.Typer, store: Path) -> None:
    r = runner.invoke(app, ["candidates", "precompute", "--store", str(store)])
    assert r.exit_code == 0, r.output
    assert (store / CANDIDATES_FILE).is_file()
    r = runner.invoke(
        app, ["candidates", "list", "--store", str(store), "-f", "csv", "-n", "3", "-s", "ITU-D"]
    )
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(io.StringIO(r.output)))
    assert len(rows) == 3 and all("ITU-D" in (x["left_sector"], x["right_sector"]) for x in rows)
    r = runner.invoke(app, ["candidates", "list", "--store", str(store), "-f", "json", "-k", "theme"])
    assert r.exit_code == 0 and json.loads(r.output)["kind"] == "theme"


def test_bad_options_exit_non_zero(app: typer.Typer, store: Path) -> None:
    r = runner.invoke(app, ["candidates", "list", "--store", str(store), "-k", "people"])
    assert r.exit_code == 1 and "kind" in r.output
    r = runner.invoke(app, ["candidates", "list", "--store", str(store), "-f", "pdf"])
    assert r.exit_code == 2


def test_review_and_sssom(app: typer.Typer, store: Path) -> None:
    left, right = ID + "question/itu-d/2018-2021/3-2", ID + "question/itu-t/2017-2020/4-17"
    r = runner.invoke(
        app,
        [
            "candidates",
            "review",
            left,
            right,
            "-d",
            "accept",
            "--relation",
            "overlap",
            "-r",
            "Ana",
            "-c",
            "same",
            "--store",
            str(store),
        ],
    )
    assert r.exit_code == 0, r.output
    assert "R0001" in r.output
    r = runner.invoke(
        app, ["candidates", "review", left, right, "-d", "reject", "-r", "Ana", "--store", str(store)]
    )
    assert r.exit_code == 1 and "already decided" in r.output
    r = runner.invoke(app, ["candidates", "sssom", "--store", str(store)])
    assert r.exit_code == 0 and "iscgid:mapping/R0001" in r.output


def test_evaluate_prints_a_table(app: typer.Typer, store: Path, tmp_path: Path) -> None:
    gold = tmp_path / "gold.tsv"
    gold.write_text(
        "left\tright\trelation\tnote\ntheme:resolution-areas:19\ttheme:council-groups:3\tsame\t\n"
    )
    r = runner.invoke(app, ["evaluate", "--store", str(store), "--gold", str(gold), "-f", "markdown"])
    assert r.exit_code == 0, r.output
    lines = [line for line in r.output.splitlines() if line.startswith("| ")]
    assert lines[0].startswith("| kind | variant") and len(lines) == 10


def test_evaluate_holdout_compares_the_lists(app: typer.Typer, store: Path) -> None:
    r = runner.invoke(app, ["evaluate", "--store", str(store), "--holdout", "-f", "json"])
    assert r.exit_code == 0, r.output
    rows = {row["list"]: row for row in json.loads(r.output)}
    assert set(rows) == {"before", "after"}
    # the fixture's two confirmed mappings are two lineage pairs, each held out in one fold
    assert rows["before"]["held-out lineage pairs"] == rows["after"]["held-out lineage pairs"] == "2"
    assert 0 <= float(rows["after"]["R@25"]) <= 1 and "distinct P@25" in rows["after"]
