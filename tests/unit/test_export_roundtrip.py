"""`iscg export` round trip: a change made through the write path, exported to ``data/``, then built
from the exported tables with no journal to replay, gives the very same dataset (every graph but the
change journal). Covered: a Question's title, its Resolutions (added, removed) and its source."""

from __future__ import annotations

import shutil
from datetime import date as Date
from pathlib import Path

import pyoxigraph as ox
import pytest

from iscg_graph.build.pipeline import DEFAULT_DATA, build
from iscg_graph.build.tables import load_tables
from iscg_graph.curation.edits import add_link, remove_link, retire, set_source, set_title
from iscg_graph.curation.export import export_changes
from iscg_graph.curation.history import CHANGES_GRAPH
from iscg_graph.curation.mapping_edits import edit_mapping
from iscg_graph.curation.theme_links import add_theme_link, remove_theme_link
from iscg_graph.curation.writes import Author, WritePath
from iscg_graph.overlap.review import Decision, prepare_decision
from iscg_graph.rdf.store import EmbeddedStore

ID = "https://w3id.org/iscg/id/"
Q1 = ID + "question/itu-t/2017-2020/1-2"
Q2 = ID + "question/itu-t/2017-2020/2-2"
SOURCE = "https://www.itu.int/en/ITU-T/studygroups/2017-2020/02/Pages/q2.aspx"
RES = "https://w3id.org/iscg/ontology#relatedResolution"


def _data_quads(store: ox.Store) -> set[str]:
    journal = ox.NamedNode(CHANGES_GRAPH)
    return {str(q) for q in store if q.graph_name != journal}


def _a_resolution(store: ox.Store, n: int) -> str:
    found = store.query("SELECT DISTINCT ?r WHERE { ?r a <https://w3id.org/iscg/ontology#Resolution> ; "
                        "<https://w3id.org/iscg/ontology#concernsSector> "
                        f"<{ID}sector/itu-t> }} ORDER BY ?r LIMIT 1 OFFSET {n}",
                        use_default_graph_as_union=True)
    return str(next(iter(found))["r"].value)  # type: ignore[index, arg-type]


@pytest.mark.slow
def test_changes_exported_then_built_give_the_same_dataset(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DEFAULT_DATA, data)
    build(tmp_path / "served", data, post_build=[])
    store = EmbeddedStore.open_writable((tmp_path / "served").resolve())
    writes = WritePath(store)
    first, second = _a_resolution(store.inner, 0), _a_resolution(store.inner, 1)

    def edit(work: ox.Store) -> None:
        set_title(work, Q1, "Application of numbering, naming, addressing and identification plans, revised")
        add_link(work, Q1, "resolution", first)
        add_link(work, Q1, "resolution", second)

    assert writes.apply(edit, Author("ed", "title and Resolutions from the meeting report")) is not None
    assert writes.apply(lambda w: remove_link(w, Q1, "resolution", second), Author("ed", "not this one"))
    assert writes.apply(lambda w: set_source(w, Q2, SOURCE), Author("ed", "the SG2 page"))
    expected = _data_quads(store.inner)
    assert any(RES in line and first in line for line in expected)

    report = export_changes(store.inner, data, lambda: load_tables(data).keys)
    assert sorted(iri for _, iri in report.written) == [Q1, Q2]
    assert report.not_exportable == []
    del writes, store

    build(tmp_path / "fresh", data, post_build=[])  # a new store: nothing replayed
    rebuilt = EmbeddedStore.open_snapshot(tmp_path / "fresh")
    got = _data_quads(rebuilt.inner)
    assert got - expected == set() and expected - got == set()
    # exporting again writes nothing
    served = EmbeddedStore.open_snapshot(tmp_path / "served")
    assert export_changes(served.inner, data, lambda: load_tables(data).keys).written == []


def _review(store: EmbeddedStore, writes: WritePath, decision: Decision) -> None:
    """As the service records a decision: checked, then numbered, written and validated by the write path."""
    write = prepare_decision(store, decision, base=BASE)
    assert writes.apply(write, Author(decision.reviewer, decision.comment, kind="review")) is not None


BASE = "https://w3id.org/iscg/"
D7 = ID + "question/itu-d/2014-2017/7-2"
D4 = ID + "question/itu-d/2022-2025/4-1"
Q3 = ID + "question/itu-t/2017-2020/3-2"
THEME_NEW, THEME_OLD = ID + "theme/resolution-areas/27", ID + "theme/resolution-areas/29"


@pytest.mark.slow
def test_records_exported_then_built_give_the_same_dataset(tmp_path: Path) -> None:
    """Review decisions, theme links added and removed, a retirement and mapping edits, made through
    the write path, exported as rows, then built from the tables alone: the same dataset."""
    data = tmp_path / "data"
    shutil.copytree(DEFAULT_DATA, data)
    build(tmp_path / "served", data, post_build=[])
    store = EmbeddedStore.open_writable((tmp_path / "served").resolve())
    writes = WritePath(store)
    on = Date(2026, 12, 6)
    rita = "Rita Reviewer"
    _review(store, writes, Decision(Q1, D7, "accept", rita, "complementary", "both on numbering", on))
    _review(store, writes, Decision(Q2, D4, "reject", rita, None, "=not the same (typed)", on))
    why = "+ routing plans bear on it"
    assert writes.apply(lambda w: add_theme_link(w, Q2, THEME_NEW, curator="Edna Editor", justification=why,
                                                 on=on, base=BASE), Author("Edna Editor", "from the meeting"))
    assert writes.apply(lambda w: remove_theme_link(w, Q1, THEME_OLD, base=BASE), Author("Edna Editor", "no"))
    assert writes.apply(lambda w: retire(w, Q3, BASE), Author("Edna Editor", "@merged into Q2/2"))
    for record, kind, status in ((ID + "mapping/M0001", "Overlap", "Accepted"),
                                 (ID + "mapping/R0001", "Duplicate", "Rejected")):
        assert writes.apply(lambda w, r=record, k=kind, s=status: edit_mapping(
            w, r, relation_kind=k, justification="LexicalMatching", confidence="Unconfirmed", status=s),
            Author("Edna Editor", "re-read the texts"))
    expected = _data_quads(store.inner)

    report = export_changes(store.inner, data, lambda: load_tables(data).keys)
    assert report.not_exportable == []
    assert {"reviews/decisions.csv", "theme-links/itu-t.csv", "coordination/agents.csv",
            "retirements/items.csv"} <= set(report.tables)
    decisions = (data / "reviews" / "decisions.csv").read_text("utf-8")
    assert "'=not the same (typed)" in decisions  # a spreadsheet shows it as text
    assert "'@merged into Q2/2" in (data / "retirements" / "items.csv").read_text("utf-8")
    assert "M0001,ITU-D:2014-2017:Q7/2,ITU-R:2015-2019:WP 1C,Overlap,relatedMatch,Accepted,LexicalMatching" \
        in (data / "mappings" / "mappings.csv").read_text("utf-8")
    del writes, store

    build(tmp_path / "fresh", data, post_build=[])  # a new store: nothing replayed, nothing carried over
    rebuilt = EmbeddedStore.open_snapshot(tmp_path / "fresh")
    got = _data_quads(rebuilt.inner)
    assert sorted(got - expected) == [] and sorted(expected - got) == []
    served = EmbeddedStore.open_snapshot(tmp_path / "served")
    again = export_changes(served.inner, data, lambda: load_tables(data).keys)
    assert again.written == [] and again.tables == []
