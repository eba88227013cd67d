"""The batched parts of the candidate precompute equal the per-pair code they replaced:
`pair_scores.score_pairs` / `row_sums` (the recorded and carried-over pairs' own scores) against
`score_pair` / `row_product`, and the lineage-pair checks `assemble` makes before calling
`Coverage.mapped` / `Coverage.covering` against those calls."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from iscg_graph.overlap import pair_scores
from iscg_graph.overlap.corpus import Corpus, Recorded, load_corpus
from iscg_graph.overlap.features import build_spaces
from iscg_graph.overlap.lineage import Coverage, build_lineages
from iscg_graph.overlap.weights import KINDS, Weights
from iscg_graph.rdf.store import EmbeddedStore
from tests.unit.test_lineage import mini_store


def _coverage(corpus: Corpus) -> Coverage:
    recorded: dict[frozenset[str], list[Recorded]] = {}
    for rec in corpus.recorded:
        recorded.setdefault(rec.pair, []).append(rec)
    return Coverage(corpus, build_lineages(corpus.items), recorded)


def _shuffle_rows(m: sparse.csr_matrix, rng: np.random.Generator) -> None:
    for r in range(m.shape[0]):
        lo, hi = m.indptr[r], m.indptr[r + 1]
        perm = rng.permutation(hi - lo)
        m.indices[lo:hi], m.data[lo:hi] = m.indices[lo:hi][perm], m.data[lo:hi][perm]


@pytest.mark.parametrize("seed", range(8))
def test_row_sums_equal_the_sum_of_row_product(seed: int) -> None:
    """Bit for bit, also where a pair shares 8 columns or more (numpy sums those pairwise, not left
    to right: summing them otherwise changes last bits), with unsorted column indices."""
    rng = np.random.default_rng(seed)
    density = [0.05, 0.3, 0.6, 0.9][seed % 4]
    scale = rng.choice([1e-3, 1.0, 1e3], size=1)[0]
    a = sparse.random(40, 60, density=density, format="csr", random_state=rng) * scale
    b = sparse.random(35, 60, density=density, format="csr", random_state=rng)
    a, b = sparse.csr_matrix(a), sparse.csr_matrix(b)
    if seed % 2:
        _shuffle_rows(a, rng)
        _shuffle_rows(b, rng)
    ia = rng.integers(0, a.shape[0], size=500)
    ib = rng.integers(0, b.shape[0], size=500)
    got = pair_scores.row_sums(a, ia, b, ib)
    want = [pair_scores.row_product(a, int(i), b, int(j))[1].sum() for i, j in zip(ia, ib, strict=True)]
    assert got.tolist() == [float(x) for x in want]
    lengths = {len(pair_scores.row_product(a, int(i), b, int(j))[0]) for i, j in zip(ia, ib, strict=True)}
    assert 0 in lengths or density > 0.5
    if density >= 0.3:
        assert max(lengths) >= 8


def _every_pair(corpus: Corpus) -> list:
    items = sorted(corpus.items.values(), key=lambda it: it.iri)
    return [(x, y) for x in items for y in items if x.iri != y.iri]


def _assert_scores_equal(store: EmbeddedStore) -> int:
    corpus = load_corpus(store)
    weights = Weights()
    spaces, *_ = build_spaces(corpus, weights, _coverage(corpus))
    pairs = _every_pair(corpus)
    scored = 0
    for kind in KINDS:
        got = pair_scores.score_pairs(kind, spaces[kind], weights, pairs)
        want = [pair_scores.score_pair(kind, spaces[kind], weights, x, y) for x, y in pairs]
        assert got == want
        scored += sum(1 for g in got if g is not None and g["score"] > 0)
    return scored


@pytest.mark.parametrize("continued", [True, False])
def test_score_pairs_equal_score_pair(continued: bool) -> None:
    assert _assert_scores_equal(mini_store(continued=continued)) > 0


def test_score_pairs_of_nothing() -> None:
    corpus = load_corpus(mini_store())
    weights = Weights()
    spaces, *_ = build_spaces(corpus, weights, _coverage(corpus))
    assert pair_scores.score_pairs("question", spaces["question"], weights, []) == []


@pytest.mark.slow
def test_real_data_score_pairs_equal_score_pair(real_store: EmbeddedStore) -> None:
    corpus = load_corpus(real_store)
    weights = Weights()
    spaces, *_ = build_spaces(corpus, weights, _coverage(corpus))
    for kind in KINDS:
        space = spaces[kind]
        rng = np.random.default_rng(5)
        left = [space.left[i] for i in rng.integers(0, len(space.left), size=300)] if space.left else []
        right = [space.right[i] for i in rng.integers(0, len(space.right), size=300)] if space.right else []
        pairs = list(zip(left, right, strict=True))
        got = pair_scores.score_pairs(kind, space, weights, pairs)
        assert got == [pair_scores.score_pair(kind, space, weights, x, y) for x, y in pairs]


@pytest.mark.parametrize("continued", [True, False])
def test_lineage_pairs_without_records_have_no_mapping_and_no_covering(continued: bool) -> None:
    corpus = load_corpus(mini_store(continued=continued))
    coverage = _coverage(corpus)
    lineage = coverage.lineages.lineage
    maps, covered = coverage.mapped_pairs(), coverage.covered_pairs()
    assert covered
    found = 0
    for x, y in _every_pair(corpus):
        lx, ly = lineage(x.iri), lineage(y.iri)
        if (lx, ly) not in maps:
            assert coverage.mapped(x, y) == (0.0, [])
        if frozenset((lx, ly)) not in covered:
            assert coverage.covering(x.iri, y.iri) == []
        found += bool(coverage.mapped(x, y)[1]) + bool(coverage.covering(x.iri, y.iri))
    assert found > 0 or not continued
