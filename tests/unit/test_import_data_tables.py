"""Import of the project's own table formats (the tables of data/): detected from the header row,
resolved against the graph with the build's own converters, every bad row reported by
sheet/row/column, a preview of items added, changed and retired, one validated change on commit,
and nothing at all the second time."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from iscg_graph.cli.main import app
from iscg_graph.curation.history import changes
from iscg_graph.curation.writes import WritePath
from iscg_graph.errors import ImportFailed
from iscg_graph.imports.data_commit import commit_table
from iscg_graph.imports.data_tables import FORMATS, detect_format, preview_data_table
from iscg_graph.imports.data_templates import DATA_TEMPLATES
from iscg_graph.imports.upload import read_table
from iscg_graph.rdf.store import EmbeddedStore

BASE = "https://w3id.org/iscg/"
DATA = Path(__file__).resolve().parents[2] / "data"
FILES = {
    "questions": "questions/itu-t.csv",
    "study-groups": "study-groups/itu-r.csv",
    "resolutions": "resolutions/resolutions.csv",
    "resolution-versions": "resolutions/versions.csv",
    "theme-links": "theme-links/itu-t.csv",
    "mappings": "mappings/mappings.csv",
}
# per format: a bad row (column → value over the example row), the column the problem is on
BAD = {
    "questions": ({"study_group": "SG77", "notation": "Q96/2"}, "study_group", "no group"),
    "study-groups": ({"group_type": "committee"}, "group_type", "is not one of"),
    "resolutions": ({"conference": "XYZ"}, "conference", "no conference"),
    "resolution-versions": ({"edition": "WTSA-99"}, "edition", "no edition"),
    "theme-links": ({"theme": "theme:nowhere:1"}, "theme", "no theme"),
    "mappings": ({"relation_kind": "Likes", "id": "M9999"}, "relation_kind", "is not one of"),
}


def table(fmt: str, *rows: dict[str, str]) -> bytes:
    header, example = DATA_TEMPLATES[fmt]
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    for change in rows:
        base = dict(zip(header, example, strict=True))
        base.update(change)
        writer.writerow([base[h] for h in header])
    return buf.getvalue().encode()


def private_copy(built_store: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "store"
    shutil.copytree(built_store.resolve(), copy, ignore=shutil.ignore_patterns("LOCK", "*.lease*"))
    return copy


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_each_data_table_is_recognised_and_reads_back_as_unchanged(fmt: str, real_store) -> None:  # type: ignore[no-untyped-def]
    path = DATA / FILES[fmt]
    sheets = read_table(path.read_bytes(), path.name)
    assert detect_format(sheets[0].header) == fmt
    preview = preview_data_table(sheets, real_store, base=BASE)
    assert preview.ok, preview.problems[:3]
    # the build's own rows, read back through the import: the graph already says all of it
    assert (len(preview.add), len(preview.change), len(preview.extra), len(preview.retire)) == (0, 0, 0, 0)
    assert len(preview.unchanged) == len(sheets[0].rows)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_bad_row_is_reported_on_its_cell(fmt: str, real_store) -> None:  # type: ignore[no-untyped-def]
    change, column, message = BAD[fmt]
    data = table(fmt, {"notes": "good"}, change)
    preview = preview_data_table(read_table(data, f"{fmt}.csv"), real_store, base=BASE)
    assert [(p.sheet, p.row, p.column, p.value) for p in preview.problems] == [
        (fmt, 3, column, change[column])]
    assert message in preview.problems[0].message
    assert not preview.add and not preview.change  # nothing previewed from a file with problems


def test_a_row_twice_is_a_duplicate_and_an_unknown_header_is_named(real_store) -> None:  # type: ignore[no-untyped-def]
    preview = preview_data_table(read_table(table("questions", {}, {}), "q.csv"), real_store, base=BASE)
    assert [(p.row, p.column) for p in preview.problems] == [(3, "notation")]
    assert "duplicate row" in preview.problems[0].message and "row 2" in preview.problems[0].message
    odd = preview_data_table(read_table(b"colour,size\nred,2\n", "odd.csv"), real_store, base=BASE)
    assert "matches none of the table formats" in odd.problems[0].message


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_commit_is_one_change_and_the_same_file_twice_changes_nothing(
        fmt: str, built_store: Path, tmp_path: Path) -> None:
    store = private_copy(built_store, tmp_path)
    data = table(fmt, {"notes": "checked against the 2026 source, on import"})
    before = len(changes(EmbeddedStore.open_snapshot(store).inner))
    path = WritePath(EmbeddedStore.open_writable(store), base=BASE)
    preview = preview_data_table(read_table(data, f"{fmt}.csv"), path.store, base=BASE)
    assert preview.ok and len(preview.change) == 1 and not preview.add
    record = commit_table(preview, path, data=data, file_name=f"{fmt}.csv", author="secretariat",
                          comment="after ISCG")
    assert record is not None and f"{fmt}.csv" in record.origin and "sha256:" in record.origin
    assert len(changes(path.store.inner)) == before + 1
    again = preview_data_table(read_table(data, f"{fmt}.csv"), path.store, base=BASE)
    assert again.ok and again.empty and len(again.unchanged) == 1
    assert commit_table(again, path, data=data, file_name=f"{fmt}.csv", author="secretariat",
                        comment="after ISCG") is None
    assert len(changes(path.store.inner)) == before + 1


def test_the_command_adds_and_retitles_then_a_shape_violation_names_its_cell(
        built_store: Path, tmp_path: Path) -> None:
    store = private_copy(built_store, tmp_path)
    new = {"notation": "Q99/2", "title": "Numbering for a new service", "notes": ""}
    ok = tmp_path / "questions.csv"
    ok.write_bytes(table("questions", {"title": "Numbering plans for fixed and mobile services"}, new))
    args = ["--author", "secretariat", "--comment", "after ISCG", "--store", str(store)]
    runner = CliRunner()
    preview = runner.invoke(app, ["import", str(ok), *args])
    assert preview.exit_code == 0, preview.output
    assert "1 to add, 1 to change" in preview.output and "to retire" in preview.output
    done = runner.invoke(app, ["import", str(ok), *args, "--commit"])
    assert done.exit_code == 0 and "committed as one change: 1 item(s) added, 1 changed" in done.output
    copy = EmbeddedStore.open_snapshot(store)
    titles = copy.select("SELECT ?t WHERE { <https://w3id.org/iscg/id/question/itu-t/2017-2020/99-2> "
                         "<http://purl.org/dc/terms/title> ?t }")
    assert [str(r["t"].value) for r in titles] == ["Numbering for a new service"]
    # a title holding commentary breaks a shape: reported on the title cell of its row, nothing written
    bad = tmp_path / "bad.csv"
    bad.write_bytes(table("questions", {"title": "Numbering plans (not confirmed)"}))
    snapshot = (store / "snapshot.nq").read_bytes()
    report = tmp_path / "e.xlsx"
    failed = runner.invoke(app, ["import", str(bad), *args, "--commit", "--errors-xlsx", str(report)])
    assert failed.exit_code == 1 and "would break the shapes" in failed.output
    assert (store / "snapshot.nq").read_bytes() == snapshot
    wb = load_workbook(report)
    assert [c.value for c in wb["Problems"][2]][:3] == ["bad", "2", "title"]


def test_a_violation_is_traced_to_row_and_column_by_the_library(built_store: Path, tmp_path: Path) -> None:
    store = private_copy(built_store, tmp_path)
    data = table("questions", {"notes": ""}, {"notation": "Q98/2", "title": "Routing (topic only)"})
    path = WritePath(EmbeddedStore.open_writable(store), base=BASE)
    preview = preview_data_table(read_table(data, "q.csv"), path.store, base=BASE)
    assert preview.ok
    with pytest.raises(ImportFailed) as failed:
        commit_table(preview, path, data=data, file_name="q.csv", author="a", comment="c")
    assert {(p.sheet, p.row, p.column, p.value) for p in failed.value.problems} == {
        ("q", 3, "title", "Routing (topic only)")}


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_each_template_has_drop_downs_and_an_example_row_that_imports(
        fmt: str, built_store: Path, tmp_path: Path, real_store) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / f"{fmt}.xlsx"
    got = CliRunner().invoke(app, ["import-template", str(out), "--format", fmt, "--store", str(built_store)])
    assert got.exit_code == 0, got.output
    wb = load_workbook(out)
    ws = wb[fmt]
    header, example = DATA_TEMPLATES[fmt]
    assert tuple(c.value for c in ws[1]) == header
    assert tuple(c.value or "" for c in ws[2]) == example
    validated = {str(dv.sqref).split(":")[0] for dv in ws.data_validations.dataValidation}
    assert "confidence" in header and f"{chr(64 + header.index('confidence') + 1)}2" in validated
    assert wb["Lists"].sheet_state == "hidden"
    preview = preview_data_table(read_table(out.read_bytes(), out.name), real_store, base=BASE)
    assert preview.ok and preview.format == fmt


def test_every_bad_cell_of_a_row_is_reported(real_store) -> None:  # type: ignore[no-untyped-def]
    bad = {"notation": "Q96/2", "study_group": "SG77", "continues": "Q55/2",
           "related_resolutions": "PP:9999", "confidence": "sure"}
    preview = preview_data_table(read_table(table("questions", bad), "q.csv"), real_store, base=BASE)
    got = {(p.row, p.column, p.value) for p in preview.problems}
    assert got == {(2, "study_group", "SG77"), (2, "continues", "Q55/2"),
                   (2, "related_resolutions", "PP:9999"), (2, "confidence", "sure")}, preview.problems


def test_two_bad_cells_behind_a_required_lookup_whose_example_does_not_fit(real_store) -> None:  # type: ignore[no-untyped-def]
    # an ITU-R Question: neither a blank nor the template's ITU-T example converts in place of its
    # notation, and its study group and confidence are wrong too: all three in one pass
    bad = {"sector": "ITU-R", "study_period": "2019-2023", "notation": "Q96/1", "study_group": "SG77",
           "confidence": "sure"}
    preview = preview_data_table(read_table(table("questions", bad), "q.csv"), real_store, base=BASE)
    got = {(p.row, p.column, p.value) for p in preview.problems}
    assert got == {(2, "notation", "Q96/1"), (2, "study_group", "SG77"), (2, "confidence", "sure")}, got
    # a Resolution version of another conference than the example's: the edition and the confidence
    bad = {"conference": "RA", "number": "6", "edition": "RA-99", "revises": "RA-01", "confidence": "sure"}
    sheets = read_table(table("resolution-versions", bad), "v.csv")
    preview = preview_data_table(sheets, real_store, base=BASE)
    got = {(p.row, p.column) for p in preview.problems}
    assert {(2, "edition"), (2, "confidence")} <= got, preview.problems
