"""Areas, not copies: the reviewed theme equivalences, the clusters they make, and the Sector
overlap matrix counting each area once (real data)."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pytest

from iscg_graph.query.reports import run_select
from iscg_graph.render.tabular import ResultTable

REPO = Path(__file__).resolve().parent.parent.parent
ID = "https://w3id.org/iscg/id/"
EQUIVALENCES = REPO / "data" / "themes" / "equivalences.csv"


@pytest.fixture()
def run(real_engine, catalog):  # type: ignore[no-untyped-def]
    def _run(name: str, **params: str) -> ResultTable:
        return run_select(real_engine, catalog[name], params)

    return _run


def _clusters(table: ResultTable) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for r in table.rows:
        out[r["areaName"].value].add(r["theme"].value[len(ID + "theme/") :])
    return dict(out)


def test_known_clusters_are_one_area_each(run) -> None:  # type: ignore[no-untyped-def]
    clusters = _clusters(run("annex-duplicate-areas"))
    assert clusters["Gender"] == {"isctf-topics/7", "resolution-areas/7"}
    assert clusters["WSIS & SDGs"] == {"cross-sectoral-groups/4", "resolution-areas/19", "council-groups/3"}
    assert clusters["Accessibility"] == {"isctf-topics/1", "resolution-areas/23"}
    assert clusters["Cybersecurity / building confidence & security in ICTs"] == {
        "cross-sectoral-groups/2",
        "resolution-areas/14",
    }
    assert clusters["Child Online Protection"] == {"resolution-areas/26", "council-groups/4"}
    # a close match is a related area, not the same one: the ITRs stay two areas
    assert not any("council-groups/7" in members for members in clusters.values())


def test_lists_are_named_not_numbered(run) -> None:  # type: ignore[no-untyped-def]
    t = run("annex-duplicate-areas")
    lists = {r["listLabel"].value for r in t.rows if r["areaName"].value == "Gender"}
    assert lists == {
        "§1.2 ISC-TF thematic topics",
        "§1.4 Areas from the mapping of PP/RA/WRC/WTSA/WTDC Resolutions",
    }
    reviewed = [r["basis"].value for r in t.rows if r["areaName"].value == "Accessibility"]
    assert all(b.startswith("Recorded as the same area by a reviewed judgement: Annex") for b in reviewed)


def _matrix(run, **params: str) -> dict[tuple[str, str], ResultTable]:  # type: ignore[no-untyped-def]
    return {
        (r["sector_aCode"].value, r["sector_bCode"].value): r
        for r in run("sector-overlap-matrix", **params).rows
    }


def test_matrix_lists_each_pair_once(run) -> None:  # type: ignore[no-untyped-def]
    cells = _matrix(run)
    assert len(cells) == 6  # GS, ITU-D, ITU-R, ITU-T: 4 choose 2
    assert all(a < b for a, b in cells)


def test_itu_d_itu_t_counts_areas_not_copies(run) -> None:  # type: ignore[no-untyped-def]
    areas = _matrix(run)[("ITU-D", "ITU-T")]
    items = _matrix(run, count="items")[("ITU-D", "ITU-T")]
    names = areas["themeLabels"].value.split("; ")  # (a label may hold "; " itself: not a count)
    # both copies of Accessibility and of cybersecurity are counted as list items, once as areas
    item_names = items["themeLabels"].value.split("; ")
    assert {
        "Accessibility (§1.2)",
        "Accessibility for persons with disabilities and special needs (§1.4)",
    } <= set(item_names)
    assert len([n for n in names if n.startswith("Accessibility (")]) == 1
    assert int(areas["themes"].value) < int(items["themes"].value)
    # every area row names the lists it appears in
    assert any(n.startswith("Accessibility (") and "§1.2" in n and "§1.4" in n for n in names)


def test_matrix_areas_match_the_recorded_equivalences(run, real_data_store) -> None:  # type: ignore[no-untyped-def]
    """Counted independently: the list items of a cell, merged by the exact matches of the register."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    with EQUIVALENCES.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["predicate"] == "exactMatch":
                key = lambda k: k[len("theme:") :].replace(":", "/")  # noqa: E731
                parent[find(key(row["left"]))] = find(key(row["right"]))
    rows = real_data_store.select(
        "PREFIX iscg: <https://w3id.org/iscg/ontology#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        "SELECT DISTINCT ?code ?theme "
        "WHERE { ?i iscg:sector ?s ; iscg:addressesTheme ?theme . ?s skos:notation ?code }"
    )
    by_side: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        by_side[str(r["code"].value)].add(find(str(r["theme"].value)[len(ID + "theme/") :]))
    expected = by_side["ITU-D"] & by_side["ITU-T"]
    assert int(_matrix(run)[("ITU-D", "ITU-T")]["themes"].value) == len(expected)


