"""Label search: folding, match kinds and their ranking, errors, the per-store cache."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from iscg_graph.linked_data.search import SearchError, SearchIndex, fold
from iscg_graph.rdf.store import EmbeddedStore

BASE = "https://w3id.org/iscg/"
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
ALT = ox.NamedNode("http://www.w3.org/2004/02/skos/core#altLabel")
NOTATION = ox.NamedNode("http://www.w3.org/2004/02/skos/core#notation")


def make_store(rows: list[tuple[str, ox.NamedNode, ox.Literal]]) -> EmbeddedStore:
    store = EmbeddedStore.in_memory()
    g = ox.NamedNode(BASE + "graph/test")
    store.inner.extend(ox.Quad(ox.NamedNode(BASE + "id/" + s), p, o, g) for s, p, o in rows)
    return store


@pytest.fixture()
def index() -> SearchIndex:
    return SearchIndex(
        make_store(
            [
                ("a", LABEL, ox.Literal("Security", language="en")),
                ("b", LABEL, ox.Literal("Security and trust", language="en")),
                ("c", LABEL, ox.Literal("Network security standards", language="en")),
                ("d", LABEL, ox.Literal("Cybersecurity", language="en")),
                ("e", LABEL, ox.Literal("Sécurité des réseaux", language="fr")),
                ("f", ALT, ox.Literal("Security group", language="en")),
                ("g", NOTATION, ox.Literal("Q4/17")),
                ("h", LABEL, ox.Literal("Unrelated", language="en")),
            ]
        ),
        BASE,
    )


def test_fold() -> None:
    assert fold("  Sécurité   des Réseaux ") == "securite des reseaux"
    assert fold("Q4/17") == "q4/17"


def test_ranking(index: SearchIndex) -> None:
    hits = index.search("security")
    ids = [h.iri.rsplit("/", 1)[1] for h in hits]
    # exact, then prefix (label before alternative label), then a later word, then substring
    assert ids[:2] == ["a", "b"]
    assert ids.index("f") > ids.index("b")
    assert ids.index("c") < ids.index("d")
    assert "h" not in ids
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_any_language_and_words(index: SearchIndex) -> None:
    assert index.search("securite res")[0].iri == BASE + "id/e"
    assert index.search("reseaux")[0].matched == "Sécurité des réseaux"
    assert index.search("netw stand")[0].iri == BASE + "id/c"


def test_notation_and_limit(index: SearchIndex) -> None:
    assert index.search("q4/17")[0].iri == BASE + "id/g"
    assert len(index.search("sec", limit=2)) == 2


@pytest.mark.parametrize(
    "q, limit", [("", 10), ("   ", 10), ("x" * 201, 10), ("sec", 0), ("sec", 201), ("--", 10)]
)
def test_errors(index: SearchIndex, q: str, limit: int) -> None:
    with pytest.raises(SearchError):
        index.search(q, limit=limit)


def test_cache_follows_the_store() -> None:
    store = make_store([("a", LABEL, ox.Literal("Alpha", language="en"))])
    first = SearchIndex.for_store(store, BASE)
    assert SearchIndex.for_store(store, BASE) is first
    store.inner.add(
        ox.Quad(
            ox.NamedNode(BASE + "id/b"),
            LABEL,
            ox.Literal("Alphabet", language="en"),
            ox.NamedNode(BASE + "graph/test"),
        )
    )
    second = SearchIndex.for_store(store, BASE)
    assert second is not first
    assert len(second.search("alpha")) == 2


def test_a_hit_shows_its_asserted_type_before_the_entailed_ones(real_store: EmbeddedStore) -> None:
    """The RDFS closure adds super-types (prov:Entity, …); a hit's first type stays its own class."""
    index = SearchIndex(real_store, "https://w3id.org/iscg/")
    hit = next(h for h in index.search("Cybersecurity", limit=20) if "/id/question/" in h.iri)
    assert hit.types[0] == "https://w3id.org/iscg/ontology#Question"
    assert len(hit.types) > 1  # the entailed super-types are still listed, after it
