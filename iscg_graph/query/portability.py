"""Canned queries a SPARQL server is known to answer differently from the embedded store, and why.

The canned queries are written in portable SPARQL 1.1, and the parity tests compare every one of
them, case by case, on the embedded store, Oxigraph server and Virtuoso 7. Where a server still
deviates and the query could not be rewritten without changing the embedded store's answer, the
remote engine refuses that query on that server with `ServerLacksFeature` (HTTP 501), naming what
the server lacks, rather than serve a wrong answer. The refusal is bound to the text the deviation
was measured on: a canned query whose text changes is sent again (and the parity test says whether
the server now agrees). docs/notes/virtuoso.md has the details and what was fixed instead.
"""

from __future__ import annotations

from functools import lru_cache

from ..errors import ServerLacksFeature
from .catalog import DEFAULT_QUERIES_DIR

__all__ = ["DEVIATIONS", "check_portable", "refused_queries"]

DEVIATIONS: dict[str, dict[str, str]] = {
    "virtuoso": {
        # (question-duplicate-candidates, the last one before, reads derived rows now)
        "study-group-neighbours": (
            "a grouped sub-query joined with the chosen study group: for groups with counterparts in "
            "another Sector Virtuoso 7.2 answers fewer rows than there are (none of 268 on a 100k "
            "generated graph, 1 of 197 at 1M, and for some groups of the real data), whether the "
            "group is projected from the sub-query or the aggregate is at the top level"),
    },
}


@lru_cache(maxsize=8)
def _refused(kind: str) -> dict[str, str]:
    """Text of each refused canned query -> its name."""
    out: dict[str, str] = {}
    for name in DEVIATIONS.get(kind, {}):
        path = DEFAULT_QUERIES_DIR / f"{name}.rq"
        if path.is_file():
            out[path.read_text("utf-8")] = name
    return out


def refused_queries(kind: str) -> frozenset[str]:
    """Names of the canned queries refused on a server of this kind."""
    return frozenset(_refused(kind).values())


def check_portable(kind: str, sparql: str) -> None:
    """Raise `ServerLacksFeature` if ``sparql`` is a canned query this server answers wrongly."""
    name = _refused(kind).get(sparql)
    if name is not None:
        raise ServerLacksFeature(kind, name, DEVIATIONS[kind][name])