@pytest.mark.parametrize("count", ["areas", "items"])
def test_drill_down_lists_the_areas_its_matrix_cell_counts(run, count: str) -> None:  # type: ignore[no-untyped-def]
    """Every Sector pair: the drill-down names exactly as many areas (or list items) as the cell counts,
    so a cell never counts one area twice when its two sides sit under different list entries."""
    for row in run("sector-overlap-matrix", count=count).rows:
        a, b = row["sector_aCode"].value, row["sector_bCode"].value
        detail = run("sector-overlap-detail", sector_a=a, sector_b=b, count=count)
        shown = {r["themeLabel"].value for r in detail.rows}
        assert len(shown) == int(row["themes"].value), (a, b, count)
        assert len({r["theme"].value for r in detail.rows}) == len(shown)
        if count == "areas":
            # (labels may hold "; " themselves: each is looked for in the cell's list, not split out)
            assert all(label in row["themeLabels"].value for label in shown), (a, b)


def _equivalence_clusters() -> list[set[str]]:
    """The exact-match clusters of the register, as theme IRIs, computed here without SPARQL."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    members: set[str] = set()
    with EQUIVALENCES.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["predicate"] == "exactMatch":
                left, right = (ID + "theme/" + row[k][len("theme:") :].replace(":", "/")
                               for k in ("left", "right"))
                parent[find(left)] = find(right)
                members |= {left, right}
    groups: dict[str, set[str]] = defaultdict(set)
    for m in members:
        groups[find(m)].add(m)
    return list(groups.values())


def test_theme_coverage_counts_each_area_once(run) -> None:  # type: ignore[no-untyped-def]
    areas = run("theme-coverage")
    items = run("theme-coverage", count="items")
    clusters = _equivalence_clusters()
    # one row per list entry, less one per entry merged into an area
    assert len(items) - len(areas) == sum(len(c) - 1 for c in clusters)
    assert len({r["theme"].value for r in areas.rows}) == len(areas)
    by_item = {r["theme"].value: r for r in items.rows}
    by_area = {r["theme"].value: r for r in areas.rows}
    for cluster in clusters:
        key = min(cluster)
        row = by_area[key]  # the area is keyed by its smallest theme IRI, never listed twice
        assert not (cluster - {key}) & set(by_area)
        # it counts the union of its entries' work: at least what each entry counts
        for member in cluster:
            for column in ("sectors", "studyGroups", "questions", "resolutions"):
                assert int(row[column].value) >= int(by_item[member][column].value), (member, column)
        # and names every list it appears in
        assert len(row["section"].value.split(", ")) == len({by_item[m]["section"].value for m in cluster})
    gender = [r for r in areas.rows if r["themeLabel"].value == "Gender"]
    assert len(gender) == 1 and set(gender[0]["section"].value.split(", ")) == {"1.2", "1.4"}
    assert len([r for r in items.rows if r["themeLabel"].value == "Gender"]) == 2


def test_theme_coverage_of_one_list_keeps_its_areas_whole(run) -> None:  # type: ignore[no-untyped-def]
    one = run("theme-coverage", scheme="isctf-topics")
    listed = run("theme-coverage", scheme="isctf-topics", count="items")
    assert len(one) == len(listed)  # every entry of the list, each in its own area
    gender = next(r for r in one.rows if r["themeLabel"].value == "Gender")
    assert set(gender["section"].value.split(", ")) == {"1.2", "1.4"}  # the area's other list still counts
