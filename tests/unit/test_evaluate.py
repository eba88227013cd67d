"""The detector's evaluation: gold pairs, hiding, metrics; the curated theme gold list."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from iscg_graph.errors import SourceError
from iscg_graph.overlap.corpus import load_corpus
from iscg_graph.overlap.evaluate import DEFAULT_GOLD, _score, evaluate, gold_pairs, read_theme_gold
from iscg_graph.rdf.store import EmbeddedStore

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "candidates" / "mini.trig"
ID = "https://w3id.org/iscg/id/"


def mini_store() -> EmbeddedStore:
    s = EmbeddedStore.in_memory()
    s.inner.load(path=str(FIXTURE), format=ox.RdfFormat.TRIG)
    return s


def test_metrics_on_a_known_ranking() -> None:
    gold = [("a", "x"), ("a", "y")]
    ranked = {"a": ["z", "x", "w", "v", "u", "y"], "x": ["a"], "y": []}
    s = _score("question", "combined", gold, ranked, ks=(1, 5))
    assert s.queries == 3 and s.gold == 2
    # a: first hit at rank 2, 1 of 2 in top 5; x: hit at rank 1; y: nothing ranked
    assert s.mrr == pytest.approx((1 / 2 + 1 + 0) / 3)
    assert s.precision[1] == pytest.approx((0 + 1 + 0) / 3)
    assert s.recall[5] == pytest.approx((0.5 + 1 + 0) / 3)
    assert s.precision[5] == pytest.approx((1 / 5 + 1 / 5 + 0) / 3)


def test_gold_is_the_confirmed_published_mappings() -> None:
    corpus = load_corpus(mini_store())
    per_kind, hidden, out = gold_pairs(corpus)
    assert sorted(per_kind["question"]) == [
        (ID + "question/itu-d/2018-2021/7-2", ID + "question/itu-t/2017-2020/3-5"),
        (ID + "question/itu-d/2018-2021/7-2", ID + "study-group/itu-t/2017-2020/sg5"),
    ]
    assert hidden == [ID + "mapping/M0001", ID + "mapping/M0002"]  # M0003 is unconfirmed: not gold
    assert out == 0


def test_evaluate_on_the_fixture(tmp_path: Path) -> None:
    gold = tmp_path / "gold.tsv"
    gold.write_text(
        "left\tright\trelation\tnote\n"
        "theme:resolution-areas:19\ttheme:council-groups:3\tsame\tWSIS\n"
        "theme:resolution-areas:26\ttheme:council-groups:4\tsame\tCOP\n",
        encoding="utf-8",
    )
    scores = {(s.kind, s.variant): s for s in evaluate(mini_store(), gold_themes=gold)}
    assert len(scores) == 9
    theme = scores[("theme", "combined")]
    assert theme.gold == 2 and theme.queries == 4 and theme.mrr == 1.0
    question = scores[("question", "combined")]
    assert question.gold == 2 and question.queries == 3 and question.mrr > 0.5
    assert scores[("resolution", "combined")].queries == 0


def test_gold_keys_are_checked(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("left,right,relation,note\ntheme:x,theme:y:1,same,\n", encoding="utf-8")
    with pytest.raises(SourceError, match="not a theme key"):
        read_theme_gold(bad)
    missing = tmp_path / "missing.tsv"
    missing.write_text("left\tright\trelation\tnote\ntheme:nowhere:1\ttheme:council-groups:3\tsame\t\n")
    with pytest.raises(SourceError, match="not in the graph"):
        evaluate(mini_store(), gold_themes=missing)


def test_the_curated_gold_list() -> None:
    pairs = read_theme_gold(DEFAULT_GOLD)
    assert len(pairs) == 38
    for a, b in pairs:  # always two different Annex lists, never a pair twice
        assert a.rsplit("/", 2)[1] != b.rsplit("/", 2)[1]
    assert len({frozenset(p) for p in pairs}) == len(pairs)
    assert (ID + "theme/isctf-topics/7", ID + "theme/resolution-areas/7") in pairs  # Gender in 1.2 and 1.4


@pytest.mark.slow
def test_the_gold_list_matches_the_real_themes(real_store: EmbeddedStore) -> None:
    corpus = load_corpus(real_store)
    pairs = read_theme_gold(DEFAULT_GOLD)
    assert all(a in corpus.items and b in corpus.items for a, b in pairs)
    scores = {(s.kind, s.variant): s for s in evaluate(corpus, variants=("combined",))}
    assert scores[("theme", "combined")].queries > 40
    assert scores[("question", "combined")].gold >= 5


def test_curated_theme_equivalences_are_hidden_from_the_detector(real_store) -> None:  # type: ignore[no-untyped-def]
    """The graph holds reviewed theme equivalences; those that are gold pairs must not be 'known'
    to the detector when it is evaluated (a given answer would score itself)."""
    from iscg_graph.overlap.evaluate import hide_pairs

    corpus = load_corpus(real_store)
    gold = {frozenset(p) for p in read_theme_gold()}
    given = [rec for rec in corpus.recorded if rec.pair in gold]
    # the curated equivalences are loaded (Link records and SKOS statements), so hiding has work to do
    assert any(rec.link for rec in given) and any(not rec.link for rec in given)
    hidden = hide_pairs(corpus, read_theme_gold())
    assert not [rec for rec in hidden.recorded if rec.pair in gold]
    assert len(hidden.recorded) == len(corpus.recorded) - len(given)
