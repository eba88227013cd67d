"""Table kinds: which header columns make which kind of table, and its register and emit passes.
``KINDS`` is in registration order: a kind may look up keys of the kinds before it.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...errors import SourceError
from ._context import Context, Handler, Row
from ._coordination import emit_agent, emit_body, emit_document, emit_meeting, emit_outcome, reg_simple
from ._curated import emit_retirement, emit_review, reg_review
from ._groups import emit_group, emit_period, emit_question, reg_group, reg_period, reg_question
from ._labels import emit_label
from ._links import (
    emit_equivalence,
    emit_mapping,
    emit_theme_link,
    reg_equivalence,
    reg_mapping,
    reg_theme_link,
)
from ._organisations import emit_org, reg_org
from ._resolutions import (
    emit_conference,
    emit_edition,
    emit_mandate,
    emit_resolution,
    emit_version,
    reg_conference,
    reg_edition,
    reg_resolution,
    reg_version,
)
from ._themes import emit_scheme, emit_theme, reg_scheme, reg_theme


def _none(ctx: Context, row: Row) -> None:
    return None


@dataclass(frozen=True)
class Kind:
    name: str
    columns: frozenset[str]
    register: Handler
    emit: Handler


def _kind(name: str, columns: str, register: Handler, emit: Handler) -> Kind:
    return Kind(name, frozenset(columns.split()), register, emit)


KINDS: tuple[Kind, ...] = (
    _kind("organisations", "key type name sector", reg_org, emit_org),
    _kind("labels", "item lang label source", _none, emit_label),  # other languages, as sourced
    _kind("study periods", "sector period start_year end_year", reg_period, emit_period),
    _kind("study groups", "sector study_period notation group_type title", reg_group, emit_group),
    _kind("questions", "sector study_period study_group notation title", reg_question, emit_question),
    _kind("conferences", "conference name sector", reg_conference, emit_conference),
    _kind("conference editions", "edition conference year place country", reg_edition, emit_edition),
    _kind("resolutions", "conference number title concerns", reg_resolution, emit_resolution),
    _kind(
        "resolution versions", "conference number edition revision_label revises", reg_version, emit_version
    ),
    _kind("mandates", "resolution item relation", _none, emit_mandate),
    _kind("agents", "agent name", reg_simple("agent", "agent", "agent", "agent"), emit_agent),
    _kind(
        "bodies",
        "body type name established_by reports_to members",
        reg_simple("body", "body", "body", "body"),
        emit_body,
    ),
    _kind(
        "meetings",
        "meeting body date held_during",
        reg_simple("meeting", "meeting", "meeting", "meeting"),
        emit_meeting,
    ),
    _kind(
        "documents",
        "document notation title url",
        reg_simple("document", "document", "doc", "document"),
        emit_document,
    ),
    _kind(
        "outcomes",
        "outcome meeting description pilot_theme",
        reg_simple("outcome", "outcome", "outcome", "outcome"),
        emit_outcome,
    ),
    _kind("theme schemes", "slug section label collections", reg_scheme, emit_scheme),
    _kind("themes", "scheme notation label broader", reg_theme, emit_theme),
    _kind("theme links", "item theme justification curator date", reg_theme_link, emit_theme_link),
    _kind("mappings", "id subject object relation_kind predicate status", reg_mapping, emit_mapping),
    _kind(
        "theme equivalences",
        "id left right predicate decided_by date why score",
        reg_equivalence,
        emit_equivalence,
    ),
    # written by `iscg export` from changes made through the service (see _curated)
    _kind(
        "review decisions",
        "id subject object relation_kind predicate status justification reviewer date comment",
        reg_review,
        emit_review,
    ),
    _kind("retirements", "item retired_by date comment", _none, emit_retirement),
)
# registration order: a kind may look up keys of the kinds before it
ORDER = [k.name for k in KINDS]


def kind_of(header: tuple[str, ...], label: str) -> Kind:
    fits = [k for k in KINDS if k.columns <= set(header)]
    if not fits:
        raise SourceError(
            f"header {','.join(header)} matches no known table kind (see docs/notes/data.md)",
            path=label,
            line=1,
        )
    best = max(fits, key=lambda k: len(k.columns))
    for col in ("source", "confidence", "notes"):
        if col not in header:
            raise SourceError(f"missing column {col!r}", path=label, line=1)
    return best
