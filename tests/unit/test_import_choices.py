"""Choosing the item meant in a mapping-table cell that matches several items: the choices by
their labels, a pick checked against the choices offered for its cell, picks that only become
checkable after another, and the command line's --choose / --choices."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from iscg_graph.cli.main import app
from iscg_graph.imports.choices import ChoiceRefused, check_choices, parse_choose
from iscg_graph.imports.mapping_table import preview_mapping_table
from iscg_graph.imports.upload import read_table
from iscg_graph.rdf.store import EmbeddedStore, read_meta

HEADER = ["ITU-D Question", "ITU-R", "ITU-T", "Resolutions", "Notes"]
ROWS = [["Q7/2", " WP 1C* ", "", "WTSA Res. 72", "complements"], ["Q6/2", "", "SG 13", "", ""]]
Q6_2014 = "https://w3id.org/iscg/id/question/itu-d/2014-2017/6-2"
SG13_2017 = "https://w3id.org/iscg/id/study-group/itu-t/2017-2020/sg13"


def xlsx(rows: list[list[str]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "ITU-D"
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_each_ambiguous_cell_offers_its_choices_by_label_and_a_pick_settles_it(real_store) -> None:  # type: ignore[no-untyped-def]
    sheets = read_table(xlsx(ROWS), "t.xlsx")
    preview = preview_mapping_table(sheets, real_store)
    by_cell = {a.cell: a for a in preview.ambiguities}
    assert {"A2", "A3"} <= set(by_cell)
    q7 = by_cell["A2"]
    assert (q7.row, q7.column, q7.text) == (2, "ITU-D Question", "Q7/2")
    assert [c.token for c in q7.choices] == ["ITU-D Q7/2 2014-2017", "ITU-D Q7/2 2018-2021",
                                             "ITU-D Q7/2 2022-2025"]
    assert all(c.label.startswith(f"ITU-D Q7/2 ({c.token[-9:]}): ") and "://" not in c.label
               for c in q7.choices)

    def ambiguities(accepted):  # type: ignore[no-untyped-def]
        return preview_mapping_table(sheets, real_store, picks=accepted).ambiguities

    picks = check_choices(ambiguities, [("a2", "itu-d  q7/2 2014-2017"), ("A3", "ITU-D Q6/2 2014-2017")])
    assert ("A2", "ITU-D Q7/2 2014-2017") in picks and ("A3", "ITU-D Q6/2 2014-2017") in picks
    chosen = preview_mapping_table(sheets, real_store, picks=picks)
    assert chosen.ok, chosen.problems
    subjects = {p.subject.iri for p in chosen.add + chosen.unchanged}
    assert subjects == {"https://w3id.org/iscg/id/question/itu-d/2014-2017/7-2", Q6_2014}

    with pytest.raises(ChoiceRefused, match="not one of the choices for cell A2"):
        check_choices(ambiguities, [("A2", "ITU-D Q7/2 2010-2014")])
    with pytest.raises(ChoiceRefused, match="cell D2 has no ambiguous reference"):
        check_choices(ambiguities, [("D2", "WTSA Res. 72")])
    with pytest.raises(ChoiceRefused, match="not one of the choices"):  # a Question of another row
        check_choices(ambiguities, [("A2", "ITU-D Q6/2 2014-2017")])


def test_a_rows_item_and_a_related_item_chosen_together(real_store) -> None:  # type: ignore[no-untyped-def]
    sheets = read_table(xlsx([["Q7/2", "WP 1C", "", "", ""]]), "t.xlsx")

    def ambiguities(accepted):  # type: ignore[no-untyped-def]
        return preview_mapping_table(sheets, real_store, picks=accepted).ambiguities

    first = {a.cell: [c.token for c in a.choices] for a in ambiguities(())}
    assert first["B2"] == ["ITU-R WP 1C 2015-2019", "ITU-R WP 1C 2019-2023"]
    later = {a.cell for a in ambiguities((("A2", "ITU-D Q7/2 2022-2025"),))}
    assert later == set()  # 2022-2025: only the WP 1C of 2019-2023 overlaps it
    picks = check_choices(ambiguities, [("B2", "ITU-R WP 1C 2019-2023"), ("A2", "ITU-D Q7/2 2018-2021")])
    preview = preview_mapping_table(sheets, real_store, picks=picks)
    assert preview.ok, preview.problems
    assert [(p.subject.period, p.object.period) for p in preview.add + preview.unchanged] == [
        ("2018-2021", "2019-2023")]


def test_choose_lines_are_parsed_or_refused_naming_the_line() -> None:
    assert parse_choose(["a3 = ITU-D  Q7/2 2014-2017", "B3=WTSA Res. 72"]) == (
        ("A3", "ITU-D Q7/2 2014-2017"), ("B3", "WTSA Res. 72"))
    for bad in ("Q7/2", "A0=x", "A3=", "=ITU-D Q7/2 2014-2017"):
        with pytest.raises(ChoiceRefused, match="CELL=CHOICE"):
            parse_choose([bad])


def test_the_command_lists_the_choices_then_imports_with_them(built_store: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    shutil.copytree(built_store.resolve(), store, ignore=shutil.ignore_patterns("LOCK", "*.lease*"))
    table = tmp_path / "table.xlsx"
    table.write_bytes(xlsx(ROWS))
    runner = CliRunner()
    args = ["import", str(table), "--author", "secretariat", "--comment", "after ISCG", "--store", str(store)]
    before = read_meta(store).generation
    listed = runner.invoke(app, args)
    assert listed.exit_code == 1
    assert '--choose "A2=ITU-D Q7/2 2014-2017"' in " ".join(listed.output.split())
    wrong = runner.invoke(app, [*args, "--choose", "A2=ITU-D Q7/2 1999-2002"])
    assert wrong.exit_code == 1 and "not one of the choices for cell A2" in " ".join(wrong.output.split())
    malformed = runner.invoke(app, [*args, "--choose", "Q7/2"])
    assert malformed.exit_code == 2
    choices = tmp_path / "choices.txt"
    choices.write_text("# the 2014-2017 Questions\nA3=ITU-D Q6/2 2014-2017\n", encoding="utf-8")
    done = runner.invoke(app, [*args, "--choose", "A2=ITU-D Q7/2 2014-2017", "--choices", str(choices),
                               "--commit"])
    assert done.exit_code == 0, done.output
    assert "committed as one change: 1 mapping(s) added" in done.output
    assert read_meta(store).generation == before + 1  # one write (its quads in the snapshot's delta log)
    rows = EmbeddedStore.open_snapshot(store).select(
        f"SELECT ?m WHERE {{ ?m <https://w3id.org/iscg/ontology#subject> <{Q6_2014}> ; "
        f"<https://w3id.org/iscg/ontology#object> <{SG13_2017}> }}")
    assert len(rows) == 1
