"""The editor's pick for a mapping-table cell that matches several items.

An ambiguous reference (``Q7/2`` with no study period given matches the Question of every period
it existed in; ``Res. 72`` may be the Resolution of several conferences) is offered as an
`Ambiguity`: the cell (its spreadsheet address, ``A3``), the reference as written, and its
`Choice`s. Each choice is named by a *token* a person can read and type, never an IRI:
``ITU-D Q7/2 2014-2017`` for a Question or group, ``WTSA Res. 72`` for a Resolution. The same
tokens serve the web page's selects and ``iscg import --choose A3="ITU-D Q7/2 2014-2017"``.

`check_choices` accepts picks only if each names a cell that is ambiguous in this file and one
of the choices offered for it (`ChoiceRefused` otherwise, naming the cell and what it accepts).
The accepted picks are given back to the preview as ``((cell, token), ...)``, and the
resolver takes, for each ambiguous reference of a picked cell, the one choice that was picked.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..errors import (
    ChoiceRefused,  # noqa: F401 (defined in the one tree, re-exported here)
)

__all__ = ["Ambiguity", "Choice", "ChoiceRefused", "Picks", "cell_address", "check_choices", "normal_token",
           "parse_choose"]

_CELL = re.compile(r"([A-Z]{1,3})([1-9]\d{0,6})")


@dataclass(frozen=True)
class Choice:
    token: str  # "ITU-D Q7/2 2014-2017", "WTSA Res. 72": what a person types or the select sends
    label: str  # "ITU-D Q7/2 (2014-2017): <title>": what a person reads
    iri: str  # kept server-side; never shown


@dataclass(frozen=True)
class Ambiguity:
    sheet: str
    row: int
    column: str  # the column's header
    cell: str  # "B3"
    value: str  # the cell as written
    text: str  # the ambiguous reference in it
    choices: tuple[Choice, ...]


def cell_address(header: list[str], column: str, row: int) -> str:
    """The spreadsheet address of a cell from its column header and row number (``B3``)."""
    index = header.index(column) + 1
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row}"


def normal_token(token: str) -> str:
    """Tokens compared without case or runs of spaces (``itu-d  q7/2 2014-2017`` is fine)."""
    return " ".join(token.split()).casefold()


Picks = tuple[tuple[str, str], ...]  # ((cell, token), ...): a cell may hold several ambiguous references


def parse_choose(values: Iterable[str]) -> Picks:
    """``CELL=TOKEN`` strings (the command line's ``--choose``, a choices file's lines) as picks;
    `ChoiceRefused` naming a malformed one."""
    found: list[tuple[str, str]] = []
    for value in values:
        cell, sep, token = value.strip().partition("=")
        cell = cell.strip().upper()
        if not sep or not _CELL.fullmatch(cell) or not token.strip():
            raise ChoiceRefused(f"{value.strip()!r}: write CELL=CHOICE, e.g. A3=ITU-D Q7/2 2014-2017")
        found.append((cell, " ".join(token.split())))
    return tuple(found)


def check_choices(preview: Callable[[Picks], list[Ambiguity]], picks: Iterable[tuple[str, str]]) -> Picks:
    """The picks, each checked against the choices offered for its cell, in the offered spelling;
    `ChoiceRefused` for a pick on a cell that is not ambiguous or a choice not offered there.

    ``preview(accepted)`` gives the ambiguities left once ``accepted`` is applied. A pick may only
    become checkable after another (a row's item chosen, its related items are looked up within
    that item's period), so picks are accepted in rounds until none is left or none progresses; a
    pick offered in one round and made moot by another pick is dropped, not refused."""
    waiting = list(dict.fromkeys((c.strip().upper(), " ".join(t.split())) for c, t in picks))
    accepted: list[tuple[str, str]] = []
    ever: set[tuple[str, str]] = set()  # (cell, token) offered in some round
    while waiting:
        offered: dict[str, dict[str, str]] = {}
        for a in preview(tuple(accepted)):
            offered.setdefault(a.cell, {}).update({normal_token(c.token): c.token for c in a.choices})
        ever |= {(cell, t) for cell, tokens in offered.items() for t in tokens}
        progress = [(cell, offered[cell][normal_token(token)]) for cell, token in waiting
                    if normal_token(token) in offered.get(cell, {})]
        if not progress:
            for cell, token in waiting:
                if (cell, normal_token(token)) in ever:
                    continue  # offered, then settled by another pick (its row's item): nothing to do
                if cell not in offered:
                    raise ChoiceRefused(f"cell {cell} has no ambiguous reference to choose for")
                raise ChoiceRefused(f"{token!r} is not one of the choices for cell {cell}: "
                                    f"{'; '.join(sorted(offered[cell].values()))}")
            break
        accepted += progress
        done = {(c, normal_token(t)) for c, t in progress}
        waiting = [(c, t) for c, t in waiting if (c, normal_token(t)) not in done]
    return tuple(accepted)
