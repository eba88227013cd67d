"""Candidate overlaps nobody has recorded yet: discovery and scoring.

Three kinds of candidate pairs, each between two *partitions* (never inside one):

* ``question``   a Question and a Question or study group of another Sector;
* ``resolution`` two Resolutions of different Sectors' assemblies (PP = General Secretariat);
* ``theme``      two themes of different Annex lists (theme schemes).

Score = weighted sum of cosine similarities, then a study-period factor (Questions only)::

    question:   b = 0.60 lexical + 0.25 shared themes + 0.15 shared Resolutions;
                b + 0.15 mapped lineages x (1 - b)       (x 0.85 if the study periods are disjoint)
    resolution: 0.60 lexical + 0.25 shared themes + 0.15 shared mandated items
    theme:      0.70 lexical + 0.20 co-addressed by the same items + 0.10 same coordination body

*lexical* is TF-IDF (`iscg_graph.overlap.text`) over titles, labels in every language and descriptions; a
study group's text also carries its Questions' titles (weight 0.3), and its themes/Resolutions those
of its Questions (weight 0.5). The graph vectors count themes with their broader themes (0.5).
*mapped lineages* (`iscg_graph.overlap.lineage`): 1 when the two items' lineages are recorded as
mapped in another study period, 0.5 when one side's lineage is mapped to a working party / task
group of the other (a study group); it closes 0.15 of the gap to 1 (`weights.lifted`), so pairs
without such a record keep their score. A pair's own records never enter its own score: they only
decide whether it is proposed, flagged as recorded, or (its lineage pair recorded in another
period) flagged as a carry-over.

`precompute()` runs it all when the store is built and writes the columnar index
(`iscg_graph.overlap.columnar`, deterministic) next to the store;
`iscg_graph.overlap.index.CandidateIndex` serves it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse

from ..rdf.store import EmbeddedStore
from . import blocking, topk
from .assemble import assemble
from .corpus import Corpus, Item, Recorded, load_corpus
from .evidence import Context, shared_terms
from .features import Space, build_spaces
from .lineage import Coverage, build_lineages
from .weights import KINDS, Weights, lifted

__all__ = ["KINDS", "Weights", "CandidateSummary", "build_candidates", "precompute", "CANDIDATES_FILE"]

CANDIDATES_FILE = "candidates.json"  # the columnar index's header
FORMAT = 1


@dataclass(frozen=True)
class CandidateSummary:
    path: Path | None
    counts: dict[str, int]
    recorded: dict[str, int]
    items: int
    seconds: float


# -- scoring -------------------------------------------------------------------------------------


def _period_factor(a: list[Item], b: list[Item], penalty: float) -> Callable[[slice], np.ndarray]:
    def arr(side: list[Item], attr: str) -> np.ndarray:
        return np.array([np.nan if getattr(it, attr) is None else float(getattr(it, attr)) for it in side])

    sa, ea, sb, eb = arr(a, "start"), arr(a, "end"), arr(b, "start"), arr(b, "end")

    def factor(rows: slice) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            disjoint = (sa[rows, None] > eb[None, :]) | (sb[None, :] > ea[rows, None])
        return np.where(disjoint, penalty, 1.0)

    return factor


def _pair_factor(x: Item, y: Item, penalty: float) -> float:
    """`_period_factor` of one pair without arrays: an unknown year (NaN there) is never disjoint."""
    after = x.start is not None and y.end is not None and float(x.start) > float(y.end)
    before = y.start is not None and x.end is not None and float(y.start) > float(x.end)
    return float(penalty) if after or before else 1.0


def _orient(kind: str, x: Item, y: Item) -> tuple[Item, Item]:
    """One orientation per pair: a Question before a study group, else by Sector/scheme then IRI."""
    if kind == "question" and x.cls != y.cls:
        return (x, y) if x.cls == "question" else (y, x)
    kx = (x.scheme_code or x.sector_code, x.iri)
    ky = (y.scheme_code or y.sector_code, y.iri)
    return (x, y) if kx <= ky else (y, x)


def _score_kind(
    kind: str, space: Space, weights: Weights, block: int = 128, *, blocked: bool = True
) -> dict[tuple[str, str], dict]:
    """The top ``weights.top_k`` pairs of every left item scoring at least ``weights.min_score``,
    each unordered pair once (first found wins), oriented by `_orient`: each Sector's rows against
    the other Sectors' items (`iscg_graph.overlap.blocking`; sparse kinds: only the pairs sharing a
    feature), top k and orientation vectorised (`iscg_graph.overlap.topk`). ``blocked=False`` (and
    ``min_score <= 0``): every left row against every right item, the reference of the tests."""
    w = weights.of(kind)
    a, b = space.left, space.right
    if not a or not b:
        return {}
    names = list(w)
    mapped = None
    if kind == "question" and weights.mapped > 0 and "mapped" in space.features:
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
    comp_names = names + (["mapped"] if mapped is not None else [])
    if blocked and weights.min_score > 0:  # per Sector pair (exact: a pair sharing nothing scores 0)
        widest = max(len(c) for _, c in blocking.partition_columns(pa, pb))  # score_dense's dense side
        dense = _dense_enough(mats[0][0][:block] @ mats[0][1], mats[0][1], min(block, len(a)), width, widest)
        kept_all = (blocking.score_dense if dense else blocking.score_blocked)(
            [space.features[n] for n in names],
            weights_of,
            k,
            weights.min_score,
            pairs,
            mapped=space.features["mapped"] if mapped is not None else None,
            mapped_weight=weights.mapped,
        )
    else:
        kept_all = _score_loop(mats, mapped, weights_of, weights, block, k, width, pairs)
    kept, swap = topk.orient_and_dedupe(kept_all, *_ranks(kind, a, b))
    # the orientation `_orient` gives each pair, from the ranks orient_and_dedupe compared
    iris_a, iris_b = [it.iri for it in a], [it.iri for it in b]
    out: dict[tuple[str, str], dict] = {}
    no_periods = pairs.periods is None
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
        out[key] = {
            "score": score,
            "components": dict(zip(comp_names, cs, strict=True)),
            "period_factor": 1.0 if no_periods else f,
        }
    return out


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
    """Start and end years of each side (NaN: unknown), for `topk.Pairs` (see `_period_factor`)."""

    def arr(side: list[Item], attr: str) -> np.ndarray:
        return np.array([np.nan if getattr(it, attr) is None else float(getattr(it, attr)) for it in side])

    return arr(a, "start"), arr(a, "end"), arr(b, "start"), arr(b, "end")


def _ranks(kind: str, a: list[Item], b: list[Item]) -> tuple[np.ndarray, ...]:
    """Each side's items' rank in `_orient`'s order, and for Questions whether each is a Question."""
    every = {it.iri: it for it in a + b}
    order = sorted(every.values(), key=lambda it: (it.scheme_code or it.sector_code, it.iri))
    rank = {it.iri: i for i, it in enumerate(order)}
    ra = np.array([rank[it.iri] for it in a], dtype=np.int64)
    rb = np.array([rank[it.iri] for it in b], dtype=np.int64)
    if kind != "question":
        return ra, rb
    return ra, rb, np.array([it.cls == "question" for it in a]), np.array([it.cls == "question" for it in b])


