"""One way to turn a result table into a download or a page: ``render(table, columns, format)``.

Canned queries, reports, candidate lists and the CLI all offer the same table formats; the switch
between them lives here, with each format's media type and file suffix:

- ``csv``: titled columns, each linked column followed by its IRI column (UTF-8; ``bom=True`` adds
  the byte-order mark Excel needs to read UTF-8 right);
- ``xlsx``: a formatted workbook with an About sheet (``computed_from``);
- ``html``: a standalone table page (links resolved against ``base_iri``);
- ``json``: ``{"title", "computed_from", "columns", "rows"}``, rows as {column title: text or null}.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, get_args

from ..errors import ParameterError
from .tabular import Column, ResultTable, to_csv, to_html, to_xlsx

__all__ = ["MEDIA_TYPES", "TableFormat", "Rendered", "render", "table_format"]

TableFormat = Literal["csv", "xlsx", "html", "json"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA_TYPES: dict[TableFormat, str] = {
    "csv": "text/csv",
    "xlsx": XLSX,
    "html": "text/html",
    "json": "application/json",
}
_CHARSET = {"csv", "html"}


@dataclass(frozen=True)
class Rendered:
    body: bytes
    format: TableFormat
    media_type: str  # the media type alone
    content_type: str  # the Content-Type header value (with the charset of textual formats)

    def filename(self, stem: str) -> str:
        return f"{stem}.{self.format}"


def table_format(name: str) -> TableFormat:
    """A format name as a user gives it -> the format (`ParameterError` naming the choices)."""
    lowered = name.strip().lower()
    for known in get_args(TableFormat):
        if lowered == known:
            return known  # type: ignore[no-any-return]
    raise ParameterError("format", f"use one of {', '.join(get_args(TableFormat))}; got {name[:40]!r}")


def render(table: ResultTable, columns: Sequence[Column], fmt: TableFormat, *, title: str,
           computed_from: Sequence[tuple[str, str]] = (), base_iri: str | None = None,
           bom: bool = False, name: str | None = None,
           link: Callable[[str], str] | None = None) -> Rendered:
    """The table in ``fmt``; ``name`` (e.g. the report's) heads the JSON document when given;
    ``link`` maps an item's IRI to the address its XLSX hyperlink leads to (this service's page)."""
    if fmt == "csv":
        body = to_csv(table, columns).encode("utf-8-sig" if bom else "utf-8")
    elif fmt == "xlsx":
        body = to_xlsx(table, columns, title=title, computed_from=computed_from, link=link)
    elif fmt == "html":
        body = to_html(table, columns, title=title, computed_from=computed_from, base_iri=base_iri).encode()
    elif fmt == "json":
        doc: dict[str, object] = {"report": name} if name is not None else {}
        doc |= {
            "title": title,
            "computed_from": dict(computed_from),
            "columns": [c.title for c in columns],
            "rows": [{c.title: (row[c.name].text if c.name in row else None) for c in columns}
                     for row in table.rows],
        }
        body = (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode()
    else:  # pragma: no cover  (the Literal type covers every case)
        raise ParameterError("format", f"unknown table format {fmt!r}")
    media = MEDIA_TYPES[fmt]
    return Rendered(body, fmt, media, f"{media}; charset=utf-8" if fmt in _CHARSET else media)
