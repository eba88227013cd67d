"""The columnar candidate index: same candidates as the document precompute computes, and a review
decision updates it in place (the one pair) without recomputing anything."""

from __future__ import annotations

import gc
import json
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from iscg_graph.errors import StoreError
from iscg_graph.overlap import columnar, evidence, features, pair_scores, scoring, topk
from iscg_graph.overlap.corpus import load_corpus
from iscg_graph.overlap.index import CandidateIndex
from iscg_graph.overlap.scoring import CANDIDATES_FILE, KINDS, build_candidates, precompute
from iscg_graph.rdf.store import EmbeddedStore

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "candidates" / "mini.trig"
REVIEWS = "https://w3id.org/iscg/graph/reviews"


def mini_store() -> EmbeddedStore:
    store = EmbeddedStore.in_memory()
    store.inner.load(path=str(FIXTURE), format=ox.RdfFormat.TRIG)
    return store


def _everything(index: CandidateIndex, kind: str) -> list[Any]:
    page = index.query(kind, limit=10**9, include_recorded=True)
    assert page.total == len(page.candidates)
    return list(page.candidates)


def assert_same_candidates(index: CandidateIndex, doc: dict) -> int:
    """Every candidate of the document, in the same order, same pair, score (1e-9) and evidence."""
    checked = 0
    for kind in KINDS:
        served = _everything(index, kind)
        expected = doc["kinds"][kind]
        assert [(c.left["iri"], c.right["iri"]) for c in served] == [
            (c["left"], c["right"]) for c in expected
        ]
        for got, want in zip(served, expected, strict=True):
            assert abs(got.score - want["score"]) <= 1e-9
            assert got.components == want["components"]
            assert got.period_factor == want["period_factor"]
            assert [[t, w] for t, w in got.terms] == want["terms"]
            assert list(got.recorded) == want.get("recorded", [])
            assert list(got.lineage) == want.get("lineage", ["", ""])
            for key in ("mapped_by", "covered_by"):
                assert [(r["link"], r["subject"]["iri"], r["object"]["iri"]) for r in getattr(got, key)] == [
                    (r["link"], r["subject"], r["object"]) for r in want.get(key, [])
                ]
            for key in ("shared_themes", "shared_resolutions", "shared_items", "shared_bodies"):
                assert [i["iri"] for i in got.shared.get(key, ())] == want.get(key, [])
            assert got.left == _summary(doc, want["left"]) and got.right == _summary(doc, want["right"])
            checked += 1
        new = index.query(kind, limit=10**9).total
        # new: neither recorded nor the carry-over of a pair recorded in another study period
        assert new == sum(1 for c in expected if "recorded" not in c and "covered_by" not in c)
    return checked


def _summary(doc: dict, iri: str) -> dict:
    item = dict(doc["items"][iri])
    group = doc["items"].get(item.get("group", ""))
    if group:
        item["group_label"] = group.get("notation") or group["label"]
    return item


def test_precompute_writes_a_mapped_index_with_the_same_candidates(tmp_path: Path) -> None:
    store = mini_store()
    doc = build_candidates(store)
    precompute(store, tmp_path)
    header = json.loads((tmp_path / CANDIDATES_FILE).read_bytes())
    assert header["format"] == columnar.FORMAT and (tmp_path / header["data"]).is_file()
    index = CandidateIndex.load(tmp_path)
    assert type(index._cols["question.score"]).__name__ == "memmap"
    assert assert_same_candidates(index, doc) > 0
    # filters select the same rows as scanning the document would
    for c in _everything(index, "question")[:5]:
        iri = c.left["iri"]
        page = index.query("question", item=iri, limit=1000, include_recorded=True)
        want = [x for x in doc["kinds"]["question"] if iri in (x["left"], x["right"])]
        assert [(x.left["iri"], x.right["iri"]) for x in page.candidates] == [
            (x["left"], x["right"]) for x in want
        ]


@pytest.mark.parametrize("collector_was_on", [True, False])
def test_a_foreground_precompute_writes_the_background_ones_bytes_and_restores_the_collector(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, collector_was_on: bool
) -> None:
    """The build's precompute (several threads, the collector paused) and the service's (one
    thread, collector on) write the same files; the foreground run really pauses the collector and
    leaves it as it found it; every kind's scores go dense, so the threads score chunks."""
    store = mini_store()
    monkeypatch.setattr(topk, "DENSE_FROM", 0.0)
    monkeypatch.setattr(scoring, "precompute_threads", lambda: 3)
    seen: list[tuple[int, bool]] = []
    real = scoring.build_columns

    def build_columns(*args: Any, **kw: Any) -> Any:
        seen.append((kw["threads"], gc.isenabled()))
        return real(*args, **kw)

    monkeypatch.setattr(scoring, "build_columns", build_columns)
    for side in ("background", "foreground"):
        (tmp_path / side).mkdir()
    (gc.enable if collector_was_on else gc.disable)()
    try:
        precompute(store, tmp_path / "background", background=True)
        assert gc.isenabled() is collector_was_on
        precompute(store, tmp_path / "foreground")
        assert gc.isenabled() is collector_was_on
    finally:
        gc.enable()
    assert seen == [(1, collector_was_on), (3, False)]
    files = sorted(f.name for f in (tmp_path / "background").iterdir())
    assert files == sorted(f.name for f in (tmp_path / "foreground").iterdir())
    for name in files:
        assert (tmp_path / "background" / name).read_bytes() == (tmp_path / "foreground" / name).read_bytes()


