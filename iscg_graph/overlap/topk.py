"""The top k pairs of every item, from blocks of scores: the inner loop of `pair_scores.score_kind`.

Two ways of scoring a block of left rows, chosen once per kind (both give the floating-point values
of the dense loop they replaced, and keep the same pairs):

* **dense** (`dense_select`, when the lexical product fills `DENSE_FROM` of a block or more, as in
  the generated 1M graph): the lexical product dense, the other evidence added where it is non-zero,
  partitions and disjoint periods applied to row groups; each row's top k by `top_k` (a floor from
  chunk maxima, `np.argpartition` only for rows with a tie at a kept k-th value);
* **sparse** (`block_scores` + `select`, the real data): only the union of the products' non-zero
  entries is scored; a row with at most ``k`` entries scoring ``min_score`` or more keeps exactly
  those, any other row (and every row when ``min_score <= 0``, where zeros are kept too) is made
  dense and partitioned with ``np.argpartition``, so ties are cut as the dense code cut them.

Then orientation and de-duplication of all kept pairs at once (`orient_and_dedupe`): each item gets
a rank (by Sector / scheme code, then IRI), the pair is oriented by comparing ranks (a Question
always left of a study group), and the first occurrence of each oriented pair wins (rows in order,
as the loop visited them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

__all__ = [
    "DENSE_FROM",
    "Kept",
    "Pairs",
    "block_scores",
    "dense_select",
    "select",
    "top_k",
    "untied_top_k",
    "orient_and_dedupe",
]

DENSE_FROM = 0.05
"""A kind whose first (lexical) product fills this share of a block (rows x items) or more is scored
densely (`dense_select`): every row then has many non-zero entries and a sparse union costs more."""
CHUNKS = 256
"""Column chunks per row whose maxima bound a row's k-th value from below (`top_k`)."""
DENSE_MAX_BYTES = 256 * 2**20
"""...unless the right side's first feature matrix would take more than this as a dense array."""


@dataclass
class Kept:
    """Kept entries of one block (or of all blocks): left row, right column, score, components, factor."""

    rows: np.ndarray  # int64, row of the left side
    cols: np.ndarray  # int64, row of the right side
    score: np.ndarray  # float64
    comps: np.ndarray  # float64, (entries, components)
    factor: np.ndarray  # float64

    @staticmethod
    def concat(parts: Sequence[Kept], ncomp: int) -> Kept:
        if not parts:
            empty = np.zeros(0, dtype=np.int64)
            return Kept(empty, empty, np.zeros(0), np.zeros((0, ncomp)), np.zeros(0))
        return Kept(
            np.concatenate([p.rows for p in parts]),
            np.concatenate([p.cols for p in parts]),
            np.concatenate([p.score for p in parts]),
            np.concatenate([p.comps for p in parts]),
            np.concatenate([p.factor for p in parts]),
        )

    def take(self, idx: np.ndarray) -> Kept:
        return Kept(self.rows[idx], self.cols[idx], self.score[idx], self.comps[idx], self.factor[idx])


