"""Candidate overlaps nobody has recorded yet: discovery and scoring.

Three kinds of candidate pairs, each between two *partitions* (never inside one):

* ``question``   a Question and a Question or study group of another Sector;
* ``resolution`` two Resolutions of different Sectors' assemblies (PP = General Secretariat);
* ``theme``      two themes of different Annex lists (theme schemes).

Score = weighted sum of cosine similarities, then a study-period factor (Questions only)::

    question:   0.60 lexical + 0.25 shared themes + 0.15 shared Resolutions   (x 0.85 if periods are disjoint)
    resolution: 0.60 lexical + 0.25 shared themes + 0.15 shared mandated items
    theme:      0.70 lexical + 0.20 co-addressed by the same items + 0.10 same coordination body

*lexical* is TF-IDF (`iscg_graph.overlap.text`) over titles, labels in every language and descriptions; a
study group's text also carries its Questions' titles (weight 0.3), and its themes/Resolutions those
of its Questions (weight 0.5). The graph vectors count themes with their broader themes (0.5).
Recorded links never enter a score: they only decide whether a pair is proposed or flagged.

`precompute()` runs it all when the store is built and writes the columnar index
(`iscg_graph.overlap.columnar`, deterministic) next to the store;
`iscg_graph.overlap.index.CandidateIndex` serves it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import numpy as np
from scipy import sparse

from ..rdf.store import EmbeddedStore
from .corpus import Corpus, Item, Recorded, load_corpus
from .text import Analyzer, normalize_rows, tfidf

__all__ = ["KINDS", "Weights", "CandidateSummary", "build_candidates", "precompute", "CANDIDATES_FILE"]

KINDS = ("question", "resolution", "theme")
CANDIDATES_FILE = "candidates.json"  # the columnar index's header
FORMAT = 1


@dataclass(frozen=True)
class Weights:
    question: dict[str, float] = field(
        default_factory=lambda: {"lexical": 0.60, "themes": 0.25, "resolutions": 0.15}
    )
    resolution: dict[str, float] = field(
        default_factory=lambda: {"lexical": 0.60, "themes": 0.25, "items": 0.15}
    )
    theme: dict[str, float] = field(
        default_factory=lambda: {"lexical": 0.70, "cooccurrence": 0.20, "bodies": 0.10}
    )
    disjoint_periods: float = 0.85  # factor when two study periods do not overlap
    group_questions: float = 0.3  # weight of a study group's Questions' titles in its text
    top_k: int = 10  # candidates kept per item (plus every recorded pair)
    min_score: float = 0.05  # below this a pair is not kept

    def of(self, kind: str) -> dict[str, float]:
        return dict(getattr(self, kind))

    def to_json(self) -> dict[str, object]:
        return {
            "question": self.question,
            "resolution": self.resolution,
            "theme": self.theme,
            "disjoint_periods": self.disjoint_periods,
            "group_questions": self.group_questions,
            "top_k": self.top_k,
            "min_score": self.min_score,
        }


@dataclass(frozen=True)
class CandidateSummary:
    path: Path | None
    counts: dict[str, int]
    recorded: dict[str, int]
    items: int
    seconds: float


# -- feature matrices ----------------------------------------------------------------------------


def _binary(rows: list[dict[str, float]]) -> sparse.csr_matrix:
    keys = sorted({k for r in rows for k in r})
    index = {k: i for i, k in enumerate(keys)}
    r_, c_, v_ = [], [], []
    for i, r in enumerate(rows):
        for k, v in r.items():
            r_.append(i)
            c_.append(index[k])
            v_.append(v)
    m = sparse.csr_matrix((v_, (r_, c_)), shape=(len(rows), max(len(keys), 1)), dtype=np.float64)
    return normalize_rows(m)


def _with_broader(themes: Iterable[str], items: dict[str, Item], weight: float) -> dict[str, float]:
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


@dataclass
class _Space:
    """Items of one kind's two sides and their feature matrices (rows aligned with the lists)."""

    left: list[Item]
    right: list[Item]
    features: dict[str, tuple[sparse.csr_matrix, sparse.csr_matrix]]
    _positions: tuple[dict[str, int], dict[str, int]] | None = None

    def positions(self) -> tuple[dict[str, int], dict[str, int]]:
        """IRI -> row of each side (built once)."""
        if self._positions is None:
            self._positions = (
                {it.iri: i for i, it in enumerate(self.left)},
                {it.iri: i for i, it in enumerate(self.right)},
            )
        return self._positions


