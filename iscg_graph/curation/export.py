"""`iscg export`: curated changes written back as rows of the source tables in ``data/``.

So that the secretariat's tables and the graph can be brought back into one source of truth: for
every Question a recorded change touched, the cells of its row in ``data/questions/<sector>.csv``
(the row found by the same key the table converter uses: Sector, study period, notation) that the
change concerns are rewritten from the store: ``title`` (its English title), ``source`` (its
sources: an http(s) address as such, a document by its ``doc:`` key) and ``related_resolutions``
(its Resolutions, by the keys the tables cite them by, e.g. ``PP:2``). In a list cell the entries
still linked keep their place and spelling; new ones are appended. Files are rewritten only if a
cell changed, with the csv module's minimal quoting (which the shipped tables use, so other rows
stay byte-identical).

What no cell holds as the service records it is listed in the report, stays in the journal and is
replayed on every build: review decisions (``graph/reviews``, also carried over by each build), a
retired item's mark (no table has a column for it), theme links and mappings added through the
service (their table rows need a curator, date and justification the service does not record), and
statements on other kinds of item. A title that would start a spreadsheet formula is not written
(people open these tables in spreadsheets) and is reported.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from ..render.cells import is_formula_like
from .edits import current_title
from .export_records import Keys, RecordExport, handles
from .history import changes

__all__ = ["ExportReport", "export_changes"]

_QUESTION = re.compile(r"^(?:Q)?(\d+[A-Z]?)/(\d+)$")
_TITLE = "http://purl.org/dc/terms/title"
_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
COLUMNS = {  # predicate of a Question → the cell of its row that states it
    _TITLE: "title",
    _LABEL: "title",  # "ITU-T Q1/2: <title>", made from it
    "http://purl.org/dc/terms/source": "source",
    "https://w3id.org/iscg/ontology#relatedResolution": "related_resolutions",
}
_LIST_PREFIX = {"source": "doc:", "related_resolutions": ""}  # which keys may stand for an IRI


@dataclass
class ExportReport:
    written: list[tuple[str, str]] = field(default_factory=list)   # (file:row, IRI)
    unchanged: int = 0
    not_exportable: list[tuple[int, str]] = field(default_factory=list)  # (change, what)
    tables: list[str] = field(default_factory=list)  # files of records rewritten (export_records)


def _row_iri(base: str, row: dict[str, str]) -> str | None:
    m = _QUESTION.match(row.get("notation", ""))
    if not m:
        return None
    return f"{base}id/question/{row.get('sector', '').lower()}/{row.get('study_period', '')}/" \
           f"{m.group(1).lower()}-{m.group(2)}"


def _touched(store: ox.Store, report: ExportReport, base: str) -> dict[str, set[str]]:
    """Question IRI → the columns the recorded changes concern."""
    touched: dict[str, set[str]] = {}
    for record in changes(store):
        patch = record.patch
        quads = (*patch.removed, *patch.added)
        retitled = any(q.predicate.value == _TITLE for q in quads)
        for quad in quads:
            subject = quad.subject.value if isinstance(quad.subject, ox.NamedNode) else ""
            predicate = quad.predicate.value
            if handles(quad, base):
                continue  # a record `export_records` writes
            if "/id/question/" in subject and predicate in COLUMNS:
                touched.setdefault(subject, set()).add(COLUMNS[predicate])
            elif retitled and predicate == _LABEL and ("/id/link/" in subject or "/id/mapping/" in subject):
                continue  # a link's label quotes the Question's: a build makes it from the title
            else:
                sign = "A" if quad in patch.added else "D"
                report.not_exportable.append((record.number, f"{sign} {quad}"))
    return touched


def _linked(store: ox.Store, iri: str, column: str, graph: ox.NamedNode) -> list[str]:
    predicate = next(p for p, c in COLUMNS.items() if c == column)
    return sorted({q.object.value for q in store.quads_for_pattern(ox.NamedNode(iri), ox.NamedNode(predicate),
                                                                   None, graph)
                   if isinstance(q.object, ox.NamedNode)})


def _list_cell(old: str, linked: list[str], column: str, keys: Mapping[str, str]) -> str | None:
    """The cell naming exactly ``linked``: entries still linked kept as spelt, new ones appended by
    their key (or address); None if one has no key a table could cite it by."""
    def resolve(entry: str) -> str:
        return entry if entry.startswith(("http://", "https://")) else keys.get(entry, "")

    entries = [v.strip() for v in old.split(";") if v.strip()]
    kept = [e for e in entries if resolve(e) in linked]
    have = {resolve(e) for e in kept}
    by_iri: dict[str, str] = {}
    for key, target in keys.items():
        if key.startswith(_LIST_PREFIX[column]) and (target not in by_iri or len(key) < len(by_iri[target])):
            by_iri[target] = key
    for iri in linked:
        if iri in have:
            continue
        if column == "source" and iri.startswith(("http://", "https://")) and iri not in by_iri:
            kept.append(iri)
        elif iri in by_iri:
            kept.append(by_iri[iri])
        else:
            return None
    return " ; ".join(kept) if " ; " in old else "; ".join(kept)


def export_changes(store: ox.Store, data_dir: Path, table_keys: Callable[[], Mapping[str, str]], *,
                   base: str = "https://w3id.org/iscg/") -> ExportReport:
    """Write the curated changes of ``store`` into the tables under ``data_dir``; ``table_keys`` gives
    the tables' keys (``PP:2`` → IRI), asked for only when a list cell must be written (the caller
    loads the tables: the build layer sits above curation)."""
    report = ExportReport()
    records = RecordExport(store, data_dir, base, changes(store))
    records.reviews(Keys(table_keys()))  # first: its reviewers are keys the theme links may cite
    touched = _touched(store, report, base)
    keys: Mapping[str, str] | None = None
    graph = ox.NamedNode(f"{base}graph/questions")
    for path in sorted((data_dir / "questions").glob("*.csv")):
        raw = path.read_text("utf-8")
        rows = list(csv.reader(io.StringIO(raw)))
        if not rows:
            continue
        header = rows[0]
        changed = False
        for number, cells in enumerate(rows[1:], start=2):
            iri = _row_iri(base, dict(zip(header, cells, strict=False)))
            if iri is None or iri not in touched:
                continue
            wrote = False
            for column in sorted(touched[iri]):
                if column not in header:
                    continue
                col = header.index(column)
                if column == "title":
                    value: str | None = current_title(store, iri)
                    if value and is_formula_like(value):
                        report.not_exportable.append((0, f"{iri}: title starts like a spreadsheet formula"))
                        continue
                else:
                    if keys is None:
                        keys = table_keys()
                    value = _list_cell(cells[col], _linked(store, iri, column, graph), column, keys)
                    if value is None:
                        report.not_exportable.append((0, f"{iri}: a {column} has no key in the tables"))
                        continue
                if not value and column == "title" or value == cells[col]:
                    continue
                cells[col] = value or ""
                wrote = changed = True
            if wrote:
                report.written.append((f"{path.name}:{number}", iri))
            else:
                report.unchanged += 1
        if changed:
            out = io.StringIO()
            csv.writer(out, lineterminator="\r\n" if "\r\n" in raw else "\n").writerows(rows)
            path.write_text(out.getvalue(), "utf-8")
    after = Keys(table_keys())  # the tables as now written (reviewers registered as agents)
    records.mappings(after)
    records.theme_links(after)
    records.retirements(after)
    report.tables = records.written
    report.not_exportable += [(0, problem) for problem in records.problems]
    return report
