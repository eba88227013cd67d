"""`index_sync.reconcile` on an index and store without the service: what is missing, once."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from iscg_graph.overlap import columnar
from iscg_graph.overlap.index import CandidateIndex
from iscg_graph.overlap.index_sync import missing_decisions, reconcile
from iscg_graph.overlap.review import Decision, record_decision
from iscg_graph.overlap.scoring import build_candidates, precompute
from tests.unit.test_candidate_columns import REVIEWS, mini_store

BASE = "https://w3id.org/iscg/"


def _conforms(_graph: object) -> object:
    return type("Report", (), {"conforms": True, "warnings": ()})()


def test_reconcile_applies_each_missing_decision_once(tmp_path: Path) -> None:
    store = mini_store()
    precompute(store, tmp_path)
    index = CandidateIndex.load(tmp_path)
    target = index.query("question", limit=1).candidates[0]
    left, right = target.left["iri"], target.right["iri"]
    outcome = record_decision(store, Decision(right, left, "accept", "Ana", "overlap"), base=BASE,
                              today=date(2026, 12, 6), validate=_conforms)  # the store only
    missing = missing_decisions(index, store, REVIEWS)
    assert missing == [{"left": right, "right": left, "link": outcome.mapping, "status": "Accepted",
                        "kind": "Overlap", "graph": REVIEWS, "confidence": "Confirmed"}]
    assert reconcile(index, store, tmp_path, REVIEWS) == 1
    assert reconcile(index, store, tmp_path, REVIEWS) == 0
    assert columnar.read_overlay(tmp_path) == missing
    for loaded in (index, CandidateIndex.load(tmp_path)):
        assert all({left, right} != {c.left["iri"], c.right["iri"]}
                   for c in loaded.query("question", limit=1000).candidates)
        listed = loaded.query("question", item=left, limit=1000, include_recorded=True).candidates
        flagged = [c for c in listed if right in (c.left["iri"], c.right["iri"])]
        assert [r["link"] for c in flagged for r in c.recorded] == [outcome.mapping] * len(flagged)
    # a line journalled twice (a reconciled decision, then the answer's own append) counts once
    columnar.append_overlay(tmp_path, missing[0])
    twice = CandidateIndex.load(tmp_path)
    assert [r["link"] for r in twice.query("question", item=left, limit=1000, include_recorded=True)
            .candidates[0].recorded] == [outcome.mapping]
    assert twice.record(missing[0], tmp_path)  # already recorded: not applied nor journalled again
    assert columnar.read_overlay(tmp_path) == missing * 2


def test_decisions_the_precompute_holds_or_off_the_index_are_not_missing(tmp_path: Path) -> None:
    store = mini_store()
    index = CandidateIndex(build_candidates(store))
    target = index.query("question", limit=1).candidates[0]
    record_decision(store, Decision(target.left["iri"], target.right["iri"], "reject", "Ana"), base=BASE,
                    validate=_conforms)
    precompute(store, tmp_path)  # folded into the precompute: recorded by the index itself
    assert missing_decisions(CandidateIndex.load(tmp_path), store, REVIEWS) == []
    assert reconcile(CandidateIndex.load(tmp_path), store, tmp_path, REVIEWS) == 0
    assert not (tmp_path / columnar.OVERLAY_FILE).exists()