class Pairs:
    """What decides a pair's fate besides its evidence: the partitions of both sides (never paired
    inside one) and the study periods (disjoint: the score times ``penalty``); whole row groups at a
    time for dense blocks, or given (row, column) pairs."""

    def __init__(
        self,
        part_a: np.ndarray,
        part_b: np.ndarray,
        periods: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None,
        penalty: float = 1.0,
    ):
        self.pa, self.pb = part_a, part_b
        self.periods, self.penalty = periods, penalty
        self._cols_of: dict[int, np.ndarray] = {}
        self._disjoint: dict[tuple[float | None, float | None], np.ndarray] = {}

    def same(self, r: np.ndarray, c: np.ndarray) -> np.ndarray:
        return np.asarray(self.pa[r] == self.pb[c])

    def factor(self, r: np.ndarray, c: np.ndarray) -> np.ndarray | None:
        if self.periods is None:
            return None
        sa, ea, sb, eb = self.periods
        with np.errstate(invalid="ignore"):
            disjoint = (sa[r] > eb[c]) | (sb[c] > ea[r])
        return np.where(disjoint, self.penalty, 1.0)

    def zero_same(self, total: np.ndarray, start: int) -> None:
        """Entries of rows ``start..`` paired inside their own partition set to 0, in place."""
        block = self.pa[start : start + total.shape[0]]
        for p in np.unique(block).tolist():
            cols = self._cols_of.get(p)
            if cols is None:
                cols = self._cols_of[p] = np.flatnonzero(self.pb == p)
            if len(cols):
                total[np.ix_(np.flatnonzero(block == p), cols)] = 0.0

    def apply_periods(self, total: np.ndarray, start: int) -> None:
        """Entries whose study periods are disjoint multiplied by the penalty, in place (the others
        would be multiplied by 1.0: unchanged)."""
        if self.periods is None:
            return
        sa, ea, sb, eb = self.periods
        n = total.shape[0]
        x, y = sa[start : start + n], ea[start : start + n]
        # one group of rows per (start, end); NaN (unknown) is None here, as NaN != NaN
        for key in {(_year(u), _year(v)) for u, v in zip(x.tolist(), y.tolist(), strict=True)}:
            cols = self._disjoint.get(key)
            if cols is None:
                with np.errstate(invalid="ignore"):
                    after = key[0] > eb if key[0] is not None else np.zeros(len(eb), dtype=bool)
                    before = sb > key[1] if key[1] is not None else np.zeros(len(sb), dtype=bool)
                cols = self._disjoint[key] = np.flatnonzero(after | before)
            if not len(cols):
                continue
            rows = np.flatnonzero(_matches(x, key[0]) & _matches(y, key[1]))
            total[np.ix_(rows, cols)] *= self.penalty


def top_k(total: np.ndarray, k: int, min_score: float) -> tuple[np.ndarray, np.ndarray]:
    """(row, column) of each row's ``k`` largest entries, exactly those ``np.argpartition(-total)``
    selects, without partitioning every row.

    A lower bound of each row's k-th largest value is the k-th largest of the maxima of `CHUNKS`
    column chunks (k distinct entries reach it); only entries at or above it are ranked. Where the
    k-th value is not tied, or is below ``min_score`` (the tied entries are dropped anyway), that
    ranking decides; a row with a tie at a kept k-th value is partitioned as before, so ties are cut
    as before."""
    rows, cols, tied = untied_top_k(total, k, min_score)
    out_r, out_c = [rows], [cols]
    if len(tied):
        top = np.argpartition(-total[tied], k - 1, axis=1)[:, :k]
        out_r.append(np.repeat(tied, k).astype(np.int64))
        out_c.append(top.ravel().astype(np.int64))
    r, c = np.concatenate(out_r), np.concatenate(out_c)
    order = np.argsort(r, kind="stable")
    return r[order], c[order]


