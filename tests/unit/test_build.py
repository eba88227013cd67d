"""The build: real data builds; invalid data never touches the existing store."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from iscg_graph.build.pipeline import DEFAULT_DATA, build, canonical_nquads, load_sources
from iscg_graph.build.stats import compute
from iscg_graph.errors import StoreError, ValidationFailed
from iscg_graph.rdf.store import SNAPSHOT, EmbeddedStore


def test_real_data_meets_the_issue_floor(real_store: EmbeddedStore) -> None:
    s = compute(real_store)
    study_groups = sum(s.count(c) for c in ("StudyGroup", "WorkingParty", "TaskGroup", "JointTaskGroup"))
    assert study_groups >= 30
    assert s.count("Question") >= 150
    assert s.count("Resolution") >= 80
    concepts = sorted(sc.concepts for sc in s.schemes)
    assert concepts == sorted([12, 11, 44, 26, 8])
    question = next(c for c in s.classes if c.name == "Question")
    assert question.sourced == question.total  # every Question has a source
    assert 0 < question.confirmed <= question.total


def test_build_is_deterministic() -> None:
    first, _ = load_sources()
    second, _ = load_sources()
    assert canonical_nquads(first) == canonical_nquads(second)


def test_store_path_is_a_link_to_a_complete_build(built_store: Path) -> None:
    assert built_store.is_symlink()
    assert (built_store / SNAPSHOT).is_file()
    assert (built_store / "oxigraph").is_dir()


def _broken_copy(tmp_path: Path) -> Path:
    """A copy of the data whose first Question title carries a curator's note (exactly one thing wrong).

    A missing title is valid (a Question may be known by its number only); commentary inside a title
    is not (TitleWordingShape).
    """
    data = tmp_path / "data"
    shutil.copytree(DEFAULT_DATA, data)
    table = next(sorted((data / "questions").glob("*.csv")).__iter__())
    with table.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
        fields = list(rows[0].keys())
    rows[0]["title"] = "Security (topic only; exact title not seen)"
    with table.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    return data


def test_invalid_data_leaves_the_existing_store_untouched(tmp_path: Path) -> None:
    store = tmp_path / "store"
    first = build(store)
    target_before = store.resolve()
    snapshot_before = (store / SNAPSHOT).read_bytes()

    with pytest.raises(ValidationFailed) as info:
        build(store, _broken_copy(tmp_path))

    assert info.value.report.violations, "a violation is reported"
    focus = {str(r.focus_node) for r in info.value.report.violations}
    assert any("/id/question/" in f for f in focus)
    assert any(
        info.value.origins.get(f, "").endswith(".csv") or ".csv" in info.value.origins.get(f, "")
        for f in focus
    )
    assert store.resolve() == target_before == first.build_dir.resolve()
    assert (store / SNAPSHOT).read_bytes() == snapshot_before
    builds = [p for p in store.with_name("store.builds").iterdir() if p.is_dir()]
    assert builds == [first.build_dir], "no half-written build directory is left behind"


def test_rebuild_swaps_and_keeps_the_previous_build(tmp_path: Path) -> None:
    store = tmp_path / "store"
    first = build(store)
    second = build(store)
    assert store.resolve() == second.build_dir.resolve()
    assert first.build_dir.exists(), "the previous build stays for a service that still has it open"
    assert first.meta.data_version == second.meta.data_version


def test_a_real_directory_is_never_replaced(tmp_path: Path) -> None:
    store = tmp_path / "store"
    store.mkdir()
    (store / "keep.txt").write_text("precious")
    with pytest.raises(StoreError):
        build(store)
    assert (store / "keep.txt").read_text() == "precious"


def test_review_decisions_survive_a_rebuild(tmp_path: Path) -> None:
    from iscg_graph.overlap.review import reviews_graph
    from iscg_graph.vocab import DEFAULT_BASE

    REVIEWS_GRAPH = reviews_graph(DEFAULT_BASE)  # the build's base  # noqa: N806

    store = tmp_path / "store"
    build(store)
    writable = EmbeddedStore.open_writable(store)
    triple = (
        b'<https://w3id.org/iscg/id/mapping/R-test> <http://www.w3.org/2000/01/rdf-schema#comment> "kept" .\n'
    )
    writable.add_to_graph(REVIEWS_GRAPH, triple)
    del writable

    build(store)
    rebuilt = EmbeddedStore.open_snapshot(store)
    comments = [q.object.value for q in rebuilt.quads(graph=ox.NamedNode(REVIEWS_GRAPH))]
    assert comments == ["kept"]
