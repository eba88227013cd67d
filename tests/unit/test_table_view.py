"""Server-side table views: natural sort, filter, pages, and the counts they report."""

from __future__ import annotations

from iscg_graph.render.table_view import natural_key, sort_and_filter, view
from iscg_graph.render.tabular import Cell, Column, ResultTable


def _table(names: list[str]) -> tuple[ResultTable, list[Column]]:
    rows = tuple(
        {"name": Cell(n, "literal"), "n": Cell(str(i), "literal", "http://www.w3.org/2001/XMLSchema#integer")}
        for i, n in enumerate(names)
    )
    return ResultTable(("name", "n"), rows), [Column("name", "Name"), Column("n", "Number", numeric=True)]


def test_natural_key_orders_numbers_as_numbers() -> None:
    assert sorted(["SG11", "SG2", "SG20", "SG17"], key=natural_key) == ["SG2", "SG11", "SG17", "SG20"]
    assert sorted(["1.10", "1.2", "1.1"], key=natural_key) == ["1.1", "1.2", "1.10"]
    assert sorted(["ITU-T Q10/5", "ITU-T Q9/5", "itu-t Q9/11"], key=natural_key) == [
        "ITU-T Q9/5",
        "itu-t Q9/11",
        "ITU-T Q10/5",
    ]


def test_sort_filter_and_pages() -> None:
    table, cols = _table([f"SG{i}" for i in (11, 2, 20, 3, 12, 1)])
    rows, used = sort_and_filter(table, cols, sort="name")
    assert used == "name" and [r["name"].text for r in rows] == ["SG1", "SG2", "SG3", "SG11", "SG12", "SG20"]
    rows, _ = sort_and_filter(table, cols, sort="name", descending=True, filter="sg1")
    assert [r["name"].text for r in rows] == ["SG12", "SG11", "SG1"]
    rows, used = sort_and_filter(table, cols, sort="nothing")
    assert used is None and [r["name"].text for r in rows] == [r["name"].text for r in table.rows]
    v = view(table, cols, sort="name", page=2, per_page=4)
    assert (v.total, v.matching, v.pages, v.page, v.first, v.last) == (6, 6, 2, 2, 5, 6)
    assert [r["name"].text for r in v.rows] == ["SG12", "SG20"]
    past = view(table, cols, page=9, per_page=4)
    assert past.page == 2  # a page past the end shows the last one
    none = view(table, cols, filter="no such thing")
    assert (none.matching, none.first, none.last, none.rows) == (0, 0, 0, [])


def test_filter_needs_every_word_in_some_column() -> None:
    table, cols = _table(["Climate change", "Climate finance", "Child Online Protection"])
    rows, _ = sort_and_filter(table, cols, filter="climate CHANGE")
    assert [r["name"].text for r in rows] == ["Climate change"]
