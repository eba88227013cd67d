"""`iscg export`, second half: records made through the service, written as table rows.

- review decisions (and mappings recorded on the mapping form, which are accepted decisions):
  ``data/reviews/decisions.csv`` is ``graph/reviews`` as a table, one row per register entry
  ``R0001`` …, rewritten whole from the store (edits of a decision included);
- edits of a mapping of the register (``data/mappings/``, ``M0001`` …): its ``relation_kind``,
  ``status``, ``justification``, ``confidence`` and ``comment`` cells;
- theme links added (a row appended to ``data/theme-links/itu-t.csv`` for an ITU-T item, else to
  ``itu-d-itu-r-resolutions.csv``) or removed (its row deleted); a curator no agent row names gets
  one in ``data/coordination/agents.csv``;
- retirements: ``data/retirements/items.csv``, one row per retired item, with who, when and why
  from the change that retired it.

Cells people typed (comments, justifications, names) are written with `csv_safe`: a leading
apostrophe before text a spreadsheet would run as a formula, which the build reads back off.
Tables are read and written with the csv module's minimal quoting; rows not concerned stay as
they were.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from pathlib import Path

import pyoxigraph as ox

from ..render.cells import csv_safe
from .edits import DEPRECATED, NOTE, RETIRED_NOTE
from .history import ChangeRecord

__all__ = ["REVIEW_COLUMNS", "RETIREMENT_COLUMNS", "Keys", "RecordExport", "handles"]

ISCG = "https://w3id.org/iscg/ontology#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
REVIEW_COLUMNS = ("id", "subject", "object", "relation_kind", "predicate", "status", "justification",
                  "reviewer", "date", "comment", "source", "confidence", "notes")
RETIREMENT_COLUMNS = ("item", "retired_by", "date", "comment", "source", "confidence", "notes")
THEME_LINK_COLUMNS = ("item", "theme", "justification", "curator", "date", "source", "confidence", "notes")
MAPPING_CELLS = {  # predicate of a register entry → its cell in data/mappings/
    ISCG + "relationKind": "relation_kind",
    ISCG + "status": "status",
    "https://w3id.org/sssom/mapping_justification": "justification",
    ISCG + "confidence": "confidence",
    RDFS + "comment": "comment",
}
CONFIDENCE_CELL = {"Confirmed": "confirmed", "Unconfirmed": "recalled"}
ADDRESSES = ISCG + "addressesTheme"


class Keys:
    """The tables' keys both ways: the key a row cites an IRI by (the shortest, then the first)."""

    def __init__(self, keys: Mapping[str, str]):
        self.iri = dict(keys)
        self.key: dict[str, str] = {}
        for key, iri in sorted(keys.items(), key=lambda kv: (len(kv[0]), kv[0])):
            if not key.startswith(("link:", "mapping:")):
                self.key.setdefault(iri, key)

    def of(self, iri: str) -> str:
        return self.key.get(iri, "")


def _value(store: ox.Store, s: str, p: str, graph: ox.NamedNode | None = None) -> str:
    for q in store.quads_for_pattern(ox.NamedNode(s), ox.NamedNode(p), None, graph):
        if not isinstance(q.object, ox.Triple):
            return q.object.value
    return ""


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _confidence(iri: str) -> str:
    return CONFIDENCE_CELL.get(_local(iri), "confirmed")


def handles(quad: ox.Quad, base: str) -> bool:
    """Is ``quad`` (of a recorded change) one that this module writes back as table rows?"""
    s, p = quad.subject, quad.predicate.value
    subject = s.value if isinstance(s, ox.NamedNode) else ""
    graph = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else ""
    if graph == f"{base}graph/reviews" or subject.startswith(f"{base}id/mapping/R"):
        return True
    if p == ADDRESSES or (subject.startswith(f"{base}id/link/") and "/theme/" in subject):
        return True
    if subject.startswith(f"{base}id/agent/") and graph == f"{base}graph/coordination":
        return True
    if subject.startswith(f"{base}id/mapping/M") and (p in MAPPING_CELLS or p == RDFS + "label"):
        return True
    if p == DEPRECATED.value:
        return True
    return p == NOTE.value and isinstance(quad.object, ox.Literal) and quad.object.value == RETIRED_NOTE


def _read(path: Path) -> tuple[list[str], list[list[str]], str]:
    raw = path.read_text("utf-8") if path.is_file() else ""
    rows = list(csv.reader(io.StringIO(raw)))
    return (rows[0] if rows else []), rows[1:], ("\r\n" if "\r\n" in raw else "\n")


