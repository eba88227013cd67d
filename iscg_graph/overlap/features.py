"""Feature matrices of overlap discovery: the items of each kind's two sides, one sparse matrix per
family of evidence (lexical TF-IDF, themes, Resolutions, ...), rows aligned with the item lists."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from .corpus import Corpus, Item
from .lineage import Coverage
from .text import Analyzer, normalize_rows, tfidf
from .weights import Weights

__all__ = ["Space", "build_spaces"]


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


def _with_broader(
    themes: Iterable[str],
    items: dict[str, Item],
    weight: float,
    cache: dict[str, tuple[str, ...]] | None = None,
) -> dict[str, float]:
    """Each theme at ``weight``, its broader themes (transitively) at half of it; ``cache``: each
    theme's broader themes, walked once per run instead of once per item naming the theme."""
    out: dict[str, float] = {}
    for t in themes:
        out[t] = max(out.get(t, 0.0), weight)
        found = cache.get(t) if cache is not None else None
        if found is None:
            found = _broader(t, items)
            if cache is not None:
                cache[t] = found
        half = weight * 0.5
        for b in found:
            out[b] = max(out.get(b, 0.0), half)
    return out


def _broader(t: str, items: dict[str, Item]) -> tuple[str, ...]:
    """The themes above ``t`` (not ``t`` itself, even on a cycle), in the order they are reached."""
    order: list[str] = []
    seen, frontier = {t}, set(items[t].broader) if t in items else set()
    while frontier:
        b = frontier.pop()
        if b in seen:
            continue
        seen.add(b)
        order.append(b)
        frontier |= set(items[b].broader) if b in items else set()
    return tuple(order)


@dataclass
class Space:
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


def _raw(rows_a: list[dict[str, float]], rows_b: list[dict[str, float]]) -> tuple:
    """Two matrices over one key index, not normalised (their product sums weights, clipped later)."""
    keys = sorted({k for r in rows_a + rows_b for k in r})
    index = {k: i for i, k in enumerate(keys)}

    def matrix(rows: list[dict[str, float]]) -> sparse.csr_matrix:
        r_ = [i for i, r in enumerate(rows) for _ in r]
        c_ = [index[k] for r in rows for k in r]
        v_ = [v for r in rows for v in r.values()]
        return sparse.csr_matrix((v_, (r_, c_)), shape=(len(rows), max(len(keys), 1)), dtype=np.float64)

    return matrix(rows_a), matrix(rows_b)


def build_spaces(
    corpus: Corpus, weights: Weights, coverage: Coverage | None = None
) -> tuple[dict[str, Space], Analyzer, dict[str, str], dict]:
    """The spaces of every kind; ``coverage`` (the recorded mappings by lineage) feeds the question
    kind's ``mapped`` evidence (all zero without it)."""
    items = corpus.items
    # `Corpus.of` of each class, the items sorted once instead of once per class
    ordered = [it for _, it in sorted(items.items()) if it.partition]
    questions, groups, resolutions, themes = (
        [it for it in ordered if it.cls == cls] for cls in ("question", "study-group", "resolution", "theme")
    )
    by_group: dict[str, list[Item]] = {}
    for q in questions:
        if q.group:
            by_group.setdefault(q.group, []).append(q)

    everything = questions + groups + resolutions + themes
    own = {it.iri: it.own_texts() for it in everything}  # once per item (a Question's twice otherwise)
    all_texts = [t for it in everything for t in own[it.iri]]
    analyzer = Analyzer.fit(all_texts)
    docs = []
    for it in everything:
        doc = [(t, 1.0) for t in own[it.iri]]
        if it.cls == "study-group":
            doc += [(t, weights.group_questions) for q in by_group.get(it.iri, []) for t in own[q.iri]]
        docs.append(doc)
    vec = tfidf(docs, analyzer)
    row = {it.iri: i for i, it in enumerate(everything)}

    def lex(side: list[Item]) -> sparse.csr_matrix:
        return (
            vec.matrix[[row[it.iri] for it in side]] if side else sparse.csr_matrix((0, vec.matrix.shape[1]))
        )

    broader: dict[str, tuple[str, ...]] = {}

    def graph_rows(side: list[Item], attr: str, expand: bool) -> list[dict[str, float]]:
        out = []
        for it in side:
            own = getattr(it, attr)
            r = _with_broader(own, items, 1.0, broader) if expand else {k: 1.0 for k in own}
            if it.cls == "study-group":
                for q in by_group.get(it.iri, []):
                    extra = getattr(q, attr)
                    for k, v in (
                        _with_broader(extra, items, 0.5, broader) if expand else {k: 0.5 for k in extra}
                    ).items():
                        r[k] = max(r.get(k, 0.0), v)
            out.append(r)
        return out

    def pair(rows_a: list[dict[str, float]], rows_b: list[dict[str, float]]) -> tuple:
        m = _binary(rows_a + rows_b)
        return m[: len(rows_a)], m[len(rows_a) :]

    spaces: dict[str, Space] = {}
    qa, qb = questions, questions + groups
    spaces["question"] = Space(
        qa,
        qb,
        {
            "lexical": (lex(qa), lex(qb)),
            "themes": pair(graph_rows(qa, "themes", True), graph_rows(qb, "themes", True)),
            "resolutions": pair(graph_rows(qa, "resolutions", False), graph_rows(qb, "resolutions", False)),
            "mapped": _raw(
                coverage.feature_rows(qa, left=True) if coverage else [{} for _ in qa],
                coverage.feature_rows(qb, left=False) if coverage else [{} for _ in qb],
            ),
        },
    )
    mandated: dict[str, dict[str, float]] = {r.iri: {} for r in resolutions}
    for it in questions + groups:
        for res in it.resolutions:
            if res in mandated:
                mandated[res][it.iri] = 1.0
    r_themes = graph_rows(resolutions, "themes", True)
    r_items = [mandated[r.iri] for r in resolutions]
    spaces["resolution"] = Space(
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
    spaces["theme"] = Space(
        themes,
        themes,
        {
            "lexical": (lex(themes), lex(themes)),
            "cooccurrence": (_binary(t_co),) * 2 if themes else pair([], []),
            "bodies": (_binary(t_bodies),) * 2 if themes else pair([], []),
        },
    )
    return spaces, analyzer, analyzer.surface(all_texts), {"vec": vec, "row": row}

