"""Words the canned queries write themselves (a status, a kind, a sentence of evidence), shown in the
visitor's language.

A few report columns hold fixed English words built by the query (``BIND("one Sector" AS ?status)``,
``CONCAT("both follow ", ?resLabel)``). The query answers stay English (the SPARQL endpoint, the
canned-query API and their tests see them as written); the report pages and their CSV/Excel files
translate them at display time: ``translate_values`` maps each known value of a known column, per
query, to its catalogue message. Values a query builds around data (a theme's title, the reasons
of a judgement) are matched by a pattern and only the fixed words are translated; the data inside
stays as sourced. A value no entry matches (any data) is left as it is. A true/false answer,
shown as "yes"/"no" (``Cell.text``), is shown in the visitor's language in every report.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

from iscg_graph.render.tabular import Cell, ResultTable

from .catalogs import gettext
from .languages import DEFAULT
from .messages import N_

__all__ = ["PATTERNS", "VALUES", "translate_value", "translate_values"]


@dataclass(frozen=True)
class Pattern:
    """A value made of fixed words around data: ``regex`` names the data as groups, ``message`` is
    the catalogue message with the same names as placeholders; ``head`` and ``tail`` groups (what
    comes before and after the words, as written) are kept as they are."""

    regex: re.Pattern[str]
    message: str


def _p(regex: str, message: str) -> Pattern:
    return Pattern(re.compile(regex, re.DOTALL), message)


_KINDS = (N_("Question"), N_("Resolution"), N_("Working party"), N_("Joint task group"), N_("Task group"),
          N_("Study group"), N_("Other"))

# query name -> column (variable) -> the fixed English values the query writes there
VALUES: dict[str, dict[str, tuple[str, ...]]] = {
    "theme-coverage": {
        "status": (N_("not addressed"), N_("one Sector"), N_("several Sectors, coordinated"),
                   N_("several Sectors, no coordination link")),
    },
    "annex-duplicate-areas": {
        "basis": (N_("Recorded as the same area by a reviewed judgement."),
                  N_("Same wording as another entry (not yet reviewed).")),
    },
    "resolution-overlap": {
        "latestALabel": (N_("(no revision recorded)"),),
        "latestBLabel": (N_("(no revision recorded)"),),
    },
    "sector-overlap-detail": {"kind": _KINDS},
    "theme-dossier": {
        "kind": (*_KINDS, N_("Mapping"), N_("Coordination body"), N_("Outcome")),
        "role": (N_("addresses the theme"), N_("study group of a Question on the theme"),
                 N_("Resolution behind a Question on the theme"), N_("coordination body covering the theme"),
                 N_("recorded mapping between items on the theme"),
                 N_("ISCG outcome choosing it as pilot theme")),
    },
    # the new-since downloads (api.routers.new_since): candidates and recorded rows in one table
    "new-since": {
        "what": (N_("candidate overlap"), N_("recorded mapping or link")),
        "newSide": (N_("both"), N_("one side"), N_("other side")),
        "statusLabel": (N_("not recorded"),),
    },
}

_RECORDED_AS = (
    _p(r"^recorded as (?P<relation>.+?) by (?P<by>[^,]+)(?P<tail>(?:, .*)?)$",
       N_("recorded as %(relation)s by %(by)s")),
    _p(r"^recorded as (?P<relation>[^,]+)(?P<tail>(?:, .*)?)$", N_("recorded as %(relation)s")),
)

_HEAD = r"^(?P<head>(?:.* )?)"  # the relation kind the downloads put before the origin
_ORIGIN = (
    _p(_HEAD + r"carry over\? from: an earlier record$", N_("carry over? from: an earlier record")),
    _p(_HEAD + r"carry over\? from: (?P<origin>.+)$", N_("carry over? from: %(origin)s")),
    _p(_HEAD + r"recorded by people$", N_("recorded by people")),
    _p(_HEAD + r"recorded$", N_("recorded")),
)

# query name -> column -> patterns tried in order (after the exact values)
PATTERNS: dict[str, dict[str, tuple[Pattern, ...]]] = {
    "annex-duplicate-areas": {
        "basis": (_p(r"^Recorded as the same area by a reviewed judgement: (?P<reasons>.+)$",
                     N_("Recorded as the same area by a reviewed judgement: %(reasons)s")),),
    },
    "question-duplicate-candidates": {
        "evidence": (_p(r"^both address the theme (?P<theme>.+)$", N_("both address the theme %(theme)s")),
                     _p(r"^both follow (?P<resolution>.+)$", N_("both follow %(resolution)s")),
                     *_RECORDED_AS),
    },
    # the recorded rows' origin (queries/new-since.rq), also after the relation kind in the downloads
    "new-since": {
        "origin": _ORIGIN,
        "why": _ORIGIN,
    },
}

_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
_YES, _NO = N_("yes"), N_("no")

# a column whose value lists several pieces of evidence, and how they are joined
_SEPARATORS = {("question-duplicate-candidates", "evidence"): " | "}


def _one(language: str, value: str, exact: tuple[str, ...], patterns: tuple[Pattern, ...]) -> str:
    if value in exact:
        return gettext(language, value)
    for pattern in patterns:
        found = pattern.regex.match(value)
        if found:
            groups = found.groupdict()
            head, tail = groups.pop("head", None) or "", groups.pop("tail", None) or ""
            return head + gettext(language, pattern.message) % groups + tail
    return value


def translate_value(query: str, column: str, value: str, language: str) -> str:
    """One value of ``column`` in ``query``'s answer, in ``language`` (unchanged when not known)."""
    exact = VALUES.get(query, {}).get(column, ())
    patterns = PATTERNS.get(query, {}).get(column, ())
    separator = _SEPARATORS.get((query, column))
    if separator is None:
        return _one(language, value, exact, patterns)
    return separator.join(_one(language, piece, exact, patterns) for piece in value.split(separator))


def translate_values(table: ResultTable, query: str, language: str) -> ResultTable:
    """``table`` (an answer of ``query``) with the query's own words in ``language``; English: as is."""
    columns = set(VALUES.get(query, {})) | set(PATTERNS.get(query, {}))
    if language == DEFAULT:
        return table

    def row(cells: Mapping[str, Cell]) -> Mapping[str, Cell]:
        out = dict(cells)
        for name, cell in cells.items():
            if cell.kind != "literal":
                continue
            if cell.datatype == _BOOLEAN:  # shown as words, so as words of the page's language
                out[name] = Cell(gettext(language, _YES if cell.value == "true" else _NO))
            elif name in columns:
                out[name] = replace(cell, value=translate_value(query, name, cell.value, language))
        return out

    return replace(table, rows=tuple(row(r) for r in table.rows))
