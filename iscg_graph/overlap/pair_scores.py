"""The scores of one kind's candidate pairs: every item's top pairs, and one given pair's score.

`score_kind` scores every left item of a kind's `Space` against the right items of the other
partitions and keeps each item's ``top_k`` pairs at or above ``min_score``: per Sector pair, only
the pairs sharing a feature when the products are sparse (`iscg_graph.overlap.blocking`), or every
pair in blocks of rows (`score_kind`'s loop), the top k and the orientation vectorised
(`iscg_graph.overlap.topk`). `score_pair` gives the same score to one pair the top k left out (a
recorded pair), `score_pairs` to many at once (the precompute's recorded and carried-over pairs).
The weights and the study-period factor are those of `iscg_graph.overlap.scoring`'s docstring;
the evidence and the document around the scores are `scoring.build_candidates`'s.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy import sparse

from . import blocking, topk
from .corpus import Item
from .features import Space
from .weights import Weights, lifted

__all__ = ["component_names", "orient", "pair_factor", "period_factor", "row_product", "row_sums",
           "score_kind", "score_kind_arrays", "score_pair", "score_pairs"]



def period_factor(a: list[Item], b: list[Item], penalty: float) -> Callable[[slice], np.ndarray]:
    def arr(side: list[Item], attr: str) -> np.ndarray:
        return np.array([np.nan if getattr(it, attr) is None else float(getattr(it, attr)) for it in side])

    sa, ea, sb, eb = arr(a, "start"), arr(a, "end"), arr(b, "start"), arr(b, "end")

    def factor(rows: slice) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            disjoint = (sa[rows, None] > eb[None, :]) | (sb[None, :] > ea[rows, None])
        return np.where(disjoint, penalty, 1.0)

    return factor


def pair_factor(x: Item, y: Item, penalty: float) -> float:
    """`period_factor` of one pair without arrays: an unknown year (NaN there) is never disjoint."""
    after = x.start is not None and y.end is not None and float(x.start) > float(y.end)
    before = y.start is not None and x.end is not None and float(y.start) > float(x.end)
    return float(penalty) if after or before else 1.0


def orient(kind: str, x: Item, y: Item) -> tuple[Item, Item]:
    """One orientation per pair: a Question before a study group, else by Sector/scheme then IRI."""
    if kind == "question" and x.cls != y.cls:
        return (x, y) if x.cls == "question" else (y, x)
    kx = (x.scheme_code or x.sector_code, x.iri)
    ky = (y.scheme_code or y.sector_code, y.iri)
    return (x, y) if kx <= ky else (y, x)


def score_kind(
    kind: str, space: Space, weights: Weights, block: int = 128, *, blocked: bool = True, threads: int = 1
) -> dict[tuple[str, str], dict]:
    """The top ``weights.top_k`` pairs of every left item scoring at least ``weights.min_score``,
    each unordered pair once (first found wins), oriented by `orient`: each Sector's rows against
    the other Sectors' items (`iscg_graph.overlap.blocking`; sparse kinds: only the pairs sharing a
    feature), top k and orientation vectorised (`iscg_graph.overlap.topk`). ``blocked=False`` (and
    ``min_score <= 0``): every left row against every right item, the reference of the tests;
    ``threads``: `score_kind_arrays`'."""
    kept, swap, comp_names = score_kind_arrays(kind, space, weights, block, blocked=blocked, threads=threads)
    # the orientation `orient` gives each pair, from the ranks orient_and_dedupe compared
    iris_a, iris_b = [it.iri for it in space.left], [it.iri for it in space.right]
    out: dict[tuple[str, str], dict] = {}
    for r, c, sw, score, cs, f in zip(
        kept.rows.tolist(),
        kept.cols.tolist(),
        swap.tolist(),
        kept.score.tolist(),
        kept.comps.tolist(),
        kept.factor.tolist(),
        strict=True,
    ):
        key = (iris_b[c], iris_a[r]) if sw else (iris_a[r], iris_b[c])
        out[key] = {"score": score, "components": dict(zip(comp_names, cs, strict=True)), "period_factor": f}
    return out


