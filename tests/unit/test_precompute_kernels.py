"""The precompute's shortcuts give the same bits as the code they replace: the lexical product into
a reused buffer, the evidence texts through the C encoder made once, the broader themes walked once
per run (docs/notes/scale.md §29)."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
from scipy import sparse

from iscg_graph.overlap import columnar, features, json_texts, products
from iscg_graph.overlap.corpus import Item


def _csr(rng: np.random.Generator, m: int, n: int, density: float) -> sparse.csr_matrix:
    return sparse.random(m, n, density=density, format="csr", random_state=int(rng.integers(2**31)))


@pytest.mark.parametrize("seed", range(40))
def test_product_into_is_the_public_product_bit_for_bit(seed: int) -> None:
    rng = np.random.default_rng(seed)
    m, n, w = (int(x) for x in rng.integers(1, 60, size=3))
    a = _csr(rng, m, n, float(rng.random()))
    if seed % 3 == 0:  # entries not in column order within a row: the kernel reads them as stored
        a.indices = a.indices.copy()
        for i in range(m):
            lo, hi = a.indptr[i], a.indptr[i + 1]
            perm = rng.permutation(hi - lo)
            a.indices[lo:hi], a.data[lo:hi] = a.indices[lo:hi][perm], a.data[lo:hi][perm]
        a.has_sorted_indices = False
    dense = np.ascontiguousarray(rng.random((n, w)) * 3 - 1)
    want = np.asarray(a @ dense).tobytes()
    for operand in (dense, products.Bands(dense, int(rng.integers(1, w + 3))), products.Bands(dense, 1)):
        out = np.full((m + int(rng.integers(0, 4)), w), np.nan)  # stale values must not leak in
        got = products.product_into(a, operand, out)
        assert got.shape == (m, w)
        assert got.tobytes() == want
        assert np.shares_memory(got, out)


def test_bands_cover_the_columns_once() -> None:
    dense = np.arange(2 * 10, dtype=np.float64).reshape(2, 10)
    bands = products.Bands(dense, 4)
    assert bands.bounds == [(0, 4), (4, 8), (8, 10)]
    assert np.array_equal(np.hstack(bands.bands), dense)
    assert all(b.flags.c_contiguous for b in bands.bands)
    with pytest.raises(ValueError, match="positive"):
        products.Bands(dense, 0)


def test_product_into_falls_back_for_other_operands() -> None:
    rng = np.random.default_rng(5)
    a = _csr(rng, 7, 9, 0.4)
    fortran = np.asfortranarray(rng.random((9, 11)))
    out = np.empty((7, 11))
    assert products.product_into(a.tocsc(), fortran, out).tobytes() == np.asarray(a @ fortran).tobytes()
    a32 = a.astype(np.float32)
    assert np.array_equal(products.product_into(a32, fortran, out), np.asarray(a32 @ fortran))
    banded = products.Bands(fortran, 3)  # made C-ordered: the kernel again, band by band
    assert products.product_into(a.tocsc(), banded, out).tobytes() == np.asarray(a @ fortran).tobytes()


def test_product_into_rejects_shapes_that_do_not_fit() -> None:
    a = sparse.csr_matrix(np.ones((4, 3)))
    with pytest.raises(ValueError, match="do not align"):
        products.product_into(a, np.ones((2, 5)), np.empty((4, 5)))
    with pytest.raises(ValueError, match="cannot hold"):
        products.product_into(a, np.ones((3, 5)), np.empty((3, 5)))


def _value(rng: random.Random, depth: int = 0) -> object:
    pick = rng.randrange(8 if depth < 3 else 5)
    if pick == 0:
        return rng.choice(["", "term", 'quote " and \\ back', "tab\tnew\nline", "é ü ح 中文", "\u2028\x00"])
    if pick == 1:
        return round(rng.uniform(-2, 2), rng.randrange(6))
    if pick == 2:
        return rng.choice([0.0, 1.0, 1e-7, 1e22, 0.1 + 0.2, -0.0])
    if pick == 3:
        return rng.choice([None, True, False, 0, -3, 2**40])
    if pick == 4:
        return rng.randrange(10**6)
    if pick == 5:
        return [_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    keys = ["components", "terms", "lineage", "a", "Z", "é", "shared_items", "recorded"]
    return {rng.choice(keys): _value(rng, depth + 1) for _ in range(rng.randrange(5))}


@pytest.mark.parametrize("seed", range(30))
def test_evidence_text_is_the_encoder_text(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(50):
        value = _value(rng)
        assert json_texts.dumps(value) == json_texts.ENCODER.encode(value)
        assert json.loads(json_texts.dumps(value)) == value


def test_the_fast_encoder_is_in_use() -> None:
    # this Python's json has the C encoder: the shortcut must not have fallen back silently
    assert json_texts._fast_encoder() is not None


def _reference_with_broader(themes: set[str], items: dict[str, Item], weight: float) -> dict[str, float]:
    """The walk before the cache (every item walks its themes' broader themes again)."""
    out: dict[str, float] = {}
    for t in themes:
        out[t] = max(out.get(t, 0.0), weight)
        seen, frontier = {t}, set(items[t].broader) if t in items else set()
        while frontier:
            b = frontier.pop()
            if b in seen:
                continue
            seen.add(b)
            out[b] = max(out.get(b, 0.0), weight * 0.5)
            frontier |= set(items[b].broader) if b in items else set()
    return out


@pytest.mark.parametrize("seed", range(20))
def test_broader_themes_cached_give_the_same_rows(seed: int) -> None:
    rng = random.Random(seed)
    names = [f"t{i}" for i in range(25)]
    items = {}
    for t in names[:20]:  # five themes are named but not items (no broader known)
        up = set(rng.sample(names, rng.randrange(3)))  # cycles and self-loops included
        items[t] = Item(iri=t, cls="theme", broader=up)
    cache: dict[str, tuple[str, ...]] = {}
    for _ in range(60):
        themes = set(rng.sample(names, rng.randrange(5)))
        weight = rng.choice([1.0, 0.5])
        want = _reference_with_broader(themes, items, weight)
        assert features._with_broader(themes, items, weight, cache) == want
        assert features._with_broader(themes, items, weight) == want


def test_evidence_is_the_listed_keys_only() -> None:
    cand: dict[str, object] = {"left": "a", "right": "b", "score": 0.5}
    cand.update({"terms": [], "lineage": ["a", "b"], "components": {"x": 1.0}})
    assert columnar._evidence(cand) == {"terms": [], "lineage": ["a", "b"], "components": {"x": 1.0}}
    assert "left" in cand  # the candidate itself is left as it was
    cand["something_else"] = 1
    assert columnar._evidence(cand) == {"terms": [], "lineage": ["a", "b"], "components": {"x": 1.0}}
