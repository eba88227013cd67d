"""A sparse matrix times a dense one into a buffer the caller reuses.

``a @ dense`` (scipy's CSR x dense product) returns a new zeroed array each call; at 1M a dense
kind's chunk is 64 MB, allocated and page-faulted about 500 times per precompute. `product_into`
runs the same kernel (`csr_matvecs`: each row's entries in their stored order, added to a zeroed
row) into ``out``, so the values are the same bits. When that kernel is not importable from the
installed scipy, or the operands are not the plain float64 / C-ordered kind it takes, it falls back
to ``a @ dense`` copied into ``out``.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

try:  # scipy's compiled kernel behind `csr_matrix @ ndarray` (not a public name)
    from scipy.sparse._sparsetools import csr_matvecs as _csr_matvecs
except ImportError:  # pragma: no cover - another scipy layout: the public product below
    _csr_matvecs = None

__all__ = ["product_into"]


def product_into(a: sparse.csr_matrix, dense: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``a @ dense`` written into the first ``a.shape[0]`` rows of ``out`` (returned as a view)."""
    m, n = a.shape
    if dense.shape[0] != n:
        raise ValueError(f"shapes {a.shape} and {dense.shape} do not align")
    width = dense.shape[1]
    if out.ndim != 2 or out.shape[0] < m or out.shape[1] != width:
        raise ValueError(f"buffer of shape {out.shape} cannot hold a {m} x {width} product")
    view = out[:m]
    if _direct(a, dense, view):
        view.fill(0.0)
        _csr_matvecs(m, n, width, a.indptr, a.indices, a.data, dense.ravel(), view.ravel())
        return view
    np.copyto(view, np.asarray(a @ dense, dtype=np.float64))
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
