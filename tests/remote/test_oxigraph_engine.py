"""The remote engine on a real `oxigraph serve`: the same answers as the embedded store."""

from __future__ import annotations

from iscg_graph.query.engine import InProcessEngine
from iscg_graph.query.remote import RemoteEngine
from iscg_graph.rdf.store import EmbeddedStore

from .conftest import oxigraph_config
from .parity import cases, differences


def test_every_canned_query_answers_the_same_as_on_the_embedded_store(
        loaded_oxigraph: str, real_store: EmbeddedStore) -> None:
    reference = InProcessEngine(real_store)
    remote = RemoteEngine(oxigraph_config(loaded_oxigraph))
    assert len(list(cases(reference))) > 20  # every query, and parameters set to real choices
    assert differences(reference, remote) == {}
