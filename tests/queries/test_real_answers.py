"""Known answers on the real data (``data/``): one or more per canned query.

The answers come from the 2019 ISCG report's Annex (e.g. Gender is listed in §1.2 and §1.4) and from
facts the data records with sources (e.g. ITU-D Q6/2 and ITU-T SG5 work on climate change, the
ISCG's pilot theme). They are written as "at least these" so that adding data does not break them,
while removing the capability (or the data) does.
"""

from __future__ import annotations

import pytest

from iscg_graph.query.reports import run_select
from iscg_graph.render.tabular import ResultTable

ID = "https://w3id.org/iscg/id/"
CLIMATE = ID + "theme/resolution-areas/27"


@pytest.fixture()
def run(real_engine, catalog):  # type: ignore[no-untyped-def]
    def _run(name: str, **params: str) -> ResultTable:
        return run_select(real_engine, catalog[name], params)

    return _run


def _sections(table: ResultTable, area: str) -> set[str]:
    return {r["section"].value for r in table.rows if r["areaName"].value == area}


def test_annex_duplicates_gender_wsis(run) -> None:  # type: ignore[no-untyped-def]
    t = run("annex-duplicate-areas")
    assert _sections(t, "Gender") == {"1.2", "1.4"}
    assert _sections(t, "WSIS & SDGs") == {"1.3", "1.4", "1.6"}
    assert _sections(t, "Child Online Protection") == {"1.4", "1.6"}
    # every area listed is in at least two lists
    for area in {r["areaName"].value for r in t.rows}:
        assert len(_sections(t, area)) >= 2


def test_overlap_matrix_has_climate_change(run) -> None:  # type: ignore[no-untyped-def]
    t = run("sector-overlap-matrix")
    assert len(t) == 6  # each pair once (tests/queries/test_areas.py pins the areas)
    cells = {(r["sector_aCode"].value, r["sector_bCode"].value): r for r in t.rows}
    for a, b in [("ITU-D", "ITU-T"), ("ITU-R", "ITU-T"), ("ITU-D", "ITU-R")]:
        assert "Climate Change (§1.4)" in cells[(a, b)]["themeLabels"].value.split("; ")
    assert "Electromagnetic fields (EMF) (§1.4)" in cells[("ITU-D", "ITU-T")]["themeLabels"].value.split("; ")


def test_overlap_matrix_period_filter_narrows(run) -> None:  # type: ignore[no-untyped-def]
    every = {
        (r["sector_a"].value, r["sector_b"].value): int(r["themes"].value)
        for r in run("sector-overlap-matrix").rows
    }
    early = {
        (r["sector_a"].value, r["sector_b"].value): int(r["themes"].value)
        for r in run("sector-overlap-matrix", study_period="2010-2014").rows
    }
    assert all(early[k] <= every[k] for k in every)
    assert sum(early.values()) < sum(every.values())


def test_overlap_detail_climate_change_itu_d_itu_t(run) -> None:  # type: ignore[no-untyped-def]
    t = run("sector-overlap-detail", sector_a="ITU-D", sector_b="ITU-T")
    climate = {r["item"].value for r in t.rows if r["theme"].value == CLIMATE}
    assert {ID + "question/itu-d/2018-2021/6-2", ID + "question/itu-t/2017-2020/9-5"} <= climate


def test_duplicate_candidates_emf_and_ehealth(run) -> None:  # type: ignore[no-untyped-def]
    t = run("question-duplicate-candidates", min_score="0.2")
    pairs = {(r["qa"].value, r["qb"].value): r for r in t.rows}
    emf = pairs[(ID + "question/itu-d/2018-2021/7-2", ID + "question/itu-r/2019-2023/239-1")]
    assert int(emf["mappings"].value) >= 1 and int(emf["sharedResolutions"].value) >= 1
    ehealth = pairs[(ID + "question/itu-d/2018-2021/2-2", ID + "question/itu-t/2017-2020/28-16")]
    assert "both address the theme e-health" in ehealth["evidence"].value
    scores = [float(s) for s in t.values("score")]
    assert all(0 < s <= 1 for s in scores)
    assert scores == sorted(scores, reverse=True)
    # the top candidate carries the strongest evidence
    assert t.rows[0]["qa"].value == ID + "question/itu-d/2018-2021/7-2"


