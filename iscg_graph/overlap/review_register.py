"""The register number of a review decision, minted in the write that records it.

Every decision gets the next register entry ``{base}id/mapping/R0001``, ``R0002``, …. The last
number minted is stated in ``graph/reviews`` itself::

    <{base}graph/reviews> iscg:lastRegisterNumber 41 .

and a decision replaces it with the next one in the same write as its record. The number is read
from the dataset the write computes on (the write path's view of the store, or its working copy of
the remote store's current generation), never from a counter of the process: writes are serialised
by the write path's lock, and on a remote store a write computed on an older generation is refused
by the generation guard and computed again (number included) on the new one, so two decisions never
get the same number. The candidate number is also checked to name no record yet (and skipped while
it does): a record written some other way (a SPARQL Update, a curated table) is never overwritten.

A store without the statement (a build with no decision yet) is read once, by the records' subjects
(every ``iscg:subject`` statement), as every decision did before; the first decision then writes it.
Reverting a decision reverts its number too (the next decision takes it again), as before. That
read is the store's ``iscg:subject`` statements, one per mapping: 7,800 at 1M, 0.1-0.2 s of CPU. So
`highest_record` keeps its answer for a store's current data (its `data_key`: any commit to a store
on disk changes it),
the service reads it in the background at start-up (`iscg_graph.curation.warm_up`), and the first
decision takes it when it computes on the store as it was read (the write path's overlay of that
store, nothing changed in it yet); any other dataset is read as before.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Protocol, cast

import pyoxigraph as ox

from ..rdf.store import EmbeddedStore, data_key
from ..vocab import ONTOLOGY_NS

__all__ = ["COUNTER", "counter_quads", "highest_record", "mapping_iri", "next_number", "read_as"]

COUNTER = ox.NamedNode(ONTOLOGY_NS + "lastRegisterNumber")
_SUBJECT = ox.NamedNode(ONTOLOGY_NS + "subject")
_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")


def mapping_iri(base: str, number: int) -> str:
    return f"{base}id/mapping/R{number:04d}"


def counter_quads(view: Any, graph: str) -> list[ox.Quad]:
    """The counter statement(s) in ``view`` (a ``pyoxigraph.Store`` or the write path's overlay)."""
    node = ox.NamedNode(graph)
    return list(view.quads_for_pattern(node, COUNTER, None, node))


def counter_quad(graph: str, number: int) -> ox.Quad:
    node = ox.NamedNode(graph)
    return ox.Quad(node, COUNTER, ox.Literal(str(number), datatype=_INTEGER), node)


def _counted(quads: list[ox.Quad]) -> int | None:
    numbers = [int(q.object.value) for q in quads
               if isinstance(q.object, ox.Literal) and q.object.value.isdigit()]
    return max(numbers) if numbers else None


def _scanned(view: Any, base: str, hidden: ox.NamedNode | None = None) -> int:
    """The highest register number of the records' subjects (a store without the counter); the
    statements of graph ``hidden`` left out (the journal, which the write path's overlay hides)."""
    minted = re.compile(re.escape(f"{base}id/mapping/R") + r"(\d+)$")
    numbers = [int(m.group(1)) for q in view.quads_for_pattern(None, _SUBJECT, None, None)
               if isinstance(q.subject, ox.NamedNode) and q.graph_name != hidden
               and (m := minted.match(q.subject.value))]
    return max(numbers, default=0)


_KNOWN: dict[tuple[int, str, str], tuple[Any, int]] = {}  # (store, base, hidden graph) -> (data key, n)


def highest_record(store: EmbeddedStore, base: str, hidden: ox.NamedNode) -> int:
    """`_scanned` of ``store`` without graph ``hidden``, kept for the store's current data (a commit
    changes its key: read again). Under the write path's lock, or where nothing writes (start-up)."""
    key, where = data_key(store.meta), (id(store.inner), base, hidden.value)
    known = _KNOWN.get(where)
    if known is None or known[0] != key:
        if len(_KNOWN) > 16:  # stores reopened by builds: stay bounded
            _KNOWN.clear()
        known = _KNOWN[where] = (key, _scanned(store.inner, base, hidden))
    return known[1]


class _View(Protocol):
    def unchanged_over(self, store: ox.Store) -> ox.NamedNode | None: ...


def read_as(view: object, store: EmbeddedStore | None, base: str) -> Callable[[], int] | None:
    """`highest_record` of ``store`` when ``view`` is the write path's overlay of it with nothing
    changed yet (its ``unchanged_over``, `iscg_graph.curation.overlay`: `_scanned(view)` would read
    exactly the store without that hidden graph), and the store is on disk (whose every write moves
    its generation, hence its data key); else None."""
    if store is None or store.path is None or not hasattr(view, "unchanged_over"):
        return None
    hidden = cast(_View, view).unchanged_over(store.inner)
    if hidden is None:
        return None
    return lambda: highest_record(store, base, hidden)


def next_number(view: Any, base: str, graph: str,
                read: Callable[[], int] | None = None) -> tuple[int, list[ox.Quad]]:
    """The number the next decision takes in ``view`` and the counter statements it replaces;
    ``read``: what `_scanned` would find in ``view`` (`read_as`), for a store without the counter."""
    current = counter_quads(view, graph)
    last = _counted(current)
    number = ((read or (lambda: _scanned(view, base)))() if last is None else last) + 1
    while next(iter(view.quads_for_pattern(ox.NamedNode(mapping_iri(base, number)), None, None, None)),
               None) is not None:
        number += 1  # written some other way: never overwritten
    return number, current
