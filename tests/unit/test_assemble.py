"""The candidate evidence as `assemble` builds it equals the per-candidate loop it replaced (kept
here as the reference), and the cheaper helpers of the precompute equal what they replaced:
`pair_scores.row_product` (np.intersect1d), `pair_scores.pair_factor` (`period_factor`), the
orientation of scored pairs (`pair_scores.orient`) and the index header's partition codes."""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import pytest
from scipy import sparse

from iscg_graph.overlap import pair_scores, scoring
from iscg_graph.overlap.assemble import records
from iscg_graph.overlap.columnar import columns_from_doc
from iscg_graph.overlap.corpus import Item, Recorded, load_corpus
from iscg_graph.overlap.evidence import Context
from iscg_graph.overlap.features import build_spaces
from iscg_graph.overlap.lineage import Coverage, build_lineages
from iscg_graph.overlap.weights import KINDS, Weights, lifted
from iscg_graph.rdf.store import EmbeddedStore
from tests.unit.test_lineage import mini_store


def _reference(
    kind: str,
    scored: dict[tuple[str, str], dict],
    terms_of: list[list],
    *,
    items: dict[str, Item],
    recorded: dict[frozenset[str], list[Recorded]],
    coverage: Coverage,
    ctx: Context,
    weights: Weights,
    used: set[str],
) -> list[dict]:
    """The per-candidate loop of `build_candidates` before `assemble` (unchanged but for its frame)."""
    lineages = coverage.lineages
    w = weights.of(kind)
    out = []
    for ((li, ri), s), terms in zip(scored.items(), terms_of, strict=True):
        x, y = items[li], items[ri]
        recs = recorded.get(frozenset((li, ri)), [])
        mapped_by: list[Recorded] = []
        if "mapped" in s["components"]:
            s["components"]["mapped"], mapped_by = coverage.mapped(x, y)
            base = sum(w[n] * s["components"][n] for n in w)
            s["score"] = s["period_factor"] * lifted(base, s["components"]["mapped"], weights.mapped)
        cand: dict[str, Any] = {
            "left": li,
            "right": ri,
            "score": round(s["score"], 4),
            "components": {n: round(v, 4) for n, v in s["components"].items()},
            "period_factor": round(s["period_factor"], 4),
            "terms": terms,
        }
        if kind in ("question", "resolution"):
            cand["shared_themes"] = ctx.shared(x, y, "themes")
        if kind == "question":
            cand["shared_resolutions"] = ctx.shared(x, y, "resolutions")
        else:
            cand["shared_items"] = ctx.shared_items(x, y)
        if kind == "theme":
            cand["shared_bodies"] = sorted(x.bodies & y.bodies)
        cand["lineage"] = [lineages.lineage(li), lineages.lineage(ri)]
        if mapped_by:
            cand["mapped_by"] = records(mapped_by)
        covering = [] if recs else coverage.covering(li, ri)
        if covering:
            cand["covered_by"] = records(covering)
        if recs:
            cand["recorded"] = [
                {
                    "link": r.link,
                    "status": r.status,
                    "kind": r.kind,
                    "graph": r.graph,
                    "confidence": r.confidence,
                }
                for r in recs
            ]
        out.append(cand)
        used.update((li, ri))
        for key in ("shared_themes", "shared_resolutions", "shared_items", "lineage"):
            used.update(cand.get(key, []))
        for key in ("mapped_by", "covered_by"):
            for r in cand.get(key, []):
                used.update((r["subject"], r["object"]))
    out.sort(key=lambda c: (-c["score"], c["left"], c["right"]))
    return out


def _both(store: EmbeddedStore, monkeypatch: pytest.MonkeyPatch, **kw: Any) -> tuple[dict, dict]:
    corpus = load_corpus(store)
    doc = scoring.build_candidates(corpus, **kw)
    monkeypatch.setattr(scoring, "assemble", _reference)
    ref = scoring.build_candidates(corpus, **kw)
    monkeypatch.undo()
    return doc, ref


def _count(doc: dict, key: str) -> int:
    return sum(1 for cands in doc["kinds"].values() for c in cands if c.get(key))


@pytest.mark.parametrize("continued", [True, False])
def test_assembled_candidates_equal_the_per_candidate_loop(
    monkeypatch: pytest.MonkeyPatch, continued: bool
) -> None:
    doc, ref = _both(mini_store(continued=continued), monkeypatch)
    assert doc == ref
    assert columns_from_doc(doc).header == columns_from_doc(ref).header
    # the paths that skip work are exercised: records, carry-overs, mapped lineages, shared sets
    for key in ("recorded", "shared_themes", "shared_resolutions", "shared_items"):
        assert _count(doc, key) > 0, key
    if continued:
        assert _count(doc, "covered_by") > 0 and _count(doc, "mapped_by") > 0


def test_assembled_candidates_equal_the_loop_with_links_hidden(monkeypatch: pytest.MonkeyPatch) -> None:
    store = mini_store()
    links = sorted({r.link for r in load_corpus(store).recorded if r.link})
    assert links
    doc, ref = _both(store, monkeypatch, hidden_links=links[:1])
    assert doc == ref


