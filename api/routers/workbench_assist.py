"""What the workbench asks of the service beside ``/sparql``: canned-query parameter forms and their
bound text, and the diagnosis of a query text (error position and fix, unknown-term warnings).

Routes: ``GET /query/bind/{name}`` (the canned query's text, ``#+`` lines removed, with the form's
values bound; 400 naming a bad parameter), ``POST /api/query-diagnostics`` (JSON ``{"query": …}`` →
``{"error": …, "warnings": […]}``). The forms themselves are in `api.workbench_forms`.
"""

from __future__ import annotations

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel, Field

from iscg_graph.errors import ParameterError, UnknownQuery
from iscg_graph.query.diagnostics import explain, unknown_terms
from iscg_graph.query.engine import syntax_error
from iscg_graph.query.safety import analyse
from iscg_graph.query.workbench_text import bound_text
from iscg_graph.vocab import prefixes

from .. import openapi as oa
from .. import query_assist as sparql_assist
from ..querying import base_iri_of, catalog_of, query_engine

router = APIRouter(tags=["workbench"])


@router.get("/query/bind/{name}", summary="A canned query's text for the workbench, parameters bound",
            response_class=PlainTextResponse,
            responses=oa.answers(("application/sparql-query",), 400, 404, error_media=(oa.PLAIN,)))
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
    terms = sparql_assist.terms_soon(request.app.state, query_engine(request),
                                     request.app.state.settings.query_timeout)
    if error is None and terms:
        warnings = [{"term": w.term, "iri": w.iri, "suggestions": list(w.suggestions), "message": w.message()}
                    for w in unknown_terms(query, terms, table)]
    return JSONResponse({"error": error, "warnings": warnings})
