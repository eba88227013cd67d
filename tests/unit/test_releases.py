"""Releases and their diffs: immutable snapshots, version links, readable diffs, RDF Patch."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from openpyxl import load_workbook
from rdflib.compare import isomorphic
from release_data import BASE, Q, make_build, nquads, q
from typer.testing import CliRunner

from iscg_graph.build import diff_formats
from iscg_graph.build.release_diff import (
    PatchError,
    apply_patch,
    canonical_quads,
    diff_paths,
    to_nquads,
    to_patch,
)
from iscg_graph.build.releases import (
    ReleaseError,
    UnknownRelease,
    create_release,
    list_releases,
    open_release,
    releases_dir,
)
from iscg_graph.cli.main import app


@pytest.fixture
def two_releases(tmp_path: Path) -> tuple[Path, Path]:
    link = tmp_path / "var" / "store"
    make_build(link, 1, nquads())
    create_release(link, releases_dir(link), "r1", title="After ISCG meeting, 1 September 2021",
                   on="2021-09-01", base=BASE)
    make_build(link, 2, nquads(q2_title="Question 2/17 on cybersecurity", extra=True, bnode="other"))
    create_release(link, releases_dir(link), "r2", on="2022-03-01", base=BASE)
    return link, releases_dir(link)


def test_a_release_is_a_complete_described_snapshot_linked_to_the_one_before(
        two_releases: tuple[Path, Path]) -> None:
    link, root = two_releases
    assert root == link.parent / "releases"
    r1, r2 = list_releases(root)
    assert (r1.name, r1.previous, r1.date, r1.title) == ("r1", None, "2021-09-01",
                                                         "After ISCG meeting, 1 September 2021")
    assert (r2.name, r2.previous, r2.title) == ("r2", "r1", "r2")
    assert r1.data_version == "v1" and r2.data_version == "v2"
    assert r2.classes[Q[1:-1]] == 4 and r1.classes[Q[1:-1]] == 3
    for name in ("snapshot.nq", "meta.json", "release.json", "description.ttl", "dumps/iscg.nq.gz",
                 "dumps/iscg.ttl.gz"):
        assert (r2.path / name).is_file(), name
    g = rdflib.Graph().parse(data=(r2.path / "description.ttl").read_text("utf-8"), format="turtle")
    me = rdflib.URIRef(f"{BASE}releases/r2")
    dct, prov, owl = (rdflib.Namespace(x) for x in ("http://purl.org/dc/terms/", "http://www.w3.org/ns/prov#",
                                                    "http://www.w3.org/2002/07/owl#"))
    assert g.value(me, dct.isVersionOf) == rdflib.URIRef(f"{BASE}dataset")
    assert str(g.value(me, owl.versionInfo)) == "r2"
    assert g.value(me, prov.wasRevisionOf) == rdflib.URIRef(f"{BASE}releases/r1")
    first = rdflib.Graph().parse(data=(r1.path / "description.ttl").read_text("utf-8"), format="turtle")
    assert first.value(rdflib.URIRef(f"{BASE}releases/r1"), prov.wasRevisionOf) is None


def test_releases_are_immutable_and_survive_rebuilds(two_releases: tuple[Path, Path]) -> None:
    link, root = two_releases
    before = (root / "r1" / "snapshot.nq").read_bytes()
    with pytest.raises(ReleaseError, match="already exists"):
        create_release(link, root, "r1", base=BASE)
    assert not os.access(root / "r1" / "snapshot.nq", os.W_OK) or os.geteuid() == 0
    for version in (3, 4, 5):  # each build prunes old builds, never releases
        make_build(link, version, nquads(q2_title=f"title {version}"))
    assert [r.name for r in list_releases(root)] == ["r1", "r2"]
    assert (root / "r1" / "snapshot.nq").read_bytes() == before
    assert not [p for p in root.iterdir() if p.name.startswith(".")]  # no half-made release left


@pytest.mark.parametrize("name", ["../evil", "a/b", "current", "", ".hidden", "a..b", "x" * 65, "sp ace",
                                  "/abs", "r1\x00"])
def test_release_names_that_could_escape_or_confuse_are_refused(tmp_path: Path, name: str) -> None:
    link = tmp_path / "store"
    make_build(link, 1, nquads())
    with pytest.raises(ReleaseError):
        create_release(link, tmp_path / "releases", name, base=BASE)
    with pytest.raises(ReleaseError):
        open_release(tmp_path / "releases", name)
    assert not (tmp_path / "releases").exists() or not list((tmp_path / "releases").iterdir())


def test_a_bad_date_and_an_unknown_release_are_named(tmp_path: Path) -> None:
    link = tmp_path / "store"
    make_build(link, 1, nquads())
    with pytest.raises(ReleaseError, match="not an ISO date"):
        create_release(link, tmp_path / "releases", "x", on="1 Sept 2021", base=BASE)
    with pytest.raises(UnknownRelease, match="'nope'"):
        open_release(tmp_path / "releases", "nope")


def test_the_diff_lists_exactly_the_change_and_ignores_blank_node_labels(
        two_releases: tuple[Path, Path]) -> None:
    _link, root = two_releases
    d = diff_paths(root / "r1", root / "r2", base=BASE, before_name="r1", after_name="r2")
    assert [(i.status, i.iri) for i in d.items] == [("added", q(4)[1:-1]), ("changed", q(2)[1:-1])]
    changed = d.items[1]
    assert changed.cls == "iscg:Question" and changed.label == "Question 2/17 on cybersecurity"
    assert [(c.property, c.removed, c.added) for c in changed.changes] == [
        ("rdfs:label", ["Question 2/17 on security @en"], ["Question 2/17 on cybersecurity @en"])]
    assert d.counts() == {"iscg:Question": {"added": 1, "retired": 0, "changed": 1}}
    assert len(d.removed) == 1 and len(d.added) == 3  # the relabelled blank node is no change


def test_a_changed_blank_node_is_reported_on_the_item_that_holds_it(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "snapshot.nq").write_bytes(nquads())
    (b / "snapshot.nq").write_bytes(nquads().replace(b"kept as it is", b"rewritten"))
    d = diff_paths(a, b, base=BASE)
    assert [(i.status, i.iri) for i in d.items] == [("changed", q(1)[1:-1])]
    props = {c.property: (c.removed, c.added) for c in d.items[0].changes}
    assert props["rdf:value (of a blank node)"] == (["kept as it is"], ["rewritten"])


def test_the_rdf_patch_turns_release_a_into_release_b(two_releases: tuple[Path, Path]) -> None:
    _link, root = two_releases
    d = diff_paths(root / "r1", root / "r2", base=BASE)
    patch = to_patch(d)
    assert patch.splitlines()[1] == "TX ." and patch.rstrip().endswith("TC .")
    a = canonical_quads((root / "r1" / "snapshot.nq").read_bytes())
    patched = to_nquads(apply_patch(a, patch))
    want = rdflib.Dataset()
    want.parse(data=(root / "r2" / "snapshot.nq").read_bytes(), format="nquads")
    got = rdflib.Dataset()
    got.parse(data=patched, format="nquads")
    names = {g.identifier for g in want.graphs()} | {g.identifier for g in got.graphs()}
    for name in names:
        assert isomorphic(want.graph(name), got.graph(name)), name
    with pytest.raises(PatchError, match="TC"):
        apply_patch(a, patch.replace("TC .", ""))
    with pytest.raises(PatchError, match="not in the data"):
        apply_patch(set(), patch)


def test_exports_never_carry_a_formula(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "snapshot.nq").write_bytes(nquads())
    (b / "snapshot.nq").write_bytes(nquads(q2_title="=HYPERLINK(\\\"http://x\\\")"))
    d = diff_paths(a, b, base=BASE)
    rows = list(csv.reader(io.StringIO(diff_formats.to_csv(d))))
    assert rows[0] == list(diff_formats.COLUMNS)
    assert any(cell.startswith("'=HYPERLINK") for row in rows for cell in row)
    ws = load_workbook(io.BytesIO(diff_formats.to_xlsx(d)))["Changes"]
    cells = [c for row in ws.iter_rows(min_row=2) for c in row if str(c.value).startswith("=")]
    assert cells and all(c.data_type == "s" for c in cells)
    html = diff_formats.to_html(d)
    assert "HYPERLINK(&quot;http://x&quot;)" in html and "<td>changed</td>" in html


def test_the_release_commands(tmp_path: Path) -> None:
    link = tmp_path / "var" / "store"
    make_build(link, 1, nquads())
    runner = CliRunner()
    made = runner.invoke(app, ["release", "create", "r1", "--store", str(link), "--date", "2021-09-01"])
    assert made.exit_code == 0, made.output
    bad = runner.invoke(app, ["release", "create", "../x", "--store", str(link)])
    assert bad.exit_code == 1 and "not allowed" in bad.output
    make_build(link, 2, nquads(extra=True))
    listed = runner.invoke(app, ["release", "list", "--store", str(link)])
    assert listed.exit_code == 0 and "r1" in listed.output and "2021-09-01" in listed.output
    got = runner.invoke(app, ["release", "diff", "r1", "current", "--store", str(link), "--format", "csv"])
    assert got.exit_code == 0, got.output
    rows = list(csv.reader(io.StringIO(got.stdout)))
    assert {r[0] for r in rows[1:]} == {"added"} and {r[2] for r in rows[1:]} == {q(4)[1:-1]}
    out = tmp_path / "d.xlsx"
    xl = runner.invoke(app, ["release", "diff", "r1", "current", "--store", str(link), "-f", "xlsx",
                             "-o", str(out)])
    assert xl.exit_code == 0 and load_workbook(out)["Summary"]["A5"].value == "iscg:Question"
    unknown = runner.invoke(app, ["release", "diff", "r1", "r9", "--store", str(link)])
    assert unknown.exit_code == 1 and "r9" in unknown.output
    patch = runner.invoke(app, ["release", "diff", "r1", "current", "--store", str(link), "-f", "patch"])
    assert patch.exit_code == 0 and patch.stdout.count("\nA ") == 2


def test_a_blank_node_dataset_round_trips_through_canonical_quads() -> None:
    quads = canonical_quads(nquads(bnode="zz"))
    assert quads == canonical_quads(nquads(bnode="yy"))
    assert all(isinstance(q, ox.Quad) for q in ox.parse(to_nquads(quads), format=ox.RdfFormat.N_QUADS))
