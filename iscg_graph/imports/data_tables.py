"""The project's own table formats (those of ``data/``) imported into a store, as a preview.

A sheet is recognised from its header row as the build recognises a data table (Questions, study
groups, Resolutions, Resolution versions, theme links, the mappings register), or named with
``format``. Its rows go through the build's own converters (`iscg_graph.build.tables`), in a
context that holds the keys of the store (`graph_keys`), so a row means in an import exactly what
it means in ``data/``; each row is converted on its own, so every bad row is reported, as
(sheet, row, column, value, message).

The preview compares, in the table's named graph (``graph/questions`` …), the description each row
makes of its item with the store's: items to add, items whose description changes (the triples
removed and added), items unchanged; and lists as retirements the store's items of the same kind
and scope (the same study period, conference, Resolution, or linked item) that the file no longer
lists. Retirements are never applied by an import. The same file imported twice: every row
unchanged, nothing to write.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.namespace import RDF

from ..build.tables._context import Context, Item, Row
from ..build.tables._kinds import KINDS, Kind
from ..errors import SourceError
from ..rdf.org import ORG, derive_org
from ..rdf.store import EmbeddedStore
from ..vocab import ONTOLOGY_NS
from .data_templates import DATA_TEMPLATES
from .graph_keys import graph_context
from .upload import Problem, Sheet

__all__ = ["FORMATS", "ItemChange", "TablePreview", "detect_format", "preview_data_table"]

# format name → (build table kind, named graph folder, scope property)
FORMATS: dict[str, tuple[str, str, str]] = {
    "questions": ("questions", "questions", "studyPeriod"),
    "study-groups": ("study groups", "study-groups", "studyPeriod"),
    "resolutions": ("resolutions", "resolutions", "adoptedBy"),
    "resolution-versions": ("resolution versions", "resolutions", "versionOf"),
    "theme-links": ("theme links", "theme-links", "subject"),
    "mappings": ("mappings", "mappings", "subject"),
}
_KIND = {k.name: k for k in KINDS}
# stated by other tables' rows about an item (a Resolution mandates it, a working party is its unit):
# an import of the item's own table adds them as the build would, and never removes them
KEPT = frozenset({str(ORG.hasSubOrganization), str(ORG.memberOf), ONTOLOGY_NS + "mandates"})
_TYPE = URIRef(RDF.type)
_PROBES = 8  # bad cells looked for in one row, beyond the first
_STAND_INS = 16  # values tried in place of one bad cell


@dataclass(frozen=True)
class ItemChange:
    """One item the file adds or changes, where it comes from, and its triples removed and added."""

    sheet: str
    row: int
    iri: str
    label: str
    removed: tuple[ox.Quad, ...] = ()
    added: tuple[ox.Quad, ...] = ()


@dataclass
class TablePreview:
    format: str
    problems: list[Problem] = field(default_factory=list)
    add: list[ItemChange] = field(default_factory=list)
    change: list[ItemChange] = field(default_factory=list)
    unchanged: list[ItemChange] = field(default_factory=list)
    retire: list[tuple[str, str]] = field(default_factory=list)  # (item IRI, label)
    extra: list[ox.Quad] = field(default_factory=list)  # triples on other items (Question addresses theme)
    origins: dict[str, tuple[str, int, Row]] = field(default_factory=dict)  # IRI → (sheet, row, Row)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def empty(self) -> bool:
        return not (self.add or self.change or self.extra)


def detect_format(header: list[str]) -> str | None:
    """The format whose build table kind best fits the header, if it is one an import accepts."""
    columns = set(header)
    fits = [k for k in KINDS if k.columns <= columns]
    if not fits:
        return None
    best = max(fits, key=lambda k: len(k.columns)).name
    return next((name for name, (kind, _, _) in FORMATS.items() if kind == best), None)


class _ImportContext(Context):
    """Registering a key the store already holds is an update of that item, not a duplicate; a key
    registered twice by the file is a duplicate row."""

    file_keys: dict[str, int]
    _samples: tuple[dict[str, list[str]], list[str]] | None = None

    def key_samples(self) -> tuple[dict[str, list[str]], list[str]]:
        """The registry's keys, sampled for stand-ins: per key prefix (``ITU-R:2019-2023``), the
        last part of one key of each kind under it; and one whole key of each kind."""
        if self._samples is None:
            by_prefix: dict[str, dict[str, str]] = {}
            by_kind: dict[str, str] = {}
            for key, item in self.keys.items():
                by_kind.setdefault(item.kind, key)
                prefix, sep, last = key.rpartition(":")
                if sep:
                    by_prefix.setdefault(prefix, {}).setdefault(item.kind, last)
            self._samples = ({p: list(k.values()) for p, k in by_prefix.items()}, list(by_kind.values()))
        return self._samples

    def register(self, row: Row, col: str, key: str, path: str, kind: str, sector: str | None) -> URIRef:
        if key in self.file_keys:
            raise row.fail(col, f"duplicate row: {key} is already on row {self.file_keys[key]}")
        self.file_keys[key] = row.line
        iri = self.iri(path)
        self.keys[key] = Item(iri, kind, sector)
        self.origins[str(iri)] = f"{row.label}:{row.line}"
        return iri


def _problem(sheet: Sheet, row: Row, exc: SourceError) -> Problem:
    column = sheet.header[exc.column - 1] if exc.column and exc.column <= len(sheet.header) else ""
    message = exc.message
    prefix = f"column {column!r}: "
    if message.startswith(prefix):
        message = message[len(prefix):]
    return Problem(sheet.name, row.line, column, row.get(column) if column else "", message)


def _further(kind: Kind, fmt: str, imp: _ImportContext, sheet: Sheet, row: Row,
             exc: SourceError) -> list[Problem]:
    """The row's other bad cells (a converter stops at the first): the bad cell is replaced by a
    stand-in (`_stand_ins`) and the row converted again on a copy of the registry, until it
    converts, or fails on a column already reported or on none."""
    found: list[Problem] = []
    seen = {exc.column}
    cells = dict(row.cells)
    header, values = DATA_TEMPLATES.get(fmt, ((), ()))
    example = dict(zip(header, values, strict=True))
    while exc.column and len(found) < _PROBES:
        column = sheet.header[exc.column - 1]
        again: SourceError | None = None
        for stand_in in _stand_ins(column, cells, example.get(column, ""), sheet, row.line, imp):
            cells[column] = stand_in
            again = _probe(kind, imp, replace(row, cells=MappingProxyType(dict(cells))))
            if again is None:
                return found
            if again.column != exc.column:
                break
        if again is None or not again.column or again.column in seen or "duplicate row" in again.message:
            return found  # (a stand-in for a key cell can repeat another row's key: not a problem)
        seen.add(again.column)
        found.append(_problem(sheet, row, again))
        exc = again
    return found


def _stand_ins(column: str, cells: dict[str, str], example: str, sheet: Sheet, line: int,
               imp: _ImportContext) -> list[str]:
    """Values tried in place of a bad cell, most likely to convert first: a blank, the template's
    example, the column's values on the file's other rows, then keys of the graph that fit the
    row (a key's last part after a prefix made of the row's own cells, as ``ITU-R:2019-2023:`` for
    the study group of an ITU-R Question of 2019-2023, and one whole key of each kind). A required
    lookup whose example does not fit the row (another Sector, period or conference) still gets a
    value that converts, so the cells after it are checked too."""
    found: dict[str, None] = dict.fromkeys(("", example))
    others = (v for n, other in sheet.rows if n != line and (v := other.get(column, "")))
    found.update(dict.fromkeys(v for v, _ in zip(dict.fromkeys(others), range(4), strict=False)))
    own = [v for c, v in cells.items() if c != column and v and ":" not in v]
    by_prefix, by_kind = imp.key_samples()
    for prefix in [f"{a}:{b}" for a in own for b in own if a != b] + own:
        found.update(dict.fromkeys(by_prefix.get(prefix, ())))
    found.update(dict.fromkeys(by_kind))
    return list(found)[:_STAND_INS]


def _probe(kind: Kind, imp: _ImportContext, row: Row) -> SourceError | None:
    """Convert ``row`` on a copy of the registry: its first problem, or None."""
    probe = _ImportContext(base=imp.base, dataset=Dataset(), keys=dict(imp.keys),
                           periods={k: list(v) for k, v in imp.periods.items()},
                           versions={k: list(v) for k, v in imp.versions.items()},
                           edition_years=imp.edition_years)
    probe.file_keys = {k: line for k, line in imp.file_keys.items() if line != row.line}
    probe.graph = probe.dataset.graph(URIRef("urn:iscg:import-probe"))
    try:
        kind.register(probe, row)
        kind.emit(probe, row)
    except SourceError as exc:
        return exc
    except KeyError as exc:
        return SourceError(f"refers to {exc}, unknown to the graph")
    return None


def _ox(term: object) -> Any:  # a pyoxigraph term; Any: Quad() wants the position's own type
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def preview_data_table(sheets: list[Sheet], store: EmbeddedStore, *, base: str,
                       format: str | None = None) -> TablePreview:
    """Every problem of the file's first table sheet, and what importing it would change."""
    usable = [s for s in sheets if (format or detect_format(s.header))]
    if not usable:
        headers = "; ".join(",".join(s.header) for s in sheets) or "(none)"
        preview = TablePreview(format or "")
        preview.problems.append(Problem(
            sheets[0].name if sheets else "", 1, "", headers[:200],
            "the header row matches none of the table formats: " + ", ".join(FORMATS)
            + " (or an ISCG mapping table, whose first column names a Sector)"))
        return preview
    sheet = usable[0]
    name = format or detect_format(sheet.header) or ""
    if name not in FORMATS:
        raise ValueError(f"unknown format {name!r}")
    kind_name, folder, scope = FORMATS[name]
    kind = _KIND[kind_name]
    preview = TablePreview(name, problems=list(sheet.problems))
    missing = sorted((kind.columns | {"source", "confidence"}) - set(sheet.header))
    if missing:
        preview.problems.append(Problem(sheet.name, 1, "", ",".join(sheet.header)[:200],
                                        f"the {name} format needs the column(s) {', '.join(missing)}"))
        return preview
    ctx = graph_context(store, base)
    imp = _ImportContext(base=base, dataset=ctx.dataset, keys=ctx.keys, periods=ctx.periods,
                         versions=ctx.versions, edition_years=ctx.edition_years)
    imp.file_keys = {}
    rows = [Row(Path(sheet.name), sheet.name, number, tuple(sheet.header), cells)
            for number, cells in sheet.rows]
    registered: list[Row] = []
    for row in rows:
        try:
            kind.register(imp, row)
            registered.append(row)
        except SourceError as exc:
            preview.problems += [_problem(sheet, row, exc), *_further(kind, name, imp, sheet, row, exc)]
    graph_iri = URIRef(f"{base}graph/{folder}")
    made = imp.dataset.graph(graph_iri)  # the rows' triples, as the build would put them
    for row in registered:
        imp.graph = imp.dataset.graph(URIRef(f"urn:iscg:import-row:{row.line}"))
        try:
            kind.emit(imp, row)
        except SourceError as exc:
            preview.problems += [_problem(sheet, row, exc), *_further(kind, name, imp, sheet, row, exc)]
            continue
        except KeyError as exc:  # a converter looked up a key its own checks did not cover
            preview.problems.append(Problem(sheet.name, row.line, "", "",
                                            f"refers to {exc}, unknown to the graph"))
            continue
        finally:
            triples = list(imp.graph)
            imp.dataset.remove_graph(imp.graph)
        for s, p, o in triples:
            made.add((s, p, o))
            preview.origins.setdefault(str(s), (sheet.name, row.line, row))
    if preview.problems:
        preview.problems.sort(key=lambda p: (p.row, p.column))
        return preview
    derive_org(imp.dataset)  # the ORG statements the build derives from the same triples
    g = ox.NamedNode(str(graph_iri))
    quads: dict[str, list[ox.Quad]] = {}
    for s, p, o in made:
        quads.setdefault(str(s), []).append(ox.Quad(_ox(s), _ox(p), _ox(o), g))
    if preview.problems:
        return preview
    _compare(preview, store, quads, graph_iri, scope)
    return preview


