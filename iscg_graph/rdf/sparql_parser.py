"""rdflib's SPARQL parser, one caller at a time in a process.

rdflib parses SPARQL with pyparsing, whose parse actions learn how many arguments they take on
their first call, by calling and catching `TypeError`: two threads parsing at once before every
action was called once can each cut the count, and the grammar then raises
``TypeError: <lambda>() missing 1 required positional argument`` on every later parse in the
process. The service met it when its write warm-up (`iscg_graph.curation.warm_up`) read the
shapes' SPARQL constraints while the first write read them too: that write and every later one
failed with 500 until the process was restarted. Every use of rdflib's SPARQL parser in this
project goes through `PARSING` (the parse itself is milliseconds; what it serialises is rare).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

__all__ = ["PARSING", "prepare_query"]

PARSING = threading.Lock()
"""Held while rdflib's SPARQL parser runs (also around a pyshacl run, which parses its shapes'
SPARQL constraints)."""


def prepare_query(text: str, init_ns: Mapping[str, Any] | None = None) -> Any:
    """`rdflib.plugins.sparql.prepareQuery` of ``text`` under `PARSING`."""
    from rdflib.plugins.sparql import prepareQuery

    with PARSING:
        return prepareQuery(text, initNs=dict(init_ns or {}))
