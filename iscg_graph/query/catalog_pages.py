"""The paging fields of a canned query's ``#+`` header, checked when the file is loaded.

``pages_by`` (`bucket_pages`): the answer is read bucket by bucket, each bucket a value of a
parameter (``param``) or of a variable of the text that is none (``var``), listed by a SELECT
(``values``: ``?value`` and its sort ``?key``). ``count_where``: a group graph pattern with one
solution per answer row, counted for a report page's total instead of the whole query
(`page_texts.count_text`).
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from ..errors import QueryError
from .safety import tokens

__all__ = ["count_pattern", "paging_header"]


def paging_header(raw: Any, names: set[str], text: str, where: str) -> dict[str, str] | None:
    """The header's ``pages_by``: a parameter of the query (one of ``names``; ``param``), or a
    variable of its text that is none (``var``), and a SELECT of its values (``?value``, ``?key``)
    that parses under the query's prefixes."""
    if raw is None:
        return None
    if not isinstance(raw, dict) or set(raw) not in ({"param", "values"}, {"var", "values"}):
        raise QueryError(f"{where}: pages_by needs exactly 'param' and 'values' (or 'var' and 'values')")
    kind = "param" if "param" in raw else "var"
    param, values = str(raw[kind]), str(raw["values"])
    if kind == "param" and param not in names:
        raise QueryError(f"{where}: pages_by names {param!r}, not a parameter of the query")
    in_text = any(t.text in ("?" + param, "$" + param) for t in tokens(text))
    if kind == "var" and (param in names or not in_text):
        raise QueryError(f"{where}: pages_by var {param!r} is a parameter or not a variable of the query")
    _parses(text, values, f"{where}: pages_by values")
    return {kind: param, "values": values}


def _parses(text: str, query: str, what: str) -> None:
    """A `QueryError` unless ``query`` parses under the prologue of ``text``."""
    select = next((t.offset for t in tokens(text) if t.text.lower() == "select"), 0)
    try:
        ox.Store().query(text[:select] + query)
    except SyntaxError as exc:
        raise QueryError(f"{what} is not valid SPARQL: {exc}") from None


def count_pattern(raw: Any, text: str, where: str) -> str | None:
    """The header's ``count_where``, if any, once it parses under the query's prefixes."""
    if raw is None:
        return None
    pattern = str(raw)
    _parses(text, f"SELECT * WHERE {{ {pattern} }}", f"{where}: count_where")
    return pattern