def _write(path: Path, header: Iterable[str], rows: list[list[str]], newline: str = "\n") -> bool:
    out = io.StringIO()
    csv.writer(out, lineterminator=newline).writerows([list(header), *rows])
    text = out.getvalue()
    if path.is_file() and path.read_text("utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    return True


class RecordExport:
    """One export run over ``store``'s records; ``problems`` lists what could not be written."""

    def __init__(self, store: ox.Store, data_dir: Path, base: str, records: list[ChangeRecord]):
        self.store, self.data, self.base = store, data_dir, base
        self.records = sorted(records, key=lambda r: r.number)
        self.written: list[str] = []
        self.problems: list[str] = []

    def _added(self) -> Iterable[tuple[ChangeRecord, ox.Quad, bool]]:
        for record in self.records:
            patch = record.patch
            for quad in patch.removed:
                yield record, quad, False
            for quad in patch.added:
                yield record, quad, True

    # -- review decisions --------------------------------------------------------------------------
    def reviews(self, keys: Keys) -> None:
        graph = ox.NamedNode(f"{self.base}graph/reviews")
        path = self.data / "reviews" / "decisions.csv"
        entries = sorted({q.subject.value for q in self.store.quads_for_pattern(
            None, ox.NamedNode(ISCG + "subject"), None, graph) if isinstance(q.subject, ox.NamedNode)})
        if not entries and not path.is_file():
            return
        rows = []
        for entry in entries:
            get = lambda p, e=entry: _value(self.store, e, p, graph)  # noqa: E731
            subject, obj = keys.of(get(ISCG + "subject")), keys.of(get(ISCG + "object"))
            if not subject or not obj:
                self.problems.append(f"{entry}: an item it names has no key in the tables")
                continue
            agent = get("http://www.w3.org/ns/prov#wasAttributedTo")
            reviewer = _value(self.store, agent, RDFS + "label") or _local(agent)
            source = get(DCT + "source")
            rows.append([_local(entry), subject, obj, _local(get(ISCG + "relationKind")),
                         _local(get(ISCG + "predicate")), _local(get(ISCG + "status")),
                         _local(get("https://w3id.org/sssom/mapping_justification")), csv_safe(reviewer),
                         get(DCT + "date"), csv_safe(get(RDFS + "comment")), keys.of(source) or source,
                         _confidence(get(ISCG + "confidence")), csv_safe(get(SKOS + "editorialNote"))])
        if _write(path, REVIEW_COLUMNS, rows):
            self.written.append(str(path.relative_to(self.data)))

    # -- edits of register mappings ----------------------------------------------------------------
    def mappings(self, keys: Keys) -> None:
        register = f"{self.base}id/mapping/M"
        touched = {q.subject.value for _, q, _ in self._added()
                   if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(register)
                   and q.predicate.value in MAPPING_CELLS}
        if not touched:
            return
        for path in sorted((self.data / "mappings").glob("*.csv")):
            header, rows, newline = _read(path)
            if "id" not in header:
                continue
            changed = False
            for cells in rows:
                entry = f"{self.base}id/mapping/{cells[header.index('id')]}"
                if entry not in touched:
                    continue
                touched.discard(entry)
                for predicate, column in MAPPING_CELLS.items():
                    if column not in header:
                        self.problems.append(f"{path.name} has no column {column!r}")
                        continue
                    value = _value(self.store, entry, predicate)
                    value = (csv_safe(value) if column == "comment" else
                             _confidence(value) if column == "confidence" else _local(value))
                    if cells[header.index(column)] != value:
                        cells[header.index(column)] = value
                        changed = True
            if changed and _write(path, header, rows, newline):
                self.written.append(str(path.relative_to(self.data)))
        self.problems += [f"{entry}: no row of data/mappings/ has its id" for entry in sorted(touched)]

    # -- theme links -------------------------------------------------------------------------------
    def theme_links(self, keys: Keys) -> None:
        pairs = {(q.subject.value, q.object.value) for _, q, _ in self._added()
                 if q.predicate.value == ADDRESSES and isinstance(q.object, ox.NamedNode)
                 and isinstance(q.subject, ox.NamedNode)}
        if not pairs:
            return
        folder = self.data / "theme-links"
        tables = {p: _read(p) for p in sorted(folder.glob("*.csv"))}
        changed: set[Path] = set()
        curators: set[str] = set()
        graph = ox.NamedNode(f"{self.base}graph/theme-links")
        for item, theme in sorted(pairs):
            linked = any(True for _ in self.store.quads_for_pattern(
                ox.NamedNode(item), ox.NamedNode(ADDRESSES), ox.NamedNode(theme), graph))
            found = [(p, cells) for p, (header, rows, _) in tables.items() for cells in rows
                     if keys.iri.get(cells[header.index("item")]) == item
                     and keys.iri.get(cells[header.index("theme")]) == theme]
            if not linked:
                for p, cells in found:
                    tables[p][1].remove(cells)
                    changed.add(p)
                continue
            if found:
                continue
            record = f"{self.base}id/link/{item[len(self.base) + 3:]}/theme/{theme[len(self.base) + 9:]}"
            get = lambda p, r=record: _value(self.store, r, p, graph)  # noqa: E731
            curator = get("http://www.w3.org/ns/prov#wasAttributedTo")
            source = get(DCT + "source")
            row = {"item": keys.of(item), "theme": keys.of(theme),
                   "justification": csv_safe(get(RDFS + "comment")),
                   "curator": keys.of(curator) or f"agent:{_local(curator)}", "date": get(DCT + "date"),
                   "source": keys.of(source) or source, "confidence": _confidence(get(ISCG + "confidence")),
                   "notes": csv_safe(get(SKOS + "editorialNote"))}
            if not row["item"] or not row["theme"] or not curator:
                self.problems.append(f"{item} → {theme}: no key in the tables, or no record of the link")
                continue
            if not keys.of(curator):
                curators.add(curator)
            name = "itu-t.csv" if row["item"].startswith("ITU-T:") else "itu-d-itu-r-resolutions.csv"
            target = folder / name
            header = tables.setdefault(target, (list(THEME_LINK_COLUMNS), [], "\n"))[0]
            tables[target][1].append([row.get(column, "") for column in header])
            changed.add(target)
        for p in sorted(changed):
            header, rows, newline = tables[p]
            if _write(p, header, rows, newline):
                self.written.append(str(p.relative_to(self.data)))
        self._agents(sorted(curators), keys)

    def _agents(self, agents: list[str], keys: Keys) -> None:
        if not agents:
            return
        path = self.data / "coordination" / "agents.csv"
        header, rows, newline = _read(path)
        for agent in agents:
            get = lambda p, a=agent: _value(self.store, a, p)  # noqa: E731
            source = get(DCT + "source")
            row = {"agent": f"agent:{_local(agent)}", "name": csv_safe(get(RDFS + "label")),
                   "source": keys.of(source) or source, "confidence": _confidence(get(ISCG + "confidence")),
                   "notes": ""}
            rows.append([row.get(column, "") for column in header])
        if _write(path, header, rows, newline):
            self.written.append(str(path.relative_to(self.data)))

    # -- retirements -------------------------------------------------------------------------------
    def retirements(self, keys: Keys) -> None:
        path = self.data / "retirements" / "items.csv"
        header, old, newline = _read(path)
        header = header or list(RETIREMENT_COLUMNS)
        by_item = {cells[header.index("item")]: cells for cells in old}
        who: dict[str, ChangeRecord] = {}
        for record, quad, added in self._added():
            if added and quad.predicate == DEPRECATED and isinstance(quad.subject, ox.NamedNode):
                who[quad.subject.value] = record  # the latest change that retired it
        retired = sorted({q.subject.value for q in self.store.quads_for_pattern(None, NOTE, None, None)
                          if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.Literal)
                          and q.object.value == RETIRED_NOTE
                          and any(True for _ in self.store.quads_for_pattern(q.subject, DEPRECATED, None))})
        if not retired and not path.is_file():
            return
        rows = []
        for item in retired:
            key = keys.of(item)
            if not key:
                self.problems.append(f"{item}: retired, but it has no key in the tables")
                continue
            by = who.get(item)
            if by is None and key in by_item:
                rows.append(by_item[key])
                continue
            cells = {"item": key, "retired_by": csv_safe(by.author if by else ""),
                     "date": by.at[:10] if by else "", "comment": csv_safe(by.comment if by else ""),
                     "source": "doc:iscg-graph-curation",
                     "confidence": "confirmed", "notes": ""}
            rows.append([cells.get(c, "") for c in header])
        if _write(path, header, rows, newline):
            self.written.append(str(path.relative_to(self.data)))
