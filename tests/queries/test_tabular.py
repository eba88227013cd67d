"""Rows -> readable tables: labels linked to IRIs, CSV, formatted XLSX (read back), HTML."""

from __future__ import annotations

import csv
import io
import json

from openpyxl import load_workbook

from iscg_graph.render.tabular import ResultTable, iri_path, to_csv, to_html, to_xlsx

XSD_INT = "http://www.w3.org/2001/XMLSchema#integer"
BODY = json.dumps(
    {
        "head": {"vars": ["p", "theme", "themeLabel", "n", "note"]},
        "results": {
            "bindings": [
                {
                    "theme": {"type": "uri", "value": "https://w3id.org/iscg/id/theme/resolution-areas/27"},
                    "themeLabel": {"type": "literal", "value": "Climate Change", "xml:lang": "en"},
                    "n": {"type": "literal", "value": "12", "datatype": XSD_INT},
                    "note": {"type": "literal", "value": '<b>"quoted", with comma</b>'},
                },
                {
                    "theme": {"type": "uri", "value": "https://w3id.org/iscg/id/theme/isctf-topics/7"},
                    "themeLabel": {"type": "literal", "value": "Gender", "xml:lang": "en"},
                    "n": {"type": "literal", "value": "3", "datatype": XSD_INT},
                },
            ]
        },
    }
)


def _table() -> ResultTable:
    return ResultTable.from_sparql_json(BODY)


def test_columns_show_labels_linked_to_iris_and_hide_params() -> None:
    cols = _table().columns({"themeLabel": "Theme"}, hide=["p"])
    assert [(c.name, c.title, c.link, c.numeric) for c in cols] == [
        ("themeLabel", "Theme", "theme", False),
        ("n", "N", None, True),
        ("note", "Note", None, False),
    ]


def test_csv_has_titles_iri_column_and_escaping() -> None:
    t = _table()
    rows = list(csv.reader(io.StringIO(to_csv(t, t.columns({"themeLabel": "Theme"}, hide=["p"])))))
    assert rows[0] == ["Theme", "Theme (IRI)", "N", "Note"]
    assert rows[1] == [
        "Climate Change",
        "https://w3id.org/iscg/id/theme/resolution-areas/27",
        "12",
        '<b>"quoted", with comma</b>',
    ]
    assert rows[2][3] == ""
    assert len(rows) == 3


def test_xlsx_is_formatted() -> None:
    t = _table()
    data = to_xlsx(
        t,
        t.columns({"themeLabel": "Theme"}, hide=["p"]),
        title="Coverage",
        computed_from=[("Data version", "v1"), ("Query", "theme-coverage")],
    )
    wb = load_workbook(io.BytesIO(data))
    ws = wb["Report"]
    assert [c.value for c in ws[1]] == ["Theme", "N", "Note"]
    assert all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws["A2"].value == "Climate Change"
    assert ws["A2"].hyperlink.target == "https://w3id.org/iscg/id/theme/resolution-areas/27"
    assert ws["B2"].value == 12  # a number, not text
    assert ws.column_dimensions["C"].width > ws.column_dimensions["B"].width
    about = {row[0].value: row[1].value for row in wb["About"].iter_rows()}
    assert about["Data version"] == "v1" and about["Report"] == "Coverage"


def test_xlsx_drops_control_characters_a_request_may_carry() -> None:
    """A parameter echoed into "computed from" (e.g. ?item=\x1f) made openpyxl raise: a 500."""
    t = _table()
    data = to_xlsx(t, t.columns(hide=["p"]), title="A\x07B",
                   computed_from=[("Parameters", "item=x\x1fy\x00z, kind=question")])
    about = {row[0].value: row[1].value for row in load_workbook(io.BytesIO(data))["About"].iter_rows()}
    assert about == {"Report": "AB", "Parameters": "item=xyz, kind=question"}


def test_html_escapes_and_links_to_local_pages() -> None:
    t = _table()
    page = to_html(t, t.columns(hide=["p"]), title="A <title>", base_iri="https://w3id.org/iscg/")
    assert '<a href="/id/theme/resolution-areas/27">Climate Change</a>' in page
    assert "&lt;b&gt;&quot;quoted&quot;" in page
    assert "A &lt;title&gt;" in page and "<b>" not in page


def test_iri_path() -> None:
    assert iri_path("https://w3id.org/iscg/id/x/1", "https://w3id.org/iscg/") == "/id/x/1"
    assert iri_path("https://example.org/x", "https://w3id.org/iscg/") == "https://example.org/x"