def test_theme_coverage_all_themes_and_climate(run) -> None:  # type: ignore[no-untyped-def]
    t = run("theme-coverage", count="items")
    assert len(t) == 12 + 11 + 44 + 26 + 8  # every theme of the five Annex lists
    assert len(run("theme-coverage")) < len(t)  # by default an area listed twice is one row
    climate = next(r for r in t.rows if r["theme"].value == CLIMATE)
    assert climate["sectors"].value == "4"
    assert climate["status"].value == "several Sectors, coordinated"
    statuses = t.values("status")
    assert "not addressed" in statuses and "several Sectors, no coordination link" in statuses
    assert len(run("theme-coverage", scheme="council-groups")) == 8


def test_coordination_gaps_exclude_covered_themes(run) -> None:  # type: ignore[no-untyped-def]
    t = run("theme-coordination-gaps")
    assert len(t) > 0
    themes = t.values("theme")
    assert CLIMATE not in themes  # mapped (ITU-D Q6/2 - ITU-T Q9/5 ...)
    assert ID + "theme/council-groups/3" not in themes  # WSIS and SDGs: covered by CWG-WSIS&SDG
    assert all(int(s) > 1 for s in t.values("sectors"))


def test_resolution_overlap_accessibility(run) -> None:  # type: ignore[no-untyped-def]
    t = run("resolution-overlap", theme="resolution-areas/23")
    pairs = {frozenset((r["resA"].value, r["resB"].value)) for r in t.rows}
    assert frozenset((ID + "resolution/pp/175", ID + "resolution/wtdc/58")) in pairs
    assert frozenset((ID + "resolution/pp/175", ID + "resolution/ra/67")) in pairs
    assert all(r["latestALabel"].value and r["latestBLabel"].value for r in t.rows)


def test_theme_dossier_climate_change(run) -> None:  # type: ignore[no-untyped-def]
    t = run("theme-dossier")  # default: the ISCG pilot theme recorded in the data
    assert set(t.values("focus")) == {CLIMATE}
    items = set(t.values("item"))
    assert ID + "study-group/itu-t/2017-2020/sg5" in items
    assert ID + "question/itu-d/2018-2021/6-2" in items
    assert ID + "question/itu-t/2017-2020/9-5" in items
    assert {"Question", "Study group", "Resolution", "Mapping"} <= set(t.values("kind"))
    assert t.values("item") and run("theme-dossier", theme="resolution-areas/27").values("item") == t.values(
        "item"
    )


def test_study_group_neighbours_itu_t_sg5(run) -> None:  # type: ignore[no-untyped-def]
    t = run("study-group-neighbours", study_group="itu-t/2017-2020/sg5")
    assert t.rows[0]["neighbour"].value == ID + "study-group/itu-d/2018-2021/sg2"
    assert int(t.rows[0]["mappings"].value) >= 1
    assert "Climate Change" in t.rows[0]["themeLabels"].value
    assert {r["sector"].value for r in t.rows} <= {ID + "sector/itu-d", ID + "sector/itu-r", ID + "sector/gs"}


def test_questions_without_resolution(run) -> None:  # type: ignore[no-untyped-def]
    t = run("questions-without-resolution")
    questions = set(t.values("question"))
    assert ID + "question/itu-t/2017-2020/1-11" in questions
    assert ID + "question/itu-d/2018-2021/6-2" not in questions  # backed by WTDC Resolutions
    # WTSA Resolution 2 sets up every ITU-T study group: shown as context, not as a topical mandate
    q111 = next(r for r in t.rows if r["question"].value == ID + "question/itu-t/2017-2020/1-11")
    assert "WTSA Res. 2" in q111["groupMandates"].value
    by_sector = run("questions-without-resolution", sector="ITU-D", study_period="2018-2021")
    assert ID + "question/itu-t/2017-2020/1-11" not in by_sector.values("question")


def test_resolutions_without_coordination(run) -> None:  # type: ignore[no-untyped-def]
    t = run("resolutions-without-coordination")
    resolutions = set(t.values("resolution"))
    assert ID + "resolution/pp/191" in resolutions  # concerns every Sector; no mechanism recorded for it
    assert ID + "resolution/wtdc/59" not in resolutions  # established the ISCG
    assert all(int(p) >= 2 for p in t.values("parts"))


def test_lookups_offer_every_theme_and_period(run) -> None:  # type: ignore[no-untyped-def]
    assert len(run("list-themes")) == 101
    assert len(run("list-schemes")) == 5
    assert "2018-2021 (ITU-D)" in run("list-study-periods").values("label")
    assert ID + "study-group/itu-t/2017-2020/sg5" in run("list-study-groups").values("value")