def _spaces(corpus: Corpus, weights: Weights) -> tuple[dict[str, _Space], Analyzer, dict[str, str], dict]:
    items = corpus.items
    questions = corpus.of("question")
    groups = corpus.of("study-group")
    resolutions = corpus.of("resolution")
    themes = corpus.of("theme")
    by_group: dict[str, list[Item]] = {}
    for q in questions:
        if q.group:
            by_group.setdefault(q.group, []).append(q)

    everything = questions + groups + resolutions + themes
    all_texts = [t for it in everything for t in it.own_texts()]
    analyzer = Analyzer.fit(all_texts)
    docs = []
    for it in everything:
        doc = [(t, 1.0) for t in it.own_texts()]
        if it.cls == "study-group":
            doc += [(t, weights.group_questions) for q in by_group.get(it.iri, []) for t in q.own_texts()]
        docs.append(doc)
    vec = tfidf(docs, analyzer)
    row = {it.iri: i for i, it in enumerate(everything)}

    def lex(side: list[Item]) -> sparse.csr_matrix:
        return (
            vec.matrix[[row[it.iri] for it in side]] if side else sparse.csr_matrix((0, vec.matrix.shape[1]))
        )

    def graph_rows(side: list[Item], attr: str, expand: bool) -> list[dict[str, float]]:
        out = []
        for it in side:
            own = getattr(it, attr)
            r = _with_broader(own, items, 1.0) if expand else {k: 1.0 for k in own}
            if it.cls == "study-group":
                for q in by_group.get(it.iri, []):
                    extra = getattr(q, attr)
                    for k, v in (
                        _with_broader(extra, items, 0.5) if expand else {k: 0.5 for k in extra}
                    ).items():
                        r[k] = max(r.get(k, 0.0), v)
            out.append(r)
        return out

    def pair(rows_a: list[dict[str, float]], rows_b: list[dict[str, float]]) -> tuple:
        m = _binary(rows_a + rows_b)
        return m[: len(rows_a)], m[len(rows_a) :]

    spaces: dict[str, _Space] = {}
    qa, qb = questions, questions + groups
    spaces["question"] = _Space(
        qa,
        qb,
        {
            "lexical": (lex(qa), lex(qb)),
            "themes": pair(graph_rows(qa, "themes", True), graph_rows(qb, "themes", True)),
            "resolutions": pair(graph_rows(qa, "resolutions", False), graph_rows(qb, "resolutions", False)),
        },
    )
    mandated: dict[str, dict[str, float]] = {r.iri: {} for r in resolutions}
    for it in questions + groups:
        for res in it.resolutions:
            if res in mandated:
                mandated[res][it.iri] = 1.0
    r_themes = graph_rows(resolutions, "themes", True)
    r_items = [mandated[r.iri] for r in resolutions]
    spaces["resolution"] = _Space(
        resolutions,
        resolutions,
        {
            "lexical": (lex(resolutions), lex(resolutions)),
            "themes": (_binary(r_themes),) * 2 if resolutions else pair([], []),
            "items": (_binary(r_items),) * 2 if resolutions else pair([], []),
        },
    )
    addressed: dict[str, dict[str, float]] = {t.iri: {} for t in themes}
    for it in everything:
        for t in it.themes:
            if t in addressed:
                addressed[t][it.iri] = 1.0
    t_co = [addressed[t.iri] for t in themes]
    t_bodies = [{b: 1.0 for b in t.bodies} for t in themes]
    spaces["theme"] = _Space(
        themes,
        themes,
        {
            "lexical": (lex(themes), lex(themes)),
            "cooccurrence": (_binary(t_co),) * 2 if themes else pair([], []),
            "bodies": (_binary(t_bodies),) * 2 if themes else pair([], []),
        },
    )
    return spaces, analyzer, analyzer.surface(all_texts), {"vec": vec, "row": row}


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


