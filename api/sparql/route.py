"""The SPARQL 1.1 Protocol query endpoint at ``/sparql`` (read-only).

GET ``?query=``, POST form-encoded, POST ``application/sparql-query``; ``default-graph-uri`` /
``named-graph-uri``; results by ``Accept`` or ``format=``; the Service Description on a GET without
a query. Safety, in request order: per-client budget (429), size limit (413, before parsing),
updates refused (403), outbound clauses and unknown dataset IRIs refused (403, before execution),
then the query runs in a killable worker (timeout: 503 + Retry-After; over the result limit: 400
naming the limit, never a truncated body) — unless it is proven light (`iscg_graph.query.light`: at most
``light_query_rows`` rows touched, whatever the join order), which runs at once in this process.

The handler is ``async`` to read the request body with a size cap; a query runs in a worker
process, waited on from the event loop (its socket), or, proven light, on the loop itself (a bounded
few tens of microseconds, less than a thread hop).

Served by a plain Starlette route (a FastAPI route for the same path only documents it in OpenAPI
and answers the other methods' 405): the handler takes the raw request and does its own parsing,
so FastAPI's dependency solving (which re-parsed the whole query string on every request) was
pure overhead, about a third of the time of a cached answer. A GET that was already validated
(same query string, ``Accept``, ``Origin`` and store graphs, per app and settings object)
reuses its plan: query text, dataset, media type and response headers. `SparqlFastLane` plans and
answers GETs before FastAPI's stack with the same functions (`plan_params`); what it cannot answer
at once goes to `sparql_endpoint`.
"""

from __future__ import annotations

import time

from fastapi import APIRouter, Request
from fastapi.responses import Response
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.routing import Match, Route
from starlette.types import Scope

from iscg_graph.errors import QueryError, QueryRefused, QuerySyntaxError, QueryTimeout, ResultTooLarge
from iscg_graph.query.engine import EngineResult, QueryEngine
from iscg_graph.query.service_description import describe_service
from iscg_graph.query.workers import EngineUnavailable
from iscg_graph.render import formats

from ..budget import QueryBudget
from ..settings import Settings
from . import assist
from .plan import (
    PLAN_MAX_BYTES,
    PLANS_MAX,
    Plan,
    cors_for,
    plan_key,
    plan_params,
    plans_of,
    store_graphs,
)
from .protocol import DIRECT, FORM, UPDATE, ProtocolError, decode, pairs, url_params, wants_html

router = APIRouter(tags=["sparql"])

WORKBENCH = "/query"


def _cors(request: Request, settings: Settings) -> dict[str, str]:
    return cors_for(request.headers.get("origin"), settings)


def _error(request: Request, settings: Settings, exc: ProtocolError) -> Response:
    headers = {**_cors(request, settings), **exc.headers}
    return Response(exc.message + "\n", status_code=exc.status, media_type="text/plain; charset=utf-8",
                    headers=headers)


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


async def _parse(request: Request, settings: Settings) -> tuple[list[tuple[str, str]], str | None]:
    """All protocol parameters (URL, then form body) and a direct-POST query text, if any."""
    cap = settings.max_query_bytes
    params = url_params(request.scope.get("query_string", b""), settings)
    if request.method == "GET":
        return params, None
    ctype_header = request.headers.get("content-type")
    if not ctype_header:
        raise ProtocolError(415, f"POST needs a Content-Type: {FORM} or {DIRECT}")
    ctype, _, ctype_params = ctype_header.partition(";")
    ctype = ctype.strip().lower()
    charset = None
    for param in ctype_params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    if ctype == UPDATE:
        raise ProtocolError(403, "this endpoint is read-only: SPARQL Update is not accepted")
    if ctype not in (FORM, DIRECT):
        raise ProtocolError(415, f"unsupported Content-Type {ctype!r}: use {FORM} or {DIRECT}")
    if charset not in (None, "utf-8", "utf8"):
        raise ProtocolError(415, f"unsupported charset {charset!r}: the protocol requires UTF-8")
    body = await _read_body(request, cap)
    if ctype == FORM:
        return params + pairs(decode(body, "the form body"), "the form body"), None
    return params, decode(body, "the query")


def _budget_blocked(budget: QueryBudget, client: str | None) -> ProtocolError | None:
    wait = budget.retry_after(client)
    if wait is None:
        return None
    return ProtocolError(
        429,
        f"query-time budget of {budget.limit:g} s per minute used up for {client}; retry in {wait} s",
        {"Retry-After": str(wait)},
    )


def _service_description(request: Request, engine: QueryEngine, accept: str | None,
                         format_values: list[str]) -> Response:
    if wants_html(accept, format_values):  # the query workbench is the HTML face of the endpoint
        return Response(status_code=303, headers={"Location": WORKBENCH})
    media_type = formats.negotiate(accept, "graph", format_values)
    if media_type is None:
        choices = formats.describe_choices("graph")
        raise ProtocolError(406, f"cannot produce {accept or format_values!r}; "
                                 f"the service description is available as {choices}")
    graphs = store_graphs(engine)
    endpoint = str(request.url.replace(query="", fragment=""))
    body = describe_service(endpoint, graphs, media_type, label="ISCG knowledge graph SPARQL endpoint")
    return Response(body, media_type=formats.content_type(media_type), headers={"Vary": "Accept, Origin"})


def _run(engine: QueryEngine, settings: Settings, query: str, media_type: str,
         default_graphs: list[str], named_graphs: list[str]) -> EngineResult:
    return engine.run(
        query,
        media_type=media_type,
        default_graph=default_graphs or None,
        named_graphs=named_graphs or None,
        timeout=settings.query_timeout,
        row_limit=settings.result_limit,
    )


