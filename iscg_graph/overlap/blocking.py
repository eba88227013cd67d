"""Candidate blocking: score only the pairs that share a feature, one Sector pair at a time, in row
chunks of bounded size (`scoring._score_kind`'s path for kinds whose products are sparse).

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

import numpy as np
from scipy import sparse

from . import topk

__all__ = ["BUDGET", "TIED_ROWS", "partition_columns", "row_chunks", "select_rows", "score_blocked"]

BUDGET = 4_000_000
"""Upper bound of the product entries of one chunk (scored with about 60 bytes each: ~250 MB)."""
TIED_ROWS = 16
"""Rows with a tie at the k-th value made dense at once (each as wide as the right side)."""


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
