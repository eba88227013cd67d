"""A sparse matrix times a dense one into a buffer the caller reuses, a band of columns at a time.

``a @ dense`` (scipy's CSR x dense product) returns a new zeroed array each call; at 1M a dense
kind's chunk is 64 MB, allocated and page-faulted about 500 times per precompute. `product_into`
runs the same kernel (`csr_matvecs`: each output row zeroed, then each of the row's entries, in
their stored order, times a row of ``dense`` added to it) into ``out``. It runs it on `Bands` of
columns: a band of the dense side (features x 2,048 items, ~1 MB at 59 terms) stays in cache for
every row of the chunk instead of streaming the whole side once per row (about a fifth less CPU
at 1M). Each output value is the same sum of the same products in the same order whatever the band
width, so the values are the same bits as ``a @ dense``. When the kernel is not importable from the
installed scipy, or the operands are not the plain float64 CSR / C-ordered kind it takes, the
public product is copied into ``out`` instead.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

try:  # scipy's compiled kernel behind `csr_matrix @ ndarray` (not a public name)
    from scipy.sparse._sparsetools import csr_matvecs as _csr_matvecs
except ImportError:  # pragma: no cover - another scipy layout: the public product below
    _csr_matvecs = None

__all__ = ["BAND", "Bands", "product_into"]

BAND = 2048
"""Columns of the dense side per band."""


class Bands:
    """A dense matrix (C order) and its columns cut into bands, each band C-ordered (made once,
    used by every chunk of rows: as much memory again as ``dense``)."""

    def __init__(self, dense: np.ndarray, width: int = BAND):
        if width < 1:
            raise ValueError(f"band width {width} must be positive")
        self.dense = np.ascontiguousarray(dense)
        self.shape = self.dense.shape
        n = self.shape[1]
        self.bounds = [(c, min(n, c + width)) for c in range(0, n, width)]
        self.bands = (
            [self.dense]
            if len(self.bounds) <= 1
            else [np.ascontiguousarray(self.dense[:, lo:hi]) for lo, hi in self.bounds]
        )


def product_into(a: sparse.spmatrix, dense: np.ndarray | Bands, out: np.ndarray) -> np.ndarray:
    """``a @ dense`` written into the first ``a.shape[0]`` rows of ``out`` (returned as a view)."""
    bands = dense if isinstance(dense, Bands) else None
    m, n = a.shape
    rows, width = bands.shape if bands is not None else dense.shape  # type: ignore[union-attr]
    if rows != n:
        raise ValueError(f"shapes {a.shape} and {(rows, width)} do not align")
    if out.ndim != 2 or out.shape[0] < m or out.shape[1] != width:
        raise ValueError(f"buffer of shape {out.shape} cannot hold a {m} x {width} product")
    full = bands.dense if bands is not None else dense
    view = out[:m]
    if not _direct(a, full, view):  # type: ignore[arg-type]
        np.copyto(view, np.asarray(a @ full, dtype=np.float64))
        return view
    if bands is None or len(bands.bounds) <= 1:
        view.fill(0.0)
        _csr_matvecs(m, n, width, a.indptr, a.indices, a.data, full.ravel(), view.ravel())  # type: ignore[union-attr,misc]
        return view
    lo0, hi0 = bands.bounds[0]
    scratch = np.empty((m, hi0 - lo0))
    for (lo, hi), band in zip(bands.bounds, bands.bands, strict=True):
        part = scratch if hi - lo == scratch.shape[1] else np.empty((m, hi - lo))
        part.fill(0.0)
        _csr_matvecs(m, n, hi - lo, a.indptr, a.indices, a.data, band.ravel(), part.ravel())  # type: ignore[misc]
        view[:, lo:hi] = part
    return view


def _direct(a: sparse.spmatrix, dense: np.ndarray, view: np.ndarray) -> bool:
    """The kernel takes CSR with float64 values, a C-ordered float64 operand and a C-ordered output
    (it reads them as flat arrays; the public product would copy or convert anything else)."""
    return bool(
        _csr_matvecs is not None
        and a.format == "csr"
        and a.data.dtype == np.float64
        and dense.dtype == np.float64
        and view.dtype == np.float64
        and dense.flags.c_contiguous
        and view.flags.c_contiguous
    )
