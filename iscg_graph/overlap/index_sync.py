"""The candidate index brought level with the store's review decisions (after a crash).

A review decision is committed to the store, then one line is appended to the index's journal
(`columnar.append_overlay`), then answered. A crash between the two leaves the decision in the
store only: its pair stays listed as a candidate and deciding it again is refused (409).
`reconcile` closes that window when an index is loaded: one query of the reviews graph gives every
decision; those the journal does not hold and whose pair the index lists without their register
entry are applied and journalled, as `record_in_index` would have (same fields, same order of
register entries). A decision whose pair the index does not hold is left alone (nothing to hide;
the next precompute lists it), so an index with nothing missing is left as it is, journal included.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyoxigraph as ox

from ..query import sparql
from ..rdf.store import EmbeddedStore
from .corpus import _local, _value
from .index import CandidateIndex

__all__ = ["missing_decisions", "reconcile"]


def _decisions(store: EmbeddedStore, graph: str) -> list[dict[str, str]]:
    """Every decision of the reviews graph as the entry `record_in_index` writes (one query)."""
    rows = store.select(sparql.load("candidates-reviewed"), {"g": ox.NamedNode(graph)})
    return [
        {
            "left": _value(r.get("s")),
            "right": _value(r.get("o")),
            "link": _value(r.get("link")),
            "status": _local(_value(r.get("status"))),
            "kind": _local(_value(r.get("kind"))),
            "graph": graph,
            "confidence": _local(_value(r.get("confidence"))),
        }
        for r in rows
    ]


def missing_decisions(index: CandidateIndex, store: EmbeddedStore, graph: str) -> list[dict[str, str]]:
    """The decisions of ``graph`` whose pair the index lists but neither its precompute nor its
    journal records (by register entry), in register order."""
    pending = [e for e in _decisions(store, graph) if e["link"] not in index.applied_links]
    if not pending:
        return []
    rows = [(index.row_of(e["left"]), index.row_of(e["right"])) for e in pending]
    keyed = [(i, min(a, b), max(a, b)) for i, (a, b) in enumerate(rows) if a is not None and b is not None]
    if not keyed:
        return []
    n = np.int64(index.n_items)
    wanted = np.array([lo * n + hi for _, lo, hi in keyed], dtype=np.int64)
    missing: set[int] = set()
    for kind, found in index.rows_of_pairs(wanted).items():
        for want, row in found:
            entry = pending[keyed[want][0]]
            if entry["link"] not in index.recorded_links(kind, row):
                missing.add(keyed[want][0])
    return [pending[i] for i in sorted(missing)]


def reconcile(index: CandidateIndex, store: EmbeddedStore, store_dir: Path | None, graph: str) -> int:
    """Apply (and journal in ``store_dir``) the decisions the index misses; how many there were."""
    missing = missing_decisions(index, store, graph)
    for entry in missing:
        index.record(entry, store_dir)
    return len(missing)
