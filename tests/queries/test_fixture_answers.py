"""Every canned query on the hand-written fixture (tests/fixtures/queries/mini.trig), with the answers
worked out by hand from that file."""

from __future__ import annotations

import pytest

from iscg_graph.query.reports import run_select
from iscg_graph.render.tabular import ResultTable

ID = "https://w3id.org/iscg/id/"


@pytest.fixture()
def run(mini_engine, catalog):  # type: ignore[no-untyped-def]
    def _run(name: str, **params: str) -> ResultTable:
        return run_select(mini_engine, catalog[name], params)

    return _run


def _cell(table: ResultTable, key: str, value: str, col: str) -> str:
    for row in table.rows:
        if row.get(key) and row[key].value == value:
            return row[col].value
    raise AssertionError(f"no row with {key} = {value}")


def test_sector_overlap_matrix(run) -> None:  # type: ignore[no-untyped-def]
    t = run("sector-overlap-matrix")
    assert len(t) == 6  # 4 parts, each pair once, zero cells included, no diagonal
    pairs = {(r["sector_aCode"].value, r["sector_bCode"].value): int(r["themes"].value) for r in t.rows}
    assert pairs[("ITU-D", "ITU-T")] == 3  # climate, security, EMF
    assert pairs[("ITU-R", "ITU-T")] == 1  # climate change (ITU-R WP 7C)
    assert pairs[("GS", "ITU-R")] == 0


def test_sector_overlap_matrix_by_study_period(run) -> None:  # type: ignore[no-untyped-def]
    t = run("sector-overlap-matrix", study_period="2022-2024")
    pairs = {(r["sector_aCode"].value, r["sector_bCode"].value): int(r["themes"].value) for r in t.rows}
    # ITU-D's EMF and security Questions are 2018-2021: outside 2022-2024; the WTDC Resolution on
    # climate change has no period and still counts
    assert pairs[("ITU-D", "ITU-T")] == 1
    assert {r["study_period"].value for r in t.rows} == {"2022-2024"}


def test_sector_overlap_detail(run) -> None:  # type: ignore[no-untyped-def]
    t = run("sector-overlap-detail", sector_a="ITU-T", sector_b="ITU-R")
    items = {(r["sideLabel"].value, r["kind"].value, r["item"].value) for r in t.rows}
    assert items == {
        ("ITU-R", "Working party", ID + "study-group/itu-r/2019-2023/wp-7c"),
        ("ITU-T", "Study group", ID + "study-group/itu-t/2017-2020/sg5"),
        ("ITU-T", "Question", ID + "question/itu-t/2017-2020/9-5"),
        ("ITU-T", "Resolution", ID + "resolution/wtsa/73"),
    }
    assert set(t.values("themeLabel")) == {"Climate Change"}


def test_question_duplicate_candidates_ranked_with_evidence(run) -> None:  # type: ignore[no-untyped-def]
    t = run("question-duplicate-candidates", min_score="0.1")
    pairs = [
        (
            r["qa"].value.rsplit("/", 2)[-2:][1],
            r["qb"].value.rsplit("/", 1)[-1],
            int(r["points"].value),
            r["score"].value,
        )
        for r in t.rows
    ]
    # one scale with the candidates: points / 10
    assert pairs == [("6-2", "9-5", 4, "0.4"), ("3-2", "4-17", 3, "0.3"), ("7-2", "7-5", 1, "0.1")]
    first = t.rows[0]
    assert "recorded as " in first["evidence"].value
    assert "both address the theme Climate Change" in first["evidence"].value
    # the rejected mapping is not evidence
    assert "rejected" not in " ".join(t.values("evidence"))
    assert sum(int(m) for m in t.values("mappings")) == 1


def test_question_duplicate_candidates_filters(run) -> None:  # type: ignore[no-untyped-def]
    assert len(run("question-duplicate-candidates", min_score="0.4")) == 1
    assert len(run("question-duplicate-candidates")) == 2  # default 0.2: more than one shared theme
    assert len(run("question-duplicate-candidates", sector_a="ITU-R", min_score="0.1")) == 0
    assert (
        len(run("question-duplicate-candidates", study_period="2022-2024", min_score="0.1")) == 0
    )  # ITU-D side is 2018-2021


def test_question_duplicate_candidates_for_a_sector_pair(run) -> None:  # type: ignore[no-untyped-def]
    """A pair of Sectors gives that pair only, the first Sector's Question first."""
    d_t = run("question-duplicate-candidates", sector_a="ITU-D", sector_b="ITU-T", min_score="0.1")
    t_d = run("question-duplicate-candidates", sector_a="ITU-T", sector_b="ITU-D", min_score="0.1")
    assert len(d_t) == len(t_d) == 3
    assert all("/itu-d/" in r["qa"].value and "/itu-t/" in r["qb"].value for r in d_t.rows)
    assert all("/itu-t/" in r["qa"].value and "/itu-d/" in r["qb"].value for r in t_d.rows)
    assert len(run("question-duplicate-candidates", sector_a="ITU-D", sector_b="ITU-R", min_score="0.1")) == 0


