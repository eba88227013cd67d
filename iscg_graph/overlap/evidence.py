"""Evidence shown with a candidate: the heaviest shared terms, and the themes, Resolutions, items
and bodies two items share (with a study group's Questions counted as its own)."""

from __future__ import annotations

import numpy as np

from .corpus import Corpus, Item
from .json_texts import quoted, round4

__all__ = ["Context", "shared_term_texts", "shared_terms"]


def _top_shared(aux: dict, ia: np.ndarray, ib: np.ndarray, n: int) -> tuple[np.ndarray, ...]:
    """The ``n`` heaviest shared terms of the pairs (``aux["vec"]`` rows ``ia[k]``, ``ib[k]``): pair,
    term column and weight of each, by pair, then weight descending, then column.

    The weight of a term is the product of its two TF-IDF weights (its part of the cosine); ties
    are broken by term column, as a per-pair sort by (-weight, column) would."""
    m = aux["vec"].matrix
    prod = m[ia].multiply(m[ib]).tocoo()  # row k: the shared columns of pair k and their products
    rows, cols, vals = prod.row, prod.col, prod.data
    keep = vals > 0
    rows, cols, vals = rows[keep], cols[keep], vals[keep]
    order = np.lexsort((cols, -vals, rows))
    rows, cols, vals = rows[order], cols[order], vals[order]
    counts = np.bincount(rows, minlength=len(ia))
    rank = np.arange(len(rows)) - np.repeat(np.cumsum(counts) - counts, counts)
    top = rank < n
    return rows[top], cols[top], vals[top]


def shared_terms(aux: dict, surface: dict[str, str], pairs: list[tuple[str, str]], n: int = 8) -> list[list]:
    """The ``n`` heaviest shared terms of every pair, as sparse operations over all pairs at once
    (`_top_shared`), each as ``[surface form, rounded weight]``."""
    if not pairs:
        return []
    row = aux["row"]
    ia = np.fromiter((row[x] for x, _ in pairs), dtype=np.int64, count=len(pairs))
    ib = np.fromiter((row[y] for _, y in pairs), dtype=np.int64, count=len(pairs))
    rows, cols, vals = _top_shared(aux, ia, ib, n)
    names = [surface.get(t, t) for t in aux["vec"].terms]  # each column's surface form, once
    out: list[list] = [[] for _ in pairs]
    for r, c, v in zip(rows.tolist(), cols.tolist(), vals.tolist(), strict=True):
        out[r].append([names[c], round(v, 4)])
    return out


def shared_term_texts(
    aux: dict, surface: dict[str, str], ia: np.ndarray, ib: np.ndarray, n: int = 8
) -> list[str]:
    """`shared_terms` of the pairs (``aux["vec"]`` rows ``ia[k]``, ``ib[k]``) as the index's JSON
    texts, without a list per pair: each column's quoted surface form once, the weights rounded
    on arrays (`json_texts.round4`)."""
    if not len(ia):
        return []
    rows, cols, vals = _top_shared(aux, ia, ib, n)
    names = [quoted(surface.get(t, t)) for t in aux["vec"].terms]
    _, weights = round4(vals)
    entries = [f"[{names[c]},{w}]" for c, w in zip(cols.tolist(), weights, strict=True)]
    ends = np.cumsum(np.bincount(rows, minlength=len(ia))).tolist()
    out: list[str] = []
    start = 0
    for end in ends:
        out.append("[" + ",".join(entries[start:end]) + "]")
        start = end
    return out


class Context:
    """Inverted indexes for evidence: a study group's Questions, the items behind a theme/Resolution."""

    def __init__(self, corpus: Corpus):
        self.questions_of: dict[str, list[Item]] = {}
        self.linked: dict[str, set[str]] = {}
        self._own: dict[tuple[str, str], frozenset[str]] = {}
        self._items = list(corpus.items.values())
        for it in corpus.items.values():
            if it.cls == "question" and it.group:
                self.questions_of.setdefault(it.group, []).append(it)
            for target in it.themes | it.resolutions:
                self.linked.setdefault(target, set()).add(it.iri)

    def shared(self, x: Item, y: Item, attr: str) -> list[str]:
        return sorted(self._of(x, attr) & self._of(y, attr))

    def _of(self, it: Item, attr: str) -> frozenset[str]:
        """The item's themes / Resolutions with its Questions' (a study group's), once per item."""
        found = self._own.get((it.iri, attr))
        if found is None:
            own = set(getattr(it, attr))
            for q in self.questions_of.get(it.iri, []):
                own |= getattr(q, attr)
            found = self._own[(it.iri, attr)] = frozenset(own)
        return found

    def of_attr(self, attr: str) -> dict[str, frozenset[str]]:
        """Every item's themes / Resolutions with its Questions' (`shared`'s sets), the empty left out."""
        out = {}
        for it in self._items:
            found = self._of(it, attr)
            if found:
                out[it.iri] = found
        return out

    def shared_items(self, x: Item, y: Item) -> list[str]:
        """Questions / study groups linked to both Resolutions, or addressing both themes."""
        return sorted(self.linked.get(x.iri, set()) & self.linked.get(y.iri, set()))

