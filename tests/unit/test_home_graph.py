"""Which graph an edit of an item writes into (`iscg_graph.curation.home_graph`), when the item is
typed in several: the same graph every time, by a rule, not by the order the store returns quads in."""

from __future__ import annotations

from itertools import permutations

import pyoxigraph as ox
import pytest

from iscg_graph.curation import edits
from iscg_graph.curation.home_graph import home_graph, link_graph
from iscg_graph.errors import WriteRefused

BASE = "https://w3id.org/iscg/"
ISCG = BASE + "ontology#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
TITLE = ox.NamedNode("http://purl.org/dc/terms/title")
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
NOTATION = ox.NamedNode("http://www.w3.org/2004/02/skos/core#notation")
ADDRESSES = ox.NamedNode(ISCG + "addressesTheme")
QUESTION = ox.NamedNode(ISCG + "Question")
ITEM = ox.NamedNode(BASE + "id/question/ITU-T/2021-2024/Q1-17")
ENTAILMENT = ox.NamedNode(BASE + "graph/entailment")
DERIVED = ox.NamedNode(BASE + "graph/derived")
JOURNAL = ox.NamedNode(BASE + "graph/changes")
# several spellings, so that no order of the store's indexes happens to give the expected graph
NAMES = ("questions", "study-groups", "a-import", "zz-import", "resolutions", "mappings")


def _graph(name: str) -> ox.NamedNode:
    return ox.NamedNode(f"{BASE}graph/{name}")


def _store(*quads: ox.Quad) -> ox.Store:
    store = ox.Store()
    store.extend(list(quads))
    return store


def _described(graph: ox.NamedNode, statements: int) -> list[ox.Quad]:
    """The item typed in ``graph`` with ``statements`` statements about it there in all."""
    quads = [ox.Quad(ITEM, RDF_TYPE, QUESTION, graph)]
    extra = [(TITLE, ox.Literal("Title", language="en")), (LABEL, ox.Literal("Q1/17", language="en")),
             (NOTATION, ox.Literal("Q1/17")), (ADDRESSES, ox.NamedNode(BASE + "id/theme/t1"))]
    quads += [ox.Quad(ITEM, p, o, graph) for p, o in extra[: statements - 1]]
    return quads


def test_the_graph_with_the_description_wins_whatever_its_name() -> None:
    for home, other in permutations(NAMES, 2):
        store = _store(*_described(_graph(other), 1), *_described(_graph(home), 4),
                       ox.Quad(ITEM, RDF_TYPE, QUESTION, ENTAILMENT))
        assert home_graph(store, ITEM) == _graph(home), (home, other)


def test_a_tie_goes_to_the_first_graph_iri() -> None:
    for a, b in permutations(NAMES, 2):
        store = _store(*_described(_graph(b), 2), *_described(_graph(a), 2))
        assert home_graph(store, ITEM) == _graph(min(a, b)), (a, b)


def test_generated_graphs_are_never_a_home() -> None:
    # the entailment and derived graphs may say more about the item: they are recomputed anyway
    store = _store(*_described(_graph("zz-import"), 1), *_described(ENTAILMENT, 5), *_described(DERIVED, 5),
                   *_described(JOURNAL, 5))
    assert home_graph(store, ITEM) == _graph("zz-import")
    with pytest.raises(WriteRefused, match="not an item"):
        home_graph(_store(*_described(ENTAILMENT, 3)), ITEM)


def test_a_new_link_joins_the_links_of_its_kind_else_the_home() -> None:
    for held, home in permutations(NAMES, 2):
        theme = ox.NamedNode(BASE + "id/theme/t2")
        store = _store(*_described(_graph(home), 3), ox.Quad(ITEM, RDF_TYPE, QUESTION, _graph(held)),
                       ox.Quad(ITEM, ADDRESSES, theme, _graph(held)),
                       ox.Quad(ITEM, ADDRESSES, theme, ENTAILMENT))
        assert link_graph(store, ITEM, ADDRESSES) == _graph(held), (held, home)
        assert link_graph(store, ITEM, TITLE) == _graph(home)  # its one title is in the home graph
        other = ox.NamedNode(ISCG + "relatedResolution")
        assert link_graph(store, ITEM, other) == _graph(home)


def test_the_edits_write_into_the_home_graph() -> None:
    for home, other in permutations(NAMES, 2):
        store = _store(*_described(_graph(other), 1), *_described(_graph(home), 3))
        edits.set_title(store, ITEM.value, "A new title")
        edits.retire(store, ITEM.value, BASE)
        edits.set_source(store, ITEM.value, "https://www.itu.int/en/ITU-T/studygroups/2021-2024/17/")
        edits.add_link(store, ITEM.value, "resolution", BASE + "id/resolution/PP/191")
        written = {q.graph_name for q in store
                   if q.predicate.value.endswith(("title", "deprecated", "source", "relatedResolution"))}
        assert written == {_graph(home)}, (home, other)