def _orient(kind: str, x: Item, y: Item) -> tuple[Item, Item]:
    """One orientation per pair: a Question before a study group, else by Sector/scheme then IRI."""
    if kind == "question" and x.cls != y.cls:
        return (x, y) if x.cls == "question" else (y, x)
    kx = (x.scheme_code or x.sector_code, x.iri)
    ky = (y.scheme_code or y.sector_code, y.iri)
    return (x, y) if kx <= ky else (y, x)


def _score_kind(kind: str, space: _Space, weights: Weights, block: int = 128) -> dict[tuple[str, str], dict]:
    w = weights.of(kind)
    a, b = space.left, space.right
    if not a or not b:
        return {}
    names = list(w)
    mats = [(space.features[n][0], space.features[n][1].T.tocsc()) for n in names]
    part_codes: dict[str, int] = {}
    pa = np.array([part_codes.setdefault(it.partition, len(part_codes)) for it in a])
    pb = np.array([part_codes.setdefault(it.partition, len(part_codes)) for it in b])
    period = _period_factor(a, b, weights.disjoint_periods) if kind == "question" else None
    k = min(weights.top_k, len(b))
    kept: dict[tuple[str, str], dict] = {}
    for start in range(0, len(a), block):
        rows = slice(start, min(start + block, len(a)))
        comps = [np.asarray((ma[rows] @ mbt).todense()) for ma, mbt in mats]
        total = sum(w[n] * c for n, c in zip(names, comps, strict=True))
        assert isinstance(total, np.ndarray)
        total[pa[rows, None] == pb[None, :]] = 0.0
        factor = period(rows) if period is not None else None
        if factor is not None:
            total *= factor
        top = np.argpartition(-total, k - 1, axis=1)[:, :k]
        for r in range(total.shape[0]):
            for c in top[r]:
                score = float(total[r, c])
                if score < weights.min_score:
                    continue
                left, right = _orient(kind, a[start + r], b[c])
                key = (left.iri, right.iri)
                if key in kept:
                    continue
                kept[key] = {
                    "score": score,
                    "components": {n: float(comps[i][r, c]) for i, n in enumerate(names)},
                    "period_factor": 1.0 if factor is None else float(factor[r, c]),
                }
    return kept


def _row_product(a: sparse.csr_matrix, i: int, b: sparse.csr_matrix, j: int) -> tuple[np.ndarray, np.ndarray]:
    """Columns two CSR rows share and the products of their values (fast: no scipy row slicing)."""
    ac, ad = a.indices[a.indptr[i] : a.indptr[i + 1]], a.data[a.indptr[i] : a.indptr[i + 1]]
    bc, bd = b.indices[b.indptr[j] : b.indptr[j + 1]], b.data[b.indptr[j] : b.indptr[j + 1]]
    common, ia, ib = np.intersect1d(ac, bc, assume_unique=True, return_indices=True)
    return common, ad[ia] * bd[ib]


def _score_pair(kind: str, space: _Space, weights: Weights, x: Item, y: Item) -> dict | None:
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
    comps = {n: float(_row_product(space.features[n][0], i, space.features[n][1], j)[1].sum()) for n in w}
    factor = 1.0
    if kind == "question":
        f = _period_factor([space.left[i]], [space.right[j]], weights.disjoint_periods)(slice(0, 1))
        factor = float(f[0, 0])
    return {"score": factor * sum(w[n] * comps[n] for n in w), "components": comps, "period_factor": factor}


