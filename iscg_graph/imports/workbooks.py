"""Workbooks for people: the mapping-table template (drop-down lists, a filled example row) and the
error workbook (the table as read, each bad cell filled red with its message as a note, and a
Problems sheet). Every cell is written as text: nothing typed into a table comes back as a formula.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # openpyxl is imported where a workbook is made (the service imports this module)
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

from .upload import Problem, Sheet

__all__ = ["EXAMPLE", "HEADER", "error_workbook", "template"]

HEADER = ("ITU-D Question", "ITU-R", "ITU-T", "Resolutions", "Notes")
# a row as the graph records it (data/mappings/mappings.csv, M0001 and M0002)
EXAMPLE = ("Q7/2", "WP 1C", "SG5", "WTSA Res. 72", "EMF / human exposure")
BAD_FILL = "F4B6B6"
HEAD_FILL = "1F4E79"


def _text(ws: Worksheet, row: int, col: int, value: str) -> None:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    cell = ws.cell(row=row, column=col)
    cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell.data_type = "s"  # never a formula, whatever the text starts with


def _save(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def template(choices: dict[str, list[str]]) -> bytes:
    """The mapping-table template; ``choices`` per column header (e.g. the ITU-D Questions of the
    period) become drop-down lists, kept on a hidden ``Lists`` sheet (a list typed into the
    validation itself is capped at 255 characters)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = "Mapping table"
    for j, title in enumerate(HEADER, start=1):
        _text(ws, 1, j, title)
        ws.cell(row=1, column=j).font = Font(bold=True, color="FFFFFF")
        ws.cell(row=1, column=j).fill = PatternFill("solid", fgColor=HEAD_FILL)
        ws.column_dimensions[get_column_letter(j)].width = 24
    for j, value in enumerate(EXAMPLE, start=1):
        _text(ws, 2, j, value)
    ws.freeze_panes = "A2"
    lists = wb.create_sheet("Lists")
    lists.sheet_state = "hidden"
    for j, title in enumerate(HEADER, start=1):
        values = choices.get(title) or []
        if not values:
            continue
        _text(lists, 1, j, title)
        for i, value in enumerate(values, start=2):
            _text(lists, i, j, value)
        letter = get_column_letter(j)
        dv = DataValidation(type="list", formula1=f"=Lists!${letter}$2:${letter}${len(values) + 1}",
                            allow_blank=True, showErrorMessage=False)
        dv.prompt = f"one {title} (several, separated by commas, in the related columns)"
        ws.add_data_validation(dv)
        dv.add(f"{letter}2:{letter}1000")
    return _save(wb)


def error_workbook(sheets: list[Sheet], problems: list[Problem]) -> bytes:
    """The table as read, bad cells red with their message as a note, and a Problems sheet."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill

    wb = Workbook()
    wb.remove(wb.active)
    by_cell: dict[tuple[str, int, str], list[Problem]] = {}
    for p in problems:
        by_cell.setdefault((p.sheet, p.row, p.column), []).append(p)
    report = wb.create_sheet("Problems")
    for j, title in enumerate(("sheet", "row", "column", "value", "message"), start=1):
        _text(report, 1, j, title)
        report.cell(row=1, column=j).font = Font(bold=True)
    for i, p in enumerate(problems, start=2):
        for j, value in enumerate((p.sheet, str(p.row), p.column, p.value, p.message), start=1):
            _text(report, i, j, value)
    report.column_dimensions["E"].width = 80
    for sheet in sheets:
        ws = wb.create_sheet((sheet.name or "Sheet")[:31])
        for j, title in enumerate(sheet.header, start=1):
            _text(ws, 1, j, title)
            ws.cell(row=1, column=j).font = Font(bold=True)
        rows = dict(sheet.rows)
        numbers = set(rows) | {row for (name, row, _c) in by_cell if name == sheet.name and row > 1}
        for number in sorted(numbers):
            cells = rows.get(number, {})
            for j, title in enumerate(sheet.header, start=1):
                found = by_cell.get((sheet.name, number, title))
                value = cells.get(title, "") or (found[0].value if found else "")
                if value:
                    _text(ws, number, j, value)
                if found:
                    cell = ws.cell(row=number, column=j)
                    cell.fill = PatternFill("solid", fgColor=BAD_FILL)
                    cell.comment = Comment("\n".join(p.message for p in found)[:2000], "iscg import")
    return _save(wb)
