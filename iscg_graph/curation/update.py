"""A SPARQL 1.1 Update request, checked and applied to a working copy of the dataset.

The protocol's ``using-graph-uri`` / ``using-named-graph-uri`` parameters mean a ``USING`` /
``USING NAMED`` clause on every operation that has a ``WHERE`` (SPARQL 1.1 Protocol §2.2.3); the
request text is rewritten that way, on the tokens of the project's SPARQL lexer (strings, IRIs and
comments are single tokens, so nothing inside them is touched). An update that names its own
dataset (``USING`` or ``WITH``) together with those parameters is refused, as the protocol says.
``LOAD`` (an outbound request) and ``SERVICE`` are refused before anything runs.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyoxigraph as ox

from ..errors import QueryRefused, QuerySyntaxError
from ..query.safety import Token, tokens

__all__ = ["apply_update", "with_dataset"]


def _words(toks: Sequence[Token]) -> list[tuple[int, str]]:
    return [(i, t.text.upper()) for i, t in enumerate(toks) if t.kind == "word"]


def with_dataset(text: str, using: Sequence[str], using_named: Sequence[str]) -> str:
    """``text`` with the protocol's dataset added to each operation with a ``WHERE`` clause."""
    toks = [t for t in tokens(text) if t.kind not in ("ws", "comment")]
    words = _words(toks)
    for _, word in words:
        if word in ("LOAD", "SERVICE"):
            raise QueryRefused(f"{word} is refused: this service never makes outbound requests")
    if not using and not using_named:
        return text
    if any(word in ("USING", "WITH") for _, word in words):
        raise QueryRefused("the update names its own dataset (USING or WITH) and the request also gives "
                           "using-graph-uri / using-named-graph-uri: use one or the other")
    clause = " ".join([*(f"USING <{_iri(g)}>" for g in using),
                       *(f"USING NAMED <{_iri(g)}>" for g in using_named)])
    inserts: list[int] = []
    depth = 0
    previous = ""
    for tok in toks:
        if tok.kind == "other" and tok.text == "{":
            depth += 1
        elif tok.kind == "other" and tok.text == "}":
            depth -= 1
        if depth == 0 and tok.kind == "word" and tok.text.upper() == "WHERE" and previous != "DELETE":
            inserts.append(tok.offset)
        previous = tok.text.upper() if tok.kind == "word" else ""
    out = text
    for offset in reversed(inserts):
        out = f"{out[:offset]}{clause} {out[offset:]}"
    return out


def _iri(value: str) -> str:
    try:
        return ox.NamedNode(value).value
    except ValueError as exc:
        raise QueryRefused(f"{value!r} is not an IRI") from exc


def apply_update(work: ox.Store, text: str, *, base_iri: str | None,
                 using: Sequence[str] = (), using_named: Sequence[str] = ()) -> None:
    """Run the update on ``work`` (an in-memory working copy)."""
    rewritten = with_dataset(text, using, using_named)
    try:
        work.update(rewritten, base_iri=base_iri)
    except SyntaxError as exc:
        raise QuerySyntaxError(str(exc)) from exc
    except OSError as exc:  # e.g. CLEAR GRAPH of a graph that does not exist (without SILENT)
        raise QueryRefused(str(exc)) from exc
