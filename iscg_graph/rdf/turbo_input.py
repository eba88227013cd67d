"""The data handed to the pyshacl-turbo engine: a graph plus the ontology, the ontology encoded once.

`validation.validate` checks the data together with the ontology's triples. Adding those (about
620) to the caller's rdflib graph on every validation, and having the engine convert them again
with the data, was about half of a focus validation's time on the write path (a few hundred
triples of data; docs/notes/scale.md §30). The engine accepts its input as a table of terms and a
list of quads of term numbers (the form it builds itself from an rdflib graph: one record
``(kind, lexical form, datatype, language)`` per distinct term, kind 0 an IRI, 1 a blank node, 2 a
literal). Here the ontology's part of that table is built once per ontology graph and each
validation appends only the data's terms and triples to a copy of it. A data triple that is also
an ontology triple is given once, as the merged graph held it once. The data may be given as a
set of triples instead of a graph (a focus validation's: no rdflib graph built for it).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from rdflib import BNode, Graph, Literal, Node, URIRef

__all__ = ["engine_input"]

Triple = tuple[Node, Node, Node]
_Record = tuple[int, str, str | None, str | None]


@dataclass
class _Encoded:
    records: list[_Record] = field(default_factory=list)
    numbers: dict[Node, int] = field(default_factory=dict)
    quads: list[tuple[int, int, int, None]] = field(default_factory=list)
    blank_nodes: dict[str, BNode] = field(default_factory=dict)
    triples: frozenset[Triple] = frozenset()


def _record(term: Node) -> _Record:
    if isinstance(term, URIRef):
        return (0, str(term), None, None)
    if isinstance(term, BNode):
        return (1, str(term), None, None)
    if isinstance(term, Literal):
        datatype = str(term.datatype) if term.datatype is not None and not term.language else None
        return (2, str(term), datatype, term.language)
    raise TypeError(f"not an RDF term: {term!r}")


class _Builder:
    """Appends triples to a term table (a copy of ``base``'s, which stays as it is)."""

    def __init__(self, base: _Encoded | None = None):
        self.records: list[_Record] = list(base.records) if base else []
        self.quads: list[tuple[int, int, int, None]] = list(base.quads) if base else []
        self.blank_nodes: dict[str, BNode] = dict(base.blank_nodes) if base else {}
        self._base = base.numbers if base else {}
        self._new: dict[Node, int] = {}

    def number(self, term: Node) -> int:
        found = self._base.get(term)
        if found is None:
            found = self._new.get(term)
        if found is None:
            found = self._new[term] = len(self.records)
            self.records.append(_record(term))
            if isinstance(term, BNode):
                self.blank_nodes[str(term)] = term
        return found

    def add(self, triples: Iterable[Triple]) -> None:
        number = self.number
        for s, p, o in triples:
            self.quads.append((number(s), number(p), number(o), None))


_CACHE: dict[int, tuple[Graph, _Encoded]] = {}
_CACHED_ONTOLOGIES = 4


def _ontology(ontology: Graph) -> _Encoded:
    """The ontology's table, built on first use (the ontology graph is cached and read-only)."""
    cached = _CACHE.get(id(ontology))
    if cached is not None and cached[0] is ontology:
        return cached[1]
    triples = frozenset(ontology)
    builder = _Builder()
    builder.add(triples)
    encoded = _Encoded(builder.records, dict(builder._new), builder.quads, builder.blank_nodes, triples)
    if len(_CACHE) >= _CACHED_ONTOLOGIES:  # callers passing a new graph each time: stay bounded
        _CACHE.clear()
    _CACHE[id(ontology)] = (ontology, encoded)
    return encoded


def engine_input(data: Graph | Collection[Triple], ontology: Graph) -> Any:
    """The engine's input for ``data`` merged with ``ontology`` (with ``data``'s prefixes, as
    the engine reads them from a graph it is given). ``data`` given as a set of triples stands for
    a new rdflib graph holding them: the prefixes a new graph binds."""
    from pyshacl_turbo.rdf import Input

    base = _ontology(ontology)
    builder = _Builder(base)
    builder.add(t for t in data if t not in base.triples)
    namespaces = dict(data.namespaces()) if isinstance(data, Graph) else _new_graph_prefixes()
    return Input((builder.records, builder.quads), "terms", None, builder.blank_nodes, namespaces)


_PREFIXES: list[dict[str, Any]] = []


def _new_graph_prefixes() -> dict[str, Any]:
    """The prefixes a new rdflib graph binds (read once: making a graph's namespace manager binds
    each of them again)."""
    if not _PREFIXES:
        _PREFIXES.append(dict(Graph().namespaces()))
    return dict(_PREFIXES[0])
