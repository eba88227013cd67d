"""An ``ASK`` sent to Virtuoso as ``SELECT * … LIMIT 1``: its ``ASK`` is wrong on a named dataset.

Virtuoso 7.2 answers ``true`` to ``ASK { GRAPH <g> { … } }`` when ``<g>`` is not among the request's
named graphs (``named-graph-uri``), where the same pattern as a ``SELECT`` has no solution, as SPARQL
1.1 says. The remote engine names the loaded graphs as the dataset on every server but Oxigraph
(`RemoteEngine._whole_dataset`), and a graph emptied by a write (a review's revert empties
``graph/reviews``) is no longer among them: so on Virtuoso an ``ASK`` is asked as the equivalent
``SELECT * … LIMIT 1`` and answered ``true`` when it has a solution. docs/notes/remote.md.
"""

from __future__ import annotations

import json

from .safety import tokens

__all__ = ["ask_as_select", "boolean_answer"]

_UNSAFE = {"GROUP", "HAVING", "LIMIT", "OFFSET", "ORDER"}  # SELECT * would be invalid or differ


def ask_as_select(sparql: str) -> str | None:
    """``sparql`` (an ASK query) as ``SELECT * … LIMIT 1``, or None when it is not of the simple form
    ``ASK [FROM …] [WHERE] { … }`` (solution modifiers or a trailing ``VALUES``: sent as it is)."""
    out: list[str] = []
    depth, seen_ask, closed = 0, False, False
    for tok in tokens(sparql):
        upper = tok.text.upper() if tok.kind == "word" else ""
        if not seen_ask:
            if upper == "ASK":
                out += [sparql[:tok.offset], "SELECT *", sparql[tok.offset + len(tok.text):]]
                seen_ask = True
            continue
        if tok.text == "{":
            depth += 1
        elif tok.text == "}":
            depth -= 1
            closed = closed or depth == 0
        elif depth == 0 and (upper in _UNSAFE or (closed and upper == "VALUES")):
            return None
    if not seen_ask or not closed:
        return None
    return "".join(out).rstrip() + "\nLIMIT 1\n"


def boolean_answer(body: bytes) -> bytes:
    """The SPARQL JSON answer of the ``SELECT`` made by `ask_as_select`, as the ``ASK`` answer."""
    rows = json.loads(body)["results"]["bindings"]
    return json.dumps({"head": {}, "boolean": bool(rows)}).encode()
