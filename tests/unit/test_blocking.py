"""Candidate blocking (`iscg_graph.overlap.blocking`) keeps exactly the candidates of scoring every
pair: random feature sets with many exact ties (quarter values), ties at the floor, items with no
feature at all, several Sectors, missing study periods, tiny chunks; and a blocking that forgets one
family of features is caught."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
from scipy import sparse

from iscg_graph.overlap import blocking, pair_scores, topk
from iscg_graph.overlap.corpus import Item
from iscg_graph.overlap.features import Space
from iscg_graph.overlap.weights import Weights

QUESTION_FAMILIES = (("lexical", 40), ("themes", 9), ("resolutions", 6), ("mapped", 4))


def _matrix(
    rng: np.random.Generator, rows: int, cols: int, density: float, empty: np.ndarray
) -> sparse.csr_matrix:
    """Quarter values (many exact ties); the rows in ``empty`` have no feature at all."""
    m = sparse.random(rows, cols, density=density, format="lil", random_state=rng, dtype=np.float64)
    for r in np.flatnonzero(empty).tolist():
        m.rows[r], m.data[r] = [], []
    out = sparse.csr_matrix(m)
    out.data = np.ceil(out.data * 4) / 4
    return out


def _items(rng: np.random.Generator, n: int, cls: str, sectors: list[str]) -> list[Item]:
    out = []
    for i in range(n):
        sector = sectors[int(rng.integers(len(sectors)))]
        start = None if rng.random() < 0.2 else int(rng.choice([2017, 2022, 2025]))
        out.append(
            Item(
                f"https://example.org/{cls}/{int(rng.integers(10**6)):06d}-{i}",
                cls,
                sector=f"https://example.org/sector/{sector}",
                sector_code=sector,
                start=start,
                end=None if start is None or rng.random() < 0.1 else start + 3,
            )
        )
    return out


def question_space(rng: np.random.Generator, nq: int, ng: int, density: float) -> Space:
    qs = _items(rng, nq, "question", ["ITU-D", "ITU-R", "ITU-T"])
    gs = _items(rng, ng, "study-group", ["ITU-D", "ITU-R", "ITU-T"])
    empty_a, empty_b = rng.random(nq) < 0.15, rng.random(nq + ng) < 0.15
    features = {
        name: (_matrix(rng, nq, cols, density, empty_a), _matrix(rng, nq + ng, cols, density, empty_b))
        for name, cols in QUESTION_FAMILIES
    }
    return Space(qs, qs + gs, features)


def square_space(rng: np.random.Generator, n: int, names: list[str], density: float) -> Space:
    items = _items(rng, n, "resolution", ["GS", "ITU-D", "ITU-R", "ITU-T"])
    empty = rng.random(n) < 0.15
    features = {}
    for name in names:
        m = _matrix(rng, n, 10, density, empty)
        features[name] = (m, m)
    return Space(items, items, features)


def scored(
    kind: str, space: Space, weights: Weights, *, path: str, block: int = 16, threads: int = 1
) -> dict:
    """`pair_scores.score_kind` through one path: "every pair" (the unblocked loop), or blocked with
    "sparse" products (only the pairs sharing a feature) or "dense" ones (the lexical product dense
    over the other Sectors' items; ``threads``: its chunks in that many)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(topk, "DENSE_FROM", 2.0 if path == "sparse" else 0.0)  # never / always a dense kind
        calls: list[str] = []
        for name in ("score_blocked", "score_dense"):
            real = getattr(blocking, name)
            mp.setattr(blocking, name, lambda *a, _r=real, _n=name, **k: calls.append(_n) or _r(*a, **k))
        out = pair_scores.score_kind(kind, space, weights, block=block, blocked=path != "every pair",
                                     threads=threads)
    want = {"every pair": set(), "sparse": {"score_blocked"}, "dense": {"score_dense"}}[path]
    assert set(calls) == want  # the path asked for is the path taken
    return out


def at_the_floor(kind: str, space: Space, top_k: int) -> float:
    """A score some pair really has (the median kept one), used as the floor: ties at the floor."""
    kept = scored(kind, space, Weights(top_k=top_k, min_score=1e-9), path="every pair")
    scores = sorted(v["score"] for v in kept.values())
    return float(scores[len(scores) // 2])


def assert_same(got: dict, want: dict) -> None:
    assert set(got) == set(want)
    for key, value in want.items():
        assert got[key] == value, key  # exactly: the same floating-point operations


@pytest.mark.parametrize("path", ["sparse", "dense", "dense in 3 threads"])
@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("top_k", [1, 4, 10])
def test_blocked_questions_equal_every_pair_scored(
    seed: int, top_k: int, path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = np.random.default_rng(seed)
    space = question_space(rng, 50, 14, density=(0.03, 0.08, 0.2)[seed % 3])
    floor = at_the_floor("question", space, top_k)
    weights = Weights(top_k=top_k, min_score=floor)
    want = scored("question", space, weights, path="every pair")
    assert want and any(v["score"] == floor for v in want.values())  # a tie at the floor is kept
    # tiny chunks (one row each at budget 1 / 8 bytes) and tied rows made dense a few at a time
    monkeypatch.setattr(blocking, "TIED_ROWS", 1 + seed % 3)
    monkeypatch.setattr(blocking, "BUDGET", (1, 50, 10**6)[seed % 3])
    monkeypatch.setattr(blocking, "DENSE_BYTES", (8, 8 * 60 * 5, 2**20)[seed % 3])
    threads = 3 if path.endswith("threads") else 1
    assert_same(scored("question", space, weights, path=path.split()[0], threads=threads), want)


def test_a_dense_kind_scored_in_threads_keeps_the_same_entries_in_the_same_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`blocking.score_dense` in several threads: its chunks really run in more than one, and the
    kept entries are those of one thread, array for array (the index is written from their order)."""
    rng = np.random.default_rng(11)
    space = question_space(rng, 120, 30, density=0.08)
    weights = Weights(top_k=4, min_score=at_the_floor("question", space, 4))
    monkeypatch.setattr(blocking, "DENSE_BYTES", 8 * 150 * 4)  # four rows a chunk: many chunks a side
    monkeypatch.setattr(topk, "DENSE_FROM", 0.0)
    ran_in: set[int] = set()
    real = blocking._DenseSide.chunk

    def chunk(self, sl, buffer, lexical):  # type: ignore[no-untyped-def]
        ran_in.add(threading.get_ident())
        time.sleep(0.001)  # each thread takes its own run, not one thread all of them
        return real(self, sl, buffer, lexical)

    monkeypatch.setattr(blocking._DenseSide, "chunk", chunk)
    one = pair_scores.score_kind_arrays("question", space, weights, threads=1)
    assert len(ran_in) == 1
    ran_in.clear()
    three = pair_scores.score_kind_arrays("question", space, weights, threads=3)
    assert len(ran_in) > 1
    assert len(one[0].rows)
    for field in ("rows", "cols", "score", "comps", "factor"):
        assert np.array_equal(getattr(one[0], field), getattr(three[0], field)), field
    assert np.array_equal(one[1], three[1]) and one[2] == three[2]
    with pytest.raises(ValueError, match="threads"):
        pair_scores.score_kind_arrays("question", space, weights, threads=0)


@pytest.mark.parametrize("path", ["sparse", "dense"])
@pytest.mark.parametrize("seed", range(6))
def test_blocked_square_kinds_equal_every_pair_scored(seed: int, path: str) -> None:
    rng = np.random.default_rng(50 + seed)
    for kind, names in (
        ("resolution", ["lexical", "themes", "items"]),
        ("theme", ["lexical", "cooccurrence", "bodies"]),
    ):
        space = square_space(rng, 45, names, density=0.12)
        weights = Weights(top_k=3, min_score=at_the_floor(kind, space, 3))
        want = scored(kind, space, weights, path="every pair", block=9)
        assert want
        assert_same(scored(kind, space, weights, path=path, block=9), want)


@pytest.mark.parametrize("path", ["sparse", "dense"])
def test_a_row_of_ties_is_cut_as_argpartition_cuts_it(path: str) -> None:
    """Every right item scoring the same for one left row: which k stay is argpartition's choice
    over the whole row, zeros of the other items and of the own Sector included."""
    rng = np.random.default_rng(3)
    space = question_space(rng, 1, 40, density=0.0)
    lexical = np.ones((41, 1))
    lexical[::4] = 0  # some right items share nothing
    space.features["lexical"] = (sparse.csr_matrix(np.ones((1, 1))), sparse.csr_matrix(lexical))
    for it in space.right:
        it.start = it.end = None
    weights = Weights(top_k=5)
    want = scored("question", space, weights, path="every pair")
    assert len(want) == 5
    assert_same(scored("question", space, weights, path=path), want)


@pytest.mark.parametrize("dropped", [name for name, _ in QUESTION_FAMILIES])
def test_a_blocking_without_one_family_is_caught(dropped: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The comparison above can fail: candidate pairs generated from every family but one (the
    pairs sharing only a feature of that family are never scored) differ from every pair scored."""
    index = [name for name, _ in QUESTION_FAMILIES].index(dropped)
    real = topk.block_scores

    def without_one(products, weights_of, width, *, mapped=None, mapped_weight=0.0):  # type: ignore[no-untyped-def]
        keys, comps, total = real(products, weights_of, width, mapped=mapped, mapped_weight=mapped_weight)
        every = list(products) + ([mapped] if mapped is not None else [])
        others = [topk._keys(sparse.csr_matrix(p), width)[0] for i, p in enumerate(every) if i != index]
        keep = np.isin(keys, np.concatenate(others)) if others else np.zeros(len(keys), dtype=bool)
        return keys[keep], comps[keep], total[keep]

    differ = 0
    for seed in range(6):
        rng = np.random.default_rng(seed)
        space = question_space(rng, 50, 14, density=0.05)
        weights = Weights(top_k=10, min_score=0.01)
        want = scored("question", space, weights, path="every pair")
        with monkeypatch.context() as mp:
            mp.setattr(topk, "block_scores", without_one)
            got = scored("question", space, weights, path="sparse")
        differ += got != want
    assert differ


def test_row_chunks_stay_under_the_budget_and_cover_every_row_in_order() -> None:
    rng = np.random.default_rng(0)
    est = rng.integers(0, 40, 200)
    est[17] = 500  # over the budget alone: a chunk of its own
    chunks = blocking.row_chunks(est, 100)
    assert [i for c in chunks for i in range(c.start, c.stop)] == list(range(200))
    for c in chunks:
        assert est[c].sum() <= 100 or c.stop - c.start == 1
    assert blocking.row_chunks(np.zeros(0, dtype=np.int64), 100) == []


def test_the_estimate_bounds_each_row_s_product_entries() -> None:
    rng = np.random.default_rng(1)
    empty_a, empty_b = np.zeros(30, dtype=bool), np.zeros(25, dtype=bool)
    lefts = [_matrix(rng, 30, c, 0.2, empty_a) for c in (12, 5)]
    rights = [_matrix(rng, 25, c, 0.2, empty_b) for c in (12, 5)]
    est = blocking._estimate(lefts, rights)
    entries = sum(np.diff((a @ b.T).tocsr().indptr) for a, b in zip(lefts, rights, strict=True))
    assert (entries <= est).all() and entries.sum() > 0


def test_pairs_of_one_sector_are_never_multiplied() -> None:
    pa, pb = np.array([0, 1, 0, 2]), np.array([1, 1, 0, 2, 0])
    got = [(r.tolist(), c.tolist()) for r, c in blocking.partition_columns(pa, pb)]
    assert got == [([0, 2], [0, 1, 3]), ([1], [2, 3, 4]), ([3], [0, 1, 2, 4])]


def test_blocking_refuses_a_floor_of_zero() -> None:
    """With min_score 0 pairs sharing nothing are kept too: only the every-pair loop is exact."""
    rng = np.random.default_rng(2)
    space = question_space(rng, 5, 3, density=0.3)
    pairs = topk.Pairs(np.zeros(5, dtype=np.int64), np.ones(8, dtype=np.int64))
    with pytest.raises(ValueError, match="positive min_score"):
        blocking.score_blocked([space.features["lexical"]], [1.0], 3, 0.0, pairs)
    assert scored("question", space, Weights(min_score=0.0), path="every pair")
    with pytest.raises(ValueError, match="positive min_score"):
        blocking.score_dense([space.features["lexical"]], [1.0], 3, 0.0, pairs)


def test_a_dense_kind_is_dense_if_the_other_sectors_fit(monkeypatch: pytest.MonkeyPatch) -> None:
    """The dense side's size limit counts the other Sectors' items only (what `score_dense` makes
    dense), not every right item."""
    rng = np.random.default_rng(4)
    space = question_space(rng, 30, 10, density=0.2)
    weights = Weights(top_k=3)
    want = scored("question", space, weights, path="every pair")
    codes: dict[str, int] = {}
    pa = np.array([codes.setdefault(it.partition, len(codes)) for it in space.left])
    pb = np.array([codes.setdefault(it.partition, len(codes)) for it in space.right])
    widest = max(len(c) for _, c in blocking.partition_columns(pa, pb))
    assert widest < len(space.right)
    for limit, path in ((widest, "dense"), (widest - 1, "sparse")):
        monkeypatch.setattr(topk, "DENSE_MAX_BYTES", QUESTION_FAMILIES[0][1] * limit * 8)
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(topk, "DENSE_FROM", 0.0)  # dense enough: only the size decides
            taken: list[str] = []
            for name in ("score_blocked", "score_dense"):
                real = getattr(blocking, name)
                mp.setattr(
                    blocking, name, lambda *a, _r=real, _n=name, _t=taken, **k: _t.append(_n) or _r(*a, **k)
                )
            assert_same(pair_scores.score_kind("question", space, weights), want)
        assert taken == [{"dense": "score_dense", "sparse": "score_blocked"}[path]]
