"""Candidate blocking: score only the pairs that can be kept, one Sector pair at a time, in row
chunks of bounded size (`pair_scores.score_kind`'s paths when ``min_score`` is positive):
`score_blocked` for kinds whose products are sparse (only the pairs sharing a feature),
`score_dense` for dense ones (every pair of two different Sectors, most of which share a term).

Why it is exact. A pair's score is ``sum(weight × min(1, shared evidence of a family))``, lifted by
``mapped`` (itself shared evidence) and multiplied by the period factor: a pair that shares no
feature of any family (no term, theme, Resolution, item, body, mapped lineage) scores exactly 0,
below any positive floor (``min_score``), so it can never be kept. The pairs that share something
are the non-zero entries of the feature products ``A_f[rows] @ B_f.T`` (each product is an inverted
index lookup: feature -> items, restricted to pairs with a shared feature), one product per family;
their union is what gets scored, with the same floating-point operations as before (`topk.block_scores`:
scipy adds a row's terms in the order of the left row's features, whatever columns are present).

* **Sector pairs** (`partition_columns`): a left item is never paired with a right item of its own
  partition (Sector, scheme, conference's Sector), so each group of left rows is multiplied only by
  the right items of the other partitions: those entries are never computed, not computed and
  zeroed.
* **Bounded memory** (`row_chunks`): a chunk's rows are cut so that an upper bound of its product
  entries (the sum, over the row's features, of how many right items have the feature) stays under
  ``budget``; nothing of the size rows × all items is allocated, except for the few rows below.
* **Ties** (`select_rows`): a row with at most k entries at or above the floor keeps them; a row
  whose k-th value is not tied keeps its k largest; a row with a tie at a kept k-th value is made
  dense over every right item (zeros where nothing is shared, as before) and cut with
  ``np.argpartition``, so ties are cut exactly as the dense loop cut them (a few rows at a time).

Frequent features are not skipped: on the generated graphs one shared term alone lifts a pair to
about 0.12 (five-word titles), over the 0.05 floor, so no feature can be dropped from the index
exactly there; which of them could be dropped depends on the item's other terms (docs/notes/scale.md
§17).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext

import numpy as np
from scipy import sparse

from . import topk
from .products import Bands, product_into

__all__ = [
    "BUDGET",
    "DENSE_BYTES",
    "TIED_ROWS",
    "partition_columns",
    "row_chunks",
    "select_rows",
    "score_blocked",
    "score_dense",
]

BUDGET = 4_000_000
"""Upper bound of the product entries of one chunk (scored with about 60 bytes each: ~250 MB)."""
TIED_ROWS = 16
"""Rows with a tie at the k-th value made dense at once (each as wide as the right side)."""
DENSE_BYTES = 64 * 2**20
"""A dense kind's chunk of scores (rows x right items of the other partitions, float64) stays under
this (at most 128 rows, as before)."""


def partition_columns(pa: np.ndarray, pb: np.ndarray) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(left rows, right columns of every other partition) per left partition, in code order."""
    for p in np.unique(pa).tolist():
        yield np.flatnonzero(pa == p), np.flatnonzero(pb != p)


def row_chunks(estimate: np.ndarray, budget: int = BUDGET) -> list[slice]:
    """Consecutive slices of rows whose summed ``estimate`` stays under ``budget`` (a row alone
    over it is a chunk of its own)."""
    out: list[slice] = []
    start, total = 0, 0
    for i, e in enumerate(estimate.tolist()):
        if i > start and total + e > budget:
            out.append(slice(start, i))
            start, total = i, 0
        total += e
    if start < len(estimate):
        out.append(slice(start, len(estimate)))
    return out


def _estimate(lefts: Sequence[sparse.csr_matrix], rights: Sequence[sparse.csr_matrix]) -> np.ndarray:
    """Per left row: how many (right item, family) pairs share one of its features, an upper bound
    of the row's product entries."""
    est = np.zeros(lefts[0].shape[0], dtype=np.int64)
    for a, b in zip(lefts, rights, strict=True):
        df = np.bincount(b.indices, minlength=b.shape[1]).astype(np.int64)  # items per feature
        ind = a.copy()
        ind.data = np.ones_like(ind.data)
        est += np.asarray(ind @ df[: a.shape[1]], dtype=np.int64)
    return est


