"""A write's view of the store: the store as it is, plus what the write added, minus what it removed.

`Overlay` serves the part of the ``pyoxigraph.Store`` API the curated change callables (forms,
review decisions, mapping edits, theme links, revert, the table imports), the bounded RDFS closure
(`reentail`) and the bounded derived delta (`iscg_graph.rdf.derived_delta`) use: pattern lookups,
membership, the named graphs, ``add`` / ``remove`` / ``extend``, and ``load`` of a triple format
(what a review decision writes). Reads see the base store without the change journal (as the working
copy of the whole dataset did), the quads the write added, and not those it removed; writes are
recorded, the base store is never touched. What the write changed is then `Overlay.patch`: exactly
the quads to remove (present in the base) and to add (absent from it); an add of a present quad or a
remove of an absent one records nothing, and an add then a remove cancels.

Anything the overlay cannot do at the cost of the change (a SPARQL query or update, clearing or
dropping a graph, iterating the whole store, another load) raises `OverlayUnsupported`, and the write
path (`iscg_graph.curation.writes`) computes that write again on a working copy of the whole dataset,
as every write did before: SPARQL Update and Graph Store PUT/DELETE always take that path, and so
does a write that needs the whole derived graph recomputed (streaming the dataset-after through the
overlay instead was measured: the same CPU time as the copy and the whole diff, docs/notes/scale.md
§14).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import pyoxigraph as ox

from ..errors import OverlayUnsupported
from ..rdf.entailment import RDF_TYPE, SUBCLASS, SUBPROPERTY, closure
from .patch import Patch

__all__ = ["Overlay", "reentail"]

Term = Any
GraphName = ox.NamedNode | ox.BlankNode | ox.DefaultGraph
_TRIPLE_FORMATS = (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML)


class Overlay:
    """``base`` (never written) seen through the quads a write adds and removes; ``hidden``: a graph
    no read sees in the base (the change journal), as if it were not part of the dataset."""

    def __init__(self, base: ox.Store, hidden: ox.NamedNode):
        self.base = base
        self.hidden = hidden
        self.added: dict[ox.Quad, None] = {}  # insertion-ordered sets
        self.removed: dict[ox.Quad, None] = {}
        self._by_subject: dict[Term, dict[ox.Quad, None]] = {}

    # -- reads -------------------------------------------------------------------------------
    def _in_base(self, quad: ox.Quad) -> bool:
        return quad.graph_name != self.hidden and quad in self.base

    def __contains__(self, quad: object) -> bool:
        if not isinstance(quad, ox.Quad):
            raise TypeError(f"a store holds quads, not {type(quad).__name__}")
        return quad in self.added or (quad not in self.removed and self._in_base(quad))

    def quads_for_pattern(self, subject: Term, predicate: Term, object: Term,  # noqa: A002 - pyoxigraph's name
                          graph_name: Term = None) -> Iterator[ox.Quad]:
        """The quads matching the pattern (None: any), base ones first, then the added ones."""
        found = self.base.quads_for_pattern(subject, predicate, object, graph_name)  # its checks, its errors
        return self._matching(found, subject, predicate, object, graph_name)

    def _matching(self, found: Iterator[ox.Quad], s: Term, p: Term, o: Term, g: Term) -> Iterator[ox.Quad]:
        if g != self.hidden:  # (a lazy iterator: the hidden graph is never read)
            for quad in found:
                if quad.graph_name != self.hidden and quad not in self.removed:
                    yield quad
        pool = self._by_subject.get(s, {}) if s is not None else self.added
        for quad in list(pool):
            if ((p is None or quad.predicate == p) and (o is None or quad.object == o)
                    and (g is None or quad.graph_name == g)):
                yield quad

    def named_graphs(self) -> Iterator[ox.NamedNode | ox.BlankNode]:
        seen: set[ox.NamedNode | ox.BlankNode] = set()
        for graph in self.base.named_graphs():
            if graph != self.hidden:
                seen.add(graph)
                yield graph
        for quad in list(self.added):
            g = quad.graph_name
            if not isinstance(g, ox.DefaultGraph) and g not in seen:
                seen.add(g)
                yield g

    def contains_named_graph(self, graph: ox.NamedNode | ox.BlankNode) -> bool:
        return any(g == graph for g in self.named_graphs())

    def unchanged_over(self, store: ox.Store) -> ox.NamedNode | None:
        """The hidden graph when this overlay is ``store`` with nothing added or removed yet (a
        read of it reads the store less that graph), else None (`overlap.review_register.read_as`)."""
        return self.hidden if store is self.base and not self.added and not self.removed else None

    def __iter__(self) -> Iterator[ox.Quad]:
        raise OverlayUnsupported("iterating the whole dataset")

    def __len__(self) -> int:
        raise OverlayUnsupported("counting the whole dataset")

    def __getattr__(self, name: str) -> Any:
        """Every other ``Store`` method (query, update, clear_graph, remove_graph, bulk_extend, dump…)."""
        if name.startswith("__"):
            raise AttributeError(name)
        raise OverlayUnsupported(f"Store.{name}")

    # -- writes ------------------------------------------------------------------------------
    def add(self, quad: ox.Quad) -> None:
        if quad in self.removed:
            del self.removed[quad]
        elif quad not in self.added and not self._in_base(quad):
            self.added[quad] = None
            self._by_subject.setdefault(quad.subject, {})[quad] = None

    def remove(self, quad: ox.Quad) -> None:
        if quad in self.added:
            del self.added[quad]
            del self._by_subject[quad.subject][quad]
        elif quad not in self.removed and self._in_base(quad):
            self.removed[quad] = None

    def extend(self, quads: Iterable[ox.Quad]) -> None:
        for quad in list(quads):  # a generator over this overlay must not see its own additions
            self.add(quad)

    def load(self, input: bytes | str | None = None, format: ox.RdfFormat | None = None, *,  # noqa: A002
             path: object = None, base_iri: str | None = None, to_graph: GraphName | None = None,
             lenient: bool = False) -> None:
        """``Store.load`` of a triple format given as bytes or text (parsed first: all or nothing;
        blank nodes get fresh identifiers, as the store's load gives them)."""
        if path is not None or format not in _TRIPLE_FORMATS or not isinstance(input, bytes | str):
            raise OverlayUnsupported("Store.load of a file, a quad format or a stream")
        graph = to_graph if to_graph is not None else ox.DefaultGraph()
        parsed = ox.parse(input, format, base_iri=base_iri, lenient=lenient, rename_blank_nodes=True)
        quads = [ox.Quad(q.subject, q.predicate, q.object, graph) for q in parsed]
        self.extend(quads)

    # -- the result ----------------------------------------------------------------------------
    def patch(self) -> Patch:
        """The exact change: quads of the base removed, quads absent from it added."""
        return Patch(tuple(self.removed), tuple(self.added))


def reentail(overlay: Overlay, graph_iri: str) -> None:
    """Bring the entailment graph ``graph_iri`` up to date with the change recorded in ``overlay``
    (in it), looking only at the subjects the change touched; `OverlayUnsupported` when it cannot be
    bounded (the change touches ``rdfs:subClassOf`` / ``rdfs:subPropertyOf`` or the entailment graph).

    With the class and property hierarchies unchanged, every statement the RDFS rules
    (`entailment.closure`) derive has the subject of the statements it is derived from, and a statement
    is left out when it is asserted, i.e. when a statement of that subject says it. So the closure
    changes only for the subjects of the changed statements: it is recomputed from all of their
    statements (an entailed one stays while another asserted statement still supports it) and the
    hierarchies, and compared with their current entailed statements."""
    graph = ox.NamedNode(graph_iri)
    change = overlay.patch()
    hierarchy = (ox.NamedNode(SUBCLASS), ox.NamedNode(SUBPROPERTY))
    for quad in (*change.removed, *change.added):
        if quad.graph_name == graph:
            raise OverlayUnsupported("a change to the entailment graph itself")
        if quad.predicate in hierarchy:
            raise OverlayUnsupported("a change to the class or property hierarchy")
    subjects = {q.subject for q in (*change.removed, *change.added)}
    if not subjects:
        return
    triples = {(q.subject, q.predicate, q.object)
               for p in hierarchy for q in overlay.quads_for_pattern(None, p, None) if q.graph_name != graph}
    for s in subjects:
        triples.update((q.subject, q.predicate, q.object)
                       for q in overlay.quads_for_pattern(s, None, None) if q.graph_name != graph)
    entailed: set[tuple[Term, Term, Term]] = closure(triples, ox.NamedNode(RDF_TYPE), *hierarchy)
    wanted = {ox.Quad(s, p, o, graph) for s, p, o in entailed if s in subjects}
    current = {q for s in subjects for q in overlay.quads_for_pattern(s, None, None, graph)}
    for quad in sorted(current - wanted, key=str):
        overlay.remove(quad)
    overlay.extend(sorted(wanted - current, key=str))