@pytest.mark.slow
def test_real_data_assembled_candidates_equal_the_loop(
    real_store: EmbeddedStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc, ref = _both(real_store, monkeypatch)
    assert doc == ref
    assert sum(len(v) for v in doc["kinds"].values()) > 1000
    for key in ("recorded", "covered_by", "mapped_by", "shared_themes", "shared_items"):
        assert _count(doc, key) > 0, key


def test_mapping_and_covered_lineages_are_exactly_those_with_records() -> None:
    corpus = load_corpus(mini_store())
    recorded: dict[frozenset[str], list[Recorded]] = {}
    for rec in corpus.recorded:
        recorded.setdefault(rec.pair, []).append(rec)
    lineages = build_lineages(corpus.items)
    coverage = Coverage(corpus, lineages, recorded)
    maps, covered = coverage.mapping_lineages(), coverage.covered_lineages()
    assert maps and covered
    items = list(corpus.items.values())
    for x in items:
        for y in items:
            if lineages.lineage(x.iri) not in maps:
                assert coverage.mapped(x, y) == (0.0, [])
            if lineages.lineage(x.iri) not in covered and lineages.lineage(y.iri) not in covered:
                assert coverage.covering(x.iri, y.iri) == []


def test_context_of_attr_holds_the_sets_shared_compares() -> None:
    corpus = load_corpus(mini_store())
    ctx = Context(corpus)
    for attr in ("themes", "resolutions"):
        sets = ctx.of_attr(attr)
        assert sets
        for it in corpus.items.values():
            assert sets.get(it.iri, frozenset()) == ctx._of(it, attr)


# -- the helpers ---------------------------------------------------------------------------------


def _intersect(a: sparse.csr_matrix, i: int, b: sparse.csr_matrix, j: int) -> tuple[np.ndarray, np.ndarray]:
    """`pair_scores.row_product` as it was (np.intersect1d)."""
    ac, ad = a.indices[a.indptr[i] : a.indptr[i + 1]], a.data[a.indptr[i] : a.indptr[i + 1]]
    bc, bd = b.indices[b.indptr[j] : b.indptr[j + 1]], b.data[b.indptr[j] : b.indptr[j + 1]]
    common, ia, ib = np.intersect1d(ac, bc, assume_unique=True, return_indices=True)
    return common, ad[ia] * bd[ib]


@pytest.mark.parametrize("seed", range(6))
def test_row_product_equals_intersect1d(seed: int) -> None:
    rng = np.random.default_rng(seed)
    density = [0.05, 0.1, 0.5][seed % 3]
    a = sparse.random(30, 40, density=density, format="csr", random_state=rng)
    b = sparse.random(25, 40, density=density, format="csr", random_state=rng)
    if seed % 2:  # unsorted column indices within rows
        for m in (a, b):
            for r in range(m.shape[0]):
                lo, hi = m.indptr[r], m.indptr[r + 1]
                perm = rng.permutation(hi - lo)
                m.indices[lo:hi], m.data[lo:hi] = m.indices[lo:hi][perm], m.data[lo:hi][perm]
    shared = 0
    for i in range(a.shape[0]):
        for j in range(b.shape[0]):
            got, want = pair_scores.row_product(a, i, b, j), _intersect(a, i, b, j)
            assert got[0].tolist() == want[0].tolist()
            assert got[1].tolist() == want[1].tolist()
            assert got[1].sum() == want[1].sum()
            shared += len(want[0]) > 0
    assert shared > 0


def test_pair_factor_equals_the_array_factor() -> None:
    rng = random.Random(3)
    years = [None, 2001, 2004, 2005, 2008, 2009]
    items = []
    for n in range(40):
        start = rng.choice(years)
        end = rng.choice([None] + [y for y in years if y is not None and (start is None or y >= start)])
        items.append(Item(f"i{n}", "question", start=start, end=end))
    disjoint = 0
    for x in items:
        for y in items:
            want = float(pair_scores.period_factor([x], [y], 0.85)(slice(0, 1))[0, 0])
            assert pair_scores.pair_factor(x, y, 0.85) == want
            disjoint += want != 1.0
    assert disjoint > 0


@pytest.mark.parametrize("continued", [True, False])
def test_scored_pairs_are_oriented_as_orient_orders_them(continued: bool) -> None:
    corpus = load_corpus(mini_store(continued=continued))
    weights = Weights()
    recorded: dict[frozenset[str], list[Recorded]] = {}
    for rec in corpus.recorded:
        recorded.setdefault(rec.pair, []).append(rec)
    coverage = Coverage(corpus, build_lineages(corpus.items), recorded)
    spaces, *_ = build_spaces(corpus, weights, coverage)
    mixed = 0
    for kind in KINDS:
        for left, right in pair_scores.score_kind(kind, spaces[kind], weights):
            x, y = corpus.items[left], corpus.items[right]
            assert pair_scores.orient(kind, y, x) == (x, y)
            mixed += x.cls != y.cls
    assert mixed > 0


def test_header_codes_are_the_codes_of_each_kinds_items() -> None:
    doc = scoring.build_candidates(mini_store())
    header = columns_from_doc(doc).header
    for kind, cands in doc["kinds"].items():
        items = doc["items"]
        want = {
            (items[c[side]].get("sector_code") or items[c[side]].get("scheme_code") or "").lower()
            for c in cands
            for side in ("left", "right")
        } - {""}
        assert header["codes"][kind] == sorted(want)
    assert any(header["codes"][k] for k in KINDS)