def component_names(kind: str, space: Space, weights: Weights) -> list[str]:
    """The components of a kind's scores: its weights' families, then ``mapped`` (the lift) if any."""
    lift = kind == "question" and weights.mapped > 0 and "mapped" in space.features
    return list(weights.of(kind)) + (["mapped"] if lift else [])


def score_kind_arrays(
    kind: str, space: Space, weights: Weights, block: int = 128, *, blocked: bool = True, threads: int = 1
) -> tuple[topk.Kept, np.ndarray, list[str]]:
    """`score_kind`'s pairs as arrays: the kept entries (left row, right row, score, components
    in `component_names` order, period factor: 1.0 for kinds without periods), whether each is
    swapped (its right item goes left), and the component names. The precompute reads these
    without a dict per pair. ``threads``: how many a dense kind's chunks of rows run in
    (`blocking.score_dense`; the same entries whatever the number)."""
    w = weights.of(kind)
    a, b = space.left, space.right
    comp_names = component_names(kind, space, weights)
    if not a or not b:
        return topk.Kept.concat([], len(comp_names)), np.zeros(0, dtype=np.bool_), comp_names
    names = list(w)
    mapped = None
    if "mapped" in comp_names:
        mapped = (space.features["mapped"][0], space.features["mapped"][1].T.tocsc())
    mats = [(space.features[n][0], space.features[n][1].T.tocsc()) for n in names]
    part_codes: dict[str, int] = {}
    pa = np.array([part_codes.setdefault(it.partition, len(part_codes)) for it in a])
    pb = np.array([part_codes.setdefault(it.partition, len(part_codes)) for it in b])
    pairs = topk.Pairs(
        pa,
        pb,
        _period_arrays(a, b) if kind == "question" else None,
        weights.disjoint_periods,
    )
    k = min(weights.top_k, len(b))
    width = len(b)
    weights_of = [w[n] for n in names]
    if blocked and weights.min_score > 0:  # per Sector pair (exact: a pair sharing nothing scores 0)
        widest = max(len(c) for _, c in blocking.partition_columns(pa, pb))  # score_dense's dense side
        dense = _dense_enough(mats[0][0][:block] @ mats[0][1], mats[0][1], min(block, len(a)), width, widest)
        families = [space.features[n] for n in names]
        lift = space.features["mapped"] if mapped is not None else None
        if dense:
            kept_all = blocking.score_dense(
                families, weights_of, k, weights.min_score, pairs, mapped=lift, mapped_weight=weights.mapped,
                threads=threads,
            )
        else:
            kept_all = blocking.score_blocked(
                families, weights_of, k, weights.min_score, pairs, mapped=lift, mapped_weight=weights.mapped
            )
    else:
        kept_all = _score_loop(mats, mapped, weights_of, weights, block, k, width, pairs)
    kept, swap = topk.orient_and_dedupe(kept_all, *_ranks(kind, a, b))
    if pairs.periods is None:
        kept.factor = np.ones(len(kept.rows))
    return kept, swap, comp_names


def _score_loop(
    mats: list,
    mapped: tuple | None,
    weights_of: list[float],
    weights: Weights,
    block: int,
    k: int,
    width: int,
    pairs: topk.Pairs,
) -> topk.Kept:
    """Every left row against every right item in blocks of rows: the path of dense kinds (most
    pairs share a term) and of ``min_score <= 0`` (where pairs sharing nothing are kept too)."""
    n = mats[0][0].shape[0]
    parts: list[topk.Kept] = []
    dense: np.ndarray | None = None  # the right side's first feature, dense: a kind scored densely
    for start in range(0, n, block):
        rows = slice(start, min(start + block, n))
        products: list = [ma[rows] @ mbt for ma, mbt in mats[1:]]
        if dense is None:
            first = mats[0][0][rows] @ mats[0][1]
            if start == 0 and _dense_enough(first, mats[0][1], rows.stop - start, width):
                dense = mats[0][1].toarray()
        if dense is not None:  # the same sums in the same order as the sparse product (x + 0.0 = x)
            first = mats[0][0][rows] @ dense
        products.insert(0, first)
        mapped_product = (mapped[0][rows] @ mapped[1]) if mapped is not None else None
        if dense is not None:
            parts.append(
                topk.dense_select(
                    products,
                    weights_of,
                    start,
                    k,
                    weights.min_score,
                    pairs,
                    mapped=mapped_product,
                    mapped_weight=weights.mapped,
                )
            )
            continue
        keys, comps, total = topk.block_scores(
            products, weights_of, width, mapped=mapped_product, mapped_weight=weights.mapped
        )
        parts.append(
            topk.select(keys, total, comps, start, rows.stop - start, width, k, weights.min_score, pairs)
        )
    return topk.Kept.concat(parts, len(mats) + (mapped is not None))