def _compare(preview: TablePreview, store: EmbeddedStore, made: dict[str, list[ox.Quad]],
             graph_iri: URIRef, scope: str) -> None:
    g = ox.NamedNode(str(graph_iri))
    rdf_type = ox.NamedNode(str(_TYPE))
    row_items = {iri for iri, (_s, line, _r) in preview.origins.items()
                 if any(q.predicate == rdf_type for q in made.get(iri, ()))}
    scope_values: set[Any] = set()
    types: set[Any] = set()
    for iri in sorted(row_items, key=lambda i: preview.origins[i][1]):
        sheet, line, _row = preview.origins[iri]
        new = set(made[iri])
        old = {q for q in store.inner.quads_for_pattern(ox.NamedNode(iri), None, None, g)
               if q.predicate.value not in KEPT or q in new}
        label = next((_text(q.object) for q in new if q.predicate.value.endswith("#label")), iri)
        change = ItemChange(sheet, line, iri, label, tuple(sorted(old - new, key=str)),
                            tuple(sorted(new - old, key=str)))
        if not old:
            preview.add.append(change)
        elif old != new:
            preview.change.append(change)
        else:
            preview.unchanged.append(change)
        for q in new:
            if q.predicate.value == ONTOLOGY_NS + scope:
                scope_values.add(q.object)
            if q.predicate == rdf_type:
                types.add(q.object)
    for iri, quads in made.items():
        if iri not in row_items:
            preview.extra += [q for q in quads if not _has(store, q)]
    scope_p = ox.NamedNode(ONTOLOGY_NS + scope)
    retired: set[str] = set()
    for value in scope_values:
        for q in store.inner.quads_for_pattern(None, scope_p, value, g):
            iri = _text(q.subject)
            if iri in row_items or iri in retired:
                continue
            if any(_has(store, ox.Quad(q.subject, rdf_type, t, g)) for t in types):
                retired.add(iri)
    for iri in sorted(retired):
        labels = [_text(q.object) for q in store.inner.quads_for_pattern(
            ox.NamedNode(iri), ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), None, g)]
        preview.retire.append((iri, labels[0] if labels else iri))


def _has(store: EmbeddedStore, quad: ox.Quad) -> bool:
    return any(True for _ in store.inner.quads_for_pattern(quad.subject, quad.predicate, quad.object,
                                                           quad.graph_name))


def _text(term: object) -> str:
    return str(getattr(term, "value", term))
