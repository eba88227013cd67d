"""Lineages in candidate discovery: grouping by lineage pair, carry-overs, the default order (active
now first, never-concurrent last), the mapped-lineage evidence, and the held-out evaluation."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyoxigraph as ox
import pytest

from iscg_graph.overlap.candidate import Candidate
from iscg_graph.overlap.corpus import load_corpus
from iscg_graph.overlap.holdout import _key, folds, holdout_runs, holdout_scores
from iscg_graph.overlap.index import CandidateIndex
from iscg_graph.overlap.lineage import CARRY_OVER, build_lineages
from iscg_graph.overlap.lineage_view import AT_THE_SAME_TIME, NEVER, NOW, group_by_lineage, member_tier
from iscg_graph.overlap.scoring import CANDIDATES_FILE, build_candidates, precompute
from iscg_graph.rdf.store import EmbeddedStore

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "candidates" / "mini.trig"
ID = "https://w3id.org/iscg/id/"
ISCG = "https://w3id.org/iscg/ontology#"
YEAR = "http://www.w3.org/2001/XMLSchema#gYear"
TODAY = date(2026, 12, 6)
Q72_18 = ID + "question/itu-d/2018-2021/7-2"
Q35_17 = ID + "question/itu-t/2017-2020/3-5"
SG5_17 = ID + "study-group/itu-t/2017-2020/sg5"


def mini_store(*, continued: bool = True) -> EmbeddedStore:
    """The candidates fixture plus ITU-D Q7/2 of 2022-2025 continuing the 2018-2021 one."""
    store = EmbeddedStore.in_memory()
    store.inner.load(path=str(FIXTURE), format=ox.RdfFormat.TRIG)
    if continued:
        q = ID + "question/itu-d/2022-2025/7-2"
        store.inner.load(
            input=(
                f"<{q}> a <{ISCG}Question> ; <http://www.w3.org/2004/02/skos/core#notation> \"Q7/2\" ;\n"
                f"  <{ISCG}sector> <{ID}sector/itu-d> ;\n"
                f"  <{ISCG}studyPeriod> <{ID}study-period/itu-d/2022-2025> ;\n"
                f"  <{ISCG}continues> <{Q72_18}> ;\n"
                f"  <http://purl.org/dc/terms/title> \"Assessment of strategies and methods concerning "
                f"human exposure to electromagnetic fields\"@en .\n"
                f"<{ID}study-period/itu-d/2022-2025> <{ISCG}startYear> \"2022\"^^<{YEAR}> ;\n"
                f"  <{ISCG}endYear> \"2025\"^^<{YEAR}> .\n"
            ).encode(),
            format=ox.RdfFormat.TURTLE,
            to_graph=ox.NamedNode(ID.replace("/id/", "/graph/") + "questions"),
        )
    return store


def _cand(left: dict, right: dict, score: float = 0.5, **kw: object) -> Candidate:
    return Candidate("question", left, right, score, {"lexical": score}, 1.0, (), {}, (), **kw)  # type: ignore[arg-type]


def _item(iri: str, start: int, end: int) -> dict[str, str]:
    return {"iri": iri, "label": iri, "period": f"{start}-{end}", "start": str(start), "end": str(end)}


# -- lineages and carry-overs on the fixture --------------------------------------------------------


def test_a_question_and_its_continuation_are_one_lineage() -> None:
    corpus = load_corpus(mini_store())
    lineages = build_lineages(corpus.items)
    newer = ID + "question/itu-d/2022-2025/7-2"
    assert lineages.lineage(newer) == lineages.lineage(Q72_18) == Q72_18  # named by its earliest member
    assert lineages.members[Q72_18] == (Q72_18, newer)
    assert lineages.lineage(Q35_17) == Q35_17  # nothing continues it: a lineage of its own


def test_later_versions_of_a_recorded_pair_are_carry_overs_not_new_overlaps() -> None:
    doc = build_candidates(mini_store())
    newer = ID + "question/itu-d/2022-2025/7-2"
    by_pair = {(c["left"], c["right"]): c for c in doc["kinds"]["question"]}
    carried = by_pair[(newer, Q35_17)]
    assert "recorded" not in carried
    assert [(r["subject"], r["object"]) for r in carried["covered_by"]] == [(Q72_18, Q35_17)]
    index = CandidateIndex(doc)
    new = {(c.left["iri"], c.right["iri"]) for c in index.query("question", limit=1000).candidates}
    assert (newer, Q35_17) not in new and (newer, SG5_17) not in new  # not proposed as new overlaps
    listed = index.query("question", item=newer, limit=1000, include_recorded=True).candidates
    status = {c.right["iri"]: c.status for c in listed}
    assert status[Q35_17] == CARRY_OVER == status[SG5_17]
    c = next(c for c in listed if c.right["iri"] == Q35_17)
    assert c.is_carry_over and not c.is_recorded
    assert c.explanation().startswith("Carry over? ITU-D Q7/2 (2018-2021)")
    # without the continuation nothing is carried over: the 2022 Question is a lineage of its own
    plain = build_candidates(mini_store(continued=False))
    assert not any("covered_by" in c for c in plain["kinds"]["question"])


def test_a_pairs_own_records_never_count_for_its_own_score() -> None:
    doc = build_candidates(mini_store())
    by_pair = {(c["left"], c["right"]): c for c in doc["kinds"]["question"]}
    recorded = by_pair[(Q72_18, Q35_17)]  # recorded, and no other period of it is
    assert "recorded" in recorded and recorded["components"]["mapped"] == 0.0 and "mapped_by" not in recorded
    carried = by_pair[(ID + "question/itu-d/2022-2025/7-2", Q35_17)]
    assert carried["components"]["mapped"] == 1.0  # the 2018 mapping speaks for the 2022 version
    assert [(r["subject"], r["object"]) for r in carried["mapped_by"]] == [(Q72_18, Q35_17)]


def test_a_review_makes_the_other_periods_carry_overs_without_recomputing(tmp_path: Path) -> None:
    store = mini_store()
    precompute(store, tmp_path)
    index = CandidateIndex.load(tmp_path)
    newer = ID + "question/itu-d/2022-2025/7-2"
    r2391 = ID + "question/itu-r/2019-2023/239-1"
    before = {(c.left["iri"], c.right["iri"]) for c in index.query("question", limit=1000).candidates}
    assert (Q72_18, r2391) in before and (newer, r2391) in before
    entry = {"left": newer, "right": r2391, "link": ID + "mapping/R0001", "status": "Accepted",
             "kind": "Overlap", "graph": "https://w3id.org/iscg/graph/reviews", "confidence": "Confirmed"}
    assert index.record(entry, tmp_path)
    after = {(c.left["iri"], c.right["iri"]) for c in index.query("question", limit=1000).candidates}
    assert after == before - {(newer, r2391), (Q72_18, r2391)}
    older = next(c for c in index.query("question", item=Q72_18, limit=100, include_recorded=True).candidates
                 if c.right["iri"] == r2391)
    assert older.status == CARRY_OVER and older.covered_by[0]["subject"]["iri"] == newer
    # a process loading the store sees the same (the overlay)
    reloaded = CandidateIndex.load(tmp_path)
    reloaded_new = reloaded.query("question", limit=1000).candidates
    assert {(c.left["iri"], c.right["iri"]) for c in reloaded_new} == after


# -- the default order ----------------------------------------------------------------------------------


def test_current_is_read_from_the_periods_and_today() -> None:
    a, b = _item("a", 2025, 2028), _item("b", 2023, 2027)
    assert member_tier(_cand(a, b), TODAY) == NOW
    assert member_tier(_cand(a, b), date(2030, 1, 1)) == AT_THE_SAME_TIME  # both ended by then
    assert member_tier(_cand(_item("c", 2010, 2014), b), TODAY) == NEVER


def test_never_concurrent_pairs_are_demoted_and_weak_current_ones_not_promoted() -> None:
    never = _cand(_item("x1", 2010, 2014), _item("y1", 2019, 2023), 0.9, lineage=("x", "y1"))
    now = _cand(_item("x2", 2025, 2028), _item("y2", 2023, 2027), 0.3, lineage=("x2", "y2"))
    weak_now = _cand(_item("x3", 2025, 2028), _item("y3", 2023, 2027), 0.1, lineage=("x3", "y3"))
    past = _cand(_item("x4", 2017, 2020), _item("y4", 2019, 2023), 0.5, lineage=("x4", "y4"))
    order = [g.best for g in group_by_lineage([never, past, now, weak_now], TODAY)]
    assert order == [now, past, weak_now, never]
    assert never not in [g.best for g in group_by_lineage([never, past], TODAY, concurrent_only=True)]


def test_members_of_one_lineage_pair_are_one_row_with_their_periods() -> None:
    x18, x22 = _item("x18", 2018, 2021), _item("x22", 2022, 2025)
    y17, y22 = _item("y17", 2017, 2020), _item("y22", 2022, 2024)
    members = [_cand(x22, y22, 0.6, lineage=("x", "y")), _cand(x18, y17, 0.5, lineage=("x", "y")),
               _cand(x22, y17, 0.4, lineage=("x", "y"))]
    (row,) = group_by_lineage(members, TODAY)
    assert row.best is members[0] and len(row.members) == 3
    assert row.periods == ["2018-2021 ↔ 2017-2020", "2022-2025 ↔ 2017-2020", "2022-2025 ↔ 2022-2024"]


# -- the real data ------------------------------------------------------------------------------------------


def _real_index(built_store: Path) -> CandidateIndex:
    assert (built_store / CANDIDATES_FILE).is_file()
    return CandidateIndex.load(built_store)


def _named(row: object, left: str, right: str) -> bool:
    best = row.best  # type: ignore[attr-defined]
    return best.left.get("notation") == left and best.right.get("notation") == right


@pytest.mark.slow
def test_real_q7_2_and_q3_5_are_one_lineage_pair_with_its_periods(built_store: Path) -> None:
    index = _real_index(built_store)
    rows = group_by_lineage(index.query("question", limit=10**6, include_recorded=True).candidates, TODAY)
    pairs = [r for r in rows if _named(r, "Q7/2", "Q3/5")]
    assert len(pairs) == 1, "ITU-D Q7/2 with ITU-T Q3/5 is one row, whatever the periods"
    (row,) = pairs
    assert len(row.members) >= 5 and row.status == CARRY_OVER
    assert "2018-2021 ↔ 2017-2020" in row.periods and "2022-2025 ↔ 2022-2024" in row.periods
    # it is recorded: never among the new candidates, in any period
    new = group_by_lineage(index.query("question", limit=10**6).candidates, TODAY)
    assert not [r for r in new if _named(r, "Q7/2", "Q3/5")]
    # and the default list demotes every never-concurrent lineage pair to its end
    tiers = [r.tier == NEVER for r in new]
    assert any(tiers) and tiers == sorted(tiers)


@pytest.mark.slow
def test_real_broadcasting_q2_1_and_itu_r_sg6_rise(built_store: Path) -> None:
    index = _real_index(built_store)
    rows = group_by_lineage(index.query("question", limit=10**6).candidates, TODAY)
    rank = next(
        i
        for i, r in enumerate(rows, 1)
        if _named(r, "Q2/1", "SG6") and r.best.right["sector_code"] == "ITU-R"
    )
    assert rank <= 25, f"ITU-D Q2/1 with ITU-R SG6 at {rank} (it was 256 in the flat list of issue 14)"


@pytest.mark.slow
def test_real_holdout_never_scores_against_its_input(real_store: EmbeddedStore) -> None:
    corpus = load_corpus(real_store)
    lineages = build_lineages(corpus.items)
    runs = holdout_runs(corpus, TODAY)
    held = [r.held_out for r in runs if r.variant == "after"]
    assert len(held) == 2 and not held[0] & held[1] and all(held)  # two disjoint folds of the gold
    for run in runs:
        given = {_key(lineages, *sorted(p)) for p in run.given if len(p) == 2}
        assert not given & run.held_out, "a held-out lineage pair was given to the detector"
        every = {
            r.link for r in corpus.recorded if r.link and _key(lineages, r.subject, r.object) in run.held_out
        }
        assert every <= run.hidden_links
    scores = {s.variant: s for s in holdout_scores(runs)}
    assert scores["before"].gold == scores["after"].gold == sum(len(h) for h in held)
    assert scores["after"].recall[50] >= scores["before"].recall[50]


def test_folds_are_deterministic_and_partition_the_keys() -> None:
    keys = [frozenset((f"a{i}", f"b{i}")) for i in range(20)]
    one, two = folds(keys), folds(list(reversed(keys)))
    assert one == two and one[0] | one[1] == set(keys) and not one[0] & one[1]


def _same_order(index: CandidateIndex, include_recorded: bool, **kw: object) -> int:
    whole = index.query("question", limit=10**9, include_recorded=include_recorded, **kw).candidates  # type: ignore[arg-type]
    want = group_by_lineage(whole, TODAY)
    got = index.lineages("question", today=TODAY, limit=10**9, include_recorded=include_recorded, **kw)  # type: ignore[arg-type]
    assert got.total == len(want)
    assert [[(c.left["iri"], c.right["iri"]) for c in g.members] for g in got.lineages] == [
        [(c.left["iri"], c.right["iri"]) for c in g.members] for g in want
    ]
    assert [g.tier for g in got.lineages] == [g.tier for g in want]
    page = index.lineages("question", today=TODAY, limit=3, offset=2, include_recorded=include_recorded, **kw)  # type: ignore[arg-type]
    assert [g.best for g in page.lineages] == [g.best for g in want[2:5]]
    return len(want)


def test_the_index_orders_lineage_pairs_from_its_columns_as_the_view_does(tmp_path: Path) -> None:
    precompute(mini_store(), tmp_path)
    index = CandidateIndex.load(tmp_path)
    assert _same_order(index, False) > 3 and _same_order(index, True) > 3
    assert _same_order(index, True, sector="ITU-R") > 0
    never = index.lineages("question", today=TODAY, limit=1000, concurrent_only=True)
    assert all(g.tier != NEVER for g in never.lineages)


@pytest.mark.slow
def test_real_index_orders_lineage_pairs_from_its_columns_as_the_view_does(built_store: Path) -> None:
    index = _real_index(built_store)
    assert _same_order(index, False) > 500 and _same_order(index, True) > 500