def _dense_enough(
    first: sparse.spmatrix, right: sparse.spmatrix, rows: int, width: int, dense_width: int | None = None
) -> bool:
    """Score a kind densely when its first block's lexical product is dense enough (decided once
    per kind, so every block takes the same path) and the dense right side (``dense_width`` items:
    the other Sectors' when blocked) is not too large."""
    cells = right.shape[0] * (width if dense_width is None else dense_width)
    return bool(first.nnz >= topk.DENSE_FROM * rows * width and cells * 8 <= topk.DENSE_MAX_BYTES)


def _period_arrays(a: list[Item], b: list[Item]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Start and end years of each side (NaN: unknown), for `topk.Pairs` (see `period_factor`)."""

    def arr(side: list[Item], attr: str) -> np.ndarray:
        return np.array([np.nan if getattr(it, attr) is None else float(getattr(it, attr)) for it in side])

    return arr(a, "start"), arr(a, "end"), arr(b, "start"), arr(b, "end")


def _ranks(kind: str, a: list[Item], b: list[Item]) -> tuple[np.ndarray, ...]:
    """Each side's items' rank in `orient`'s order, and for Questions whether each is a Question."""
    every = {it.iri: it for it in a + b}
    order = sorted(every.values(), key=lambda it: (it.scheme_code or it.sector_code, it.iri))
    rank = {it.iri: i for i, it in enumerate(order)}
    ra = np.array([rank[it.iri] for it in a], dtype=np.int64)
    rb = np.array([rank[it.iri] for it in b], dtype=np.int64)
    if kind != "question":
        return ra, rb
    return ra, rb, np.array([it.cls == "question" for it in a]), np.array([it.cls == "question" for it in b])


def row_product(a: sparse.csr_matrix, i: int, b: sparse.csr_matrix, j: int) -> tuple[np.ndarray, np.ndarray]:
    """Columns two CSR rows share (ascending) and the products of their values, as
    ``np.intersect1d(..., return_indices=True)`` pairs them (short rows: a dict, not a sort)."""
    lo, hi = a.indptr[i], a.indptr[i + 1]
    ac = a.indices[lo:hi].tolist()
    blo, bhi = b.indptr[j], b.indptr[j + 1]
    at_b = {c: k for k, c in enumerate(b.indices[blo:bhi].tolist())}
    found = sorted((c, k, at_b[c]) for k, c in enumerate(ac) if c in at_b)
    if not found:
        return np.zeros(0, dtype=a.indices.dtype), np.zeros(0, dtype=np.result_type(a.data, b.data))
    common, ia, ib = (list(t) for t in zip(*found, strict=True))
    return np.array(common, dtype=a.indices.dtype), a.data[lo:hi][ia] * b.data[blo:bhi][ib]


def score_pair(kind: str, space: Space, weights: Weights, x: Item, y: Item) -> dict | None:
    """The detector's own score for one given pair (used for recorded pairs), or None if out of scope."""
    ia, ib = space.positions()
    if x.iri in ia and y.iri in ib:
        i, j = ia[x.iri], ib[y.iri]
    elif y.iri in ia and x.iri in ib:
        i, j = ia[y.iri], ib[x.iri]
    else:
        return None
    if space.left[i].partition == space.right[j].partition:
        return None
    w = weights.of(kind)
    comps = {
        n: min(1.0, float(row_product(space.features[n][0], i, space.features[n][1], j)[1].sum())) for n in w
    }
    factor = 1.0
    score = sum(w[n] * comps[n] for n in w)
    if kind == "question":
        factor = pair_factor(space.left[i], space.right[j], weights.disjoint_periods)
        if weights.mapped > 0:
            m = row_product(space.features["mapped"][0], i, space.features["mapped"][1], j)[1].sum()
            comps["mapped"] = min(1.0, float(m))
            score = lifted(score, comps["mapped"], weights.mapped)
    return {"score": factor * score, "components": comps, "period_factor": factor}


def score_pairs(
    kind: str, space: Space, weights: Weights, pairs: list[tuple[Item, Item]]
) -> list[dict | None]:
    """`score_pair` of every pair, the same values, with each family's shared products gathered for
    all pairs at once (`row_sums`) instead of one `row_product` per pair and family."""
    out: list[dict | None] = [None] * len(pairs)
    ia, ib = space.positions()
    rows_a: list[int] = []
    rows_b: list[int] = []
    where: list[int] = []
    for n, (x, y) in enumerate(pairs):
        if x.iri in ia and y.iri in ib:
            i, j = ia[x.iri], ib[y.iri]
        elif y.iri in ia and x.iri in ib:
            i, j = ia[y.iri], ib[x.iri]
        else:
            continue
        if space.left[i].partition == space.right[j].partition:
            continue
        rows_a.append(i)
        rows_b.append(j)
        where.append(n)
    if not where:
        return out
    ra, rb = np.array(rows_a, dtype=np.int64), np.array(rows_b, dtype=np.int64)
    w = weights.of(kind)
    lift = kind == "question" and weights.mapped > 0
    names = list(w) + (["mapped"] if lift else [])
    sums = {n: row_sums(space.features[n][0], ra, space.features[n][1], rb).tolist() for n in names}
    for t, n in enumerate(where):
        comps = {name: min(1.0, sums[name][t]) for name in w}
        factor = 1.0
        score = sum(w[name] * comps[name] for name in w)
        if kind == "question":
            factor = pair_factor(space.left[rows_a[t]], space.right[rows_b[t]], weights.disjoint_periods)
            if lift:
                comps["mapped"] = min(1.0, sums["mapped"][t])
                score = lifted(score, comps["mapped"], weights.mapped)
        out[n] = {"score": factor * score, "components": comps, "period_factor": factor}
    return out


def row_sums(a: sparse.csr_matrix, ia: np.ndarray, b: sparse.csr_matrix, ib: np.ndarray) -> np.ndarray:
    """``row_product(a, ia[t], b, ib[t])[1].sum()`` for every t: the products of the columns the two
    rows share, in ascending column order, summed as numpy sums an array of that length (the pairs
    with as many shared columns summed together, a row each: the same pairwise order)."""
    out = np.zeros(len(ia))
    la, lb = a.indptr[ia + 1] - a.indptr[ia], b.indptr[ib + 1] - b.indptr[ib]
    width = max(a.shape[1], b.shape[1], 1)

    def entries(m: sparse.csr_matrix, rows: np.ndarray, lens: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        pair = np.repeat(np.arange(len(rows), dtype=np.int64), lens)
        skip = m.indptr[rows] - (np.cumsum(lens) - lens)  # a pair's first entry minus its place
        pos = np.arange(int(lens.sum()), dtype=np.int64) + np.repeat(skip, lens)
        return pair * width + m.indices[pos].astype(np.int64), pos

    ka, pa = entries(a, ia, la)
    kb, pb = entries(b, ib, lb)
    common, xa, xb = np.intersect1d(ka, kb, assume_unique=True, return_indices=True)
    if not len(common):
        return out
    prod = a.data[pa[xa]] * b.data[pb[xb]]  # by pair, then ascending column (as row_product orders them)
    counts = np.bincount(common // width, minlength=len(ia))
    starts = np.cumsum(counts) - counts
    for length in np.unique(counts[counts > 0]).tolist():
        sel = np.flatnonzero(counts == length)
        out[sel] = prod[starts[sel, None] + np.arange(length)].sum(axis=1)
    return out