def untied_top_k(total: np.ndarray, k: int, min_score: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`top_k` of the rows whose k largest entries are one set whatever the tie cut: (row, column)
    of their entries, and the other rows (a tie at a kept k-th value), left to the caller."""
    n, width = total.shape
    if n == 0 or k == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    chunks = min(width, max(k, CHUNKS))
    bounds = np.linspace(0, width, chunks + 1).astype(np.int64)[:-1]
    maxima = np.maximum.reduceat(total, bounds, axis=1)
    floor = np.partition(maxima, chunks - k, axis=1)[:, chunks - k]  # the k-th largest chunk maximum
    r, c, v = _at_or_above(total, floor, maxima, bounds)
    order = np.lexsort((-v, r))
    r, c, v = r[order], c[order], v[order]
    counts = np.bincount(r, minlength=n)
    first = np.cumsum(counts) - counts
    rank = np.arange(len(r)) - first[r]
    kth = v[first + k - 1]  # every row has at least k entries at or above its floor
    at_or_above = np.bincount(r[v >= kth[r]], minlength=n)
    exact = (at_or_above == k) | (kth < min_score)
    keep = (rank < k) & exact[r]
    return r[keep].astype(np.int64), c[keep].astype(np.int64), np.flatnonzero(~exact)


def _at_or_above(
    total: np.ndarray, floor: np.ndarray, maxima: np.ndarray, bounds: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row, column and value of every entry at or above its row's ``floor``, in row-major order (as
    ``np.nonzero(total >= floor[:, None])`` gives them), reading only the column chunks whose maximum
    reaches the floor (an entry at or above it raises its chunk's maximum to it); the whole block
    when those chunks are most of it."""
    n, width = total.shape
    cr, cc = np.nonzero(maxima >= floor[:, None])  # (row, chunk), row-major
    starts = bounds[cc]
    lens = np.append(bounds[1:], width)[cc] - starts
    if 2 * int(lens.sum()) > n * width:
        r, c = np.nonzero(total >= floor[:, None])
        return r, c, total[r, c]
    rows = np.repeat(cr, lens)
    cols = np.arange(len(rows), dtype=np.int64) + np.repeat(starts - (np.cumsum(lens) - lens), lens)
    v = total[rows, cols]
    keep = v >= floor[rows]
    return rows[keep], cols[keep], v[keep]


def _year(value: float) -> float | None:
    return None if np.isnan(value) else value


def _matches(values: np.ndarray, key: float | None) -> np.ndarray:
    return np.isnan(values) if key is None else np.asarray(values == key)


def dense_select(
    products: Sequence[sparse.spmatrix | np.ndarray],
    weights: Sequence[float],
    start: int,
    k: int,
    min_score: float,
    pairs: Pairs,
    *,
    mapped: sparse.spmatrix | None = None,
    mapped_weight: float = 0.0,
) -> Kept:
    """The kept entries of one block of rows (from ``start``), scored over dense rows with the same
    floating-point operations as before (the first product dense, the others added where non-zero:
    ``x + 0.0`` is ``x``), partitioned with ``argpartition``; rows are block-local + ``start``."""
    p0 = products[0]
    first = np.asarray(sparse.csr_matrix(p0).toarray() if sparse.issparse(p0) else p0, dtype=np.float64)
    np.minimum(first, 1.0, out=first)
    total = first * weights[0]
    others = []
    for p, w in zip(products[1:], weights[1:], strict=True):
        m = sparse.csr_matrix(p)
        np.minimum(m.data, 1.0, out=m.data)
        coo = m.tocoo()
        total[coo.row, coo.col] += w * coo.data
        others.append(m)
    if mapped is not None:
        m = sparse.csr_matrix(mapped)
        np.minimum(m.data, 1.0, out=m.data)
        coo = m.tocoo()
        t = total[coo.row, coo.col]
        total[coo.row, coo.col] = t + mapped_weight * coo.data * (1.0 - t)
        others.append(m)
    pairs.zero_same(total, start)
    pairs.apply_periods(total, start)
    local, cols = top_k(total, min(k, total.shape[1]), min_score)
    score = total[local, cols]
    rows = local + start
    ok = (score >= min_score) & ~pairs.same(rows, cols)
    local, rows, cols, score = local[ok], rows[ok], cols[ok], score[ok]
    comps = np.zeros((len(rows), 1 + len(others)))
    comps[:, 0] = first[local, cols]
    for i, m in enumerate(others, 1):
        if len(rows):
            comps[:, i] = np.asarray(m[local, cols]).ravel()
    factor = pairs.factor(rows, cols)
    return Kept(rows, cols, score, comps, np.ones(len(rows)) if factor is None else factor)


def _keys(m: sparse.csr_matrix, width: int) -> tuple[np.ndarray, np.ndarray]:
    coo = m.tocoo()
    return coo.row.astype(np.int64) * width + coo.col.astype(np.int64), coo.data


def block_scores(
    products: Sequence[sparse.spmatrix],
    weights: Sequence[float],
    width: int,
    *,
    mapped: sparse.spmatrix | None = None,
    mapped_weight: float = 0.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Flat keys (sorted) of every entry some product makes non-zero, the clipped components there
    (one column per product, then ``mapped``), and the score, computed with the same operations in
    the same order as over dense arrays (so the same floating-point values)."""
    parts = [_keys(sparse.csr_matrix(p), width) for p in products]
    if mapped is not None:
        parts.append(_keys(sparse.csr_matrix(mapped), width))
    keys = np.unique(np.concatenate([k for k, _ in parts])) if parts else np.zeros(0, dtype=np.int64)
    comps = np.zeros((len(keys), len(parts)))
    for i, (k, v) in enumerate(parts):
        comps[np.searchsorted(keys, k), i] = v  # a product has no duplicate entries
    np.minimum(comps, 1.0, out=comps)
    total: np.ndarray | float = 0
    for i, w in enumerate(weights):
        total = total + w * comps[:, i]
    total = np.asarray(total, dtype=np.float64) if len(weights) else np.zeros(len(keys))
    if mapped is not None:
        m = comps[:, -1]
        total = total + mapped_weight * m * (1.0 - total)
    return keys, comps, total


def select(
    keys: np.ndarray,
    total: np.ndarray,
    comps: np.ndarray,
    start: int,
    nrows: int,
    width: int,
    k: int,
    min_score: float,
    pairs: Pairs,
) -> Kept:
    """The kept entries of one sparse block of ``nrows`` rows from ``start`` (`block_scores`), in
    the loop's order (row, then the row's top-k order); rows are returned as ``start`` + local.

    ``total`` is modified: entries inside one partition are set to 0, then multiplied by the
    period factor (as the dense code did)."""
    rows, cols = np.divmod(keys, width)
    total[pairs.same(rows + start, cols)] = 0.0
    fac = pairs.factor(rows + start, cols)
    if fac is not None:
        total *= fac
    ncomp = comps.shape[1]
    good = total >= min_score if min_score > 0 else np.ones(len(total), dtype=bool)
    # min_score <= 0 keeps zeros too, which are not among the keys: every row goes dense then
    heavy = np.bincount(rows[good], minlength=nrows) > k if min_score > 0 else np.ones(nrows, dtype=bool)
    easy = good & ~heavy[rows]
    parts: list[Kept] = []
    if easy.any():
        parts.append(
            Kept(
                rows[easy] + start,
                cols[easy],
                total[easy],
                comps[easy],
                fac[easy] if fac is not None else np.ones(int(easy.sum())),
            )
        )
    hrows = np.flatnonzero(heavy)
    if len(hrows):
        slot = np.full(nrows, -1, dtype=np.int64)
        slot[hrows] = np.arange(len(hrows))
        dense = np.zeros((len(hrows), width))
        inh = heavy[rows]
        dense[slot[rows[inh]], cols[inh]] = total[inh]
        top = np.argpartition(-dense, k - 1, axis=1)[:, :k]
        r = np.repeat(hrows, k).astype(np.int64)
        c = top.ravel().astype(np.int64)
        s = dense[np.repeat(np.arange(len(hrows)), k), c]
        ok = (s >= min_score) & ~pairs.same(r + start, c)
        r, c, s = r[ok], c[ok], s[ok]
        # components where some product is non-zero; exactly 0 elsewhere
        pos = np.searchsorted(keys, r * width + c)
        pos_c = np.minimum(pos, max(len(keys) - 1, 0))
        hit = (pos < len(keys)) & (keys[pos_c] == r * width + c) if len(keys) else np.zeros(len(r), bool)
        cm = np.zeros((len(r), ncomp))
        cm[hit] = comps[pos_c[hit]]
        f = pairs.factor(r + start, c)
        parts.append(Kept(r + start, c, s, cm, np.ones(len(r)) if f is None else f))
    if len(parts) == 2:  # back into the loop's order: by row (a row is either easy or heavy)
        both = Kept.concat(parts, ncomp)
        return both.take(np.argsort(both.rows, kind="stable"))
    return parts[0] if parts else Kept.concat([], ncomp)


def orient_and_dedupe(
    kept: Kept,
    rank_a: np.ndarray,
    rank_b: np.ndarray,
    question_a: np.ndarray | None = None,
    question_b: np.ndarray | None = None,
) -> tuple[Kept, np.ndarray]:
    """Each pair once, oriented; the first occurrence wins. Returns the kept entries (in order of
    first occurrence) and whether each is swapped (the right side's item goes left).

    ``rank_a`` / ``rank_b``: each side's items' rank in one order of all items (Sector or scheme
    code, then IRI); ``question_a`` / ``question_b`` (question kind): whether the item is a
    Question (a Question goes left of a study group whatever the ranks)."""
    ra, rb = rank_a[kept.rows], rank_b[kept.cols]
    swap = ra > rb
    if question_a is not None and question_b is not None:
        qa, qb = question_a[kept.rows], question_b[kept.cols]
        mixed = qa != qb
        swap = np.where(mixed, ~qa, swap)
    left = np.where(swap, rb, ra).astype(np.int64)
    right = np.where(swap, ra, rb).astype(np.int64)
    n = int(max(rank_a.max(initial=0), rank_b.max(initial=0))) + 1
    _, first = np.unique(left * n + right, return_index=True)
    first.sort()
    return kept.take(first), swap[first]