def _row_product(a: sparse.csr_matrix, i: int, b: sparse.csr_matrix, j: int) -> tuple[np.ndarray, np.ndarray]:
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


def _score_pair(kind: str, space: Space, weights: Weights, x: Item, y: Item) -> dict | None:
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
        n: min(1.0, float(_row_product(space.features[n][0], i, space.features[n][1], j)[1].sum())) for n in w
    }
    factor = 1.0
    score = sum(w[n] * comps[n] for n in w)
    if kind == "question":
        factor = _pair_factor(space.left[i], space.right[j], weights.disjoint_periods)
        if weights.mapped > 0:
            m = _row_product(space.features["mapped"][0], i, space.features["mapped"][1], j)[1].sum()
            comps["mapped"] = min(1.0, float(m))
            score = lifted(score, comps["mapped"], weights.mapped)
    return {"score": factor * score, "components": comps, "period_factor": factor}


# -- the whole run -------------------------------------------------------------------------------


def build_candidates(
    store_or_corpus: EmbeddedStore | Corpus,
    *,
    weights: Weights | None = None,
    hidden_links: Iterable[str] = (),
) -> dict:
    """Every kind's candidates as one JSON-ready document (see `precompute`).

    ``hidden_links``: Link/Mapping IRIs treated as if they were not recorded (evaluation hides the
    published mappings from the detector this way).
    """
    weights = weights or Weights()
    corpus = store_or_corpus if isinstance(store_or_corpus, Corpus) else load_corpus(store_or_corpus)
    hidden = set(hidden_links)
    recorded: dict[frozenset[str], list[Recorded]] = {}
    for rec in corpus.recorded:
        if rec.link not in hidden:
            recorded.setdefault(rec.pair, []).append(rec)
    lineages = build_lineages(corpus.items)
    coverage = Coverage(corpus, lineages, recorded)
    spaces, _analyzer, surface, aux = build_spaces(corpus, weights, coverage)
    ctx = Context(corpus)

    kinds: dict[str, list[dict]] = {}
    used: set[str] = set()
    # every recorded pair, and every version of a recorded lineage pair (the carry-overs), is kept
    # whatever its rank
    extra = sorted({tuple(sorted(p)) for p in recorded if len(p) == 2} | set(coverage.member_pairs()))
    for kind in KINDS:
        space = spaces[kind]
        scored = _score_kind(kind, space, weights)
        for pair in extra:
            x, y = (corpus.items.get(i) for i in pair)
            if x is None or y is None:
                continue
            left, right = _orient(kind, x, y)
            if (left.iri, right.iri) in scored:
                continue
            own = _score_pair(kind, space, weights, left, right)
            if own is not None:
                scored[(left.iri, right.iri)] = own
        kinds[kind] = assemble(
            kind,
            scored,
            shared_terms(aux, surface, list(scored)),
            items=corpus.items,
            recorded=recorded,
            coverage=coverage,
            ctx=ctx,
            weights=weights,
            used=used,
        )
    return {
        "format": FORMAT,
        "weights": weights.to_json(),
        "items": {iri: corpus.items[iri].summary() for iri in sorted(used) if iri in corpus.items},
        "kinds": kinds,
    }


def precompute(
    store: EmbeddedStore, store_dir: Path | None = None, *, weights: Weights | None = None
) -> CandidateSummary:
    """Compute every candidate now and write the columnar index into ``store_dir`` (if given).

    ``candidates.json`` is its small header, the arrays are in a memory-mapped file beside it
    (`iscg_graph.overlap.columnar`)."""
    began = time.perf_counter()
    doc = build_candidates(store, weights=weights)
    doc["data_version"] = store.meta.data_version
    path = None
    if store_dir is not None:
        from .columnar import columns_from_doc, write

        path = write(columns_from_doc(doc), Path(store_dir))
    counts = {k: sum(1 for c in v if "recorded" not in c) for k, v in doc["kinds"].items()}
    recorded = {k: sum(1 for c in v if "recorded" in c) for k, v in doc["kinds"].items()}
    return CandidateSummary(path, counts, recorded, len(doc["items"]), time.perf_counter() - began)
