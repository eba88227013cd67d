"""The SPARQL 1.1 Protocol query endpoint at ``/sparql`` (read-only), served by one route.

GET ``?query=``, POST form-encoded, POST ``application/sparql-query``; ``default-graph-uri`` /
``named-graph-uri``; results by ``Accept`` or ``format=``; the Service Description on a GET without
a query. Safety, in request order: per-client budget (429), size limit (413, before parsing),
updates refused (403), outbound clauses and unknown dataset IRIs refused (403, before execution),
then the engine runs the query (a killable worker; timeout: 503 + Retry-After; over the result
limit: 400 naming the limit, never a truncated body), unless it is cached or proven light.

Every refusal and failure is raised and answered by the app's one error policy (`api.errors`), as
on every other route; CORS is the app's `CORSMiddleware`. The handler is ``async`` to read the
request body with a size cap and to wait on the engine from the event loop (a worker's socket, or
a light query run on the loop itself: a bounded few tens of microseconds). GETs that can be
answered at once are answered before FastAPI's stack by `api.sparql.fastlane`, with the same plan.
"""

from __future__ import annotations

import time

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from iscg_graph.errors import QuerySyntaxError
from iscg_graph.query.engine import EngineResult, QueryEngine
from iscg_graph.query.service_description import describe_service
from iscg_graph.render import formats

from .. import query_assist as assist
from ..budget import QueryBudget
from ..settings import Settings
from . import openapi
from .plan import plan_get, plan_params
from .protocol import (
    FORM,
    ProtocolError,
    UpdateRequested,
    content_type_of,
    decode,
    pairs,
    url_params,
    wants_html,
)

__all__ = ["answer", "router", "sparql_endpoint"]

router = APIRouter(tags=["sparql"])

WORKBENCH = "/query"


async def _read_body(request: Request, cap: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > cap:
        raise ProtocolError(413, f"request body of {declared} bytes is over the limit of {cap} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            raise ProtocolError(413, f"request body is over the limit of {cap} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def _post_params(request: Request, settings: Settings) -> tuple[list[tuple[str, str]], str | None]:
    """All protocol parameters of a POST (URL, then form body) and a direct query text, if any."""
    params = url_params(request.scope.get("query_string", b""), settings)
    try:
        ctype = content_type_of(request.headers.get("content-type"))
    except UpdateRequested:
        raise UpdateRequested(params, direct=True) from None  # body unread: the update handler reads it
    body = await _read_body(request, settings.max_query_bytes)
    if ctype == FORM:
        form = params + pairs(decode(body, "the form body"), "the form body")
        if any(k == "update" for k, _ in form):
            raise UpdateRequested(form, direct=False)
        return form, None
    return params, decode(body, "the query")


def budget_blocked(budget: QueryBudget, client: str | None) -> ProtocolError | None:
    wait = budget.retry_after(client)
    if wait is None:
        return None
    return ProtocolError(
        429,
        f"query-time budget of {budget.limit:g} s per minute used up for {client}; retry in {wait} s",
        {"Retry-After": str(wait)},
    )


def _service_description(request: Request, engine: QueryEngine, accept: str | None) -> Response:
    format_values = [v for k, v in url_params(request.scope.get("query_string", b""),
                                              request.app.state.settings) if k == "format"]
    if wants_html(accept, format_values):  # the query workbench is the HTML face of the endpoint
        return Response(status_code=303, headers={"Location": WORKBENCH})
    media_type = formats.negotiate(accept, "graph", format_values)
    if media_type is None:
        asked = f"format={format_values!r}"[:200] if format_values else f"Accept: {accept}"[:200]
        raise ProtocolError(406, f"cannot produce {asked}; the service description is available as "
                                 f"{formats.describe_choices('graph')}")
    endpoint = str(request.url.replace(query="", fragment=""))
    body = describe_service(endpoint, engine.graphs(wait=5.0), media_type,
                            label="ISCG knowledge graph SPARQL endpoint")
    return Response(body, media_type=formats.content_type(media_type), headers={"Vary": "Accept"})


async def sparql_endpoint(request: Request) -> Response:
    return await answer(request, request.app.state.engine)


async def answer(request: Request, engine: QueryEngine) -> Response:
    """The protocol, its safety rules and the per-client budget, against ``engine`` (the live
    store's, or a release's)."""
    state = request.app.state
    settings: Settings = state.settings
    budget: QueryBudget = state.budget
    client = request.client.host if request.client else None
    blocked = budget_blocked(budget, client)
    if blocked:
        raise blocked
    accept = request.headers.get("accept")
    terms = assist.known_terms(state).peek(engine)  # loaded once per data generation (a query)
    if terms is None:
        terms = await run_in_threadpool(assist.terms_soon, state, engine, settings.query_timeout)
    if request.method == "GET":
        plan = plan_get(state, settings, engine, request.scope["query_string"], accept, terms)
        if plan is None:
            return await run_in_threadpool(_service_description, request, engine, accept)
    else:
        try:
            params, direct = await _post_params(request, settings)
        except UpdateRequested as handed:  # a write: the curation handler (issue 13) answers it
            from ..sparql_update import answer_update

            return await answer_update(request, handed.params, handed.direct)
        plan = plan_params(params, direct, accept, settings, engine, terms)
        if plan is None:
            raise ProtocolError(400, "missing 'query': send it as a form field or as an "
                                     "application/sparql-query body")
    if not budget.start(client):
        noun = "query" if budget.concurrent == 1 else "queries"
        raise ProtocolError(429, f"{client} already has {budget.concurrent} running {noun} (the limit "
                                 "per client); retry when it ends", {"Retry-After": "1"})
    started = time.monotonic()
    run_as = assist.labels_mod.JSON if plan.labels else plan.media_type
    try:
        result = await engine.run_async(plan.query, media_type=run_as,
                                        default_graph=plan.default_graphs, named_graphs=plan.named_graphs,
                                        timeout=settings.query_timeout, row_limit=settings.result_limit)
        if plan.labels and result.kind != "graph":
            body = await run_in_threadpool(assist.label_body, result.body, engine, plan.labels,
                                           plan.media_type, settings.query_timeout)
            result = EngineResult(body, plan.media_type, result.kind, result.rows)
    except QuerySyntaxError as exc:  # the parser's position, one plain sentence and the fix
        raise ProtocolError(400, assist.syntax_message(plan.query, exc, settings.base_iri),
                            code="query_syntax") from exc
    finally:
        budget.finish(client, time.monotonic() - started)
    if result.media_type == plan.media_type:
        return Response(result.body, headers=plan.headers)
    produced = formats.content_type(result.media_type)
    return Response(result.body, headers={**plan.headers, "content-type": produced})


# one handler; an operation per method, so each has its own operationId in OpenAPI, with the
# protocol's parameters, bodies and answers (api/sparql/openapi.py)
for _method, _doc in (("GET", openapi.GET), ("POST", openapi.POST)):
    router.add_api_route("/sparql", sparql_endpoint, methods=[_method], response_class=Response,
                         name="sparql_endpoint", **_doc)
