"""One entry for an uploaded table, whatever its format: read it as untrusted input, tell an ISCG
mapping table from one of the project's own tables (from the header row, or as the caller says),
preview it against the store, and commit exactly that preview's file.

`preview_upload` gives an `UploadPreview`: the problems (sheet, row, column, value, message), or
the counts and rows of what an import would add, change, keep and retire. `commit_upload` turns
it into one validated change (or None when nothing would change); a SHACL violation raises
`ImportFailed` naming the cells.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from ..curation.history import ChangeRecord
from ..curation.writes import WritePath
from ..errors import ChoiceRefused
from ..rdf.store import EmbeddedStore
from ..vocab import ONTOLOGY_NS, SKOS
from .choices import Ambiguity, Picks, check_choices
from .commit import commit_preview
from .data_commit import commit_table
from .data_tables import FORMATS, TablePreview, detect_format, preview_data_table
from .mapping_table import Preview, preview_mapping_table
from .upload import Problem, Sheet, read_table

__all__ = ["MAPPING_TABLE", "UPLOAD_FORMATS", "PreviewRow", "UploadPreview", "check_upload_choices",
           "commit_upload", "preview_upload", "study_periods"]

MAPPING_TABLE = "mapping-table"
UPLOAD_FORMATS = (MAPPING_TABLE, *FORMATS)


@dataclass(frozen=True)
class PreviewRow:
    change: str  # add | change | unchanged | retire
    sheet: str
    row: int  # 0 for a retirement (the file has no row for it)
    item: str
    detail: str


@dataclass
class UploadPreview:
    file_name: str
    digest: str  # SHA-256 of the file, as uploaded
    format: str
    sheets: list[Sheet]
    problems: list[Problem]
    counts: dict[str, int] = field(default_factory=dict)  # add, change, unchanged, retire
    rows: list[PreviewRow] = field(default_factory=list)
    mapping: Preview | None = None
    table: TablePreview | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def ambiguities(self) -> list[Ambiguity]:
        """The mapping table's cells that match several items, each with its choices."""
        return list(self.mapping.ambiguities) if self.mapping is not None else []

    @property
    def picks(self) -> Picks:
        return self.mapping.picks if self.mapping is not None else ()


def preview_upload(data: bytes, file_name: str, store: EmbeddedStore, *, base: str,
                   format: str | None = None, periods: dict[str, str] | None = None,
                   max_bytes: int = 5_000_000, picks: Picks = ()) -> UploadPreview:
    """Read and preview a file; `UploadRefused` for a file refused as a whole. ``picks``: the
    editor's choices for a mapping table's ambiguous cells, checked by `check_upload_choices`."""
    if format is not None and format not in UPLOAD_FORMATS:
        raise ValueError(f"unknown format {format!r}")
    sheets = read_table(data, file_name, max_bytes=max_bytes)
    digest = hashlib.sha256(data).hexdigest()
    if format is None:
        format = next((f for s in sheets if (f := detect_format(s.header) or "")), MAPPING_TABLE)
    if format == MAPPING_TABLE:
        mapping = preview_mapping_table(sheets, store, periods=periods, picks=picks)
        found = UploadPreview(file_name, digest, format, sheets, list(mapping.problems), mapping=mapping)
        found.counts = {"add": len(mapping.add), "change": 0, "unchanged": len(mapping.unchanged),
                        "retire": len(mapping.retire)}
        found.rows = [PreviewRow("add", p.sheet, p.row, p.subject.label, f"{p.column}: {p.object.label}")
                      for p in mapping.add]
        found.rows += [PreviewRow("retire", "", 0, s, f"{o} ({m})") for m, s, o in mapping.retire]
        return found
    table = preview_data_table(sheets, store, base=base, format=format)
    found = UploadPreview(file_name, digest, format, sheets, list(table.problems), table=table)
    found.counts = {"add": len(table.add), "change": len(table.change), "unchanged": len(table.unchanged),
                    "retire": len(table.retire)}
    for what, items in (("add", table.add), ("change", table.change)):
        found.rows += [PreviewRow(what, c.sheet, c.row, c.label,
                                  f"{len(c.removed)} statement(s) removed, {len(c.added)} added")
                       for c in items]
    found.rows += [PreviewRow("retire", "", 0, label, iri) for iri, label in table.retire]
    return found


def check_upload_choices(preview: UploadPreview, store: EmbeddedStore, *, periods: dict[str, str] | None,
                         picks: Picks) -> Picks:
    """The picks for a previewed mapping table, each one of the choices offered for its cell
    (`ChoiceRefused` otherwise): the picks to give `preview_upload`."""
    if preview.mapping is None:
        if picks:
            raise ChoiceRefused("only a mapping table has ambiguous cells to choose for")
        return ()
    sheets = preview.sheets
    return check_choices(
        lambda accepted: preview_mapping_table(sheets, store, periods=periods, picks=accepted).ambiguities,
        picks)


def commit_upload(preview: UploadPreview, path: WritePath, *, data: bytes, author: str, comment: str,
                  base: str, origin: str | None = None) -> ChangeRecord | None:
    """Commit the previewed file (``data`` must be the file previewed) as one change; ``origin``
    says where it came from (the route and client), with the file's name and hash."""
    if hashlib.sha256(data).hexdigest() != preview.digest:
        raise ValueError("the data is not the file that was previewed")
    if preview.mapping is not None:
        if not preview.mapping.add:
            return None
        where = f"{origin} {preview.file_name} sha256:{preview.digest}" if origin else None
        return commit_preview(preview.mapping, path, data=data, file_name=preview.file_name, author=author,
                              comment=comment, base=base, where=where)
    assert preview.table is not None
    if preview.table.empty:
        return None
    return commit_table(preview.table, path, data=data, file_name=preview.file_name, author=author,
                        comment=comment, origin=origin)


def study_periods(store: EmbeddedStore) -> dict[str, list[str]]:
    """The study periods of each Sector, newest first (for the study period of a mapping table)."""
    rows = store.select(f"""
        SELECT ?sector ?period WHERE {{
          ?p a <{ONTOLOGY_NS}StudyPeriod> ; <{SKOS}notation> ?period ; <{ONTOLOGY_NS}sector> ?s .
          ?s <{SKOS}notation> ?sector }}""")
    found: dict[str, list[str]] = {s: [] for s in ("ITU-R", "ITU-T", "ITU-D")}
    for r in rows:
        sector, period = (str(getattr(r[k], "value", "")) for k in ("sector", "period"))
        found.setdefault(sector, []).append(period)
    return {s: sorted(ps, reverse=True) for s, ps in found.items() if ps}