# -- evidence ------------------------------------------------------------------------------------


def _terms(aux: dict, surface: dict[str, str], pairs: list[tuple[str, str]], n: int = 8) -> list[list]:
    """The ``n`` heaviest shared terms of every pair, as sparse operations over all pairs at once.

    The weight of a term is the product of its two TF-IDF weights (its part of the cosine); ties
    are broken by term column, as a per-pair sort by (-weight, column) would."""
    if not pairs:
        return []
    m, row = aux["vec"].matrix, aux["row"]
    ia = np.fromiter((row[x] for x, _ in pairs), dtype=np.int64, count=len(pairs))
    ib = np.fromiter((row[y] for _, y in pairs), dtype=np.int64, count=len(pairs))
    prod = m[ia].multiply(m[ib]).tocoo()  # row k: the shared columns of pair k and their products
    rows, cols, vals = prod.row, prod.col, prod.data
    keep = vals > 0
    rows, cols, vals = rows[keep], cols[keep], vals[keep]
    order = np.lexsort((cols, -vals, rows))
    rows, cols, vals = rows[order], cols[order], vals[order]
    counts = np.bincount(rows, minlength=len(pairs))
    rank = np.arange(len(rows)) - np.repeat(np.cumsum(counts) - counts, counts)
    top = rank < n
    terms = aux["vec"].terms
    out: list[list] = [[] for _ in pairs]
    for r, c, v in zip(rows[top].tolist(), cols[top].tolist(), vals[top].tolist(), strict=True):
        out[r].append([surface.get(terms[c], terms[c]), round(v, 4)])
    return out


class _Context:
    """Inverted indexes for evidence: a study group's Questions, the items behind a theme/Resolution."""

    def __init__(self, corpus: Corpus):
        self.questions_of: dict[str, list[Item]] = {}
        self.linked: dict[str, set[str]] = {}
        for it in corpus.items.values():
            if it.cls == "question" and it.group:
                self.questions_of.setdefault(it.group, []).append(it)
            for target in it.themes | it.resolutions:
                self.linked.setdefault(target, set()).add(it.iri)

    def shared(self, x: Item, y: Item, attr: str) -> list[str]:
        def of(it: Item) -> set[str]:
            own = set(getattr(it, attr))
            for q in self.questions_of.get(it.iri, []):
                own |= getattr(q, attr)
            return own

        return sorted(of(x) & of(y))

    def shared_items(self, x: Item, y: Item) -> list[str]:
        """Questions / study groups linked to both Resolutions, or addressing both themes."""
        return sorted(self.linked.get(x.iri, set()) & self.linked.get(y.iri, set()))


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
    spaces, _analyzer, surface, aux = _spaces(corpus, weights)
    ctx = _Context(corpus)

    kinds: dict[str, list[dict]] = {}
    used: set[str] = set()
    for kind in KINDS:
        space = spaces[kind]
        scored = _score_kind(kind, space, weights)
        for pair in sorted(recorded, key=sorted):
            if len(pair) != 2:
                continue
            x, y = (corpus.items.get(i) for i in sorted(pair))
            if x is None or y is None:
                continue
            left, right = _orient(kind, x, y)
            if (left.iri, right.iri) in scored:
                continue
            own = _score_pair(kind, space, weights, left, right)
            if own is not None:
                scored[(left.iri, right.iri)] = own
        out = []
        shared_terms = _terms(aux, surface, list(scored))
        for ((li, ri), s), terms in zip(scored.items(), shared_terms, strict=True):
            x, y = corpus.items[li], corpus.items[ri]
            recs = recorded.get(frozenset((li, ri)), [])
            cand: dict[str, object] = {
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
            for key in ("shared_themes", "shared_resolutions", "shared_items"):
                used.update(cast(list[str], cand.get(key, [])))
        out.sort(key=lambda c: (-c["score"], c["left"], c["right"]))  # type: ignore[operator]
        kinds[kind] = out
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
