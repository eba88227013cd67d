"""Reading an uploaded table (CSV or XLSX) as untrusted input: cells as text, never evaluated.

Refused outright (`UploadRefused`, naming the reason): a file over ``max_bytes``; a name that is
not ``.csv`` or ``.xlsx`` (``.xlsm``, ``.xltm``, ``.xls`` … included); an XLSX that is not a ZIP,
holds more than ``MAX_PARTS`` parts, would expand past ``max_expanded`` bytes or more than
``MAX_RATIO`` times its size (a decompression bomb), or carries macros (a ``vbaProject.bin`` part
or a macro-enabled content type); a CSV that is not UTF-8; more than ``max_rows`` rows.

Formulas are never evaluated: the workbook is opened with ``data_only=False`` (so a formula stays
its text, and no cached result is trusted), and every formula cell (XLSX) or cell that a
spreadsheet would read as one (CSV: ``=``, ``+``, ``-``, ``@`` first, unless it is a number) is
reported as a `Cell` problem and left out of the data.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePath

from ..errors import (
    UploadRefused,  # noqa: F401 (defined in the one tree, re-exported here)
)

__all__ = ["MAX_PARTS", "MAX_RATIO", "N_", "Problem", "Sheet", "UploadRefused", "read_table"]

MAX_PARTS = 1000
MAX_RATIO = 100
_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")
_MACRO_TYPES = (b"macroEnabled", b"vbaProject")


def N_(message: str) -> str:  # noqa: N802 - the gettext convention: "mark for the catalogues"
    """Marks an English message template so the interface's catalogues extract it (``make i18n``);
    the library itself never translates."""
    return message


Parts = tuple[tuple[str, tuple[tuple[str, str], ...]], ...]  # ((English template, ((name, value), ...)), ...)


@dataclass(frozen=True)
class Problem:
    """One problem, where a person finds it: sheet, row (1-based, as the spreadsheet numbers it),
    column (its header), the value as written, and what is wrong (in English). ``parts``, when
    given, is the same message as templates and their values, for an interface to translate."""

    sheet: str
    row: int
    column: str
    value: str
    message: str
    parts: Parts = ()

    @classmethod
    def worded(cls, sheet: str, row: int, column: str, value: str,
               *parts: tuple[str, Mapping[str, object]]) -> Problem:
        """A problem whose message is ``parts`` (template, values) filled in and joined."""
        frozen = tuple((text, tuple((k, str(v)) for k, v in values.items())) for text, values in parts)
        return cls(sheet, row, column, value, "".join(t % dict(v) for t, v in frozen), frozen)


@dataclass
class Sheet:
    name: str
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (row number, header -> cell text)
    problems: list[Problem] = field(default_factory=list)


def read_table(data: bytes, filename: str, *, max_bytes: int = 5_000_000, max_expanded: int = 50_000_000,
               max_rows: int = 20_000) -> list[Sheet]:
    if len(data) > max_bytes:
        raise UploadRefused(f"{filename}: {len(data)} bytes is over the limit of {max_bytes} bytes")
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".csv":
        return [_read_csv(data, filename, max_rows)]
    if suffix == ".xlsx":
        _check_zip(data, filename, max_expanded)
        return _read_xlsx(data, filename, max_rows)
    raise UploadRefused(f"{filename}: only .csv and .xlsx files are accepted (macro-enabled and legacy "
                        "workbooks are refused)")


def _check_zip(data: bytes, filename: str, max_expanded: int) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise UploadRefused(f"{filename}: not an XLSX workbook (not a ZIP archive)") from None
    with archive:
        parts = archive.infolist()
        if len(parts) > MAX_PARTS:
            raise UploadRefused(f"{filename}: {len(parts)} parts in the workbook, over {MAX_PARTS}")
        expanded = sum(p.file_size for p in parts)
        if expanded > max_expanded or expanded > MAX_RATIO * max(len(data), 1):
            raise UploadRefused(f"{filename}: would expand to {expanded} bytes (a decompression bomb?); "
                                f"the limits are {max_expanded} bytes and {MAX_RATIO}x the file size")
        names = [p.filename.lower() for p in parts]
        if any(n.endswith("vbaproject.bin") or "/vba" in n for n in names):
            raise UploadRefused(f"{filename}: the workbook carries macros (a VBA part); "
                                "save it as a plain .xlsx")
        if "[content_types].xml" in names:
            types = archive.read(parts[names.index("[content_types].xml")].filename)
            if any(t in types for t in _MACRO_TYPES):
                raise UploadRefused(f"{filename}: the workbook is macro-enabled; save it as a plain .xlsx")


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_csv(data: bytes, filename: str, max_rows: int) -> Sheet:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UploadRefused(f"{filename}: not UTF-8 text (byte {exc.start}); save the CSV as UTF-8") from None
    reader = csv.reader(io.StringIO(text))
    name = PurePath(filename).stem
    lines = list(reader)
    if len(lines) > max_rows + 1:
        raise UploadRefused(f"{filename}: {len(lines) - 1} rows, over the limit of {max_rows}")
    if not lines:
        raise UploadRefused(f"{filename}: empty file")
    header = [h.strip() for h in lines[0]]
    sheet = Sheet(name, header, [])
    for number, line in enumerate(lines[1:], start=2):
        cells: dict[str, str] = {}
        for col, raw in zip(header, line, strict=False):
            value = raw.strip()
            if value.startswith(("=", "+", "-", "@")) and not _NUMBER.fullmatch(value):
                sheet.problems.append(Problem.worded(
                    name, number, col, value,
                    (N_("looks like a spreadsheet formula: formulas are not accepted"), {})))
                continue
            cells[col] = value
        if any(cells.values()):
            sheet.rows.append((number, cells))
    return sheet


def _read_xlsx(data: bytes, filename: str, max_rows: int) -> list[Sheet]:
    from openpyxl import load_workbook  # on first upload: not at the service's start-up

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except Exception as exc:  # noqa: BLE001  (openpyxl raises many kinds on a broken workbook)
        raise UploadRefused(f"{filename}: unreadable workbook ({type(exc).__name__})") from None
    sheets: list[Sheet] = []
    try:
        for ws in wb.worksheets:
            rows = ws.iter_rows()
            first = next(rows, None)
            if first is None:
                continue
            header = [_text(c.value) for c in first]
            sheet = Sheet(ws.title, header, [])
            for number, row in enumerate(rows, start=2):
                if number > max_rows + 1:
                    raise UploadRefused(f"{filename}: sheet {ws.title!r} has over {max_rows} rows")
                cells: dict[str, str] = {}
                for col, cell in zip(header, row, strict=False):
                    if getattr(cell, "data_type", None) == "f":
                        sheet.problems.append(Problem.worded(
                            ws.title, number, col, _text(cell.value),
                            (N_("a formula: formulas are never evaluated; type the value"), {})))
                        continue
                    cells[col] = _text(cell.value)
                if any(cells.values()):
                    sheet.rows.append((number, cells))
            sheets.append(sheet)
    finally:
        wb.close()
    return sheets
