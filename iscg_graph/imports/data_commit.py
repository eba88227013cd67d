"""Committing a previewed data table (`data_tables.TablePreview`): one validated, atomic change.

Each added or changed item's description in the table's named graph is replaced by the one its row
makes (the triples removed and added, exactly as previewed), and the triples a row states about
other items (a Question addresses a theme) are added; retirements are listed by the preview, never
applied. The whole file is one `WritePath.apply` call, journalled with the author, the comment and
the file's name and SHA-256 as its origin. A SHACL violation the change would cause is traced back
to the row that made its focus node and to the column that holds the value of the violated path.
"""

from __future__ import annotations

import hashlib

import pyoxigraph as ox

from ..curation.history import ChangeRecord
from ..curation.writes import Author, WritePath
from ..errors import ImportFailed, ValidationFailed
from .data_tables import TablePreview
from .upload import Problem

__all__ = ["commit_table"]

# a violated property → the column that gives its value, first one present in the header
_COLUMNS = {
    "title": ("title",), "label": ("title", "name"), "studyGroup": ("study_group",),
    "studyPeriod": ("study_period",), "continues": ("continues",), "sector": ("sector",),
    "notation": ("notation",), "parentGroup": ("parent",), "relatedResolution": ("related_resolutions",),
    "subject": ("subject", "item"), "object": ("object", "theme"), "addressesTheme": ("theme",),
    "source": ("source",), "confidence": ("confidence",), "date": ("date",), "status": ("status",),
    "predicate": ("predicate",), "relationKind": ("relation_kind",), "versionOf": ("number",),
    "adoptedAt": ("edition",), "revises": ("revises",), "revisionLabel": ("revision_label",),
    "concernsSector": ("concerns",), "adoptedBy": ("conference",), "editorialNote": ("notes",),
    "wasAttributedTo": ("asserted_by", "curator"), "comment": ("comment", "justification"),
    "questionNumber": ("notation",), "resolutionNumber": ("number",), "identifier": ("ref_row",),
}


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def commit_table(preview: TablePreview, path: WritePath, *, data: bytes, file_name: str, author: str,
                 comment: str, origin: str | None = None) -> ChangeRecord | None:
    """Write the previewed additions and changes as one change; None when nothing would change."""
    if preview.problems:
        raise ValueError("a preview with problems is never committed")
    digest = hashlib.sha256(data).hexdigest()
    removed = [q for c in preview.add + preview.change for q in c.removed]
    added = [q for c in preview.add + preview.change for q in c.added] + list(preview.extra)
    if not removed and not added:
        return None

    def change(work: ox.Store) -> None:
        for quad in removed:
            work.remove(quad)
        work.extend(added)

    who = Author(name=author, comment=f"{comment} (import of {file_name}, sha256 {digest})",
                 origin=f"{origin or 'iscg import'} {file_name} sha256:{digest}", kind="table-import")
    try:
        return path.apply(change, who)
    except ValidationFailed as failed:
        raise ImportFailed(failed, _traced(preview, failed)) from None


def _traced(preview: TablePreview, failed: ValidationFailed) -> list[Problem]:
    problems = []
    for v in failed.report.violations:
        found = preview.origins.get(str(v.focus_node))
        if found is None:
            continue
        sheet, line, row = found
        wanted = _COLUMNS.get(_local(str(v.result_path)) if v.result_path is not None else "", ())
        column = next((c for c in wanted if c in row.header), row.header[0] if row.header else "")
        problems.append(Problem(sheet, line, column, row.get(column),
                                f"would break the shapes: {v.message}"))
    return problems
