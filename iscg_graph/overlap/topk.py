"""The top k pairs of every item, from sparse score blocks: the inner loop of `scoring._score_kind`.

A block of left rows is scored only where some evidence is non-zero (the union of the sparse
products' patterns, as flat ``row * width + column`` keys), not over a dense rows × items array.
Which pairs a row keeps is decided without a dense row where that is exact:

* a row with at most ``k`` entries scoring ``min_score`` or more keeps exactly those (every one of
  them is in any top k: fewer than k values are at least as large);
* any other row (more than k such entries, so ties at the k-th value may be cut; and every row when
  ``min_score <= 0``, where zeros are kept too) is made dense and partitioned with
  ``np.argpartition``, as before, so ties are cut exactly as the dense code cut them.

Then orientation and de-duplication of all kept pairs at once: each item gets a rank (by Sector /
scheme code, then IRI), the pair is oriented by comparing ranks (a Question always left of a study
group), and the first occurrence of each oriented pair wins (rows in order, as the loop visited
them).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

__all__ = ["Kept", "block_scores", "select", "orient_and_dedupe"]


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
    nrows: int,
    width: int,
    k: int,
    min_score: float,
    factor: Callable[[np.ndarray, np.ndarray], np.ndarray] | None,
    same_partition: Callable[[np.ndarray, np.ndarray], np.ndarray],
) -> Kept:
    """The kept entries of one block, in the loop's order (row, then the row's top-k order).

    ``total`` is modified: entries inside one partition are set to 0, then multiplied by the
    period factor (as the dense code did)."""
    rows, cols = np.divmod(keys, width)
    total[same_partition(rows, cols)] = 0.0
    fac = factor(rows, cols) if factor is not None else None
    if fac is not None:
        total *= fac
    ncomp = comps.shape[1]
    good = total >= min_score if min_score > 0 else np.ones(len(total), dtype=bool)
    per_row = np.bincount(rows[good], minlength=nrows) if min_score > 0 else np.full(nrows, width)
    heavy = per_row > k
    easy = good & ~heavy[rows]
    parts: list[Kept] = []
    if easy.any():
        parts.append(
            Kept(
                rows[easy],
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
        ok = (s >= min_score) & ~same_partition(r, c)
        r, c, s = r[ok], c[ok], s[ok]
        # components where some product is non-zero; exactly 0 elsewhere
        pos = np.searchsorted(keys, r * width + c)
        pos_c = np.minimum(pos, max(len(keys) - 1, 0))
        hit = (pos < len(keys)) & (keys[pos_c] == r * width + c) if len(keys) else np.zeros(len(r), bool)
        cm = np.zeros((len(r), ncomp))
        cm[hit] = comps[pos_c[hit]]
        f = factor(r, c) if factor is not None else np.ones(len(r))
        parts.append(Kept(r, c, s, cm, f))
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
