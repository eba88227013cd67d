"""Committing a previewed mapping table: one validated, atomic change through the curation write path.

Each pair the preview would add becomes an `iscg:Mapping` in ``graph/mappings`` (status Proposed,
``skos:relatedMatch``, relation kind topical overlap, manual curation, unconfirmed), identified by
its two items (so the same pair always gets the same IRI), with the file as its source
(``urn:sha256:<hash>``) and the file's name and row as its identifier.
The whole table is one `WritePath.apply` call: validated against the shapes as a whole and
committed in one transaction, with the author and comment in the change journal. Importing the
same file again finds every pair recorded, so nothing changes and nothing is journalled.

A SHACL violation the import would cause is traced back to the cell it came from: each new
mapping's IRI is remembered with its (sheet, row, column, value), and every violation whose focus
node is one of them becomes a `Problem` for that cell.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pyoxigraph as ox

from ..curation.history import ChangeRecord
from ..curation.writes import Author, WritePath
from ..errors import (
    ImportFailed,  # noqa: F401 (defined in the one tree, re-exported here)
    ValidationFailed,
)
from ..vocab import DCT, ONTOLOGY_NS, RDF, RDFS, SEMAPV, SKOS, SSSOM, XSD
from .mapping_table import Pair, Preview
from .upload import N_, Problem

__all__ = ["ImportFailed", "commit_preview", "mapping_iri"]


def mapping_iri(base: str, pair: Pair) -> str:
    key = hashlib.sha256(f"{pair.subject.iri} {pair.object.iri}".encode()).hexdigest()[:16]
    return f"{base}id/mapping/import-{key}"


def _quads(pair: Pair, iri: str, *, base: str, file_name: str, digest: str, day: str) -> list[ox.Quad]:
    g = ox.NamedNode(f"{base}graph/mappings")
    s = ox.NamedNode(iri)
    n = ox.NamedNode
    o = ONTOLOGY_NS

    def q(p: str, v: ox.NamedNode | ox.Literal) -> ox.Quad:
        return ox.Quad(s, n(p), v, g)

    return [
        q(RDF + "type", n(o + "Mapping")),
        q(RDFS + "label", ox.Literal(f"{pair.subject.label} related to {pair.object.label}", language="en")),
        q(o + "subject", n(pair.subject.iri)),
        q(o + "object", n(pair.object.iri)),
        q(o + "predicate", n(SKOS + "relatedMatch")),
        q(o + "relationKind", n(o + "TopicalOverlap")),  # "as in the ISCG mapping tables" (ontology)
        q(DCT + "source", n(f"urn:sha256:{digest}")),  # the imported file itself, by its content
        q(o + "status", n(o + "Proposed")),
        q(o + "confidence", n(o + "Unconfirmed")),
        q(SSSOM + "mapping_justification", n(SEMAPV + "ManualMappingCuration")),
        q(DCT + "identifier", ox.Literal(f"{file_name}:{pair.row}")),
        q(DCT + "date", ox.Literal(day, datatype=n(XSD + "date"))),
        q(SKOS + "editorialNote", ox.Literal(
            f"imported from {file_name} (sha256 {digest}), sheet {pair.sheet}, row {pair.row}, "
            f"column {pair.column}", language="en")),
    ]


def commit_preview(preview: Preview, path: WritePath, *, data: bytes, file_name: str, author: str,
                   comment: str, base: str, today: str | None = None,
                   where: str | None = None) -> ChangeRecord | None:
    """Write the preview's additions as one change; None when there is nothing to add. ``where``:
    the change's origin in the journal (default: the command and file name)."""
    if preview.problems:
        raise ValueError("a preview with problems is never committed")
    digest = hashlib.sha256(data).hexdigest()
    day = today or datetime.now(UTC).date().isoformat()
    origin: dict[str, Pair] = {}
    quads: list[ox.Quad] = []
    for pair in preview.add:
        iri = mapping_iri(base, pair)
        origin.setdefault(iri, pair)
        quads += _quads(pair, iri, base=base, file_name=file_name, digest=digest, day=day)

    def change(work: ox.Store) -> None:
        work.extend(quads)

    who = Author(name=author, comment=f"{comment} (import of {file_name}, sha256 {digest})",
                 origin=where or f"iscg import {file_name}", kind="table-import")
    try:
        return path.apply(change, who)
    except ValidationFailed as failed:
        problems = []
        for v in failed.report.violations:
            found = origin.get(str(v.focus_node))
            if found is None:
                continue
            why = (N_("would break the shapes: %(message)s"), {"message": v.message})
            problems.append(Problem.worded(found.sheet, found.row, found.column, found.object.notation, why))
        raise ImportFailed(failed, problems) from None


