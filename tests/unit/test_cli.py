"""The core `iscg` commands: build, stats, validate (errors are messages, never tracebacks)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from iscg_graph.cli.main import app

runner = CliRunner()
WIDE = {"COLUMNS": "300"}


def test_build_then_stats(tmp_path: Path) -> None:
    store = tmp_path / "store"
    result = runner.invoke(app, ["build", "--store", str(store)], env=WIDE)
    assert result.exit_code == 0, result.output
    assert "built" in result.output and "data version" in result.output

    result = runner.invoke(app, ["stats", "--store", str(store)], env=WIDE)
    assert result.exit_code == 0, result.output
    for heading in ("Resources per class", "Resources per Sector", "Theme schemes", "Sources (named graphs)"):
        assert heading in result.output
    assert "confirmed share" in result.output
    assert "Question" in result.output and "ITU-D" in result.output


def test_stats_without_a_store_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["stats", "--store", str(tmp_path / "missing")], env=WIDE)
    assert result.exit_code == 1
    assert "no built store" in result.output
    assert "Traceback" not in result.output


def test_build_refuses_invalid_data_with_a_readable_report(tmp_path: Path) -> None:
    import shutil

    data = tmp_path / "data"
    shutil.copytree(Path(__file__).resolve().parents[2] / "data", data)
    table = data / "organisations" / "organisations.csv"
    text = table.read_text(encoding="utf-8")
    table.write_text(text.replace(",confirmed,", ",certain,", 1), encoding="utf-8")
    result = runner.invoke(app, ["build", "--store", str(tmp_path / "store"), "--data", str(data)], env=WIDE)
    assert result.exit_code == 1
    assert "organisations.csv" in result.output
    assert not (tmp_path / "store").exists()


def test_validate_reports_syntax_errors_with_line_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text('@prefix ex: <http://example.org/> .\nex:a ex:b "unterminated .\n')
    result = runner.invoke(app, ["validate", str(bad)], env=WIDE)
    assert result.exit_code == 2
    assert "bad.ttl:2:" in result.output
    assert "Traceback" not in result.output


def test_validate_refuses_an_unknown_file_type(tmp_path: Path) -> None:
    odd = tmp_path / "data.csv"
    odd.write_text("a,b\n")
    result = runner.invoke(app, ["validate", str(odd)], env=WIDE)
    assert result.exit_code == 2
    assert "unknown RDF file type '.csv'" in result.output


def test_validate_accepts_every_rdf_syntax(tmp_path: Path) -> None:
    ttl = Path(__file__).resolve().parents[1] / "fixtures" / "shapes" / "valid"
    sample = sorted(ttl.glob("*.ttl"))[0]
    import rdflib

    graph = rdflib.Graph().parse(sample)
    for suffix, fmt in ((".nt", "nt"), (".jsonld", "json-ld"), (".rdf", "xml")):
        path = tmp_path / f"sample{suffix}"
        path.write_text(graph.serialize(format=fmt))
        result = runner.invoke(app, ["validate", str(path)], env=WIDE)
        assert result.exit_code == 0, (suffix, result.output)
        assert "conforms" in result.output
