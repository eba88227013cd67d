"""The named graph an edit of an item writes into: the graph that describes the item.

The build puts each item into the graph of the table folder that made it (``graph/questions`` …),
with its ``rdf:type``, title, labels, notation and source. An item can also be typed elsewhere: in
the generated graphs (``graph/entailment``, ``graph/derived``: recomputed on every write;
``graph/meta``, ``graph/changes``: written by the build and the write path; never a home), or in
a second source graph (a table import into another folder, a hand-made statement). An
edit must then land in the same graph every time, whatever order the store returns quads in, so the
choice is a rule (docs/notes/curation.md, "Which graph an edit writes into"):

1. the graphs that assert the item's ``rdf:type``, generated graphs left out;
2. of those, the one holding most statements with the item as subject (its description: what the
   item's table wrote);
3. a tie: the graph whose IRI comes first in code-point order (the default graph after every named
   graph).

`link_graph` applies the same order to the graphs that already hold a link of the item.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import pyoxigraph as ox

from ..errors import WriteRefused
from ..rdf.derived import DERIVED_SUFFIX
from ..rdf.entailment import ENTAILMENT_SUFFIX

__all__ = ["home_graph", "link_graph"]

Graph = ox.NamedNode | ox.BlankNode | ox.DefaultGraph

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
# recomputed on every write (entailment, derived) or written by the build and the write path
# themselves (the dataset description, the journal of changes)
GENERATED = ("/" + ENTAILMENT_SUFFIX, "/" + DERIVED_SUFFIX, "/graph/meta", "/graph/changes")


def _generated(graph: Graph) -> bool:
    return isinstance(graph, ox.NamedNode) and graph.value.endswith(GENERATED)


def _first(work: ox.Store, item: ox.NamedNode, graphs: Iterable[Graph]) -> Graph | None:
    """Of ``graphs``, the one holding most statements about ``item``; a tie by IRI (rule 2, 3)."""
    candidates = set(graphs)
    if len(candidates) <= 1:
        return next(iter(candidates), None)
    held = Counter(q.graph_name for q in work.quads_for_pattern(item, None, None, None)
                   if q.graph_name in candidates)

    def order(graph: Graph) -> tuple[int, int, str]:
        if isinstance(graph, ox.NamedNode):
            return -held[graph], 0, graph.value
        return -held[graph], 1, str(graph)

    return min(candidates, key=order)


def home_graph(work: ox.Store, item: ox.NamedNode) -> Graph:
    """The graph holding the item's description (see the module's docstring); `WriteRefused` when
    no graph but a generated one types it."""
    typed = (q.graph_name for q in work.quads_for_pattern(item, RDF_TYPE, None, None))
    home = _first(work, item, (g for g in typed if not _generated(g)))
    if home is None:
        raise WriteRefused(f"{item.value} is not an item of the graph")
    return home


def link_graph(work: ox.Store, item: ox.NamedNode, predicate: ox.NamedNode) -> Graph:
    """Where a new ``predicate`` link of ``item`` goes: the graph that already holds such links of it
    (several: by the rule's order), else its home graph."""
    holding = (q.graph_name for q in work.quads_for_pattern(item, predicate, None, None))
    found = _first(work, item, (g for g in holding if not _generated(g)))
    return found if found is not None else home_graph(work, item)