def test_an_old_or_broken_header_is_a_store_error(tmp_path: Path) -> None:
    (tmp_path / CANDIDATES_FILE).write_text('{"format": 1, "kinds": {}}')
    with pytest.raises(StoreError, match="format 1"):
        CandidateIndex.load(tmp_path)
    (tmp_path / CANDIDATES_FILE).write_text("{not json")
    with pytest.raises(StoreError):
        CandidateIndex.load(tmp_path)


def test_a_review_updates_the_index_without_recomputing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = mini_store()
    precompute(store, tmp_path)
    index = CandidateIndex.load(tmp_path)
    calls: list[str] = []

    def counted(name: str, fn: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            calls.append(name)
            return fn(*args, **kwargs)

        return wrapper

    for name in ("build_candidates", "precompute", "score_kind", "build_spaces"):
        monkeypatch.setattr(scoring, name, counted(name, getattr(scoring, name)))

    before = index.query("question", limit=1000)
    target = before.candidates[0]
    entry = {
        "left": target.right["iri"],  # either orientation finds the pair
        "right": target.left["iri"],
        "link": "https://w3id.org/iscg/id/mapping/R0001",
        "status": "Rejected",
        "kind": "Overlap",
        "graph": REVIEWS,
        "confidence": "Confirmed",
    }
    assert index.record(entry, tmp_path)
    after = index.query("question", limit=1000)
    assert after.total == before.total - 1
    assert (target.left["iri"], target.right["iri"]) not in {
        (c.left["iri"], c.right["iri"]) for c in after.candidates
    }
    listed = index.query("question", item=target.left["iri"], limit=1000, include_recorded=True)
    flagged = [c for c in listed.candidates if c.right["iri"] == target.right["iri"]]
    assert flagged and flagged[0].status == "Rejected" and flagged[0].score == target.score
    # a process loading the store now sees the decision too (the overlay), still without a rebuild
    reloaded = CandidateIndex.load(tmp_path)
    assert reloaded.query("question", limit=1000).total == before.total - 1
    assert calls == []
    # a pair the index does not hold is kept for the next precompute, not lost
    stray = {**entry, "left": "https://example.org/a", "right": "https://example.org/b"}
    assert not index.record(stray, tmp_path)
    assert CandidateIndex.load(tmp_path).unplaced == [stray]
    assert calls == []
    # the next precompute folds the overlay in and removes it
    monkeypatch.undo()
    (tmp_path / columnar.LEGACY_OVERLAY_FILE).write_text("[]")  # the list of earlier code too
    precompute(store, tmp_path)
    assert not (tmp_path / columnar.OVERLAY_FILE).exists()
    assert not (tmp_path / columnar.LEGACY_OVERLAY_FILE).exists()


def _terms_one_pair(aux: dict, surface: dict, x: str, y: str, n: int = 8) -> list[list]:
    """The shared terms of one pair the way precompute computed them before (a loop over pairs)."""
    m, row = aux["vec"].matrix, aux["row"]
    cols, prod = pair_scores.row_product(m, row[x], m, row[y])
    pairs = sorted(zip(prod, cols, strict=True), key=lambda p: (-p[0], p[1]))[:n]
    terms = aux["vec"].terms
    return [[surface.get(terms[c], terms[c]), round(float(v), 4)] for v, c in pairs if v > 0]


def assert_terms_as_one_pair_at_a_time(store: EmbeddedStore) -> int:
    doc = build_candidates(store)
    _spaces, _analyzer, surface, aux = features.build_spaces(load_corpus(store), scoring.Weights())
    pairs = [(c["left"], c["right"]) for kind in KINDS for c in doc["kinds"][kind]]
    batch = evidence.shared_terms(aux, surface, pairs)
    assert batch == [_terms_one_pair(aux, surface, x, y) for x, y in pairs]
    assert batch == [c["terms"] for kind in KINDS for c in doc["kinds"][kind]]
    return sum(1 for t in batch if t)


def test_shared_terms_in_one_sparse_pass_equal_the_per_pair_loop() -> None:
    assert assert_terms_as_one_pair_at_a_time(mini_store()) > 0


@pytest.mark.slow
def test_real_data_shared_terms_equal_the_per_pair_loop(real_store: EmbeddedStore) -> None:
    assert assert_terms_as_one_pair_at_a_time(real_store) > 1000


@pytest.mark.slow
def test_real_data_columnar_index_equals_the_document(built_store: Path, real_store: EmbeddedStore) -> None:
    doc = build_candidates(real_store)
    index = CandidateIndex.load(built_store)
    assert assert_same_candidates(index, doc) > 1000
