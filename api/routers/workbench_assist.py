"""What the workbench asks of the service beside ``/sparql``: canned-query parameter forms and their
bound text, and the diagnosis of a query text (error position and fix, unknown-term warnings).

Routes: ``GET /query/bind/{name}`` (the canned query's text, ``#+`` lines removed, with the form's
values bound; 400 naming a bad parameter), ``POST /api/query-diagnostics`` (JSON ``{"query": …}`` →
``{"error": …, "warnings": […]}``), and `param_forms` for the ``/query`` page's config.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel, Field

from iscg_graph.errors import ParameterError, QueryError, UnknownQuery
from iscg_graph.query.catalog import SECTOR_CODES, ParamSpec, QueryCatalog
from iscg_graph.query.diagnostics import explain, unknown_terms
from iscg_graph.query.engine import QueryEngine, syntax_error
from iscg_graph.query.reports import choices
from iscg_graph.query.safety import analyse
from iscg_graph.query.workbench_text import bound_text, strip_metadata
from iscg_graph.vocab import prefixes

from ..querying import base_iri_of, catalog_of, query_engine
from ..sparql import assist as sparql_assist

router = APIRouter(tags=["workbench"])
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
            fields.append({"name": p.name, "label": p.label or p.name.replace("_", " ").capitalize(),
                           "description": p.description, "required": p.required, "default": p.default or "",
                           "empty": p.empty_label or "Default", "options": options,
                           "input": "number" if p.type == "integer" else "text"})
        out[name] = {"text": text, "params": fields}
    return out


@router.get("/query/bind/{name}", summary="A canned query's text for the workbench, parameters bound",
            response_class=PlainTextResponse)
def bind_query(name: str, request: Request) -> Response:
    catalog = catalog_of(request)
    try:
        spec = catalog[name]
    except (KeyError, UnknownQuery):
        return PlainTextResponse(f"no canned query named {name!r}\n", status_code=404)
    values = dict(request.query_params)
    try:
        text = bound_text(spec, values, base_iri_of(request))
    except ParameterError as exc:
        return PlainTextResponse(f"{exc}\n", status_code=400)
    return PlainTextResponse(text, media_type="application/sparql-query")


class DiagnosisRequest(BaseModel):
    query: str = Field(..., max_length=100_000)


@router.post("/api/query-diagnostics", summary="Where a query text fails to parse, why, and the fix; "
             "unknown classes and properties with suggestions")
def diagnose(body: DiagnosisRequest, request: Request) -> JSONResponse:
    base = base_iri_of(request)
    table = prefixes(base)
    query = body.query
    error = None
    analysis = analyse(query)
    if analysis.update is None and not analysis.service:  # parsed on an empty store: nothing to fetch
        try:
            ox.Store().query(query)
        except SyntaxError as exc:
            error = explain(query, syntax_error(exc), table).to_json()
        except (OSError, RuntimeError, ValueError):  # evaluation on an empty store: not a syntax problem
            pass
    warnings = []
    terms = sparql_assist.load_terms(request.app.state, query_engine(request),
                                     request.app.state.settings.query_timeout)
    if error is None and terms:
        warnings = [{"term": w.term, "iri": w.iri, "suggestions": list(w.suggestions), "message": w.message()}
                    for w in unknown_terms(query, terms, table)]
    return JSONResponse({"error": error, "warnings": warnings})
