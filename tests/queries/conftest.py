"""Stores for the canned-query tests: the hand-written fixture and the real data.

`real_data_store` converts the shipped tables (plus the ontology) straight into an in-memory store,
with the derived overlap graph a build adds (as the fixture stores have it) but without the build's
SHACL gate, so the known-answer tests run on exactly the data in ``data/``
whatever state validation is in; `tests/unit/test_build.py` covers validation.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from iscg_graph.query.catalog import QueryCatalog, load_catalog
from iscg_graph.query.engine import InProcessEngine
from iscg_graph.rdf.derived import derived_graph, materialise_store
from iscg_graph.rdf.store import EmbeddedStore, StoreMeta
from iscg_graph.vocab import DEFAULT_BASE

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "queries"
REPO = Path(__file__).resolve().parents[2]


def with_derived(store: EmbeddedStore) -> EmbeddedStore:
    """Add the derived overlap graph, as a build does (the canned overlap queries read it)."""
    graph = ox.NamedNode(derived_graph(DEFAULT_BASE))
    store.inner.extend(ox.Quad(t.subject, t.predicate, t.object, graph)
                       for t in materialise_store(store.inner, graph.value))
    return store


def store_from_trig(path: Path) -> EmbeddedStore:
    store = EmbeddedStore(
        ox.Store(), meta=StoreMeta(data_version="fixture-1", built_at="2026-01-01T00:00:00Z")
    )
    store.inner.load(path=str(path), format=ox.RdfFormat.TRIG)
    return with_derived(store)


@pytest.fixture(scope="session")
def catalog() -> QueryCatalog:
    return load_catalog()


@pytest.fixture(scope="session")
def mini_store() -> EmbeddedStore:
    return store_from_trig(FIXTURES / "mini.trig")


@pytest.fixture(scope="session")
def broken_store() -> EmbeddedStore:
    """Breaks each data-quality check once (tests/queries/test_checks.py)."""
    return store_from_trig(FIXTURES / "checks-broken.trig")


@pytest.fixture(scope="session")
def mini_engine(mini_store: EmbeddedStore) -> InProcessEngine:
    return InProcessEngine(mini_store)


@pytest.fixture(scope="session")
def real_nquads() -> bytes:
    from iscg_graph.build.pipeline import canonical_nquads, load_sources

    dataset, _origins = load_sources()
    return canonical_nquads(dataset)


@pytest.fixture(scope="session")
def real_data_store(real_nquads: bytes) -> EmbeddedStore:
    store = EmbeddedStore(ox.Store(), meta=StoreMeta(data_version="real-data-test", built_at=""))
    store.load_nquads(real_nquads)
    return with_derived(store)


@pytest.fixture(scope="session")
def real_engine(real_data_store: EmbeddedStore) -> InProcessEngine:
    return InProcessEngine(real_data_store)


@pytest.fixture(scope="session")
def bench_10k() -> InProcessEngine:
    """The benchmark generator's 10k graph with its derived graph (read only: shared by the tests
    that compare the derived-data queries with the plain ones and check pages on generated data)."""
    sys.path.insert(0, str(REPO / "bench"))
    try:
        from generate import SIZES, generate
    finally:
        sys.path.remove(str(REPO / "bench"))
    out = io.StringIO()
    generate(SIZES["10k"], out)
    store = EmbeddedStore(ox.Store(), meta=StoreMeta(data_version="bench-10k", built_at=""))
    store.load_nquads(out.getvalue().encode())
    return InProcessEngine(with_derived(store))
