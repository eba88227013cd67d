"""Babel extractor for the canned queries (``queries/*.rq``): the words a report page shows come
from each query's ``#+`` YAML header (report title and question, explanation, parameter labels and
hints, column titles), so ``make i18n`` puts them into the catalogues next to the templates'
messages. Templates translate them with the ``tr`` filter (api/templating.py).

Registered in ``babel.cfg``: ``rq = api.i18n.extract:extract_rq`` under ``[extractors]``, then
``[rq: queries/*.rq]``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

import yaml

Extracted = tuple[int, str | None, str, list[str]]


def header(lines: list[str]) -> tuple[dict[str, Any], dict[str, int]]:
    """The YAML header of a query file and, for each top-level key, its line (1-based)."""
    text, where = [], {}
    for number, line in enumerate(lines, 1):
        if not line.startswith("#+"):
            break
        body = line[3:] if line.startswith("#+ ") else line[2:]
        if body and not body[0].isspace() and ":" in body:
            where[body.split(":", 1)[0]] = number
        text.append(body)
    data = yaml.safe_load("\n".join(text)) or {}
    return (data if isinstance(data, dict) else {}), where


def messages(data: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(key, message) for every text of a query header that a page shows."""
    if data.get("summary"):
        yield "summary", str(data["summary"]).strip()
    if data.get("description"):
        yield "description", str(data["description"]).strip()
    for param in data.get("params") or []:
        for key in ("label", "description", "empty_label"):
            if isinstance(param, dict) and param.get(key):
                yield "params", str(param[key]).strip()
        if isinstance(param, dict) and isinstance(param.get("enum_labels"), dict):
            for words in param["enum_labels"].values():
                yield "params", str(words).strip()
    for title in (data.get("columns") or {}).values():
        yield "columns", str(title).strip()
    report = data.get("report") or {}
    for key in ("title", "question"):
        if report.get(key):
            yield "report", str(report[key]).strip()


def extract_rq(fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any) -> Iterator[Extracted]:
    lines = fileobj.read().decode("utf-8").splitlines()
    data, where = header(lines)
    for key, message in messages(data):
        yield where.get(key, 1), None, message, []
