"""The parameter forms of the canned queries in the workbench: for each query, the text it opens
with (``#+`` lines removed, defaults bound as the API binds them) and its parameters as form fields
with labelled choices (Sectors, study periods, Annex lists, themes, study groups: never IRIs)."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from iscg_graph.errors import ParameterError, QueryError
from iscg_graph.query.catalog import SECTOR_CODES, ParamSpec, QueryCatalog
from iscg_graph.query.engine import QueryEngine
from iscg_graph.query.reports import choices
from iscg_graph.query.workbench_text import bound_text, strip_metadata

from . import i18n
from .querying import base_iri_of, catalog_of, query_engine

SECTOR_NAMES = {"GS": "General Secretariat"}


def _options(p: ParamSpec, engine: QueryEngine, catalog: QueryCatalog, base: str) -> list[list[str]]:
    if p.type == "sector":
        return [[code, SECTOR_NAMES.get(code, code)] for code in SECTOR_CODES]
    if p.choices_query and p.choices_query in catalog:
        return [[value, label] for value, label in choices(engine, catalog, p.choices_query, base_iri=base)]
    return [[v, v] for v in p.allowed_values()]


def param_forms(request: Request) -> dict[str, dict[str, Any]]:
    """Canned query name -> {"text": shown text, "params": [form fields]} (choices, not IRIs)."""
    catalog = catalog_of(request)
    base = base_iri_of(request)
    engine: QueryEngine = query_engine(request)
    language = i18n.ui_language(request)

    def tr(message: str | None) -> str:
        return i18n.gettext(language, message or "")

    out: dict[str, dict[str, Any]] = {}
    for name in sorted(catalog):
        spec = catalog[name]
        try:
            text = bound_text(spec, {}, base)  # defaults bound, as the API would run it
        except ParameterError:  # a required parameter without a default: the form must give it
            text = strip_metadata(spec.text)
        fields = []
        for p in spec.params:
            try:
                options = _options(p, engine, catalog, base)
            except QueryError:
                options = []
            if p.type == "sector":
                options = [[code, tr(label)] for code, label in options]
            fields.append({"name": p.name, "label": tr(p.label) or p.name.replace("_", " ").capitalize(),
                           "description": tr(p.description), "required": p.required,
                           "default": p.default or "",
                           "empty": tr(p.empty_label or "Default"), "options": options,
                           "input": "number" if p.type == "integer" else "text"})
        out[name] = {"text": text, "params": fields}
    return out
