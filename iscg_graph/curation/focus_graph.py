"""The dataset as the shapes' walks read it, answered by store lookups instead of an rdflib copy.

Validating a write needs, for the focus nodes the change can affect, only the triples met from them
along the shapes' access paths (`iscg_graph.rdf.shape_reach`). Both walks — `affected` (which
nodes) and `neighbourhood` (their triples) — ask a graph three questions: the triples about a
subject, the objects of a subject and predicate, the subjects of a predicate and object.
`StoreView` answers them with ``quads_for_pattern`` lookups on a store (the union of its graphs but
the journal, as `writes.to_rdflib` merges them), so the validation reads a few hundred triples from
the store, not a copy of the dataset. Each pattern is looked up once per view, and a subject's
triples by one predicate are taken from all its triples once those were read (the neighbourhood
reads every triple about a focus node, then follows each path's first predicate from it: at 1M
about 800 of the 845 lookups of a decision's neighbourhood, most finding nothing; docs/notes/scale.md
§37):

* the dataset-before is the store itself;
* the dataset-after is whatever store-like object holds the dataset as the write leaves it (a
  working copy, or a view of the store through the patch): only ``quads_for_pattern(s, p, o,
  None)`` is called on it.

Terms are converted as `writes.to_rdflib` converts them. rdflib normalises some literals (``" x "`` and
``"x"`` as ``xsd:token`` are one node for it, two for Oxigraph): every rdflib term handed out
remembers the store terms it came from, so a walk back from it looks up those and its own
(canonical) form, as the merged rdflib graph would find them. (A form never met in the walk is
not looked up: the shapes walk back over literals only for notations, plain strings.)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Protocol

import pyoxigraph as ox
from rdflib import BNode, Node, URIRef
from rdflib import Literal as RDFLiteral

from ..errors import WriteRefused
from .patch import Patch

__all__ = ["Lookups", "StoreView", "Views", "changed_triples", "rdf_term"]

OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal
Triple = tuple[Node, Node, Node]


class Lookups(Protocol):
    """What `StoreView` reads: an `ox.Store`, or anything answering the same pattern lookups."""

    def quads_for_pattern(self, subject: ox.NamedNode | ox.BlankNode | ox.Triple | None,
                          predicate: ox.NamedNode | None,
                          object: OxTerm | ox.Triple | None,  # noqa: A002
                          graph_name: None = None, /) -> Iterator[ox.Quad]: ...


def rdf_term(t: object) -> URIRef | BNode | RDFLiteral:
    """An Oxigraph term as rdflib's (what the shapes validate)."""
    if isinstance(t, ox.NamedNode):
        return URIRef(t.value)
    if isinstance(t, ox.BlankNode):
        return BNode(t.value)
    if isinstance(t, ox.Literal):
        if t.language:
            return RDFLiteral(t.value, lang=t.language)
        dt = t.datatype.value
        return RDFLiteral(t.value, datatype=None if dt.endswith("#string") else URIRef(dt))
    raise WriteRefused("RDF 1.2 triple terms cannot be written to this store")


def _fresh(node: Node) -> OxTerm:
    if isinstance(node, URIRef):
        return ox.NamedNode(str(node))
    if isinstance(node, BNode):
        return ox.BlankNode(str(node))
    if isinstance(node, RDFLiteral):
        if node.language:
            return ox.Literal(str(node), language=node.language)
        if node.datatype is not None:
            return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype)))
        return ox.Literal(str(node))
    raise TypeError(f"not an RDF term: {node!r}")


class _Terms:
    """rdflib terms and the store terms each one stands for (shared by the before and after views)."""

    def __init__(self) -> None:
        self._back: dict[Node, set[OxTerm]] = {}
        self._to: dict[OxTerm, Node] = {}

    def rdf(self, t: OxTerm) -> Node:
        node = self._to.get(t)
        if node is None:
            node = self._to[t] = rdf_term(t)
            self._back.setdefault(node, set()).add(t)
        return node

    def ox(self, node: Node | None) -> list[OxTerm | None]:
        if node is None:
            return [None]
        return list(self._back.get(node, set()) | {_fresh(node)})


