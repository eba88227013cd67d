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

A store without the statement (built before it existed) is read once, by the records' subjects
(every ``iscg:subject`` statement), as every decision did before; the first decision then writes it.
Reverting a decision reverts its number too (the next decision takes it again), as before.
"""

from __future__ import annotations

import re
from typing import Any

import pyoxigraph as ox

from ..vocab import ONTOLOGY_NS

__all__ = ["COUNTER", "counter_quads", "mapping_iri", "next_number"]

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


def _scanned(view: Any, base: str) -> int:
    """The highest register number of the records' subjects (a store without the counter)."""
    minted = re.compile(re.escape(f"{base}id/mapping/R") + r"(\d+)$")
    numbers = [int(m.group(1)) for q in view.quads_for_pattern(None, _SUBJECT, None, None)
               if isinstance(q.subject, ox.NamedNode) and (m := minted.match(q.subject.value))]
    return max(numbers, default=0)


def next_number(view: Any, base: str, graph: str) -> tuple[int, list[ox.Quad]]:
    """The number the next decision takes in ``view`` and the counter statements it replaces."""
    current = counter_quads(view, graph)
    last = _counted(current)
    number = (_scanned(view, base) if last is None else last) + 1
    while next(iter(view.quads_for_pattern(ox.NamedNode(mapping_iri(base, number)), None, None, None)),
               None) is not None:
        number += 1  # written some other way: never overwritten
    return number, current
