"""The statements the derived overlap graph is computed from, read once per predicate.

`Facts` is what `iscg_graph.rdf.derived` and its helpers see of a dataset: for one predicate, the
(subject, object) pairs of every graph except the derived graph itself, as strings (IRIs; a literal
object as ``"lexical"^^datatype`` text, so ``owl:deprecated true`` can be told apart). Two readers:
a pyoxigraph store (the write path, the benchmarks) and the build's rdflib dataset.

`Lookups` is what the bounded updates of a curated write (`derived_links`, `derived_scope`) see of
the dataset after the write: index lookups (``quads_for_pattern``, ``in``) in every graph but the
derived one, never a scan.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

import pyoxigraph as ox

from .derived_reads import declared

if TYPE_CHECKING:  # rdflib is imported by the build-time function that reads its dataset
    import rdflib

DERIVED_NS = "https://w3id.org/iscg/derived#"
ISCG = "https://w3id.org/iscg/ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SUBCLASS_OF = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
OWL_DEPRECATED = "http://www.w3.org/2002/07/owl#deprecated"
TRUE = '"true"^^http://www.w3.org/2001/XMLSchema#boolean'

__all__ = ["Facts", "Lookups", "from_dataset", "from_store"]

Reader = Callable[[str], Iterable[tuple[str, str]]]


class Facts:
    """(subject, object) pairs per predicate, each predicate read at most once."""

    def __init__(self, read: Reader) -> None:
        self._read = read
        self._cache: dict[str, list[tuple[str, str]]] = {}

    def pairs(self, predicate: str) -> list[tuple[str, str]]:
        if predicate not in self._cache:
            declared(predicate)  # the write path must know when a change to it matters
            self._cache[predicate] = list(self._read(predicate))
        return self._cache[predicate]

    def objects(self, predicate: str) -> dict[str, set[str]]:
        """subject -> its objects of ``predicate``."""
        out: dict[str, set[str]] = defaultdict(set)
        for s, o in self.pairs(predicate):
            out[s].add(o)
        return out

    def subjects(self, predicate: str) -> dict[str, set[str]]:
        """object -> its subjects of ``predicate`` (the inverse of `objects`)."""
        out: dict[str, set[str]] = defaultdict(set)
        for s, o in self.pairs(predicate):
            out[o].add(s)
        return out

    def subjects_with(self, predicate: str, obj: str) -> set[str]:
        return {s for s, o in self.pairs(predicate) if o == obj}

    def deprecated(self) -> set[str]:
        """What is retired: ``?x owl:deprecated true``, the term the canned queries match."""
        return self.subjects_with(OWL_DEPRECATED, TRUE)


def _ox_text(term: object) -> str | None:
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.Literal):
        return f'"{term.value}"^^{term.datatype.value}'
    return None


class Lookups:
    """Index lookups in every graph of ``store`` but the derived graph ``derived``."""

    def __init__(self, store: ox.Store, derived: ox.NamedNode):
        self.store, self.derived = store, derived

    def objects(self, s: ox.NamedNode, p: ox.NamedNode) -> set[ox.NamedNode | ox.Literal]:
        return {q.object for q in self.store.quads_for_pattern(s, p, None)
                if q.graph_name != self.derived and isinstance(q.object, ox.NamedNode | ox.Literal)}

    def nodes(self, s: ox.NamedNode, p: ox.NamedNode) -> set[ox.NamedNode]:
        """The IRI objects of ``s p``."""
        return {o for o in self.objects(s, p) if isinstance(o, ox.NamedNode)}

    def subjects(self, p: ox.NamedNode, o: ox.NamedNode) -> set[ox.NamedNode]:
        return {q.subject for q in self.store.quads_for_pattern(None, p, o)
                if q.graph_name != self.derived and isinstance(q.subject, ox.NamedNode)}

    def has(self, s: ox.NamedNode, p: ox.NamedNode, o: ox.NamedNode | ox.Literal) -> bool:
        return any(q.graph_name != self.derived for q in self.store.quads_for_pattern(s, p, o))

    def about(self, s: ox.NamedNode) -> list[ox.Quad]:
        """Every statement of ``s`` (as subject), the derived graph's left out."""
        return [q for q in self.store.quads_for_pattern(s, None, None) if q.graph_name != self.derived]

    def deprecated(self, s: ox.NamedNode) -> bool:
        return self.has(s, ox.NamedNode(OWL_DEPRECATED),
                        ox.Literal("true", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")))

    def derived_quads(self, s: ox.NamedNode | None, p: ox.NamedNode | None,
                      o: ox.NamedNode | None) -> list[ox.Quad]:
        """The derived graph's own statements matching the pattern (as they are before the update)."""
        return list(self.store.quads_for_pattern(s, p, o, self.derived))


def from_store(store: ox.Store, skip_graph: str) -> Facts:
    skip = ox.NamedNode(skip_graph)

    def read(predicate: str) -> Iterable[tuple[str, str]]:
        for q in store.quads_for_pattern(None, ox.NamedNode(predicate), None):
            if q.graph_name == skip or not isinstance(q.subject, ox.NamedNode):
                continue
            obj = _ox_text(q.object)
            if obj is not None:
                yield q.subject.value, obj

    return Facts(read)


def _rdflib_text(term: object) -> str | None:
    import rdflib

    if isinstance(term, rdflib.URIRef):
        return str(term)
    if isinstance(term, rdflib.Literal):
        datatype = term.datatype or ("http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
                                     if term.language else "http://www.w3.org/2001/XMLSchema#string")
        return f'"{term}"^^{datatype}'
    return None


def from_dataset(dataset: rdflib.Dataset, skip_graph: str) -> Facts:
    import rdflib

    skip = rdflib.URIRef(skip_graph)

    def read(predicate: str) -> Iterable[tuple[str, str]]:
        for s, _p, o, g in dataset.quads((None, rdflib.URIRef(predicate), None, None)):
            if getattr(g, "identifier", g) == skip or not isinstance(s, rdflib.URIRef):
                continue
            obj = _rdflib_text(o)
            if obj is not None:
                yield str(s), obj

    return Facts(read)
