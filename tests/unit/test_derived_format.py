"""A derived graph computed by another version of this code is never served: it records its format
(``dv:graph dv:format``), the service recomputes a graph of another format (or of none) when it opens
a build, and the format changes whenever the derived statements do.

The last test holds the format to that: the SHA-256 of the derived graph of a fixed fixture is
recorded per format in tests/fixtures/derived_format.json. When it fails, the derived statements
changed: give `DERIVED_FORMAT` (iscg_graph/rdf/derived.py) a new value and record that value with the
new digest (never a new digest under an old format: stores built with it would be served stale)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pyoxigraph as ox

from api.live_reload import close_served, open_build
from api.settings import Settings
from iscg_graph.build.pipeline import write_store
from iscg_graph.rdf.derived import (
    DERIVED_FORMAT,
    DV_FORMAT,
    FORMAT_SUBJECT,
    derived_graph,
    materialise_store,
    stale_derived_graph,
)
from iscg_graph.rdf.store import EmbeddedStore
from iscg_graph.vocab import DEFAULT_BASE

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
MINI = FIXTURES / "queries" / "mini.trig"
RECORD = FIXTURES / "derived_format.json"
GRAPH = ox.NamedNode(derived_graph(DEFAULT_BASE))
WITHOUT_RESOLUTION = ox.NamedNode("https://w3id.org/iscg/derived#withoutResolution")


class _Ok:
    conforms = True
    violations = ()


def _ok(_graph: object) -> _Ok:
    return _Ok()


def _with_derived() -> ox.Store:
    store = ox.Store()
    store.load(path=str(MINI), format=ox.RdfFormat.TRIG)
    triples = materialise_store(store, GRAPH.value)
    store.extend(ox.Quad(t.subject, t.predicate, t.object, GRAPH) for t in triples)
    return store


def _derived(store: ox.Store) -> set[ox.Quad]:
    return set(store.quads_for_pattern(None, None, None, GRAPH))


def test_a_derived_graph_says_its_format_and_is_current() -> None:
    store = _with_derived()
    assert ox.Quad(ox.NamedNode(FORMAT_SUBJECT), ox.NamedNode(DV_FORMAT), ox.Literal(DERIVED_FORMAT),
                   GRAPH) in store
    assert stale_derived_graph(store) is None
    assert stale_derived_graph(ox.Store()) is None  # no derived graph: nothing to recompute


def test_a_graph_of_another_format_or_of_none_is_stale() -> None:
    store = _with_derived()
    marker = (ox.NamedNode(FORMAT_SUBJECT), ox.NamedNode(DV_FORMAT))
    for quad in list(store.quads_for_pattern(*marker, None, GRAPH)):
        store.remove(quad)
    assert stale_derived_graph(store) == GRAPH.value  # computed before formats were recorded
    store.add(ox.Quad(ox.NamedNode(FORMAT_SUBJECT), ox.NamedNode(DV_FORMAT), ox.Literal("older"), GRAPH))
    assert stale_derived_graph(store) == GRAPH.value


def test_the_service_recomputes_an_old_derived_graph_before_serving_it(tmp_path: Path) -> None:
    """An old build: its derived graph lacks what this version derives (here the mandate-gap
    statements) and records no format. Opened by the service, it is served recomputed."""
    store = _with_derived()
    expected = _derived(store)
    old = [q for q in expected if q.predicate in (ox.NamedNode(DV_FORMAT), WITHOUT_RESOLUTION)]
    assert any(q.predicate == WITHOUT_RESOLUTION for q in old)  # the fixture has such Questions
    for quad in old:
        store.remove(quad)
    build = tmp_path / "0001"
    built = write_store(build, store.dump(format=ox.RdfFormat.N_QUADS) or b"", "old")
    generation = built.meta.generation
    del built  # the RocksDB lock goes before the service opens the build
    settings = Settings(store_path=build, accounts_path=tmp_path / "accounts.sqlite", query_workers=1,
                        budget_seconds_per_minute=0, reload_interval=0, query_timeout=5)
    served = open_build(settings, build, _ok)
    try:
        assert _derived(served.store.inner) == expected
        assert served.store.meta.generation > generation  # readers of the snapshot follow
    finally:
        close_served(served)
    reopened = EmbeddedStore.open_snapshot(build)  # the snapshot says the same
    assert _derived(reopened.inner) == expected


def test_the_format_changes_with_the_derived_statements() -> None:
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in _derived(_with_derived())]
    lines = sorted((ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode().splitlines())
    digest = hashlib.sha256("\n".join(lines).encode()).hexdigest()
    recorded: dict[str, str] = json.loads(RECORD.read_text("utf-8"))["formats"]
    assert recorded.get(DERIVED_FORMAT) == digest, (
        f"the derived graph of {MINI.name} is now {digest}: if the derived statements changed, give "
        f"DERIVED_FORMAT a new value (now {DERIVED_FORMAT!r}) and record it with this digest in "
        f"{RECORD.name}")
    assert len(set(recorded.values())) == len(recorded)  # one digest per format
