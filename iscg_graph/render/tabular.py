"""Query results as readable tables: SPARQL JSON -> `ResultTable` -> CSV, formatted XLSX, HTML.

Display rules (the canned queries follow them): a variable ``x`` holding IRIs with a sibling
``xLabel`` is shown as the label, linked to the IRI; parameter echo variables are hidden; column
titles come from the query's ``columns:`` header (else the variable name, humanised).
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from .cells import csv_safe, is_formula_like

__all__ = ["Cell", "Column", "ResultTable", "iri_path", "to_csv", "to_html", "to_xlsx"]

XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGER_TYPES = {
    XSD + t for t in ("integer", "int", "long", "short", "nonNegativeInteger", "positiveInteger")
}
_DECIMAL_TYPES = {XSD + t for t in ("decimal", "double", "float")}
_BOOLEAN = XSD + "boolean"
_MAX_WIDTH = 60


@dataclass(frozen=True)
class Cell:
    """One bound value: ``kind`` is ``uri``, ``literal`` or ``bnode``."""

    value: str
    kind: str = "literal"
    datatype: str | None = None
    lang: str | None = None

    @property
    def number(self) -> int | float | None:
        try:
            if self.datatype in _INTEGER_TYPES:
                return int(self.value)
            if self.datatype in _DECIMAL_TYPES:
                return float(self.value)
        except ValueError:
            return None
        return None

    @property
    def text(self) -> str:
        if self.datatype == _BOOLEAN:
            return "yes" if self.value == "true" else "no"
        return self.value


@dataclass(frozen=True)
class Column:
    """A displayed column: the variable shown, its title, the variable holding its link (if any)."""

    name: str
    title: str
    link: str | None = None
    numeric: bool = False


def humanise(name: str) -> str:
    words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).replace("_", " ").strip()
    return words[:1].upper() + words[1:].lower()


def iri_path(iri: str, base_iri: str) -> str:
    """Where an item's page is on this service: ``{base}id/x`` -> ``/id/x``; other IRIs unchanged."""
    if iri.startswith(base_iri):
        return "/" + iri[len(base_iri) :]
    return iri


@dataclass(frozen=True)
class ResultTable:
    variables: tuple[str, ...]
    rows: tuple[Mapping[str, Cell], ...]

    @classmethod
    def from_sparql_json(cls, body: bytes | str) -> ResultTable:
        data = json.loads(body)
        variables = tuple(data.get("head", {}).get("vars", []))
        rows = []
        for binding in data.get("results", {}).get("bindings", []):
            row = {}
            for name, raw in binding.items():
                kind = raw.get("type", "literal")
                row[name] = Cell(
                    value=raw.get("value", ""),
                    kind="literal" if kind == "typed-literal" else kind,
                    datatype=raw.get("datatype"),
                    lang=raw.get("xml:lang"),
                )
            rows.append(row)
        return cls(variables, tuple(rows))

    def __len__(self) -> int:
        return len(self.rows)

    def values(self, name: str) -> list[str]:
        """Every bound value of one variable, in row order (handy in tests)."""
        return [row[name].value for row in self.rows if name in row]

    def columns(self, titles: Mapping[str, str] | None = None, hide: Iterable[str] = ()) -> list[Column]:
        titles = titles or {}
        hidden = set(hide)
        shown: list[Column] = []
        for name in self.variables:
            if name in hidden:
                continue
            if f"{name}Label" in self.variables and self._all_iris(name):
                continue  # shown through its label
            link = None
            if name.endswith("Label") and name[: -len("Label")] in self.variables:
                link = name[: -len("Label")]
            elif self._all_iris(name) and any(name in row for row in self.rows):
                link = name
            numeric = (
                bool(self.rows)
                and all(row[name].number is not None for row in self.rows if name in row)
                and any(name in row for row in self.rows)
            )
            shown.append(Column(name, titles.get(name) or humanise(name), link, numeric))
        return shown

    def _all_iris(self, name: str) -> bool:
        return all(row[name].kind == "uri" for row in self.rows if name in row)


def _cell_text(row: Mapping[str, Cell], name: str) -> str:
    cell = row.get(name)
    return "" if cell is None else cell.text


