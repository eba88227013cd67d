"""Text that people typed, made safe for spreadsheets (CSV and XLSX downloads, table exports).

A cell that starts with ``=``, ``+``, ``-``, ``@`` (or a tab / carriage return before one of them)
is run as a formula by Excel and LibreOffice when the file is opened: "formula injection". In CSV
such a cell gets a leading apostrophe (which spreadsheets show as text and do not display);
numbers (``-3``, ``+1.5``) are left alone. In XLSX the cell is stored explicitly as a string.
"""

from __future__ import annotations

__all__ = ["FORMULA_STARTS", "csv_safe", "is_formula_like"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_STARTS) and not _is_number(text)


def csv_safe(text: str) -> str:
    return "'" + text if is_formula_like(text) else text
