"""Counts that say what the graph holds: per class, per Sector, per source, confirmed share."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from ..query import sparql
from ..rdf.store import EmbeddedStore
from ..vocab import ONTOLOGY_NS

ISCG = ONTOLOGY_NS


@dataclass(frozen=True)
class ClassCount:
    name: str  # local name, e.g. "Question"
    total: int
    confirmed: int
    sourced: int

    @property
    def confirmed_share(self) -> float:
        return self.confirmed / self.total if self.total else 0.0


@dataclass(frozen=True)
class SectorCount:
    sector: str
    class_name: str
    total: int


@dataclass(frozen=True)
class SchemeCount:
    notation: str
    label: str
    concepts: int


@dataclass(frozen=True)
class GraphCount:
    graph: str
    triples: int
    subjects: int


@dataclass(frozen=True)
class Stats:
    data_version: str
    built_at: str
    triples: int
    classes: tuple[ClassCount, ...]
    sectors: tuple[SectorCount, ...]
    schemes: tuple[SchemeCount, ...]
    graphs: tuple[GraphCount, ...]

    def count(self, class_name: str) -> int:
        return next((c.total for c in self.classes if c.name == class_name), 0)


def _int(term: object) -> int:
    return int(term.value) if isinstance(term, ox.Literal) else 0


def _str(term: object) -> str:
    return str(term.value) if term is not None else ""  # type: ignore[attr-defined]


def _local(iri: str, prefix: str) -> str:
    return iri[len(prefix) :] if iri.startswith(prefix) else iri


def compute(store: EmbeddedStore) -> Stats:
    classes = tuple(
        ClassCount(
            _local(_str(r["class"]), ISCG),
            _int(r.get("n")),
            _int(r.get("nConfirmed")),
            _int(r.get("nSourced")),
        )
        for r in store.select(sparql.load("stats-classes"))
    )
    sectors = tuple(
        SectorCount(
            _str(r.get("code")) or _str(r["sector"]), _local(_str(r["class"]), ISCG), _int(r.get("n"))
        )
        for r in store.select(sparql.load("stats-sectors"))
    )
    schemes = tuple(
        SchemeCount(_str(r.get("notation")), _str(r.get("schemeLabel")), _int(r.get("n")))
        for r in store.select(sparql.load("stats-schemes"))
    )
    graphs = tuple(
        GraphCount(_str(r["g"]).rsplit("/graph/", 1)[-1],  # under whichever base the build used
                   _int(r.get("triples")), _int(r.get("subjects")))
        for r in store.select(sparql.load("stats-graphs"))
    )
    return Stats(store.meta.data_version, store.meta.built_at, len(store), classes, sectors, schemes, graphs)