def to_csv(table: ResultTable, columns: Sequence[Column]) -> str:
    """CSV with titled columns; each linked column is followed by its IRI column."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    header: list[str] = []
    for col in columns:
        header.append(col.title)
        if col.link and col.link != col.name:
            header.append(f"{col.title} (IRI)")
    writer.writerow(header)
    for row in table.rows:
        out: list[str] = []
        for col in columns:
            out.append(_cell_text(row, col.name))
            if col.link and col.link != col.name:
                out.append(_cell_text(row, col.link))
        writer.writerow([csv_safe(text) for text in out])  # never a formula (issue 13)
    return buf.getvalue()


def _sheet_text(text: str) -> str:
    """Text a worksheet cell can hold: control characters (which a request parameter echoed into
    "computed from" may carry) are dropped; openpyxl refuses them."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", text)


def to_xlsx(
    table: ResultTable,
    columns: Sequence[Column],
    *,
    title: str,
    computed_from: Sequence[tuple[str, str]] = (),
    link: Callable[[str], str] | None = None,
) -> bytes:
    """A formatted workbook: bold filled header row, frozen, sized columns, linked labels, an About sheet."""
    # openpyxl on first use: the service imports this module to answer pages, not only downloads
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "Report"
    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor="1F4E79")
    widths = [len(col.title) for col in columns]
    for j, col in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=j, value=_sheet_text(col.title))
        cell.font = header_font
        cell.fill = header_fill
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    for i, row in enumerate(table.rows, start=2):
        for j, col in enumerate(columns, start=1):
            source = row.get(col.name)
            if source is None:
                continue
            number = source.number if col.numeric else None
            text = _sheet_text(source.text)
            cell = ws.cell(row=i, column=j, value=number if number is not None else text)
            if number is None and is_formula_like(text):
                cell.data_type = "s"  # text, never a formula (issue 13)
            cell.alignment = Alignment(vertical="top", wrap_text=True)
            target = row.get(col.link) if col.link else None
            if target is not None and target.kind == "uri":
                cell.hyperlink = link(target.value) if link else target.value
                cell.font = Font(color="0563C1", underline="single")
            widths[j - 1] = max(widths[j - 1], min(len(source.text), _MAX_WIDTH))
    for j, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = min(max(width + 2, 8), _MAX_WIDTH + 2)
    ws.freeze_panes = "A2"
    if columns:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(len(table.rows) + 1, 1)}"
    about = wb.create_sheet("About")
    about.append(["Report", _sheet_text(title)])
    for key, value in computed_from:
        about.append([_sheet_text(key), _sheet_text(value)])
    about["A1"].font = Font(bold=True)
    about.column_dimensions["A"].width = 24
    about.column_dimensions["B"].width = 80
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def to_html(
    table: ResultTable,
    columns: Sequence[Column],
    *,
    title: str,
    computed_from: Sequence[tuple[str, str]] = (),
    base_iri: str | None = None,
) -> str:
    """A standalone, dependency-free HTML page with the table (for the CLI and ``format=html``)."""
    esc = html.escape
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{esc(title)}</title>",
        "<style>body{font-family:system-ui,sans-serif;margin:1.5rem}"
        "table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:.3rem .5rem;vertical-align:top;"
        "text-align:left}th{background:#1f4e79;color:#fff}td.num{text-align:right}</style>",
        "</head><body>",
        f"<h1>{esc(title)}</h1>",
    ]
    if computed_from:
        parts.append("<dl>")
        for key, value in computed_from:
            parts.append(f"<dt>{esc(key)}</dt><dd>{esc(value)}</dd>")
        parts.append("</dl>")
    parts.append(f"<p>{len(table.rows)} rows</p>")
    parts.append("<table><thead><tr>")
    parts.extend(f'<th scope="col">{esc(col.title)}</th>' for col in columns)
    parts.append("</tr></thead><tbody>")
    for row in table.rows:
        parts.append("<tr>")
        for col in columns:
            text = esc(_cell_text(row, col.name))
            target = row.get(col.link) if col.link else None
            klass = ' class="num"' if col.numeric else ""
            if target is not None and target.kind == "uri":
                href = iri_path(target.value, base_iri) if base_iri else target.value
                parts.append(f'<td{klass}><a href="{esc(href)}">{text}</a></td>')
            else:
                parts.append(f"<td{klass}>{text}</td>")
        parts.append("</tr>")
    parts.append("</tbody></table></body></html>")
    return "\n".join(parts)
