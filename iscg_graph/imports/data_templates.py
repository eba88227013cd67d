"""XLSX templates of the project's own table formats: the header of the ``data/`` table, one filled
example row (a row of ``data/``, so the template imports without problems), and drop-down lists:
closed vocabularies (Sector, confidence, group type, relation kind, SKOS predicate, status,
justification) refuse other values; lists of the graph's keys (study periods, groups, Questions,
Resolutions, conferences, editions, themes, agents) are offered, other values allowed (a new item
of the same file). Lists live on a hidden ``Lists`` sheet (a list typed into a validation is capped
at 255 characters). Every cell is written as text.
"""

from __future__ import annotations

from ..build.tables._context import Context
from ..build.tables._groups import GROUP_TYPES
from ..build.tables._links import JUSTIFICATIONS, RELATION_KINDS, SKOS_MATCH, STATUSES
from ..rdf.store import EmbeddedStore
from .graph_keys import graph_context
from .workbooks import HEAD_FILL, _save, _text

__all__ = ["DATA_TEMPLATES", "data_template"]

_SOURCE = "https://www.itu.int/en/ITU-T/studygroups/2017-2020/02/Pages/q1.aspx"
# format → (header, example row): the first rows of the data/ tables, notes left out
DATA_TEMPLATES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "questions": (
        ("sector", "study_period", "study_group", "notation", "official_number", "title", "continues",
         "related_resolutions", "source", "confidence", "notes"),
        ("ITU-T", "2017-2020", "SG2", "Q1/2", "", "Application of numbering, naming, addressing and "
         "identification plans for fixed and mobile telecommunications services", "", "", _SOURCE,
         "confirmed", "")),
    "study-groups": (
        ("sector", "study_period", "notation", "group_type", "title", "parent", "continues", "source",
         "confidence", "notes"),
        ("ITU-T", "2017-2020", "SG5", "study-group", "Environment, climate change and circular economy", "",
         "", "https://www.itu.int/en/ITU-T/studygroups/2017-2020/05/Pages/exec-sum-201809.aspx",
         "confirmed", "")),
    "resolutions": (
        ("conference", "number", "title", "concerns", "source", "confidence", "notes"),
        ("WTSA", "72", "Measurement and assessment concerns related to human exposure to electromagnetic "
         "fields", "ITU-T ; ITU-D ; ITU-R",
         "https://docest.com/doc/270624/resolution62-rev-buenos-airesdubai-20142017", "confirmed", "")),
    "resolution-versions": (
        ("conference", "number", "edition", "revision_label", "revises", "title", "source", "confidence",
         "notes"),
        ("WTSA", "72", "WTSA-12", "Rev. Dubai, 2012", "", "Measurement concerns related to human exposure "
         "to electromagnetic fields", "https://docest.com/doc/270624/resolution62-rev-buenos-airesdubai-20142017",
         "confirmed", "")),
    "theme-links": (
        ("item", "theme", "justification", "curator", "date", "source", "confidence", "notes"),
        ("ITU-T:2017-2020:Q1/2", "theme:resolution-areas:29", "assignment and misuse of international "
         "numbering resources (E.164, E.212) is the core of the Question", "agent:iscg-graph-data-team",
         "2026-11-24", "doc:iscg-graph-curation", "confirmed", "")),
    "mappings": (
        ("id", "subject", "object", "relation_kind", "predicate", "status", "justification", "asserted_by",
         "date", "comment", "ref_row", "source", "confidence", "notes"),
        ("M0001", "ITU-D:2014-2017:Q7/2", "ITU-R:2015-2019:WP 1C", "Complementary", "relatedMatch",
         "Asserted", "ManualMappingCuration", "WTDC-14", "2026-11-24", "reference relation: 'complements "
         "work of'; topic: EMF / human exposure; WP 1C of 2015-2019 (nearest held period)", "mappings.csv:2",
         "https://studylib.net/doc/13024654", "confirmed", "")),
}

_CLOSED: dict[str, tuple[str, ...]] = {
    "sector": ("ITU-R", "ITU-T", "ITU-D"),
    "confidence": ("confirmed", "recalled"),
    "group_type": tuple(GROUP_TYPES),
    "relation_kind": RELATION_KINDS,
    "predicate": SKOS_MATCH,
    "status": STATUSES,
    "justification": JUSTIFICATIONS,
}


def _offered(ctx: Context, fmt: str) -> dict[str, list[str]]:
    by_kind: dict[str, list[str]] = {}
    for key, item in ctx.keys.items():
        by_kind.setdefault(item.kind, []).append(key)
    periods = sorted({p for ps in ctx.periods.values() for _y, p in ps})
    groups = sorted({k.rsplit(":", 1)[1] for k in by_kind.get("group", [])})
    items = sorted(by_kind.get("question", []) + by_kind.get("group", []) + by_kind.get("resolution", []))
    offered = {
        "study_period": periods, "study_group": groups, "parent": groups,
        "conference": sorted(by_kind.get("conference", [])), "edition": sorted(by_kind.get("edition", [])),
        "theme": sorted(by_kind.get("theme", [])), "curator": sorted(by_kind.get("agent", [])),
        "item": items, "subject": items, "object": items,
        "asserted_by": sorted(by_kind.get("agent", []) + by_kind.get("edition", [])),
        "related_resolutions": sorted(by_kind.get("resolution", [])),
    }
    if fmt == "questions":
        offered["continues"] = sorted(k.rsplit(":", 1)[1] for k in by_kind.get("question", []))
    return offered


def data_template(fmt: str, store: EmbeddedStore, base: str) -> bytes:
    """The template of one format (a key of ``DATA_TEMPLATES``)."""
    # openpyxl on first use: the service imports this module with its routes, at every start
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    header, example = DATA_TEMPLATES[fmt]
    offered = _offered(graph_context(store, base), fmt)
    wb = Workbook()
    ws = wb.active
    ws.title = fmt
    for j, (title, value) in enumerate(zip(header, example, strict=True), start=1):
        _text(ws, 1, j, title)
        ws.cell(row=1, column=j).font = Font(bold=True, color="FFFFFF")
        ws.cell(row=1, column=j).fill = PatternFill("solid", fgColor=HEAD_FILL)
        ws.column_dimensions[get_column_letter(j)].width = 22
        if value:
            _text(ws, 2, j, value)
    ws.freeze_panes = "A2"
    lists = wb.create_sheet("Lists")
    lists.sheet_state = "hidden"
    for j, title in enumerate(header, start=1):
        closed = title in _CLOSED
        values = list(_CLOSED[title]) if closed else list(dict.fromkeys(offered.get(title, [])))
        if not values:
            continue
        _text(lists, 1, j, title)
        for i, value in enumerate(values, start=2):
            _text(lists, i, j, value)
        letter = get_column_letter(j)
        dv = DataValidation(type="list", formula1=f"=Lists!${letter}$2:${letter}${len(values) + 1}",
                            allow_blank=True, showErrorMessage=closed)
        dv.prompt = (f"{title}: one of the listed values" if closed
                     else f"{title}: a value from the graph, or a new one")
        if closed:
            dv.error = f"{title} must be one of: {', '.join(values)}"[:255]
        ws.add_data_validation(dv)
        dv.add(f"{letter}2:{letter}1000")
    return _save(wb)