class StoreView:
    """The union of ``source``'s graphs but ``without``, read like an rdflib graph (the reads the
    shape walks make: `triples`, `subjects`, `objects`, ``in``), each answered by lookups."""

    def __init__(self, source: Lookups, *, without: Iterable[str] = (), terms: _Terms | None = None):
        self.source = source
        self._without = {ox.NamedNode(g) for g in without}
        self._terms = terms or _Terms()
        self.lookups = 0  # pattern lookups made (what a test counts, and what the cost follows)
        self._read: dict[tuple[Node | None, Node | None, Node | None], list[Triple]] = {}
        self._about: dict[Node, dict[Node, list[Triple]]] = {}  # a subject read whole, by predicate

    def _quads(self, s: Node | None, p: Node | None, o: Node | None) -> Iterator[ox.Quad]:
        for subject in self._terms.ox(s):
            if isinstance(subject, ox.Literal):
                continue  # no triple has a literal subject
            for predicate in self._terms.ox(p):
                if predicate is not None and not isinstance(predicate, ox.NamedNode):
                    continue
                for obj in self._terms.ox(o):
                    self.lookups += 1
                    for quad in self.source.quads_for_pattern(subject, predicate, obj, None):
                        if quad.graph_name not in self._without:
                            yield quad

    def holds(self, triple: ox.Triple) -> bool:
        """Is ``triple`` in some graph of the view (an exact store triple, no rdflib conversion)?"""
        self.lookups += 1
        found = self.source.quads_for_pattern(triple.subject, triple.predicate, triple.object, None)
        return any(q.graph_name not in self._without for q in found)

    def triple(self, triple: ox.Triple) -> Triple:
        rdf = self._terms.rdf
        return rdf(triple.subject), rdf(triple.predicate), rdf(triple.object)  # type: ignore[arg-type]

    def triples(self, pattern: tuple[Node | None, Node | None, Node | None]) -> Iterator[Triple]:
        """The triples matching ``pattern``; each pattern is looked up once per view (the access
        paths share their first steps, and a view lives for one write's check). A subject's
        triples by one predicate, once its triples were all read, are taken from those: the
        walks read every triple about a focus node first, then follow each path's first predicate
        from it (most of them absent), which would otherwise be a lookup each."""
        found = self._read.get(pattern)
        if found is None:
            s, p, o = pattern
            if s is not None and p is not None and o is None and (about := self._about.get(s)) is not None:
                return iter(about.get(p, ()))
            seen: dict[ox.Triple, None] = {}
            for quad in self._quads(s, p, o):
                seen.setdefault(quad.triple)
            found = self._read[pattern] = [self.triple(t) for t in seen]
            if s is not None and p is None and o is None:
                # (a subject is an IRI or a blank node: the one store term it stands for, so these
                # are exactly the triples a lookup of the subject and any predicate finds)
                by_predicate: dict[Node, list[Triple]] = {}
                for triple in found:
                    by_predicate.setdefault(triple[1], []).append(triple)
                self._about[s] = by_predicate
        return iter(found)

    def subjects(self, predicate: Node | None = None, object: Node | None = None) -> Iterator[Node]:  # noqa: A002
        seen: set[Node] = set()
        for s, _, _ in self.triples((None, predicate, object)):
            if s not in seen:
                seen.add(s)
                yield s

    def objects(self, subject: Node | None = None, predicate: Node | None = None) -> Iterator[Node]:
        seen: set[Node] = set()
        for _, _, o in self.triples((subject, predicate, None)):
            if o not in seen:
                seen.add(o)
                yield o

    def __contains__(self, triple: Triple) -> bool:
        return next(self._quads(*triple), None) is not None


class Views:
    """The dataset before a write (``before``: the store) and after it (``after``), as two
    `StoreView`s sharing their term conversions; the journal graph is in neither."""

    def __init__(self, before: Lookups, after: Lookups, *, without: Iterable[str] = ()):
        terms = _Terms()
        without = tuple(without)
        self.without = frozenset(ox.NamedNode(g) for g in without)
        self.before = StoreView(before, without=without, terms=terms)
        self.after = StoreView(after, without=without, terms=terms)


def changed_triples(patch: Patch, views: Views) -> list[Triple]:
    """The triples entering or leaving the union of the graphs (what the shapes see change): an
    added quad whose triple some graph already held, or a removed one still held by another
    graph, changes nothing there. Quads of a graph the views leave out change nothing either."""
    added = {q.triple for q in patch.added if q.graph_name not in views.without}
    removed = {q.triple for q in patch.removed if q.graph_name not in views.without}
    entered = [t for t in added if not views.before.holds(t)]
    left = [t for t in removed if not views.after.holds(t)]
    return [views.after.triple(t) for t in (*entered, *left)]
