"""`iscg export`: curated changes written back as rows of the source tables in ``data/``.

So that the secretariat's tables and the graph can be brought back into one source of truth: for
every Question a recorded change touched, its current English title is written into the ``title``
cell of its row in ``data/questions/<sector>.csv`` (the row found by the same key the table
converter uses: Sector, study period, notation). Files are rewritten only if a cell changed, with
the csv module's minimal quoting (which the shipped tables use, so other rows stay byte-identical).

What no table cell can hold (review decisions live in ``graph/reviews`` and are carried over by
each build; a retired item's mark; statements on other kinds of item) is listed in the report: it
stays in the journal and is replayed on every build. A title that would start a spreadsheet formula
is not written (people open these tables in spreadsheets) and is reported.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from ..render.cells import is_formula_like
from .edits import current_title
from .history import changes

__all__ = ["ExportReport", "export_changes"]

_QUESTION = re.compile(r"^(?:Q)?(\d+[A-Z]?)/(\d+)$")
_TITLE = "http://purl.org/dc/terms/title"


@dataclass
class ExportReport:
    written: list[tuple[str, str]] = field(default_factory=list)   # (file:row, IRI)
    unchanged: int = 0
    not_exportable: list[tuple[int, str]] = field(default_factory=list)  # (change, what)


def _row_iri(base: str, row: dict[str, str]) -> str | None:
    m = _QUESTION.match(row.get("notation", ""))
    if not m:
        return None
    return f"{base}id/question/{row.get('sector', '').lower()}/{row.get('study_period', '')}/" \
           f"{m.group(1).lower()}-{m.group(2)}"


def export_changes(store: ox.Store, data_dir: Path, *, base: str = "https://w3id.org/iscg/") -> ExportReport:
    report = ExportReport()
    records = changes(store)
    touched: set[str] = set()
    for record in records:
        for line in record.patch_text.splitlines():
            if not line.startswith(("A ", "D ")):
                continue
            subject = line[2:].split(" ", 1)[0].strip("<>")
            if f"<{_TITLE}>" in line and "/id/question/" in subject:
                touched.add(subject)
            else:
                report.not_exportable.append((record.number, line))
    for path in sorted((data_dir / "questions").glob("*.csv")):
        raw = path.read_text("utf-8")
        rows = list(csv.reader(io.StringIO(raw)))
        if not rows:
            continue
        header = rows[0]
        if "title" not in header:
            continue
        col = header.index("title")
        changed = False
        for number, cells in enumerate(rows[1:], start=2):
            iri = _row_iri(base, dict(zip(header, cells, strict=False)))
            if iri is None or iri not in touched:
                continue
            title = current_title(store, iri)
            if not title or title == cells[col]:
                report.unchanged += 1
                continue
            if is_formula_like(title):
                report.not_exportable.append((0, f"{iri}: title starts like a spreadsheet formula"))
                continue
            cells[col] = title
            changed = True
            report.written.append((f"{path.name}:{number}", iri))
        if changed:
            out = io.StringIO()
            csv.writer(out, lineterminator="\r\n" if "\r\n" in raw else "\n").writerows(rows)
            path.write_text(out.getvalue(), "utf-8")
    return report
