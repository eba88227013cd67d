"""A release diff as people read it: an HTML page (or fragment), CSV and XLSX.

One row per changed property of an item (an added or retired item: one row per property it had).
Text that a spreadsheet would take for a formula (``=``, ``+``, ``-``, ``@``, tab, carriage return
first) is written as text: CSV cells get a leading apostrophe, XLSX cells are typed as strings.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from html import escape

from .release_diff import Diff

__all__ = ["COLUMNS", "rows", "to_csv", "to_html", "to_xlsx"]

COLUMNS = ("change", "class", "item", "label", "property", "removed", "added")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def rows(d: Diff) -> Iterator[tuple[str, ...]]:
    for item in d.items:
        for change in item.changes:
            yield (item.status, item.cls, item.iri, item.label, change.property,
                   " | ".join(change.removed), " | ".join(change.added))


def _csv_safe(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_csv(d: Diff) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows(d):
        writer.writerow([_csv_safe(v) for v in row])
    return buf.getvalue()


def to_xlsx(d: Diff) -> bytes:
    from openpyxl import Workbook  # on first download, not at the service's start-up
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    summary = wb.active
    summary.title = "Summary"
    summary.append(["from", d.before])
    summary.append(["to", d.after])
    summary.append([])
    summary.append(["class", "added", "changed", "retired"])
    for cls, n in d.counts().items():
        summary.append([cls, n["added"], n["changed"], n["retired"]])
    ws = wb.create_sheet("Changes")
    ws.append(list(COLUMNS))
    for cell in ws[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F4E79")
    for i, row in enumerate(rows(d), start=2):
        for j, value in enumerate(row, start=1):
            cell = ws.cell(row=i, column=j)
            cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
            cell.data_type = "s"  # never a formula, whatever the text starts with
    for j, width in enumerate((9, 22, 50, 40, 30, 40, 40), start=1):
        ws.column_dimensions[get_column_letter(j)].width = width
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _same(word: str) -> str:
    return word


def to_html(d: Diff, *, standalone: bool = True, link: bool = False,
            word: Callable[[str], str] = _same) -> str:
    """The summary per class, then each item with its changes (``standalone``: a whole page).

    ``word`` gives the page's own words (column names, change kinds) in the reader's language; the
    cells' data stay as they are."""
    parts: list[str] = []
    if standalone:
        parts.append('<!doctype html><html lang="en"><head><meta charset="utf-8">'
                     f"<title>Changes from {escape(d.before)} to {escape(d.after)}</title></head><body>"
                     f"<h1>Changes from {escape(d.before)} to {escape(d.after)}</h1>")
    counts = d.counts()
    if not counts:
        parts.append(f'<p class="no-changes">{escape(word("No item changed."))}</p>')
    else:
        parts.append('<table class="diff-summary"><thead><tr>'
                     + "".join(f'<th scope="col">{escape(word(c))}</th>'
                               for c in ("class", "added", "changed", "retired"))
                     + "</tr></thead><tbody>")
        for cls, n in counts.items():
            parts.append(f"<tr><td>{escape(cls)}</td><td>{n['added']}</td><td>{n['changed']}</td>"
                         f"<td>{n['retired']}</td></tr>")
        parts.append("</tbody></table>")
        parts.append('<table class="diff-items"><thead><tr>'
                     + "".join(f'<th scope="col">{escape(word(c))}</th>' for c in COLUMNS)
                     + "</tr></thead><tbody>")
        for row in rows(d):
            cells = [escape(v) for v in row]
            if link and row[2].startswith(("http://", "https://")):
                cells[2] = f'<a href="{escape(row[2])}">{cells[2]}</a>'
            kind, cells[0] = cells[0], escape(word(row[0]))
            parts.append(f'<tr class="diff-{kind}">' + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
        parts.append("</tbody></table>")
    if standalone:
        parts.append("</body></html>")
    return "\n".join(parts)