def select_rows(
    rows: np.ndarray,
    cols: np.ndarray,
    total: np.ndarray,
    comps: np.ndarray,
    factor: np.ndarray,
    width: int,
    k: int,
    min_score: float,
) -> topk.Kept:
    """Each row's kept entries, from every scored entry of the row (global row and column indices,
    each row complete: all its non-zero entries are here); ``min_score`` must be positive."""
    n = len(total)
    good = np.flatnonzero(total >= min_score)
    r, v = rows[good], total[good]
    order = np.lexsort((-v, r))  # by row, largest first
    good, r, v = good[order], r[order], v[order]
    uniq, first, counts = np.unique(r, return_index=True, return_counts=True)
    rank = np.arange(len(r)) - np.repeat(first, counts)
    kth = np.repeat(v[first + np.minimum(counts, k) - 1], counts)  # the row's k-th (or last) value
    at_or_above = np.bincount(np.repeat(np.arange(len(uniq)), counts), weights=v >= kth, minlength=len(uniq))
    tied_row = (counts > k) & (at_or_above > k)
    keep = (rank < k) & ~np.repeat(tied_row, counts)
    idx = [good[keep]]
    tied = uniq[tied_row]
    if len(tied):
        idx.append(_cut_ties(tied, rows, cols, total, width, k, min_score))
    sel = np.concatenate(idx) if n else np.zeros(0, dtype=np.int64)
    sel = sel[np.argsort(rows[sel], kind="stable")]
    return topk.Kept(rows[sel], cols[sel], total[sel], comps[sel], factor[sel])


