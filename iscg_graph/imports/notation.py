"""ITU item references as people write them in a mapping-table cell, parsed into `Ref`s.

A cell may list several references separated by ``;``, ``,`` or line breaks (a comma inside
parentheses, as in ``Res. 191 (Rev. Dubai, 2018)``, does not separate), with stray spaces and
footnote marks (``*``, ``†``, ``‡``, superscript digits, ``[1]``) that are dropped. Understood:

- Questions: ``Q3/17``, ``Q 3/17``, ``Q.3/17``, ``Question 7/2`` -> question 3 of study group 17;
- study groups: ``SG5``, ``SG 5``, ``Study Group 5``;
- working parties: ``WP 5D``, ``WP5D``, ``Working Party 1C``;
- Resolutions: ``Res. 191``, ``Resolution 72``, optionally with the conference first
  (``PP Res. 191``, ``WTSA Res. 72``) and a revision (``(Rev. Dubai, 2018)``: the year is kept).

Anything else is a `NotationError` naming the text. No graph lookup happens here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import (
    NotationError,  # noqa: F401 (defined in the one tree, re-exported here)
)

__all__ = ["NotationError", "Ref", "parse_cell", "parse_one", "split_cell"]

CONFERENCES = ("PP", "WTSA", "WTDC", "RA", "WRC")
_FOOTNOTES = re.compile(r"(\s*(\[\d{1,2}\]|[*†‡§¹²³⁴⁵⁶⁷⁸⁹⁰]+))+\s*$")
_SPACES = re.compile(r"\s+")
_QUESTION = re.compile(r"(?:Q|Question)\s*\.?\s*(\d{1,3})\s*/\s*(\d{1,2})", re.I)
_GROUP = re.compile(r"(?:SG|Study\s+Group)\s*\.?\s*(\d{1,2})", re.I)
_WP = re.compile(r"(?:WP|Working\s+Party)\s*\.?\s*(\d{1,2})\s*([A-Z])", re.I)
_RESOLUTION = re.compile(
    r"(?:(PP|WTSA|WTDC|RA|WRC)(?:-\d{2})?\s+)?(?:Res\.?|Resolution)\s*(\d{1,4})"
    r"(?:\s*\(\s*(?:Rev\.?\s*)?([^()]*?)\s*\))?(?:\s*\(\s*(PP|WTSA|WTDC|RA|WRC)\s*\))?",
    re.I,
)
_YEAR = re.compile(r"(?:19|20)\d{2}")


@dataclass(frozen=True)
class Ref:
    kind: str  # question | study-group | working-party | resolution
    text: str  # as written (footnote marks and stray spaces removed)
    number: str  # Question number, group number, "5D", Resolution number
    group: str | None = None  # the study group of a Question
    conference: str | None = None  # of a Resolution, when written
    year: str | None = None  # of a Resolution's revision, when written

    @property
    def notation(self) -> str:
        """The graph's `skos:notation` for Questions and groups (`Q3/17`, `SG5`, `WP 5D`)."""
        if self.kind == "question":
            return f"Q{self.number}/{self.group}"
        if self.kind == "study-group":
            return f"SG{self.number}"
        if self.kind == "working-party":
            return f"WP {self.number}"
        return f"Res. {self.number}"


def split_cell(cell: str) -> list[str]:
    """The references of a cell, split outside parentheses, cleaned, empty parts dropped."""
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for ch in cell:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(depth - 1, 0)
        if depth == 0 and ch in ",;\n\r":
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    cleaned = [_FOOTNOTES.sub("", _SPACES.sub(" ", p).strip()).strip() for p in parts]
    return [p for p in cleaned if p]


def parse_one(text: str) -> Ref:
    if m := _QUESTION.fullmatch(text):
        return Ref("question", text, str(int(m[1])), group=str(int(m[2])))
    if m := _WP.fullmatch(text):
        return Ref("working-party", text, f"{int(m[1])}{m[2].upper()}")
    if m := _GROUP.fullmatch(text):
        return Ref("study-group", text, str(int(m[1])))
    if m := _RESOLUTION.fullmatch(text):
        conference = (m[1] or m[4] or "").upper() or None
        year = None
        if m[3] and m[3].upper() in CONFERENCES:  # "Resolution 72 (WTSA)": the conference, no revision
            conference = conference or m[3].upper()
        elif m[3]:
            years = _YEAR.findall(m[3])
            if not years:
                raise NotationError(f"{text!r}: the revision {m[3]!r} names no year")
            year = years[-1]
        return Ref("resolution", text, str(int(m[2])), conference=conference, year=year)
    raise NotationError(
        f"{text!r} is not a reference this import understands (Q3/17, Question 7/2, SG5, WP 5D, "
        "Res. 191 (Rev. Dubai, 2018), WTSA Res. 72)"
    )


def parse_cell(cell: str) -> tuple[list[Ref], list[NotationError]]:
    """Every reference of a cell, and an error for each part that is not one."""
    refs: list[Ref] = []
    errors: list[NotationError] = []
    for part in split_cell(cell):
        try:
            refs.append(parse_one(part))
        except NotationError as exc:
            errors.append(exc)
    return refs, errors
