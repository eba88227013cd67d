"""The corpus reads its fixed queries as tuples (`corpus._solutions`): the same solutions, values and
unbound variables as ``store.select``'s dicts, on the fixture and on the real data."""

from __future__ import annotations

import pytest

from iscg_graph.overlap import corpus
from iscg_graph.query import sparql
from iscg_graph.rdf.store import EmbeddedStore
from tests.unit.test_lineage import mini_store

QUERIES = (
    "candidates-items",
    "candidates-texts",
    "candidates-themes",
    "candidates-resolutions",
    "candidates-lineage",
    "candidates-recorded",
)


def _same_as_select(store: EmbeddedStore) -> int:
    unbound = 0
    for name in QUERIES:
        pos, rows = corpus._solutions(store, name)
        as_dicts = [{v: row[i] for v, i in pos.items() if row[i] is not None} for row in rows]
        assert as_dicts == store.select(sparql.load(name)), name
        unbound += sum(len(d) < len(pos) for d in as_dicts)
    return unbound


def test_solutions_as_tuples_equal_select() -> None:
    assert _same_as_select(mini_store()) > 0  # some optional variable is unbound somewhere


@pytest.mark.slow
def test_real_data_solutions_as_tuples_equal_select(real_store: EmbeddedStore) -> None:
    assert _same_as_select(real_store) > 0


def test_a_query_that_is_not_a_select_is_refused() -> None:
    store = mini_store()
    original = sparql.load

    def ask(name: str) -> str:
        return "ASK { ?s ?p ?o }" if name == "candidates-items" else original(name)

    mp = pytest.MonkeyPatch()
    mp.setattr(sparql, "load", ask)
    try:
        with pytest.raises(corpus.StoreError, match="not a SELECT"):
            corpus.load_corpus(store)
    finally:
        mp.undo()
