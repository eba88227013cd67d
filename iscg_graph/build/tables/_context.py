"""The conversion context: rows as read, the key registry (key → IRI, kind, sector) and the graph
being written. Every table kind registers its keys here in the first pass and resolves them in the
second; an unknown key is a `DanglingKeyError`, a bad cell a `SourceError`, both naming file, line and
column.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset, Graph, Literal, URIRef

from ...errors import DanglingKeyError, SourceError
from ...render.cells import is_formula_like
from ...vocab import ONTOLOGY_NS


def slug(text: str) -> str:
    """Contract slug: lower case, spaces and ``/`` become ``-``, only ``[a-z0-9.-]`` kept."""
    s = re.sub(r"[ /]+", "-", text.strip().lower())
    return re.sub(r"[^a-z0-9.-]", "", s)


def split_list(cell: str) -> list[str]:
    return [v.strip() for v in cell.split(";") if v.strip()]


@dataclass(frozen=True)
class Row:
    path: Path
    label: str  # path as shown in messages and origins
    line: int
    header: tuple[str, ...]
    cells: Mapping[str, str]

    def get(self, col: str) -> str:
        value = (self.cells.get(col) or "").strip()
        if value.startswith("'") and is_formula_like(value[1:]):
            return value[1:]  # the apostrophe `iscg export` puts before text a spreadsheet would run
        return value

    def where(self, col: str | None = None) -> dict[str, object]:
        column = self.header.index(col) + 1 if col in self.header else None
        return {"path": self.label, "line": self.line, "column": column}

    def fail(self, col: str | None, message: str) -> SourceError:
        return SourceError(f"column {col!r}: {message}" if col else message, **self.where(col))  # type: ignore[arg-type]

    def need(self, col: str) -> str:
        value = self.get(col)
        if not value:
            raise self.fail(col, "a value is required")
        return value


@dataclass(frozen=True)
class Item:
    iri: URIRef
    kind: str
    sector: str | None  # the UnionPart code the item belongs to (for Link vs Mapping)


@dataclass
class Context:
    base: str
    dataset: Dataset
    keys: dict[str, Item] = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)
    periods: dict[str, list[tuple[int, str]]] = field(default_factory=dict)  # sector → [(start, period)]
    versions: dict[str, list[tuple[int, URIRef]]] = field(default_factory=dict)  # work key → [(year, IRI)]
    edition_years: dict[str, tuple[int, int]] = field(default_factory=dict)  # edition → (nominal, held)
    graph: Graph | None = None

    def iri(self, path: str) -> URIRef:
        return URIRef(self.base + path)

    def term(self, name: str) -> URIRef:
        return URIRef(ONTOLOGY_NS + name)  # the vocabulary's namespace, whatever the base

    def register(self, row: Row, col: str, key: str, path: str, kind: str, sector: str | None) -> URIRef:
        if key in self.keys:
            raise row.fail(
                col, f"duplicate key {key!r} (defined earlier by {self.origins.get(str(self.keys[key].iri))})"
            )
        iri = self.iri(path)
        self.keys[key] = Item(iri, kind, sector)
        self.origins[str(iri)] = f"{row.label}:{row.line}"
        return iri

    def lookup(self, row: Row, col: str, key: str, kinds: tuple[str, ...]) -> Item:
        item = self.keys.get(key)
        if item is None or item.kind not in kinds:
            what = " or ".join(kinds)
            raise DanglingKeyError(f"column {col!r}: no {what} with key {key!r}", **row.where(col))  # type: ignore[arg-type]
        return item

    def ref(self, row: Row, col: str, key: str, *kinds: str) -> URIRef:
        return self.lookup(row, col, key, kinds).iri

    def add(self, s: URIRef, p: URIRef, o: URIRef | Literal) -> None:
        assert self.graph is not None
        self.graph.add((s, p, o))

    def previous_period(self, sector: str, period: str) -> str | None:
        ordered = sorted(self.periods.get(sector, []))
        names = [p for _, p in ordered]
        if period not in names:
            return None
        i = names.index(period)
        return names[i - 1] if i > 0 else None


Handler = Callable[[Context, Row], None]  # one pass (register or emit) of a table kind
