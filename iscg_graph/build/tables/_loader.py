"""The folder walk: read every CSV (and Turtle file) under ``data/<folder>/`` in sorted order, find
each table's kind from its header, register every key, then emit every row into its folder's graph.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from rdflib import Dataset, URIRef

from ...errors import SourceError
from ...vocab import DEFAULT_BASE
from ._context import Context, Row
from ._kinds import ORDER, Kind, kind_of


@dataclass(frozen=True)
class Tables:
    """The converted dataset and, per subject IRI, the ``file:line`` of the row that made it."""

    dataset: Dataset
    origins: Mapping[str, str]  # subject IRI (plain string) → "data/<folder>/<file>.csv:<line>"
    # the key rows cite an item by (`PP:191`, `doc:…`) → its IRI
    keys: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


def _read(path: Path, label: str) -> Iterator[Row]:
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            header = tuple(h.strip() for h in next(reader, []))
            if not header:
                raise SourceError("empty file: a header row is required", path=label, line=1)
            if len(set(header)) != len(header):
                raise SourceError("duplicate column names in the header", path=label, line=1)
            for cells in reader:
                if not any(c.strip() for c in cells):
                    continue
                if len(cells) != len(header):
                    raise SourceError(
                        f"{len(cells)} cells where the header has {len(header)}",
                        path=label,
                        line=reader.line_num,
                    )
                yield Row(
                    path,
                    label,
                    reader.line_num,
                    header,
                    MappingProxyType(dict(zip(header, cells, strict=True))),
                )
    except UnicodeDecodeError as exc:
        raise SourceError(f"not UTF-8: {exc}", path=label) from exc
    except csv.Error as exc:
        raise SourceError(f"malformed CSV: {exc}", path=label) from exc


def load_tables(data_dir: Path, base: str = DEFAULT_BASE) -> Tables:
    """Convert every table (and Turtle file) under ``data_dir`` into a Dataset, one graph per folder."""
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise SourceError("data directory not found", path=str(data_dir))
    root = data_dir.parent
    ctx = Context(base=base, dataset=Dataset())
    tables: list[tuple[Kind, str, list[Row]]] = []
    turtle: list[tuple[str, Path, str]] = []
    for folder in sorted(p for p in data_dir.iterdir() if p.is_dir() and not p.name.startswith(".")):
        for path in sorted(folder.iterdir()):
            label = str(path.relative_to(root))
            if path.suffix == ".csv":
                rows = list(_read(path, label))
                if rows:
                    tables.append((kind_of(rows[0].header, label), folder.name, rows))
                else:  # header only: still a known kind, or an error
                    with path.open(encoding="utf-8", newline="") as fh:
                        kind_of(tuple(next(csv.reader(fh), [])), label)
            elif path.suffix == ".ttl":
                turtle.append((folder.name, path, label))
    tables.sort(key=lambda t: ORDER.index(t[0].name))
    for kind, _folder, rows in tables:
        for row in rows:
            kind.register(ctx, row)
    for kind, name, rows in tables:
        ctx.graph = ctx.dataset.graph(URIRef(f"{base}graph/{name}"))
        for row in rows:
            kind.emit(ctx, row)
    for name, ttl, label in turtle:
        try:
            ctx.dataset.graph(URIRef(f"{base}graph/{name}")).parse(ttl, format="turtle")
        except Exception as exc:  # rdflib raises many kinds
            raise SourceError(f"cannot parse Turtle: {exc}", path=label) from exc
    keys = {key: str(item.iri) for key, item in sorted(ctx.keys.items())}
    return Tables(ctx.dataset, MappingProxyType(dict(sorted(ctx.origins.items()))), MappingProxyType(keys))
