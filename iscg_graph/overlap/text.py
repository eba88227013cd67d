"""Text for overlap discovery: tokens, a light stemmer, acronyms, compounds, TF-IDF vectors.

Everything here is deterministic and offline (no model, no download). The pipeline::

    literals of an item (titles, labels and descriptions in every language)
      -> normalised words (accents stripped, lower case, stop words and numbers dropped)
      -> light suffix stemming ("securing", "security" -> "secur")
      -> acronyms defined anywhere in the corpus expanded ("EMF" -> "electromagnet field")
      -> compounds split when both halves are words of the corpus ("cybersecurity" -> "cyber", "secur")
      -> sublinear TF, smoothed IDF, L2-normalised rows (a scipy CSR matrix)
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # scipy where vectors are built: the service imports the Analyzer at start-up
    from scipy import sparse

STOPWORDS = frozenset(
    # English
    "a an and are as at be between by for from has have in including into is it its of on or other "
    "such that the their these this to under use used using via with within all any new related "
    "aspects issues issue matters general study studies question questions work"
    # every item is ITU's: "Question ITU-R 225/1" alone must not match every other ITU label
    " itu"
    # French
    " au aux avec ce ces dans de des du en et la le les leur par pour que qui sur un une ou"
    # Spanish
    " al con del el en las los para por que su sus un una y o".split()
)
"""Function words, plus words every ITU work item carries ("question", "study", "issues", "itu")."""

_WORD = re.compile(r"[a-z]+")
_ACRONYM = re.compile(r"\(([A-Z][A-Za-z]{1,9})\)")
_SUFFIXES = (
    "ational",
    "ations",
    "ation",
    "ities",
    "ments",
    "ings",
    "ity",
    "ing",
    "ment",
    "ally",
    "al",
    "ed",
    "s",
    "e",
)
_MIN_STEM = 4


def fold(text: str) -> str:
    """Lower case without accents: "Télécommunications" -> "telecommunications"."""
    if text.isascii():  # nothing to decompose (the common case, a per-character pass otherwise)
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light, language-blind suffix stripper (stems only need to be consistent, not pretty)."""
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    for _ in range(3):
        for suffix in _SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= _MIN_STEM:
                if suffix == "s" and word.endswith(("ss", "us", "is")):
                    continue
                word = word[: -len(suffix)]
                break
        else:
            break
    return word


def words(text: str) -> list[str]:
    """Surface words worth matching: letters only, no stop words, at least two letters."""
    return list(_words(text))


@lru_cache(maxsize=262144)
def _words(text: str) -> tuple[str, ...]:
    # the same texts are read five times (acronyms, vocabulary, compounds, stems, surface forms)
    return tuple(w for w in _WORD.findall(fold(text)) if len(w) > 1 and w not in STOPWORDS)


def acronyms(texts: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Acronyms defined in the corpus as "long form (ACR)" -> the stems of their long form.

    The long form is the shortest run of preceding words (at least half as many as the acronym has
    letters) whose first word starts with the acronym's first letter: "human exposure to
    electromagnetic fields (EMF)" defines EMF as "electromagnetic fields".
    """
    found: dict[str, Counter[tuple[str, ...]]] = {}
    for text in texts:
        for match in _ACRONYM.finditer(text):
            acr = match.group(1)
            before = words(text[: match.start()].replace("-", " "))
            need = max(1, math.ceil(len(acr) / 2))
            for k in range(need, min(len(acr), len(before)) + 1):
                run = before[-k:]
                if run[0][0] == acr[0].lower():
                    found.setdefault(acr.lower(), Counter())[tuple(stem(w) for w in run)] += 1
                    break
    return {acr: forms.most_common(1)[0][0] for acr, forms in sorted(found.items())}


@dataclass(frozen=True)
class Analyzer:
    """Turns text into stems, with the corpus' acronyms expanded and compounds split."""

    acronyms: dict[str, tuple[str, ...]]
    compounds: dict[str, tuple[str, str]]

    @classmethod
    def fit(cls, texts: Sequence[str]) -> Analyzer:
        acr = acronyms(texts)
        vocab = {stem(w) for t in texts for w in words(t.replace("-", " "))}
        raw = {w for t in texts for w in words(t)}
        compounds: dict[str, tuple[str, str]] = {}
        for w in sorted(raw):
            if len(w) < 9:
                continue
            for cut in range(4, len(w) - 3):
                head, tail = w[:cut], w[cut:]
                if head in vocab and stem(tail) in vocab and stem(tail) != stem(w):
                    compounds[w] = (head, stem(tail))
                    break
        return cls(acr, compounds)

    def stems(self, text: str) -> list[str]:
        ws = words(text.replace("-", " "))
        out = [stem(w) for w in ws]
        present = set(out)
        for w in ws:
            # an acronym adds its long form unless the text already spells it out
            if w in self.acronyms and not present.issuperset(self.acronyms[w]):
                out.extend(self.acronyms[w])
            if w in self.compounds:
                out.extend(self.compounds[w])
        return out

    def surface(self, texts: Iterable[str]) -> dict[str, str]:
        """stem -> its most frequent surface word, to show matched terms readably."""
        seen: dict[str, Counter[str]] = {}
        for t in texts:
            for w in _words(t.replace("-", " ")):
                counter = seen.get(s := stem(w))
                if counter is None:  # not setdefault: it would build a Counter for every word
                    counter = seen[s] = Counter()
                counter[w] += 1
        return {s: c.most_common(1)[0][0] for s, c in seen.items()}


@dataclass(frozen=True)
class TfIdf:
    """Row-normalised TF-IDF vectors of a list of weighted documents."""

    matrix: sparse.csr_matrix
    terms: tuple[str, ...]
    index: dict[str, int]


def tfidf(docs: Sequence[Sequence[tuple[str, float]]], analyzer: Analyzer) -> TfIdf:
    """docs[i] = [(text, weight), ...]; term frequency sums the weights, then 1 + log(tf)."""
    from scipy import sparse

    counts: list[dict[str, float]] = []
    stems_of: dict[str, list[str]] = {}  # a Question's texts are its study group's too
    for doc in docs:
        tf: dict[str, float] = {}
        for text, weight in doc:
            stems = stems_of.get(text)
            if stems is None:
                stems = stems_of[text] = analyzer.stems(text)
            for s in stems:
                tf[s] = tf.get(s, 0.0) + weight
        counts.append(tf)
    terms = tuple(sorted({t for tf in counts for t in tf}))
    index = {t: i for i, t in enumerate(terms)}
    df = np.zeros(len(terms))
    rows, cols, vals = [], [], []
    for r, tf in enumerate(counts):
        for t, f in tf.items():
            if f <= 0:
                continue
            j = index[t]
            df[j] += 1
            rows.append(r)
            cols.append(j)
            vals.append(1.0 + math.log(f) if f >= 1 else f)
    n = max(len(docs), 1)
    idf = np.log((1 + n) / (1 + df)) + 1.0
    m = sparse.csr_matrix((vals, (rows, cols)), shape=(len(docs), len(terms)), dtype=np.float64)
    m = m.multiply(idf[np.newaxis, :]).tocsr() if len(terms) else m
    return TfIdf(normalize_rows(m), terms, index)


def normalize_rows(m: sparse.spmatrix) -> sparse.csr_matrix:
    from scipy import sparse

    m = sparse.csr_matrix(m, dtype=np.float64)
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.csr_matrix(sparse.diags(1.0 / norms) @ m)
