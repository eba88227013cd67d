"""The benchmark's streamed store build (bench/build_store.py) makes the same store as the in-memory
path it replaced (`write_store` of the file's bytes, then `refresh_store`), and a candidate index the
service can map; and a snapshot rewritten after a write (streamed by Oxigraph now) still holds every
quad of the store."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from iscg_graph.build.pipeline import write_store
from iscg_graph.overlap.index import CandidateIndex
from iscg_graph.rdf.derived import derived_graph, refresh_store
from iscg_graph.rdf.store import SNAPSHOT, EmbeddedStore, read_meta
from iscg_graph.vocab import DEFAULT_BASE

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture(scope="module")
def bench() -> object:
    sys.path.insert(0, str(BENCH))
    try:
        import build_store
        from generate import generate
    finally:
        sys.path.remove(str(BENCH))
    return build_store, generate


@pytest.fixture(scope="module")
def data(bench, tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    _build_store, generate = bench
    out = io.StringIO()
    generate(3000, out)
    path = tmp_path_factory.mktemp("bench") / "data-3k.nq"
    path.write_text(out.getvalue(), "utf-8")
    return path


def _quads(data: bytes) -> set[ox.Quad]:
    return set(ox.parse(data, format=ox.RdfFormat.N_QUADS))


def test_streamed_build_equals_the_in_memory_build(bench, data, tmp_path) -> None:  # type: ignore[no-untyped-def]
    build_store, _ = bench
    streamed, report = tmp_path / "streamed", tmp_path / "build.json"
    rows = build_store.run_steps(data, streamed, ["load", "derived"], report)

    old = write_store(tmp_path / "old", data.read_bytes(), "old")
    refresh_store(old, derived_graph(DEFAULT_BASE))

    assert _quads((streamed / SNAPSHOT).read_bytes()) == _quads((tmp_path / "old" / SNAPSHOT).read_bytes())
    opened = EmbeddedStore.open_read_only(streamed)
    assert set(opened.quads()) == set(old.quads())
    meta = read_meta(streamed)
    assert meta.graphs == old.meta.graphs
    assert meta.data_version == f"bench-{data.stem}"
    assert rows["derived"]["derived_triples"] == old.meta.graphs[derived_graph(DEFAULT_BASE)] > 0
    assert rows["load"]["quads"] == sum(1 for line in data.read_bytes().splitlines() if line.strip())
    assert set(json.loads(report.read_text("utf-8"))) == {"load", "derived"}


def test_candidates_step_writes_an_index_the_service_maps(bench, data, tmp_path) -> None:  # type: ignore[no-untyped-def]
    build_store, _ = bench
    store = tmp_path / "store"
    rows = build_store.run_steps(data, store, ["load", "derived", "candidates"])
    index = CandidateIndex.load(store)
    assert rows["candidates"]["items"] > 0
    assert index.data_version == f"bench-{data.stem}"


def test_load_refuses_an_existing_store(bench, data, tmp_path) -> None:  # type: ignore[no-untyped-def]
    build_store, _ = bench
    (tmp_path / "store").mkdir()
    with pytest.raises(SystemExit, match="already exists"):
        build_store.run_steps(data, tmp_path / "store", ["load"])


def test_rewritten_snapshot_holds_every_quad_after_a_write(tmp_path) -> None:  # type: ignore[no-untyped-def]
    body = b'<http://example.org/s> <http://example.org/p> "o" <http://example.org/g> .\n'
    store = write_store(tmp_path / "s", body, "v")
    store.add_to_graph("http://example.org/h", b'<http://example.org/s> <http://example.org/p> "q" .\n')
    snapshot = _quads((tmp_path / "s" / SNAPSHOT).read_bytes())
    assert snapshot == set(store.quads()) and len(snapshot) == 2
    assert not [p for p in (tmp_path / "s").iterdir() if p.name.startswith(f".{SNAPSHOT}")]  # no temp left


def test_derived_step_on_a_changed_store_applies_the_difference(bench, data, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A store whose derived graph is out of date (a theme link removed, one added) ends up with the
    same quads and snapshot as `refresh_store` gives; removals force a full snapshot rewrite."""
    import shutil

    from iscg_graph.rdf.derived import ADDRESSES_THEME

    build_store, _ = bench
    store = tmp_path / "store"
    build_store.run_steps(data, store, ["load", "derived"])
    opened = EmbeddedStore.open_writable(store)
    links = sorted(opened.quads(None, ox.NamedNode(ADDRESSES_THEME)), key=str)
    themes = sorted({q.object for q in links}, key=str)
    gone = links[0]
    other = next(t for t in themes if not any(q.subject == gone.subject and q.object == t for q in links))
    opened.inner.remove(gone)
    opened.load_nquads(ox.serialize([ox.Quad(gone.subject, gone.predicate, other, gone.graph_name)],
                                    format=ox.RdfFormat.N_QUADS) or b"")
    del opened
    shutil.copytree(store, tmp_path / "copy")

    rows = build_store.run_steps(data, store, ["derived"])
    assert rows["derived"]["added"] > 0 and rows["derived"]["removed"] > 0
    expected = EmbeddedStore.open_writable(tmp_path / "copy")
    refresh_store(expected, derived_graph(DEFAULT_BASE))
    assert set(EmbeddedStore.open_read_only(store).quads()) == set(expected.quads())
    assert _quads((store / SNAPSHOT).read_bytes()) == _quads((tmp_path / "copy" / SNAPSHOT).read_bytes())
    assert read_meta(store).graphs == expected.meta.graphs