def _cut_ties(
    tied: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
    total: np.ndarray,
    width: int,
    k: int,
    min_score: float,
) -> np.ndarray:
    """Indices of the entries ``np.argpartition`` keeps in each tied row made dense over every right
    item, as the dense loop made it (the others are 0 there), `TIED_ROWS` rows at a time."""
    out = []
    in_tied = np.isin(rows, tied)
    ent = np.flatnonzero(in_tied)
    ent = ent[np.argsort(rows[ent], kind="stable")]
    slot = np.searchsorted(tied, rows[ent])
    bounds = np.searchsorted(slot, np.arange(0, len(tied) + TIED_ROWS, TIED_ROWS))
    for s in range(0, len(tied), TIED_ROWS):
        lo, hi = bounds[s // TIED_ROWS], bounds[s // TIED_ROWS + 1]
        e, sl = ent[lo:hi], slot[lo:hi] - s
        m = min(TIED_ROWS, len(tied) - s)
        dense = np.zeros((m, width))
        where = np.full((m, width), -1, dtype=np.int64)
        dense[sl, cols[e]] = total[e]
        where[sl, cols[e]] = e
        top = np.argpartition(-dense, k - 1, axis=1)[:, :k]
        picked = where[np.repeat(np.arange(m), k), top.ravel()]
        # an unshared right item (-1) scores 0, below the floor; kept entries are the scored ones
        picked = picked[picked >= 0]
        out.append(picked[total[picked] >= min_score])
    return np.concatenate(out) if out else np.zeros(0, dtype=np.int64)


def score_blocked(
    mats: Sequence[tuple[sparse.csr_matrix, sparse.csr_matrix]],
    weights_of: Sequence[float],
    k: int,
    min_score: float,
    pairs: topk.Pairs,
    *,
    mapped: tuple[sparse.csr_matrix, sparse.csr_matrix] | None = None,
    mapped_weight: float = 0.0,
    budget: int | None = None,
) -> topk.Kept:
    """Every left row's kept entries (`topk.Kept`, in row order) from the pairs sharing a feature of
    some family, per Sector pair and row chunk; ``mats``: each family's (left rows, right rows)
    feature matrices (CSR, items as rows), ``mapped`` likewise; ``budget``: `BUDGET` by default."""
    if min_score <= 0:
        raise ValueError("blocking needs a positive min_score: a pair sharing nothing scores 0")
    families = list(mats) + ([mapped] if mapped is not None else [])
    width = families[0][1].shape[0]
    parts: list[topk.Kept] = []
    for left_rows, right_cols in partition_columns(pairs.pa, pairs.pb):
        if not len(right_cols):
            continue
        lefts = [a[left_rows] for a, _ in families]
        rights = [b[right_cols] for _, b in families]
        rights_t = [b.T.tocsc() for b in rights]
        for chunk in row_chunks(_estimate(lefts, rights), budget or BUDGET):
            products = [a[chunk] @ bt for a, bt in zip(lefts, rights_t, strict=True)]
            keys, comps, total = topk.block_scores(
                products[: len(mats)],
                weights_of,
                len(right_cols),
                mapped=products[-1] if mapped is not None else None,
                mapped_weight=mapped_weight,
            )
            local, c = np.divmod(keys, len(right_cols))
            r, c = left_rows[chunk][local], right_cols[c]
            f = pairs.factor(r, c)
            if f is None:
                f = np.ones(len(total))
            else:
                total *= f  # as the dense loop did: x * 1.0 is x
            parts.append(select_rows(r, c, total, comps, f, width, k, min_score))
    kept = topk.Kept.concat(parts, len(families))
    return kept.take(np.argsort(kept.rows, kind="stable"))


def score_dense(
    mats: Sequence[tuple[sparse.csr_matrix, sparse.csr_matrix]],
    weights_of: Sequence[float],
    k: int,
    min_score: float,
    pairs: topk.Pairs,
    *,
    mapped: tuple[sparse.csr_matrix, sparse.csr_matrix] | None = None,
    mapped_weight: float = 0.0,
    rows_max: int = 128,
    threads: int = 1,
) -> topk.Kept:
    """`score_blocked` for dense kinds (most pairs share a term, as in the generated graphs): each
    Sector's rows against the right items of the other Sectors only, the lexical product dense there
    and the other evidence added where non-zero (the operations of `topk.dense_select`); a row whose
    kept k-th value is tied is made dense over every right item (zeros elsewhere) and partitioned.

    ``threads``: a Sector's chunks of rows cut into that many runs of consecutive chunks, each run
    in its own thread with its own buffers (scipy's product and numpy's large operations release
    the GIL); each row is in one chunk and the parts are joined in chunk order, so the kept entries
    are the same, in the same order, whatever the number."""
    if min_score <= 0:
        raise ValueError("blocking needs a positive min_score: a pair sharing nothing scores 0")
    if threads < 1:
        raise ValueError(f"threads must be at least 1, not {threads}")
    width = mats[0][1].shape[0]
    parts: list[topk.Kept] = []
    with ThreadPoolExecutor(max_workers=threads) if threads > 1 else nullcontext() as pool:
        for left_rows, cols in partition_columns(pairs.pa, pairs.pb):
            if not len(cols):
                continue
            side = _DenseSide(
                mats, left_rows, cols, mapped, mapped_weight, weights_of, pairs, width, k, min_score
            )
            step = max(1, min(rows_max, DENSE_BYTES // (8 * len(cols))))
            starts = list(range(0, len(left_rows), step))
            runs = [r for r in np.array_split(np.array(starts, dtype=np.int64), threads) if len(r)]
            if pool is None or len(runs) < 2:
                parts.extend(side.run(starts, step))
            else:
                for done in [pool.submit(side.run, run.tolist(), step) for run in runs]:
                    parts.extend(done.result())
    kept = topk.Kept.concat(parts, len(mats) + (mapped is not None))
    return kept.take(np.argsort(kept.rows, kind="stable"))


class _DenseSide:
    """One Sector's left rows against the other Sectors' items, read-only once made: what every
    chunk of its rows shares (the threads of `score_dense` run chunks of one side at once)."""

    def __init__(
        self,
        mats: Sequence[tuple[sparse.csr_matrix, sparse.csr_matrix]],
        left_rows: np.ndarray,
        cols: np.ndarray,
        mapped: tuple[sparse.csr_matrix, sparse.csr_matrix] | None,
        mapped_weight: float,
        weights_of: Sequence[float],
        pairs: topk.Pairs,
        width: int,
        k: int,
        min_score: float,
    ):
        # features x right items of the other partitions, C order, in bands of columns: the
        # product reads each as one flat array (scipy would copy a Fortran-ordered one, what
        # toarray gives, every chunk), a band at a time (`products.Bands`)
        self.right0 = Bands(mats[0][1][cols].T.toarray())
        self.lefts = [a[left_rows] for a, _ in mats]
        # the other families' right sides as CSR once: csr @ csc converts its operand to CSR on
        # every call (the same matrix, so the same products)
        self.others = [b[cols].T.tocsr() for _, b in mats[1:]]
        self.lifts = (mapped[0][left_rows], mapped[1][cols].T.tocsr()) if mapped is not None else None
        self.left_rows, self.cols, self.mapped_weight = left_rows, cols, mapped_weight
        self.weights_of, self.pairs = weights_of, pairs
        self.width, self.k, self.min_score = width, k, min_score

    def run(self, starts: list[int], step: int) -> list[topk.Kept]:
        """The kept entries of the chunks beginning at ``starts``, one part per chunk."""
        # one buffer for every chunk's scores and one for its lexical product: a fresh 64 MB array
        # per chunk costs its page faults
        buffer = np.empty((min(step, len(self.left_rows)), len(self.cols)))
        lexical = np.empty_like(buffer)
        return [self.chunk(slice(s, s + step), buffer, lexical) for s in starts]

    def chunk(self, sl: slice, buffer: np.ndarray, lexical: np.ndarray) -> topk.Kept:
        """The kept entries of the rows ``sl`` of this side (``buffer``, ``lexical``: the thread's own)."""
        lefts, cols, weights_of, pairs, k = self.lefts, self.cols, self.weights_of, self.pairs, self.k
        first = product_into(lefts[0][sl], self.right0, lexical)
        np.minimum(first, 1.0, out=first)
        total = np.multiply(first, weights_of[0], out=buffer[: first.shape[0]])
        ms = []
        for a, bt, w in zip(lefts[1:], self.others, weights_of[1:], strict=True):
            m = _clipped(a[sl] @ bt)
            coo = m.tocoo()
            total[coo.row, coo.col] += w * coo.data
            ms.append(m)
        if self.lifts is not None:
            m = _clipped(self.lifts[0][sl] @ self.lifts[1])
            coo = m.tocoo()
            t = total[coo.row, coo.col]
            total[coo.row, coo.col] = t + self.mapped_weight * coo.data * (1.0 - t)
            ms.append(m)
        rows = self.left_rows[sl]
        _apply_periods(pairs, total, rows, cols)
        local, lc, tied = topk.untied_top_k(total, min(k, len(cols)), self.min_score)
        if len(tied):
            tr, tc = _cut_dense_ties(total[tied], cols, self.width, k)
            local, lc = np.concatenate([local, tied[tr]]), np.concatenate([lc, tc])
        score = total[local, lc]
        ok = score >= self.min_score
        local, lc, score = local[ok], lc[ok], score[ok]
        comps = np.zeros((len(local), 1 + len(ms)))
        comps[:, 0] = first[local, lc]
        for i, m in enumerate(ms, 1):
            if len(local):
                comps[:, i] = np.asarray(m[local, lc]).ravel()
        r, c = rows[local], cols[lc]
        f = pairs.factor(r, c)
        return topk.Kept(r, c, score, comps, np.ones(len(r)) if f is None else f)


def _clipped(product: sparse.spmatrix) -> sparse.csr_matrix:
    m = sparse.csr_matrix(product)
    np.minimum(m.data, 1.0, out=m.data)
    return m


def _cut_dense_ties(block: np.ndarray, cols: np.ndarray, width: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(row in ``block``, position in ``cols``) of the k entries ``np.argpartition`` keeps in each row
    made dense over every right item (0 for the items of the row's own partition, as before);
    an item of the own partition (scoring 0, below the floor) is left out."""
    where = np.full(width, -1, dtype=np.int64)
    where[cols] = np.arange(len(cols))
    rows, picked = [], []
    for s in range(0, len(block), TIED_ROWS):
        part = block[s : s + TIED_ROWS]
        full = np.zeros((len(part), width))
        full[:, cols] = part
        top = np.argpartition(-full, k - 1, axis=1)[:, :k]
        rows.append(np.repeat(np.arange(s, s + len(part)), k))
        picked.append(where[top.ravel()])
    r, p = np.concatenate(rows), np.concatenate(picked)
    return r[p >= 0], p[p >= 0]


def _apply_periods(pairs: topk.Pairs, total: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> None:
    """Entries whose study periods are disjoint multiplied by the penalty, in place, one group of
    rows per (start, end) as `topk.Pairs.apply_periods` does (the others would be multiplied by 1)."""
    if pairs.periods is None:
        return
    sa, ea, sb, eb = pairs.periods
    x, y, sbc, ebc = sa[rows], ea[rows], sb[cols], eb[cols]
    for key in {(topk._year(u), topk._year(v)) for u, v in zip(x.tolist(), y.tolist(), strict=True)}:
        with np.errstate(invalid="ignore"):
            after = key[0] > ebc if key[0] is not None else np.zeros(len(cols), dtype=bool)
            before = sbc > key[1] if key[1] is not None else np.zeros(len(cols), dtype=bool)
        lc = np.flatnonzero(after | before)
        if len(lc):
            rr = np.flatnonzero(topk._matches(x, key[0]) & topk._matches(y, key[1]))
            total[np.ix_(rr, lc)] *= pairs.penalty
