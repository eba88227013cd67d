"""The vectorised top k of `pair_scores.score_kind` keeps exactly the pairs, scores, components and
period factors of the dense per-block loop it replaced (kept below as the reference), on random
matrices with many ties, asymmetric sides, several partitions, missing study periods."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from iscg_graph.overlap import pair_scores, topk
from iscg_graph.overlap.corpus import Item
from iscg_graph.overlap.features import Space
from iscg_graph.overlap.weights import Weights, lifted


def reference(kind: str, space: Space, weights: Weights, block: int = 128) -> dict:
    """The loop as it was: dense blocks, argpartition, a Python loop over the kept pairs."""
    w = weights.of(kind)
    a, b = space.left, space.right
    if not a or not b:
        return {}
    names = list(w)
    mapped = None
    if kind == "question" and weights.mapped > 0 and "mapped" in space.features:
        mapped = (space.features["mapped"][0], space.features["mapped"][1].T.tocsc())
    mats = [(space.features[n][0], space.features[n][1].T.tocsc()) for n in names]
    part_codes: dict[str, int] = {}
    pa = np.array([part_codes.setdefault(it.partition, len(part_codes)) for it in a])
    pb = np.array([part_codes.setdefault(it.partition, len(part_codes)) for it in b])
    period = pair_scores.period_factor(a, b, weights.disjoint_periods) if kind == "question" else None
    k = min(weights.top_k, len(b))
    kept: dict[tuple[str, str], dict] = {}
    for start in range(0, len(a), block):
        rows = slice(start, min(start + block, len(a)))
        comps = [np.minimum(np.asarray((ma[rows] @ mbt).todense()), 1.0) for ma, mbt in mats]
        total = sum(w[n] * c for n, c in zip(names, comps, strict=True))
        assert isinstance(total, np.ndarray)
        if mapped is not None:
            comps.append(np.minimum(np.asarray((mapped[0][rows] @ mapped[1]).todense()), 1.0))
            total = lifted(total, comps[-1], weights.mapped)
        total[pa[rows, None] == pb[None, :]] = 0.0
        factor = period(rows) if period is not None else None
        if factor is not None:
            total *= factor
        top = np.argpartition(-total, k - 1, axis=1)[:, :k]
        for r in range(total.shape[0]):
            for c in top[r]:
                score = float(total[r, c])
                if score < weights.min_score or pa[start + r] == pb[c]:
                    continue
                left, right = pair_scores.orient(kind, a[start + r], b[c])
                key = (left.iri, right.iri)
                if key in kept:
                    continue
                kept[key] = {
                    "score": score,
                    "components": {
                        n: float(comps[i][r, c]) for i, n in enumerate(names + (["mapped"] if mapped else []))
                    },
                    "period_factor": 1.0 if factor is None else float(factor[r, c]),
                }
    return kept


def _matrix(rng: np.random.Generator, rows: int, cols: int, density: float) -> sparse.csr_matrix:
    """Few distinct values (quarters), so many products and scores tie exactly."""
    m = sparse.random(rows, cols, density=density, format="csr", random_state=rng, dtype=np.float64)
    m.data = np.ceil(m.data * 4) / 4
    return m


def _items(rng: np.random.Generator, n: int, cls: str, prefix: str, sectors: list[str]) -> list[Item]:
    out = []
    for i in range(n):
        sector = sectors[int(rng.integers(len(sectors)))]
        start = None if rng.random() < 0.2 else int(rng.choice([2017, 2022, 2025]))
        out.append(
            Item(
                f"https://example.org/{prefix}{int(rng.integers(10**6)):06d}-{i}",
                cls,
                sector=f"https://example.org/sector/{sector}",
                sector_code=sector,
                start=start,
                end=None if start is None or rng.random() < 0.1 else start + 3,
            )
        )
    return out


def question_space(rng: np.random.Generator, nq: int, ng: int, density: float) -> Space:
    sectors = ["ITU-D", "ITU-R", "ITU-T"]
    qs = _items(rng, nq, "question", "q", sectors)
    gs = _items(rng, ng, "study-group", "g", sectors)
    features = {}
    for name, cols in (("lexical", 30), ("themes", 8), ("resolutions", 6), ("mapped", 5)):
        # the two sides drawn independently: score(x, y) from x's row differs from y's row
        features[name] = (_matrix(rng, nq, cols, density), _matrix(rng, nq + ng, cols, density))
    return Space(qs, qs + gs, features)


def square_space(rng: np.random.Generator, n: int, names: list[str], density: float) -> Space:
    items = _items(rng, n, "resolution", "r", ["GS", "ITU-D", "ITU-R", "ITU-T"])
    features = {}
    for name in names:
        m = _matrix(rng, n, 12, density)
        features[name] = (m, m)
    return Space(items, items, features)


def assert_same(got: dict, want: dict) -> None:
    assert set(got) == set(want)
    for key, value in want.items():
        assert got[key] == value, key  # exactly: same floating-point operations


@pytest.fixture(params=["dense", "sparse", "either"])
def path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both ways of scoring a block: always dense, always sparse, or chosen by the block's density."""
    threshold = {"dense": 0.0, "sparse": 2.0, "either": topk.DENSE_FROM}[request.param]
    monkeypatch.setattr(topk, "DENSE_FROM", threshold)
    # few chunks: a row's floor is well below its k-th value, many entries are ranked
    monkeypatch.setattr(topk, "CHUNKS", 5 if request.param == "either" else topk.CHUNKS)
    return str(request.param)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("min_score", [0.05, 0.3, 0.0])
