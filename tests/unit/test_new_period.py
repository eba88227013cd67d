"""The Questions of a new study period: continuations from the table or proposed from the titles
(with scores and alternatives), confirmed by the editor, and the earlier Questions' theme links and
mappings proposed again as "carry over?" records, never copied as facts. On a fixture of the real
data without six of the latest Questions (tests/new_period_data.py)."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from iscg_graph.cli.main import app
from iscg_graph.curation.writes import WritePath
from iscg_graph.imports.new_period import (
    carried_over,
    commit_questions,
    is_questions_table,
    preview_questions,
)
from iscg_graph.imports.upload import read_table
from iscg_graph.overlap.review import Decision, record_decision, sssom_rows
from iscg_graph.rdf.store import EmbeddedStore

BASE = "https://w3id.org/iscg/"
ONT = "https://w3id.org/iscg/ontology#"
ID = BASE + "id/question/"


def _table(table: bytes, **changes: dict[str, str]) -> bytes:
    """The fixture table with some cells changed, by notation: {"Q7/2": {"continues": "none"}}."""
    rows = list(csv.DictReader(io.StringIO(table.decode())))
    header = list(rows[0])
    for row in rows:
        for col, value in changes.get(row["notation"].replace("/", "_"), {}).items():
            if col not in header:
                header.append(col)
            row[col] = value
    out = io.StringIO()
    w = csv.DictWriter(out, header, lineterminator="\n", restval="")
    w.writeheader()
    w.writerows(rows)
    return out.getvalue().encode()


def _preview(store: Path, table: bytes):  # type: ignore[no-untyped-def]
    db = EmbeddedStore.open_snapshot(store)
    sheets = read_table(table, "questions-2025.csv")
    assert is_questions_table(sheets)
    return db, preview_questions(sheets, db, base=BASE)


def test_continuations_are_proposed_from_the_titles_with_scores_and_alternatives(new_period) -> None:
    store, table = new_period
    db, preview = _preview(store, table)
    assert preview.problems == []
    assert len(preview.add) == 6 and preview.unchanged == []
    chosen = {c.notation + " " + c.question.split("/")[-2]: c for c in preview.continuations}
    # all six proposed (the table's continues cells are empty), none confirmed yet
    assert {c.basis for c in chosen.values()} == {"proposed"}
    assert preview.confirmed() == []
    want = {
        "Q7/2 2022-2025": ID + "itu-d/2018-2021/7-2",
        "Q3/2 2022-2025": ID + "itu-d/2018-2021/3-2",
        "Q6/2 2022-2025": ID + "itu-d/2018-2021/6-2",
        # reworded, and moved from study group 2 to 1: the shipped data says it continues Q5/2
        "Q3/1 2022-2025": ID + "itu-d/2018-2021/5-2",
        "Q7/3 2025-2028": ID + "itu-t/2022-2024/7-3",
        "Q23/13 2025-2028": ID + "itu-t/2022-2024/23-13",
    }
    assert {k: c.earlier.iri for k, c in chosen.items() if c.earlier} == want
    q31 = chosen["Q3/1 2022-2025"]
    assert 0.8 < q31.similarity < 1.0  # "Use of …" vs "Utilizing …": not the same wording
    assert q31.alternatives and all(s < q31.score for _e, s in q31.alternatives)
    assert all(e.period == "2018-2021" and e.sector == "ITU-D" for e, _s in q31.alternatives)
    # same title, same group and number: the bonus shows in the score
    assert chosen["Q7/2 2022-2025"].similarity == 1.0 and chosen["Q7/2 2022-2025"].score > 1.0


def test_carry_over_proposes_the_earlier_links_moved_to_current_items(new_period) -> None:
    store, table = new_period
    db, preview = _preview(store, table)
    assert carried_over(preview, db) == []  # nothing confirmed, nothing carried
    carry = carried_over(preview, db, accept_all=True)
    q72 = {c.other: c for c in carry if c.question == ID + "itu-d/2022-2025/7-2"}
    # the recorded mapping to ITU-T Q3/5 of 2017-2020 is proposed with its successor of 2022-2024
    assert ID + "itu-t/2022-2024/3-5" in q72
    assert q72[ID + "itu-t/2022-2024/3-5"].derived_from == BASE + "id/mapping/M0004"
    assert q72[ID + "itu-t/2022-2024/3-5"].mapping
    # the theme link (EMF) as a Link
    emf = BASE + "id/theme/resolution-areas/24"
    assert emf in q72 and not q72[emf].mapping
    # nothing is proposed twice, and no Question is carried over to itself
    pairs = [(c.question, c.other) for c in carry]
    assert len(pairs) == len(set(pairs)) and all(q != o for q, o in pairs)


def test_the_table_decides_continues_none_and_per_row_acceptance(new_period) -> None:
    store, table = new_period
    edited = _table(table, **{
        "Q7_2": {"continues": "Q7/2"},  # the previous period's Q7/2
        "Q3_2": {"continues": "none"},
        "Q6_2": {"accept_continuation": "yes"},
        "Q7_3": {"accept_continuation": "no"},
    })
    _db, preview = _preview(store, edited)
    assert preview.problems == []
    by = {c.question.split("/")[-2] + c.notation: c for c in preview.continuations}
    assert by["2022-2025Q7/2"].basis == "table"
    assert by["2022-2025Q3/2"].basis == "none" and by["2022-2025Q3/2"].earlier is None
    confirmed = {c.notation for c in preview.confirmed()}
    assert confirmed == {"Q7/2", "Q6/2"}
    # --accept-continuations takes every proposal except those the table refuses
    assert {c.notation for c in preview.confirmed(accept_all=True)} == {"Q7/2", "Q6/2", "Q3/1", "Q23/13"}


def test_bad_rows_are_reported_by_row_and_column(new_period) -> None:
    store, table = new_period
    edited = _table(table, **{
        "Q7_2": {"continues": "Q99/2"},
        "Q3_2": {"study_group": "SG7"},
        "Q6_2": {"accept_continuation": "maybe"},
        "Q7_3": {"study_period": "2029-2032"},
    })
    _db, preview = _preview(store, edited)
    found = {(p.row, p.column) for p in preview.problems}
    rows = {r["notation"]: i for i, r in enumerate(csv.DictReader(io.StringIO(edited.decode())), start=2)}
    assert (rows["Q7/2"], "continues") in found
    assert any(p.column == "study_group" and "SG7" in p.message for p in preview.problems)
    assert (rows["Q6/2"], "accept_continuation") in found
    assert any(p.column == "study_period" and "2029-2032" in p.message for p in preview.problems)
    unknown = next(p for p in preview.problems if p.column == "continues")
    assert "Q99/2" in unknown.message and "2018-2021" in unknown.message


def test_commit_writes_questions_continuations_and_proposed_carry_over_once(new_period, tmp_path) -> None:
    store, table = new_period
    copy = tmp_path / "store"
    shutil.copytree(store.resolve(), copy)
    db = EmbeddedStore.open_writable(copy)
    preview = preview_questions(read_table(table, "q.csv"), db, base=BASE)
    record, carry = commit_questions(preview, WritePath(db, base=BASE), data=table, file_name="q.csv",
                                     author="secretariat", comment="WTDC-22 and WTSA-24 Questions",
                                     base=BASE, accept_continuations=True)
    assert record is not None and carry
    new = ID + "itu-d/2022-2025/7-2"
    rows = db.select(f"SELECT ?e WHERE {{ <{new}> <{ONT}continues> ?e }}")
    assert [r["e"].value for r in rows] == [ID + "itu-d/2018-2021/7-2"]
    # carried over as Proposed records, derived from the earlier ones; the theme is not addressed
    proposed = db.select(f"""SELECT ?m ?o ?from WHERE {{ ?m <{ONT}subject> <{new}> ; <{ONT}object> ?o ;
        <{ONT}status> <{ONT}Proposed> ; <http://www.w3.org/ns/prov#wasDerivedFrom> ?from }}""")
    assert {r["o"].value for r in proposed} >= {ID + "itu-t/2022-2024/3-5",
                                                BASE + "id/theme/resolution-areas/24"}
    assert not db.select(f"SELECT ?t WHERE {{ <{new}> <{ONT}addressesTheme> ?t }}")
    # in the mapping register (SSSOM) with their origin: chained from the earlier record
    carried = [r for r in sssom_rows(db, base=BASE) if "carry-over" in r["record_id"]
               and r["subject_id"] == "iscgid:question/itu-d/2022-2025/7-2"]
    assert carried and {r["mapping_justification"] for r in carried} == {"semapv:MappingChaining"}
    assert all(r["comment"].startswith("carry over? ") for r in carried)
    assert "iscg_status=Proposed" in carried[0]["other"]
    # a reviewer decides on a carried-over mapping like on any candidate pair
    outcome = record_decision(db, Decision(new, ID + "itu-t/2022-2024/3-5", "accept", "Ana Reviewer",
                                           "overlap", "carried over from 2018-2021"), base=BASE)
    assert outcome.status == "Accepted"
    # the same file again: nothing to add, nothing written
    again = preview_questions(read_table(table, "q.csv"), db, base=BASE)
    assert again.add == [] and len(again.unchanged) == 6


def test_iscg_import_previews_a_questions_table_and_commits_on_confirmation(new_period, tmp_path) -> None:
    store, table = new_period
    copy = tmp_path / "store"
    shutil.copytree(store.resolve(), copy)
    file = tmp_path / "questions-2025.csv"
    file.write_bytes(table)
    runner = CliRunner(env={"COLUMNS": "400"})
    args = ["import", str(file), "--author", "secretariat", "--comment", "new period", "--store", str(copy),
            "--new-period"]
    shown = runner.invoke(app, args)
    assert shown.exit_code == 0, shown.output
    assert "6 Question(s) to add" in shown.output and "proposed from the titles" in shown.output
    assert "to confirm" in shown.output
    bad = tmp_path / "bad.csv"
    bad.write_bytes(_table(table, Q7_2={"continues": "Q99/2"}))
    refused = runner.invoke(app, ["import", str(bad), "--author", "a", "--comment", "c", "--store", str(copy),
                                  "--new-period",
                                  "--commit"])
    assert refused.exit_code == 1 and "Q99/2" in refused.output
    done = runner.invoke(app, [*args, "--commit", "--accept-continuations"])
    assert done.exit_code == 0, done.output
    assert "6 Question(s), 6 continuation(s)" in done.output
    again = runner.invoke(app, [*args, "--commit", "--accept-continuations"])
    assert again.exit_code == 0 and "nothing written" in again.output
    mapping = tmp_path / "mapping.csv"
    mapping.write_text("ITU-D Question,ITU-T\nQ7/2,Q3/5\n")
    wrong = runner.invoke(app, ["import", str(mapping), "--author", "a", "--comment", "c",
                                "--store", str(copy), "--new-period"])
    assert wrong.exit_code == 2 and "Questions table" in wrong.output


@pytest.mark.parametrize("header", [["sector", "notation"], ["ITU-D Question", "ITU-T"]])
def test_other_tables_are_not_taken_for_questions(header: list[str]) -> None:
    sheets = read_table((",".join(header) + "\nx,y\n").encode(), "t.csv")
    assert not is_questions_table(sheets)
