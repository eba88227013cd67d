"""Overlap discovery: text analysis, partitions, mirrors, recorded pairs, evidence, the served index.

Most tests run on tests/fixtures/candidates/mini.trig (a small ITU-shaped graph); the last ones run
on the real data (the `real_store` / `built_store` session fixtures of tests/conftest.py).
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox
import pytest

from iscg_graph.errors import ParameterError
from iscg_graph.overlap import columnar
from iscg_graph.overlap.corpus import load_corpus
from iscg_graph.overlap.index import CandidateIndex
from iscg_graph.overlap.scoring import CANDIDATES_FILE, Weights, build_candidates, precompute
from iscg_graph.overlap.text import Analyzer, acronyms, stem, words
from iscg_graph.rdf.store import EmbeddedStore

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "candidates" / "mini.trig"
ID = "https://w3id.org/iscg/id/"
Q32 = ID + "question/itu-d/2018-2021/3-2"
Q417 = ID + "question/itu-t/2017-2020/4-17"
Q72 = ID + "question/itu-d/2018-2021/7-2"
Q35 = ID + "question/itu-t/2017-2020/3-5"


def mini_store() -> EmbeddedStore:
    store = EmbeddedStore.in_memory()
    store.inner.load(path=str(FIXTURE), format=ox.RdfFormat.TRIG)
    return store


@pytest.fixture(scope="module")
def doc() -> dict:
    return build_candidates(mini_store())


@pytest.fixture(scope="module")
def index(doc: dict) -> CandidateIndex:
    return CandidateIndex({**doc, "data_version": "test"})


# -- text ------------------------------------------------------------------------------------------


def test_stemmer_conflates_inflections() -> None:
    assert stem("securing") == stem("security") == stem("secure")
    assert stem("networks") == stem("network") == stem("networking")
    assert stem("policies") == stem("policy")


def test_words_drop_stopwords_numbers_and_accents() -> None:
    assert words("Q4/17: Sécurité of the networks (2017-2020)") == ["securite", "networks"]


def test_acronyms_are_learnt_from_the_corpus() -> None:
    found = acronyms(["Human exposure to electromagnetic fields (EMF)", "Software-defined networking (SDN)"])
    assert found["emf"] == ("electromagnetic", "field")
    assert found["sdn"] == (stem("software"), stem("defined"), "network")


def test_acronym_and_compound_expansion() -> None:
    analyzer = Analyzer.fit(["Electromagnetic fields (EMF)", "Security", "Cybersecurity", "(cyber) attacks"])
    assert {"electromagnetic", "field"} <= set(analyzer.stems("EMF exposure"))
    assert {"cyber", stem("security")} <= set(analyzer.stems("cybersecurity"))


# -- candidate pairs -------------------------------------------------------------------------------


def test_the_fixture_is_read(doc: dict) -> None:
    corpus = load_corpus(mini_store())
    assert len(corpus.of("question")) == 13
    assert len(corpus.of("study-group")) == 7
    assert len(corpus.of("theme")) == 10
    assert {k: len(v) > 0 for k, v in doc["kinds"].items()} == {
        "question": True,
        "resolution": True,
        "theme": True,
    }


def test_never_a_pair_inside_one_partition(doc: dict) -> None:
    items = doc["items"]
    n = 0
    for kind, cands in doc["kinds"].items():
        for c in cands:
            left, right = items[c["left"]], items[c["right"]]
            if kind == "theme":
                assert left["scheme"] != right["scheme"]
            else:
                assert left["sector_code"] != right["sector_code"]
            n += 1
    assert n >= 30


def test_never_a_pair_and_its_mirror(doc: dict) -> None:
    for cands in doc["kinds"].values():
        pairs = [frozenset((c["left"], c["right"])) for c in cands]
        assert len(pairs) == len(set(pairs))


def test_question_before_study_group(doc: dict) -> None:
    items = doc["items"]
    mixed = [c for c in doc["kinds"]["question"] if items[c["right"]]["type"] == "study-group"]
    assert mixed and all(items[c["left"]]["type"] == "question" for c in mixed)


def test_recorded_pairs_are_not_proposed_but_can_be_listed(index: CandidateIndex) -> None:
    new = index.query("question", item=Q72, limit=100)
    assert Q35 not in {c.right["iri"] for c in new.candidates}
    everything = index.query("question", item=Q72, limit=100, include_recorded=True)
    recorded = [c for c in everything.candidates if c.is_recorded]
    assert {c.right["iri"] for c in recorded} >= {Q35, ID + "study-group/itu-t/2017-2020/sg5"}
    assert all(c.status == "Asserted" for c in recorded)
    scores = [c.score for c in everything.candidates]
    assert scores == sorted(scores, reverse=True)


def test_the_score_never_uses_the_recorded_mapping() -> None:
    store = mini_store()
    links = [r.link for r in load_corpus(store).recorded]
    with_links = build_candidates(store)
    hidden = build_candidates(store, hidden_links=links)

    def score(d: dict) -> float:
        return next(c["score"] for c in d["kinds"]["question"] if {c["left"], c["right"]} == {Q72, Q35})

    assert score(with_links) == score(hidden) > 0.3
    assert not any("recorded" in c for c in hidden["kinds"]["question"])


def test_a_candidate_explains_itself(index: CandidateIndex) -> None:
    c = next(
        c
        for c in index.query("question", item=Q32, limit=50).candidates
        if Q417 in (c.left["iri"], c.right["iri"])
    )
    terms = dict(c.terms)
    assert "cybersecurity" in terms and terms["cybersecurity"] > 0
    assert [t["label"] for t in c.shared["shared_themes"]] == [
        "Confidence & (cyber) Security, including National incident response teams"
    ]
    body = c.to_json()
    assert body["evidence"]["terms"][0]["weight"] >= body["evidence"]["terms"][-1]["weight"]
    assert "Shared terms: " in body["explanation"] and "Same themes: " in body["explanation"]
    # the "why" sentences add up to the score shown, on its one 0-1 scale
    assert f"Score {c.score:.2f} = " in body["explanation"]
    base = sum(w * v for _, v, w in c.contributions())
    lift = c.lift()
    total = (base + (lift[0] * lift[1] * lift[2] if lift else 0.0)) * c.period_factor
    assert abs(total - c.score) < 1e-3 and sum(c.weights.values()) == pytest.approx(1.0)
    assert body["left"]["sector_code"] == "ITU-D" and body["right"]["group_label"] == "SG17"


def test_graph_evidence_raises_the_score() -> None:
    store = mini_store()
    lexical = replace(Weights(), question={"lexical": 0.6, "themes": 0.0, "resolutions": 0.0})
    a = build_candidates(store)
    b = build_candidates(store, weights=lexical)

    def score(d: dict) -> float:
        return next(c["score"] for c in d["kinds"]["question"] if {c["left"], c["right"]} == {Q32, Q417})

    assert score(a) > score(b) > 0


def test_disjoint_study_periods_lower_the_score(doc: dict) -> None:
    items = doc["items"]
    disjoint = overlapping = 0
    for c in doc["kinds"]["question"]:
        pa, pb = items[c["left"]].get("period", ""), items[c["right"]].get("period", "")
        if pa and pb:
            apart = int(pa[:4]) > int(pb[5:]) or int(pb[:4]) > int(pa[5:])
            assert c["period_factor"] == (0.85 if apart else 1.0)
            disjoint += apart
            overlapping += not apart
    assert disjoint > 0 and overlapping > 0


def test_cybersecurity_and_emf_on_the_fixture(index: CandidateIndex) -> None:
    top = index.query("question", item=Q32, limit=5).candidates
    assert any(
        c.right["iri"].startswith(ID + "question/itu-t/2017-2020/") and c.right["iri"].endswith("-17")
        for c in top
    )
    top = index.query("question", item=Q72, limit=5).candidates
    assert ID + "question/itu-r/2019-2023/239-1" in {c.right["iri"] for c in top}


# -- precompute and the served index ---------------------------------------------------------------


def test_precompute_is_deterministic(tmp_path: Path) -> None:
    store = mini_store()
    first = precompute(store, tmp_path)
    body = (tmp_path / CANDIDATES_FILE).read_bytes()
    second = precompute(store, tmp_path)
    assert (tmp_path / CANDIDATES_FILE).read_bytes() == body
    assert first.counts == second.counts and first.counts["question"] > 0
    assert first.recorded["question"] == 3
    loaded = CandidateIndex.load(tmp_path)
    assert loaded.query("question", limit=1000).total == first.counts["question"]
    assert json.loads(body)["format"] == columnar.FORMAT


def test_index_filters(index: CandidateIndex) -> None:
    everything = index.query("question", limit=1000)
    itu_r = index.query("question", sector="ITU-R", limit=1000)
    assert 0 < itu_r.total < everything.total
    assert all("ITU-R" in (c.left["sector_code"], c.right["sector_code"]) for c in itu_r.candidates)
    high = index.query("question", min_score=0.4, limit=1000)
    assert high.total and all(c.score >= 0.4 for c in high.candidates)
    assert len(index.query("question", limit=2).candidates) == 2
    page2 = index.query("question", limit=2, offset=2).candidates
    assert page2[0] == everything.candidates[2]
    assert index.codes("theme") == ["1.3", "1.4", "1.6"]


def test_a_code_of_another_kind_is_an_empty_page_not_an_error(index: CandidateIndex) -> None:
    """The API documents one list of codes for every kind (a parameter cannot depend on another):
    a real code with no candidates of the kind asked for matches nothing; an unknown one is 422."""
    assert "1.4" not in index.codes("question")
    page = index.query("question", sector="1.4")
    assert page.total == 0 and page.candidates == ()
    assert index.query("theme", sector="1.4").total > 0


@pytest.mark.parametrize(
    ("args", "name"),
    [
        ({"kind": "nope"}, "kind"),
        ({"kind": "question", "sector": "ITU-X"}, "sector"),
        ({"kind": "question", "min_score": 2.0}, "min_score"),
        ({"kind": "question", "limit": 0}, "limit"),
    ],
)
def test_index_rejects_bad_parameters(index: CandidateIndex, args: dict, name: str) -> None:
    with pytest.raises(ParameterError) as info:
        index.query(**args)
    assert info.value.name == name


# -- the real data ---------------------------------------------------------------------------------


def _real_index(built_store: Path) -> CandidateIndex:
    assert (built_store / CANDIDATES_FILE).is_file(), "the build writes candidates.json"
    return CandidateIndex.load(built_store)


def _itu_d_questions(real_store: EmbeddedStore, number: str) -> list[str]:
    corpus = load_corpus(real_store)
    return [it.iri for it in corpus.of("question") if it.sector_code == "ITU-D" and it.notation == number]


@pytest.mark.slow
def test_real_cybersecurity_question_finds_itu_t_sg17(built_store: Path, real_store: EmbeddedStore) -> None:
    index = _real_index(built_store)
    questions = _itu_d_questions(real_store, "Q3/2")
    assert questions, "the real data has ITU-D Q3/2"
    for q in questions:
        top = index.query("question", item=q, limit=10).candidates   # new (unrecorded) pairs only
        sg17 = [c for c in top if "/sg17" in c.right.get("group", "") or c.right["iri"].endswith("-17")]
        assert sg17, f"no ITU-T SG17 Question among the top 10 for {q}: {[c.right['label'] for c in top]}"


@pytest.mark.slow
def test_real_emf_question_finds_itu_t_sg5(built_store: Path, real_store: EmbeddedStore) -> None:
    index = _real_index(built_store)
    questions = _itu_d_questions(real_store, "Q7/2")
    assert questions, "the real data has ITU-D Q7/2"
    for q in questions:
        # Q7/2 is recorded with ITU-T SG5 (and Q3/5) in earlier periods: the other periods' versions
        # of those pairs are carry-overs, listed with the recorded pairs, not as new candidates
        top = index.query("question", item=q, limit=10, include_recorded=True).candidates
        sg5 = [
            c
            for c in top
            if "/sg5" in c.right.get("group", "")
            or c.right["iri"].endswith("/sg5")
            or c.right["iri"].endswith("-5")
        ]
        assert sg5, f"no ITU-T SG5 item among the top 10 for {q}: {[c.right['label'] for c in top]}"


def test_fold_takes_the_ascii_shortcut_without_changing_a_character() -> None:
    """ASCII text is only lower-cased: the same as decomposing it and dropping combining marks."""
    import unicodedata

    from iscg_graph.overlap.text import fold

    every = "".join(chr(i) for i in range(128))
    decomposed = unicodedata.normalize("NFKD", every)
    assert fold(every) == "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    assert fold("Télécommunications ÉTÉ") == "telecommunications ete"
