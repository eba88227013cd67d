"""Find resources by label in any language: exact, prefix, word-prefix and substring matches, ranked.

Matching ignores case and accents (`securite` finds `Sécurité`). The index holds every
`rdfs:label`, `skos:prefLabel`, `skos:altLabel`, `dct:title` and `skos:notation` of an IRI under the
public base; it is built once per store state and cached (`SearchIndex.for_store`).

Score (higher first): exact label 100, label starts with the query 80, every query word starts a
word of the label 60, label contains the query 30; +5 for a preferred label over a title,
alternative label or notation; then shorter labels first.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from threading import Lock

import pyoxigraph as ox

from ..errors import SearchError  # re-exported: callers import it here
from ..rdf.entailment import find_entailment_graph
from ..rdf.store import EmbeddedStore
from ..vocab import DCT_TITLE, RDF_TYPE, RDFS_LABEL, SKOS_ALT, SKOS_NOTATION, SKOS_PREF

FIELDS = {
    RDFS_LABEL.value: ("label", 5),
    SKOS_PREF.value: ("label", 5),
    SKOS_ALT.value: ("altLabel", 0),
    DCT_TITLE.value: ("title", 0),
    SKOS_NOTATION.value: ("notation", 0),
}
MAX_QUERY = 200
MAX_LIMIT = 200


def fold(text: str) -> str:
    """Lower-case, strip accents, collapse whitespace and punctuation to single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(re.split(r"[^\w./-]+", bare)).strip()


def _words(folded: str) -> list[str]:
    return [w for w in re.split(r"[\s./-]+", folded) if w]


@dataclass(frozen=True)
class _Entry:
    iri: str
    text: str
    lang: str | None
    field: str
    bonus: int
    folded: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class Hit:
    iri: str
    matched: str  # the label text that matched
    lang: str | None
    field: str  # label | altLabel | title | notation
    score: int
    types: tuple[str, ...]


class SearchIndex:
    _cache: dict[int, tuple[tuple[int, int], SearchIndex]] = {}
    _lock = Lock()

    def __init__(self, store: EmbeddedStore, base: str):
        self.base = base
        entries: list[_Entry] = []
        seen: set[tuple[str, str, str | None, str]] = set()
        for predicate, (field, bonus) in FIELDS.items():
            for q in store.quads(None, ox.NamedNode(predicate), None, None):
                s, o = q.subject, q.object
                if (
                    not isinstance(s, ox.NamedNode)
                    or not isinstance(o, ox.Literal)
                    or not s.value.startswith(base)
                ):
                    continue
                key = (s.value, o.value, o.language, field)
                if key in seen:
                    continue
                seen.add(key)
                folded = fold(o.value)
                entries.append(
                    _Entry(s.value, o.value, o.language, field, bonus, folded, tuple(_words(folded)))
                )
        self.entries = entries
        self._store = store

    @classmethod
    def for_store(cls, store: EmbeddedStore, base: str) -> SearchIndex:
        """The index for the store's current state (rebuilt when the store changes)."""
        state = (store.meta.generation, len(store))
        with cls._lock:
            cached = cls._cache.get(id(store))
            if cached and cached[0] == state and cached[1].base == base and cached[1]._store is store:
                return cached[1]
            index = cls(store, base)
            cls._cache[id(store)] = (state, index)
            return index

    def search(self, query: str, *, limit: int = 20, language: str | None = None) -> list[Hit]:
        if not query or not query.strip():
            raise SearchError("the query `q` is empty")
        if len(query) > MAX_QUERY:
            raise SearchError(f"the query `q` is longer than {MAX_QUERY} characters")
        if not 1 <= limit <= MAX_LIMIT:
            raise SearchError(f"`limit` must be between 1 and {MAX_LIMIT}")
        q = fold(query)
        q_words = _words(q)
        if not q_words:
            raise SearchError("the query `q` has no letters or digits")
        best: dict[str, tuple[int, int, _Entry]] = {}
        for e in self.entries:
            score = self._score(e, q, q_words)
            if score <= 0:
                continue
            if language and e.lang and e.lang.split("-")[0] == language.split("-")[0].lower():
                score += 2
            rank = (score, -len(e.text))
            prev = best.get(e.iri)
            if prev is None or rank > (prev[0], prev[1]):
                best[e.iri] = (score, -len(e.text), e)
        ordered = sorted(best.values(), key=lambda t: (-t[0], -t[1], t[2].text.lower(), t[2].iri))[:limit]
        return [Hit(e.iri, e.text, e.lang, e.field, score, self._types(e.iri)) for score, _l, e in ordered]

    @staticmethod
    def _score(e: _Entry, q: str, q_words: list[str]) -> int:
        if e.folded == q:
            base = 100
        elif e.folded.startswith(q):
            base = 80
        elif all(any(w.startswith(qw) for w in e.words) for qw in q_words):
            base = 60
        elif q in e.folded:
            base = 30
        else:
            return 0
        return base + e.bonus

    def _types(self, iri: str) -> tuple[str, ...]:
        """The item's types, the asserted ones first (a hit shows its first type: "Question", not
        the "entity" the RDFS closure adds), then the entailed ones."""
        entailed_in = find_entailment_graph(self._store.graphs())
        asserted: set[str] = set()
        entailed: set[str] = set()
        for q in self._store.quads(ox.NamedNode(iri), RDF_TYPE, None, None):
            if isinstance(q.object, ox.NamedNode):
                from_closure = isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value == entailed_in
                (entailed if from_closure else asserted).add(q.object.value)
        return tuple(sorted(asserted)) + tuple(sorted(entailed - asserted))
