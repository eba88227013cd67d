"""Validating a write on the focus nodes it can affect, where that is provably the whole result.

`iscg_graph.rdf.shape_reach` reads the shapes' reach once (access paths, SPARQL patterns included)
and names, for a change, the focus nodes whose results can differ before and after it; every other
focus node's results are the same. So the write path validates the dataset-after on those nodes
only, and on the triples met from them along the shapes' paths (their neighbourhood: every triple
a result of theirs can depend on): the violations a write adds are the ones those nodes have after
and did not have before. The graph walked is an rdflib graph or, on the write path, a view of the
store answering the same reads by lookups (`focus_graph`): the neighbourhood is then read from the
store, and no copy of the dataset is made.
`focus` answers None — validate the whole dataset — when the reach is unbounded (a shape the
analysis cannot bound), the change touches ``rdfs:subClassOf`` or blank nodes, or the affected
nodes are most of the data anyway. `tests/unit/test_incremental_validation.py` holds the results
to the whole validation's on fixtures and real data.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from rdflib import Node, URIRef
from rdflib.namespace import RDFS

from ..rdf.shape_reach import AccessPath, TripleSource, access_paths, affected, neighbourhood
from ..rdf.validation import ValidationReport, load_shapes, validate_triples

__all__ = ["focus", "validate_focus"]

MAX_NODES = 2000  # more affected nodes than this: validating the whole dataset costs no more


@cache
def _paths() -> frozenset[AccessPath] | None:
    return access_paths(load_shapes())


def focus(graph: TripleSource, changed: Iterable[tuple[Node, Node, Node]]) -> set[URIRef] | None:
    """The focus nodes to validate for ``changed`` (triples added or removed; ``graph`` is the
    dataset after), or None for the whole dataset."""
    paths = _paths()
    if paths is None:
        return None
    nodes = affected(paths, changed, graph)
    if nodes is None or len(nodes) > MAX_NODES:
        return None
    return nodes


def validate_focus(graph: TripleSource, nodes: set[URIRef]) -> ValidationReport:
    """The results ``nodes`` have in ``graph``, validated on the triples met from them (their
    `neighbourhood`), with the ontology and every ``rdfs:subClassOf`` triple of ``graph`` (which
    ``sh:targetClass`` and ``sh:class`` follow): a few hundred triples instead of the dataset."""
    paths = _paths()
    if paths is None:  # pragma: no cover - `focus` names no nodes then
        raise ValueError("the shapes' reach is unbounded: validate the whole dataset")
    sub = neighbourhood(paths, nodes, graph)
    sub.update(graph.triples((None, RDFS.subClassOf, None)))
    return validate_triples(sub, focus_nodes=nodes)
