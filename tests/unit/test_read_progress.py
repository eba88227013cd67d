"""A copy of the snapshot loaded through the counting reader is the same copy, and the reader tells
how far it has got (what a worker's wait for its copy is based on, docs/notes/scale.md §52)."""

from __future__ import annotations

from pathlib import Path

from iscg_graph.build.pipeline import write_store
from iscg_graph.rdf.read_progress import counted
from iscg_graph.rdf.store import EmbeddedStore


def test_the_reader_gives_the_files_bytes_and_counts_them(tmp_path: Path) -> None:
    data = bytes(range(256)) * 20_000  # 5 MB: several reads of a megabyte
    (tmp_path / "f").write_bytes(data)
    seen: list[tuple[int, int]] = []
    with open(tmp_path / "f", "rb") as fh:
        got = counted(fh, lambda read, size: seen.append((read, size))).read()
    assert got == data
    assert len(seen) > 2 and seen[-1] == (len(data), len(data))
    assert [r for r, _ in seen] == sorted(r for r, _ in seen)


def test_a_copy_loaded_with_progress_is_the_same_copy(tmp_path: Path) -> None:
    quads = "".join(f'<urn:s:{i}> <urn:p> "value {i}"@en <urn:g:{i % 3}> .\n' for i in range(3000))
    made = write_store(tmp_path / "store", quads.encode(), "v1")
    del made
    seen: list[tuple[int, int]] = []
    plain = EmbeddedStore.open_snapshot(tmp_path / "store")
    told = EmbeddedStore.open_snapshot(tmp_path / "store", progress=lambda r, s: seen.append((r, s)))
    assert set(told.inner) == set(plain.inner) and len(told.inner) >= 3000
    assert told.meta == plain.meta
    size = (tmp_path / "store" / "snapshot.nq").stat().st_size
    assert seen and seen[-1] == (size, size)
