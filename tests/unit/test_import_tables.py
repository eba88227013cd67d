"""Import of ISCG mapping tables: notations as people write them, hostile files refused, every
problem by sheet/row/column before anything is written, and a preview of what would change."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from iscg_graph.cli.main import app
from iscg_graph.imports.mapping_table import preview_mapping_table
from iscg_graph.imports.notation import NotationError, parse_cell, parse_one
from iscg_graph.imports.upload import UploadRefused, read_table

HEADER = ["ITU-D Question", "ITU-R", "ITU-T", "Resolutions", "Notes"]
GOOD = ["Q7/2", " WP 1C* ", "", "WTSA Res. 72", "complements"]


def xlsx(rows: list[list[str]], *, formula: str | None = None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "ITU-D"
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    if formula:
        ws.cell(row=2, column=5).value = formula
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize(("cell", "want"), [
    ("Q3/17", [("question", "3", "17")]),
    ("Question 7/2 ,  Q.4/2", [("question", "7", "2"), ("question", "4", "2")]),
    ("WP 5D; SG5*", [("working-party", "5D", None), ("study-group", "5", None)]),
    ("Study Group 12\nWP1c [2]", [("study-group", "12", None), ("working-party", "1C", None)]),
    ("Res. 191 (Rev. Dubai, 2018)¹", [("resolution", "191", None)]),
])
def test_notations_as_people_write_them(cell: str, want: list[tuple[str, str, str | None]]) -> None:
    refs, errors = parse_cell(cell)
    assert errors == []
    assert [(r.kind, r.number, r.group) for r in refs] == want


def test_a_resolution_keeps_its_conference_and_revision_year() -> None:
    ref = parse_one("Res. 191 (Rev. Dubai, 2018)")
    assert (ref.conference, ref.year) == (None, "2018")
    assert parse_one("WTSA Res. 72").conference == "WTSA"
    assert parse_one("Resolution 72 (WTSA)").conference == "WTSA"
    for bad in ("Q3", "Q 3-5", "SG", "Res. 5 (Rev. Dubai)", "hello"):
        with pytest.raises(NotationError, match="Rev|understands|year"):
            parse_one(bad)


def test_hostile_files_are_refused_before_reading() -> None:
    with pytest.raises(UploadRefused, match="over the limit"):
        read_table(b"x" * 101, "t.csv", max_bytes=100)
    with pytest.raises(UploadRefused, match="only .csv and .xlsx"):
        read_table(xlsx([GOOD]), "t.xlsm")
    with pytest.raises(UploadRefused, match="not a ZIP"):
        read_table(b"not a zip", "t.xlsx")
    with pytest.raises(UploadRefused, match="UTF-8"):
        read_table("ITU-D\nQ7/2 é".encode("latin-1"), "t.csv")
    # macros: a VBA part inside a file named .xlsx
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx([GOOD]))) as src, zipfile.ZipFile(buf, "w") as dst:
        for part in src.infolist():
            dst.writestr(part, src.read(part))
        dst.writestr("xl/vbaProject.bin", b"\x00" * 10)
    with pytest.raises(UploadRefused, match="macros"):
        read_table(buf.getvalue(), "t.xlsx")
    # a decompression bomb: a small file that expands far past its size
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"0" * 20_000_000)
    with pytest.raises(UploadRefused, match="decompression bomb"):
        read_table(bomb.getvalue(), "t.xlsx")


def test_formulas_are_never_evaluated_and_are_reported() -> None:
    sheets = read_table(xlsx([GOOD], formula='=HYPERLINK("http://x","y")'), "t.xlsx")
    assert [(p.row, p.column) for p in sheets[0].problems] == [(2, "Notes")]
    assert "Notes" not in sheets[0].rows[0][1]
    csv_sheet = read_table(b"ITU-D,Notes\nQ7/2,=1+1\nQ6/2,-3\n", "t.csv")[0]
    assert [(p.row, p.column, p.value) for p in csv_sheet.problems] == [(2, "Notes", "=1+1")]
    assert csv_sheet.rows[1][1]["Notes"] == "-3"  # a number is no formula


def test_every_bad_row_is_reported_by_sheet_row_and_column(real_store) -> None:  # type: ignore[no-untyped-def]
    rows = [GOOD, ["Q99/2", "", "", "", ""], ["Q7/2, Q6/2", "", "", "", ""], ["Q6/2", "", "Q 3-5", "", ""],
            ["Q7/2", "", "", "", "again"]]
    sheets = read_table(xlsx(rows), "table.xlsx")
    preview = preview_mapping_table(sheets, real_store, periods={"ITU-D": "2014-2017"})
    got = [(p.sheet, p.row, p.column, p.value) for p in preview.problems]
    assert got == [("ITU-D", 3, "ITU-D Question", "Q99/2"), ("ITU-D", 4, "ITU-D Question", "Q7/2, Q6/2"),
                   ("ITU-D", 5, "ITU-T", "Q 3-5"), ("ITU-D", 6, "ITU-D Question", "Q7/2")]
    messages = [p.message for p in preview.problems]
    assert "unknown item" in messages[0] and "one ITU-D item per row" in messages[1]
    assert "not a reference" in messages[2] and "duplicate row" in messages[3] and "row 2" in messages[3]


def test_an_ambiguous_item_lists_its_choices(real_store) -> None:  # type: ignore[no-untyped-def]
    preview = preview_mapping_table(read_table(xlsx([GOOD]), "t.xlsx"), real_store)
    first = preview.problems[0]
    assert first.column == "ITU-D Question" and first.message.startswith("Q7/2: ambiguous")
    assert "ITU-D Q7/2 (2014-2017): " in first.message and "give the study period" in first.message
    assert "https://" not in first.message  # the choices by their labels, never IRIs


def test_the_command_writes_nothing_and_fails_on_errors_then_previews_the_corrected_file(
        built_store: Path, tmp_path: Path) -> None:
    def digest() -> str:
        return hashlib.sha256((built_store / "snapshot.nq").read_bytes()).hexdigest()

    before = digest()
    bad = tmp_path / "table.xlsx"
    bad.write_bytes(xlsx([GOOD, ["Q99/2", "", "", "", ""], ["Q7/2, Q6/2", "", "", "", ""],
                          ["Q6/2", "", "Q 3-5", "", ""]]))
    runner = CliRunner()
    args = ["--author", "secretariat", "--comment", "after ISCG", "--store", str(built_store),
            "--period", "ITU-D=2014-2017"]
    failed = runner.invoke(app, ["import", str(bad), *args])
    assert failed.exit_code == 1
    assert "3 problem(s)" in failed.output and "Q99/2" in failed.output and "Q 3-5" in failed.output
    good = tmp_path / "fixed.xlsx"
    good.write_bytes(xlsx([GOOD, ["Q6/2", "", "", "", ""]]))
    ok = runner.invoke(app, ["import", str(good), *args])
    assert ok.exit_code == 0, ok.output
    assert "already recorded" in ok.output
    assert digest() == before


def _private_copy(built_store: Path, tmp_path: Path, name: str = "store") -> Path:
    import shutil

    copy = tmp_path / name
    shutil.copytree(built_store.resolve(), copy, ignore=shutil.ignore_patterns("LOCK", "*.lease*"))
    return copy


def test_commit_writes_one_change_and_the_same_file_twice_changes_nothing(
        built_store: Path, tmp_path: Path) -> None:
    store = _private_copy(built_store, tmp_path)
    table = tmp_path / "fixed.xlsx"
    table.write_bytes(xlsx([GOOD, ["Q6/2", "", "SG 13", "", ""]]))
    args = ["import", str(table), "--author", "secretariat", "--comment", "after ISCG", "--store", str(store),
            "--period", "ITU-D=2014-2017", "--commit"]
    runner = CliRunner()
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "committed as one change: 1 mapping(s) added" in first.output
    from iscg_graph.rdf.store import EmbeddedStore

    copy = EmbeddedStore.open_snapshot(store)
    rows = copy.select("SELECT ?m WHERE { ?m <https://w3id.org/iscg/ontology#subject> "
                       "<https://w3id.org/iscg/id/question/itu-d/2014-2017/6-2> ; "
                       "<https://w3id.org/iscg/ontology#object> "
                       "<https://w3id.org/iscg/id/study-group/itu-t/2017-2020/sg13> }")
    assert len(rows) == 1 and "/id/mapping/import-" in str(rows[0]["m"])
    snapshot = (store / "snapshot.nq").read_bytes()
    second = runner.invoke(app, args)
    assert second.exit_code == 0 and "nothing to add" in second.output
    assert (store / "snapshot.nq").read_bytes() == snapshot


def test_a_shape_violation_is_traced_back_to_its_cell(built_store: Path, tmp_path: Path) -> None:
    store = _private_copy(built_store, tmp_path)
    table = tmp_path / "same-sector.csv"
    table.write_text("ITU-D Question,ITU-D (other Questions)\nQ6/2,Q7/2\n", "utf-8")
    before = (store / "snapshot.nq").read_bytes()
    got = CliRunner().invoke(app, ["import", str(table), "--author", "a", "--comment", "c",
                                   "--store", str(store), "--period", "ITU-D=2014-2017", "--commit"])
    assert got.exit_code == 1, got.output
    assert "Union parts" in got.output
    assert (store / "snapshot.nq").read_bytes() == before
    # the library names the cell: the sheet, the row and the column the mapping came from
    from iscg_graph.curation.writes import WritePath
    from iscg_graph.imports.commit import ImportFailed, commit_preview
    from iscg_graph.rdf.store import EmbeddedStore

    store = _private_copy(built_store, tmp_path, "second")  # the command's copy stays open in its traceback
    data = table.read_bytes()
    preview = preview_mapping_table(read_table(data, table.name), EmbeddedStore.open_snapshot(store),
                                    periods={"ITU-D": "2014-2017"})
    assert preview.ok and len(preview.add) == 1
    with pytest.raises(ImportFailed) as failed:
        commit_preview(preview, WritePath(EmbeddedStore.open_writable(store)), data=data,
                       file_name=table.name, author="a", comment="c", base="https://w3id.org/iscg/")
    assert {(p.sheet, p.row, p.column, p.value) for p in failed.value.problems} == {
        ("same-sector", 2, "ITU-D (other Questions)", "Q7/2")}
    assert all(p.message.startswith("would break the shapes") for p in failed.value.problems)
    assert (store / "snapshot.nq").read_bytes() == before


def test_the_error_workbook_highlights_exactly_the_bad_cells(built_store: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    bad = tmp_path / "table.xlsx"
    bad.write_bytes(xlsx([GOOD, ["Q99/2", "", "", "", ""], ["Q6/2", "", "Q 3-5", "", "=1+2"]]))
    report = tmp_path / "errors.xlsx"
    got = CliRunner().invoke(app, ["import", str(bad), "--author", "a", "--comment", "c", "--store",
                                   str(built_store), "--period", "ITU-D=2014-2017",
                                   "--errors-xlsx", str(report)])
    assert got.exit_code == 1
    wb = load_workbook(report)
    problems = [[c.value for c in row] for row in wb["Problems"].iter_rows(min_row=2)]
    assert sorted((p[1], p[2]) for p in problems) == [("3", "ITU-D Question"), ("4", "ITU-T"), ("4", "Notes")]
    ws = wb["ITU-D"]
    red = {c.coordinate for row in ws.iter_rows() for c in row if c.fill.fgColor.rgb.endswith("F4B6B6")}
    assert red == {"A3", "C4", "E4"}
    assert "unknown item" in ws["A3"].comment.text and ws["E4"].data_type == "s"  # the formula as text
    assert ws["A2"].value == "Q7/2" and ws["A2"].fill.fgColor.rgb in ("00000000", None)


def test_the_template_offers_the_graph_items_and_an_example_row(built_store: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "template.xlsx"
    got = CliRunner().invoke(app, ["import-template", str(out), "--store", str(built_store),
                                   "--period", "ITU-D=2014-2017"])
    assert got.exit_code == 0, got.output
    wb = load_workbook(out)
    ws = wb["Mapping table"]
    assert [c.value for c in ws[1]] == ["ITU-D Question", "ITU-R", "ITU-T", "Resolutions", "Notes"]
    assert ws["A2"].value == "Q7/2"
    ranges = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
    assert ranges["A2:A1000"].startswith("Lists!$A$2") or ranges["A2:A1000"].startswith("=Lists!$A$2")
    offered = [c.value for c in wb["Lists"]["A"][1:]]
    assert "Q7/2" in offered and "Q6/2" in offered and wb["Lists"].sheet_state == "hidden"
    # the template, filled in as it comes, is a clean import
    sheets = read_table(out.read_bytes(), out.name)
    assert sheets[0].rows[0][1]["ITU-D Question"] == "Q7/2"
