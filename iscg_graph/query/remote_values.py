"""Values a SPARQL server writes in another lexical form than the embedded store, made canonical.

Virtuoso 7 stores an ``xsd:boolean`` as a number and answers ``"1"``/``"0"`` for the build's
``"true"``/``"false"`` — in SELECT results (a stored boolean, and one computed by an expression or
written as the constant ``true``). ``"1"`` and ``"true"`` are the same value, but another RDF term,
so a client comparing terms (and the parity tests) would see a different answer. The remote engine
passes a Virtuoso answer through `canonical_booleans` before parsing it: every ``xsd:boolean`` cell
is written in its canonical form, as the embedded store writes it. Nothing else is rewritten.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["BOOLEAN", "canonical_booleans"]

BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
_CANONICAL = {"1": "true", "0": "false"}
_MARK = BOOLEAN.encode()


def canonical_booleans(body: bytes) -> bytes:
    """A SPARQL JSON results document with its ``xsd:boolean`` cells in canonical form (``body``
    itself when it has none to rewrite, so most answers are not parsed twice)."""
    if _MARK not in body:
        return body
    try:
        doc: Any = json.loads(body)
        rows = doc["results"]["bindings"]
    except (ValueError, KeyError, TypeError):
        return body  # not a results document: the parser says what is wrong with it
    changed = False
    for row in rows if isinstance(rows, list) else ():
        for cell in row.values() if isinstance(row, dict) else ():
            if isinstance(cell, dict) and cell.get("datatype") == BOOLEAN and cell.get("value") in _CANONICAL:
                cell["value"] = _CANONICAL[cell["value"]]
                changed = True
    return json.dumps(doc, ensure_ascii=False).encode("utf-8") if changed else body
