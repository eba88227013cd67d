"""The per-subject aggregates of a few Questions and Resolutions, recomputed from lookups.

Two aggregates of the derived graph (`derived_aggregates`) are keyed by one Question or one
Resolution and read only what is around it:

* ``dv:groupMandates`` of a Question: the notations of the Resolutions that mandate its study group
  (``iscg:studyGroup``) or a group above it (``iscg:parentGroup*``);
* ``dv:parts`` / ``dv:partList`` of a Resolution: the parts of the Union it concerns
  (``iscg:concernsSector``) and their codes (notation, else English label).

`keyed_change` copies, from index lookups in the dataset after the write, what those read for the
given nodes (their own statements, their groups up the chain, the Resolutions mandating those
groups, the parts they concern, each with all its statements) into a small in-memory store, runs
`derived_aggregates.aggregate_triples` itself on it (no second implementation), and keeps only the
statements of those keys, compared with the derived graph's current ones.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from . import derived_aggregates as aggregates
from .derived_facts import DERIVED_NS, ISCG, Lookups

__all__ = ["KEYED", "keyed_change"]

KEYED = tuple(ox.NamedNode(DERIVED_NS + p) for p in ("groupMandates", "parts", "partList"))
STUDY_GROUP, PARENT = ox.NamedNode(ISCG + "studyGroup"), ox.NamedNode(ISCG + "parentGroup")
MANDATES, PART = ox.NamedNode(ISCG + "mandates"), ox.NamedNode(ISCG + "concernsSector")


def _around(data: Lookups, node: ox.NamedNode) -> set[ox.NamedNode]:
    """``node``, its groups and every group above them, the Resolutions mandating one of those, and
    the parts of the Union ``node`` concerns."""
    groups: set[ox.NamedNode] = set()
    todo = list(data.nodes(node, STUDY_GROUP))
    while todo:
        group = todo.pop()
        if group not in groups:
            groups.add(group)
            todo.extend(data.nodes(group, PARENT))
    mandating = {r for g in groups for r in data.subjects(MANDATES, g)}
    return {node} | data.nodes(node, PART) | groups | mandating


def keyed_change(data: Lookups, nodes: Iterable[ox.NamedNode]) -> tuple[set[ox.Quad], set[ox.Quad]]:
    """The ``dv:groupMandates``, ``dv:parts`` and ``dv:partList`` statements of ``nodes`` to remove
    and add."""
    graph = data.derived
    keys = set(nodes)
    current = {q for n in keys for p in KEYED for q in data.derived_quads(n, p, None)}
    copied: set[ox.NamedNode] = set()
    for node in keys:
        copied |= _around(data, node)
    copy = ox.Store()
    copy.extend(q for n in copied for q in data.about(n))
    base = graph.value[: -len("graph/derived")]
    source = aggregates.store_source(copy, graph.value)
    computed = aggregates.to_ox(aggregates.aggregate_triples(source, base))
    wanted = {ox.Quad(t.subject, t.predicate, t.object, graph) for t in computed
              if t.subject in keys and t.predicate in KEYED}
    return current - wanted, wanted - current