def test_theme_coverage(run) -> None:  # type: ignore[no-untyped-def]
    t = run("theme-coverage")
    assert len(t) == 10
    status = {r["themeLabel"].value + " " + r["section"].value: r["status"].value for r in t.rows}
    assert status["Climate Change 1.4"] == "several Sectors, coordinated"  # mapping M0001
    assert (
        status["Electromagnetic fields (EMF) 1.4"] == "several Sectors, no coordination link"
    )  # M0002 rejected
    assert status["Gender 1.2"] == "not addressed"
    assert t.rows[0]["status"].value == "several Sectors, no coordination link"  # the ISCG's list first
    assert _cell(t, "theme", ID + "theme/resolution-areas/27", "studyGroups") == "2"
    assert len(run("theme-coverage", scheme="isctf-topics")) == 2


def test_theme_coordination_gaps(run) -> None:  # type: ignore[no-untyped-def]
    t = run("theme-coordination-gaps")
    assert t.values("theme") == [ID + "theme/resolution-areas/14", ID + "theme/resolution-areas/24"]
    assert _cell(t, "theme", ID + "theme/resolution-areas/14", "sectors") == "3"


def test_resolution_overlap(run) -> None:  # type: ignore[no-untyped-def]
    t = run("resolution-overlap")
    assert len(t) == 1
    row = t.rows[0]
    assert {row["resA"].value, row["resB"].value} == {ID + "resolution/wtdc/66", ID + "resolution/wtsa/73"}
    assert "WTSA Resolution 73 (Rev. Geneva, 2022)" in (row["latestALabel"].value, row["latestBLabel"].value)
    assert len(run("resolution-overlap", theme="resolution-areas/14")) == 0


def test_annex_duplicate_areas(run) -> None:  # type: ignore[no-untyped-def]
    t = run("annex-duplicate-areas")
    areas: dict[str, set[str]] = {}
    for r in t.rows:
        areas.setdefault(r["areaName"].value, set()).add(r["section"].value)
    # the same wording; the recorded skos:closeMatch (environment ~ climate change) is a related
    # area, not the same one
    assert areas == {"WSIS & SDGs": {"1.3", "1.4", "1.6"}, "Gender": {"1.2", "1.4"}}
    assert {r["basis"].value for r in t.rows} == {"Same wording as another entry (not yet reviewed)."}


def test_theme_dossier_defaults_to_the_pilot_theme(run) -> None:  # type: ignore[no-untyped-def]
    t = run("theme-dossier")
    assert set(t.values("focusLabel")) == {"Climate Change"}
    items = set(t.values("item"))
    assert {
        ID + "study-group/itu-t/2017-2020/sg5",
        ID + "question/itu-d/2018-2021/6-2",
        ID + "study-group/itu-r/2019-2023/wp-7c",
        ID + "mapping/M0001",
        ID + "outcome/iscg-2019-2-pilot-theme",
        ID + "study-group/itu-d/2018-2021/sg2",
    } <= items
    roles = {(r["item"].value, r["role"].value) for r in t.rows}
    assert (ID + "study-group/itu-d/2018-2021/sg2", "study group of a Question on the theme") in roles
    assert ID + "question/itu-t/2017-2020/4-17" not in items


def test_theme_dossier_of_a_given_theme(run) -> None:  # type: ignore[no-untyped-def]
    t = run("theme-dossier", theme="resolution-areas/14")
    assert set(t.values("focusLabel")) == {
        "Confidence & (cyber) Security, including National incident response teams"
    }
    assert ID + "question/itu-t/2017-2020/4-17" in t.values("item")
    assert ID + "body/cwg-wsis" not in t.values("item")  # established by PP 130, but not covering the theme


def test_study_group_neighbours(run) -> None:  # type: ignore[no-untyped-def]
    t = run("study-group-neighbours", study_group="itu-t/2017-2020/sg5")
    assert t.values("neighbour") == [
        ID + "study-group/itu-d/2018-2021/sg2",
        ID + "study-group/itu-r/2019-2023/sg7",
    ]
    first = t.rows[0]
    assert (first["score"].value, first["mappings"].value, first["themeLabels"].value) == (
        "4",
        "1",
        "Climate Change",
    )
    assert t.rows[1]["mappingLabels"].value == ""


def test_questions_without_resolution(run) -> None:  # type: ignore[no-untyped-def]
    t = run("questions-without-resolution")
    assert t.values("question") == [ID + "question/itu-d/2018-2021/7-2", ID + "question/itu-t/2022-2024/7-5"]
    assert run("questions-without-resolution", sector="ITU-T").values("question") == [
        ID + "question/itu-t/2022-2024/7-5"
    ]


def test_resolutions_without_coordination(run) -> None:  # type: ignore[no-untyped-def]
    # PP 130 concerns four parts but established a Council working group; WTSA 73 concerns one Sector
    t = run("resolutions-without-coordination")
    assert t.values("resolution") == [ID + "resolution/wtdc/66"]
    assert t.rows[0]["partList"].value in ("ITU-T, ITU-D", "ITU-D, ITU-T")
    assert len(run("resolutions-without-coordination", sector="ITU-R")) == 0


def test_lookups(run) -> None:  # type: ignore[no-untyped-def]
    assert "§1.4 27. Climate Change" in run("list-themes").values("label")
    assert len(run("list-themes", scheme="resolution-areas")) == 6
    assert run("list-study-periods").values("label") == [
        "2022-2024 (ITU-T)",
        "2019-2023 (ITU-R)",
        "2018-2021 (ITU-D)",
        "2017-2020 (ITU-T)",
    ]
    assert len(run("list-study-groups")) == 5  # WP 7C is not offered
    assert len(run("list-study-groups", sector="ITU-T")) == 3
    assert len(run("list-schemes")) == 4