@pytest.mark.parametrize("top_k", [1, 3, 10])
def test_question_top_k_equals_the_dense_loop(seed: int, min_score: float, top_k: int, path: str) -> None:
    rng = np.random.default_rng(seed)
    space = question_space(rng, 45, 12, density=0.25 if seed % 2 else 0.08)
    weights = Weights(top_k=top_k, min_score=min_score)
    block = (7, 16, 128)[seed % 3]
    want = reference("question", space, weights, block=block)
    assert want  # the case is not empty
    assert_same(pair_scores.score_kind("question", space, weights, block=block), want)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("min_score", [0.05, 0.0])
def test_square_kinds_equal_the_dense_loop(seed: int, min_score: float, path: str) -> None:
    rng = np.random.default_rng(100 + seed)
    weights = Weights(top_k=4, min_score=min_score)
    for kind, names in (
        ("resolution", ["lexical", "themes", "items"]),
        ("theme", ["lexical", "cooccurrence", "bodies"]),
    ):
        space = square_space(rng, 40, names, density=0.2)
        want = reference(kind, space, weights, block=9)
        assert want
        assert_same(pair_scores.score_kind(kind, space, weights, block=9), want)


def test_ties_at_the_k_th_value_are_cut_as_argpartition_cuts_them(path: str) -> None:
    """One left row, every right item scoring the same: which k are kept is argpartition's choice."""
    rng = np.random.default_rng(3)
    space = question_space(rng, 1, 30, density=0.0)
    ones = sparse.csr_matrix(np.ones((1, 1)))
    space.features["lexical"] = (ones, sparse.csr_matrix(np.ones((31, 1))))
    for it in space.right:
        it.start = it.end = None
    weights = Weights(top_k=5)
    want = reference("question", space, weights)
    assert 0 < len(want) <= 5
    assert_same(pair_scores.score_kind("question", space, weights), want)


@pytest.mark.parametrize("min_score", [0.05, 0.0])
def test_fewer_items_on_the_right_than_k(min_score: float, path: str) -> None:
    """Every right item is in every row's top k; with min_score 0 the zero scores are kept too."""
    rng = np.random.default_rng(11)
    space = question_space(rng, 20, 2, density=0.2)
    space.right = space.right[:6]
    space.features = {n: (m[0], m[1][:6]) for n, m in space.features.items()}
    weights = Weights(top_k=10, min_score=min_score)
    want = reference("question", space, weights, block=8)
    assert want
    assert_same(pair_scores.score_kind("question", space, weights, block=8), want)


def test_first_occurrence_wins_and_pairs_are_oriented() -> None:
    """A pair found from both of its items' rows keeps the values of the earlier row."""
    kept = topk.Kept(
        rows=np.array([0, 1, 1]),
        cols=np.array([1, 0, 2]),
        score=np.array([0.5, 0.7, 0.2]),
        comps=np.zeros((3, 1)),
        factor=np.ones(3),
    )
    rank = np.array([2, 0, 1])  # item 1 sorts first, then item 2, then item 0
    out, swap = topk.orient_and_dedupe(kept, rank, rank)
    assert out.score.tolist() == [0.5, 0.2]  # (0, 1) from row 0, not its repeat from row 1
    assert swap.tolist() == [True, False]


def test_entries_at_or_above_the_floor_equal_nonzero_of_the_whole_block() -> None:
    """`topk._at_or_above` reads only the chunks whose maximum reaches the floor: the same entries in
    the same order as np.nonzero over the whole block, through both of its paths."""
    rng = np.random.default_rng(5)
    gathered = whole = 0
    for _ in range(200):
        n, width = int(rng.integers(1, 16)), int(rng.integers(1, 1500))
        density = float(rng.choice([0.005, 0.2, 1.0]))
        total = np.floor(rng.random((n, width)) * float(rng.choice([4, 40, 1000]))) / 4
        total *= rng.random((n, width)) < density
        k = int(min(width, rng.integers(1, 12)))
        chunks = min(width, max(k, topk.CHUNKS))
        bounds = np.linspace(0, width, chunks + 1).astype(np.int64)[:-1]
        maxima = np.maximum.reduceat(total, bounds, axis=1)
        floor = np.partition(maxima, chunks - k, axis=1)[:, chunks - k]
        r, c = np.nonzero(total >= floor[:, None])
        got = topk._at_or_above(total, floor, maxima, bounds)
        assert got[0].tolist() == r.tolist() and got[1].tolist() == c.tolist()
        assert got[2].tolist() == total[r, c].tolist()
        read = int((np.repeat(maxima >= floor[:, None], np.diff(np.append(bounds, width)), axis=1)).sum())
        if 2 * read > n * width:
            whole += 1
        else:
            gathered += 1
    assert gathered > 20 and whole > 20