async def _plan(request: Request, settings: Settings, engine: QueryEngine) -> Plan | Response:
    """Parse and check the request (raising ProtocolError and the query errors), or the service
    description when a GET has no query."""
    params, direct = await _parse(request, settings)
    accept = request.headers.get("accept")
    terms = await run_in_threadpool(assist.load_terms, request.app.state, engine, settings.query_timeout)
    plan = plan_params(params, direct, accept, request.headers.get("origin"), settings, engine, terms)
    if plan is not None:
        return plan
    if request.method == "GET":
        format_values = [v for k, v in params if k == "format"]
        response = await run_in_threadpool(_service_description, request, engine, accept, format_values)
        response.headers.update(_cors(request, settings))
        return response
    raise ProtocolError(400, "missing 'query': send it as a form field or as an "
                             "application/sparql-query body")


async def sparql_endpoint(request: Request) -> Response:
    method = request.method
    if method not in ("GET", "POST"):  # HEAD (see the routes below)
        raise HTTPException(405, headers={"Allow": "GET, POST"})
    state = request.app.state
    settings: Settings = state.settings
    engine: QueryEngine = state.engine
    budget: QueryBudget = state.budget
    client = request.client.host if request.client else None
    plan: Plan | None = None
    try:
        blocked = _budget_blocked(budget, client)
        if blocked:
            raise blocked
        plans = plans_of(state, settings)
        found = plans.get(plan_key(request, engine)) if method == "GET" else None
        if found is None:
            planned = await _plan(request, settings, engine)
            if isinstance(planned, Response):
                return planned
            plan = planned
            # keyed on the graphs it was checked against; long texts would make the table the memory
            if method == "GET" and len(request.scope["query_string"]) <= PLAN_MAX_BYTES:
                if len(plans) >= PLANS_MAX:
                    plans.clear()
                plans[plan_key(request, engine)] = plan
        else:
            plan = found
        if not budget.start(client):
            noun = "query" if budget.concurrent == 1 else "queries"
            raise ProtocolError(429, f"{client} already has {budget.concurrent} running {noun} (the limit "
                                     "per client); retry when it ends", {"Retry-After": "1"})
        started = time.monotonic()
        run_as = assist.labels_mod.JSON if plan.labels else plan.media_type
        try:
            run_async = getattr(engine, "run_async", None)
            if run_async is not None:  # waits on the worker's socket from the event loop: no thread hop
                result = await run_async(plan.query, media_type=run_as,
                                         default_graph=plan.default_graphs, named_graphs=plan.named_graphs,
                                         timeout=settings.query_timeout, row_limit=settings.result_limit)
            else:
                result = await run_in_threadpool(_run, engine, settings, plan.query, run_as,
                                                 plan.default_graphs or [], plan.named_graphs or [])
            if plan.labels and result.kind != "graph":
                body = await run_in_threadpool(assist.label_body, result.body, engine, plan.labels,
                                               plan.media_type, settings.query_timeout)
                result = EngineResult(body, plan.media_type, result.kind, result.rows)
        finally:
            budget.finish(client, time.monotonic() - started)
    except ProtocolError as exc:
        return _error(request, settings, exc)
    except QueryRefused as exc:
        return _error(request, settings, ProtocolError(403, str(exc)))
    except QuerySyntaxError as exc:
        message = assist.syntax_message(plan.query if plan else None, exc, settings.base_iri)
        return _error(request, settings, ProtocolError(400, message))
    except ResultTooLarge as exc:
        return _error(request, settings, ProtocolError(
            400, f"{exc}: add LIMIT (and OFFSET to page), or an aggregate",
            {"X-Result-Limit": str(settings.result_limit)}))
    except QueryTimeout as exc:
        retry = str(max(1, int(settings.query_timeout)))
        return _error(request, settings, ProtocolError(503, f"{exc}; simplify it or add LIMIT",
                                                       {"Retry-After": retry}))
    except EngineUnavailable as exc:
        return _error(request, settings, ProtocolError(503, str(exc), {"Retry-After": "5"}))
    except QueryError as exc:
        return _error(request, settings, ProtocolError(400, f"query failed: {exc}"))
    if result.media_type == plan.media_type:
        return Response(result.body, headers=plan.headers)
    headers = {**plan.headers, "content-type": formats.content_type(result.media_type)}
    return Response(result.body, headers=headers)


class _DocumentedOnly(APIRoute):
    """Documents the operation in OpenAPI and answers the methods nobody serves (405 naming GET and
    POST, as when it served), but never wins a GET or POST: those match it only partially."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child = super().matches(scope)
        return (Match.PARTIAL if match == Match.FULL else match), child


# Routes are tried in order and the first full match wins (else the first partial one): the
# documenting route, then the plain route that serves GET and POST (Starlette also gives it HEAD,
# refused in the handler with the same 405), then the CORS preflight.
router.add_api_route("/sparql", sparql_endpoint, methods=["GET", "POST"], summary="SPARQL 1.1 query endpoint",
                     response_class=Response, route_class_override=_DocumentedOnly)
router.routes.append(Route("/sparql", sparql_endpoint, methods=["GET", "POST"], name="sparql_endpoint",
                           include_in_schema=False))


@router.options("/sparql", include_in_schema=False)
def sparql_preflight(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    headers = {
        **_cors(request, settings),
        "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
        "Access-Control-Allow-Headers": "Accept, Content-Type",
        "Access-Control-Max-Age": "600",
        "Allow": "GET, POST, OPTIONS",
    }
    return Response(status_code=204, headers=headers)


