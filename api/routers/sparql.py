"""The SPARQL 1.1 Protocol query endpoint at ``/sparql`` (read-only).

GET ``?query=``, POST form-encoded, POST ``application/sparql-query``; ``default-graph-uri`` /
``named-graph-uri``; results by ``Accept`` or ``format=``; the Service Description on a GET without
a query. Safety, in request order: per-client budget (429), size limit (413, before parsing),
updates refused (403), outbound clauses and unknown dataset IRIs refused (403, before execution),
then the query runs in a killable worker (timeout: 503 + Retry-After; over the result limit: 400
naming the limit, never a truncated body) — unless it is proven light (`iscg_graph.light`: at most
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
answers GETs before FastAPI's stack with the same functions (`_plan_params`); what it cannot answer
at once goes to `sparql_endpoint`.
"""

from __future__ import annotations

import time
from functools import lru_cache
from typing import Any, NamedTuple

from fastapi import APIRouter, Request
from fastapi.responses import Response
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.routing import Match, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from iscg_graph import formats
from iscg_graph.engine import EngineResult, QueryEngine
from iscg_graph.errors import QueryError, QueryRefused, QuerySyntaxError, QueryTimeout, ResultTooLarge
from iscg_graph.service_description import describe_service
from iscg_graph.sparql_safety import analyse, check_request
from iscg_graph.workers import EngineUnavailable

from .. import sparql_assist as assist
from ..budget import QueryBudget
from ..settings import Settings
from ..urlencoded import parse_pairs

router = APIRouter(tags=["sparql"])

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
DATASET_PARAMS = ("default-graph-uri", "named-graph-uri")
WORKBENCH = "/query"


class ProtocolError(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def _cors(request: Request, settings: Settings) -> dict[str, str]:
    return _cors_for(request.headers.get("origin"), settings)


def _cors_for(origin: str | None, settings: Settings) -> dict[str, str]:
    origins = settings.cors_origins
    if "*" in origins:
        return {"Access-Control-Allow-Origin": "*"}
    if origin and origin in origins:
        return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
    return {}


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


def _decode(raw: bytes, what: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProtocolError(400, f"{what} is not valid UTF-8 (byte {exc.start})") from exc


def _pairs(text: str, what: str) -> list[tuple[str, str]]:
    try:
        if len(text) > 4096:
            return parse_pairs(text)
        return list(_parse_pairs(text))
    except UnicodeDecodeError as exc:
        raise ProtocolError(400, f"{what} is not valid UTF-8 after percent-decoding") from exc


@lru_cache(maxsize=512)
def _parse_pairs(text: str) -> tuple[tuple[str, str], ...]:
    """Cached: dashboards and clients repeat the same requests."""
    return tuple(parse_pairs(text))


def _url_params(raw_query: bytes, settings: Settings) -> list[tuple[str, str]]:
    cap = settings.max_query_bytes
    if len(raw_query) > cap:
        raise ProtocolError(413, f"query string of {len(raw_query)} bytes is over the limit of {cap} bytes")
    return _pairs(_decode(raw_query, "the query string"), "the query string")


async def _parse(request: Request, settings: Settings) -> tuple[list[tuple[str, str]], str | None]:
    """All protocol parameters (URL, then form body) and a direct-POST query text, if any."""
    cap = settings.max_query_bytes
    params = _url_params(request.scope.get("query_string", b""), settings)
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
        return params + _pairs(_decode(body, "the form body"), "the form body"), None
    return params, _decode(body, "the query")


def _select(params: list[tuple[str, str]],
            direct: str | None) -> tuple[str | None, list[str], list[str], list[str]]:
    queries = [v for k, v in params if k == "query"]
    if direct is not None:
        if queries:
            raise ProtocolError(400, "a direct POST query must not also carry a 'query' parameter")
        queries = [direct]
    if any(k == "update" for k, _ in params):
        raise ProtocolError(403, "this endpoint is read-only: SPARQL Update is not accepted")
    if len(queries) > 1:
        raise ProtocolError(400, f"exactly one 'query' parameter is allowed, got {len(queries)}")
    default_graphs = [v for k, v in params if k == "default-graph-uri"]
    named_graphs = [v for k, v in params if k == "named-graph-uri"]
    format_values = [v for k, v in params if k == "format"]
    return (queries[0] if queries else None), default_graphs, named_graphs, format_values


def _budget_blocked(budget: QueryBudget, client: str | None) -> ProtocolError | None:
    wait = budget.retry_after(client)
    if wait is None:
        return None
    return ProtocolError(
        429,
        f"query-time budget of {budget.limit:g} s per minute used up for {client}; retry in {wait} s",
        {"Retry-After": str(wait)},
    )


def _wants_html(accept: str | None, format_values: list[str]) -> bool:
    """A browser opening /sparql: it asks for HTML and names none of the RDF types we produce
    (browsers also list application/xml, which alone does not make an RDF client)."""
    if format_values or not accept or "text/html" not in accept:
        return False
    named = {part.split(";")[0].strip().lower() for part in accept.split(",")}
    return not named & set(formats.PRODUCES["graph"])


def _service_description(request: Request, engine: QueryEngine, accept: str | None,
                         format_values: list[str]) -> Response:
    if _wants_html(accept, format_values):  # the query workbench is the HTML face of the endpoint
        return Response(status_code=303, headers={"Location": WORKBENCH})
    media_type = formats.negotiate(accept, "graph", format_values)
    if media_type is None:
        choices = formats.describe_choices("graph")
        raise ProtocolError(406, f"cannot produce {accept or format_values!r}; "
                                 f"the service description is available as {choices}")
    graphs = _graphs(engine)
    endpoint = str(request.url.replace(query="", fragment=""))
    body = describe_service(endpoint, graphs, media_type, label="ISCG knowledge graph SPARQL endpoint")
    return Response(body, media_type=formats.content_type(media_type), headers={"Vary": "Accept, Origin"})


def _graphs(engine: QueryEngine) -> frozenset[str]:
    graphs = getattr(engine, "graphs", None)
    return graphs(wait=5.0) if graphs is not None else frozenset()


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


class _Plan(NamedTuple):
    """What a validated request resolved to: everything but the budget and the run."""

    query: str
    default_graphs: list[str] | None
    named_graphs: list[str] | None
    media_type: str
    headers: dict[str, str]
    raw_headers: list[tuple[bytes, bytes]]  # the same, as ASGI sends them
    labels: str | None = None  # labels=<lang>: the query runs as SPARQL JSON, then label columns


PlanKey = tuple[bytes, str | None, str | None, frozenset[str]]
_PLANS_MAX = 512
_PLAN_MAX_BYTES = 8192  # as the result cache's keys


def _plans(state: Any, settings: Settings) -> dict[PlanKey, _Plan]:
    """The app's remembered plans, valid for its current settings object (allow-list, CORS)."""
    held = getattr(state, "sparql_plans", None)
    if held is None or held[0] is not settings:
        held = state.sparql_plans = (settings, {})
    plans: dict[PlanKey, _Plan] = held[1]
    return plans


def _plan_key(request: Request, engine: QueryEngine) -> PlanKey:
    headers = request.headers
    graphs = getattr(engine, "graphs", None)
    return (request.scope["query_string"], headers.get("accept"), headers.get("origin"),
            graphs() if graphs is not None else frozenset())


async def _plan(request: Request, settings: Settings, engine: QueryEngine) -> _Plan | Response:
    """Parse and check the request (raising ProtocolError and the query errors), or the service
    description when a GET has no query."""
    params, direct = await _parse(request, settings)
    accept = request.headers.get("accept")
    terms = await run_in_threadpool(assist.load_terms, request.app.state, engine, settings.query_timeout)
    plan = _plan_params(params, direct, accept, request.headers.get("origin"), settings, engine, terms)
    if plan is not None:
        return plan
    if request.method == "GET":
        format_values = [v for k, v in params if k == "format"]
        response = await run_in_threadpool(_service_description, request, engine, accept, format_values)
        response.headers.update(_cors(request, settings))
        return response
    raise ProtocolError(400, "missing 'query': send it as a form field or as an "
                             "application/sparql-query body")


def _plan_params(params: list[tuple[str, str]], direct: str | None, accept: str | None, origin: str | None,
                 settings: Settings, engine: QueryEngine,
                 terms: frozenset[str] | None = None) -> _Plan | None:
    """The plan for these protocol parameters (raising ProtocolError and the query errors), or None
    when there is no query. Shared by the handler and the fast lane's GETs (no request objects)."""
    query, default_graphs, named_graphs, format_values = _select(params, direct)
    if query is None:
        return None
    analysis = analyse(query)
    family: formats.Family = "graph" if analysis.form in ("CONSTRUCT", "DESCRIBE") else "results"
    graphs = _graphs(engine) if analysis.update is None else frozenset()
    check_request(analysis, store_graphs=graphs, allowed=settings.allowed_service_iris,
                  default_graph_uris=default_graphs, named_graph_uris=named_graphs)
    names_dataset = bool(default_graphs or named_graphs or analysis.from_graphs or analysis.from_named)
    try:
        options, without_closure = assist.options_and_dataset(params, graphs, names_dataset)
    except ValueError as exc:
        raise ProtocolError(400, str(exc)) from exc
    if options.labels and family != "results":
        raise ProtocolError(400, f"labels={options.labels} adds columns to SELECT results; "
                                 f"a {analysis.form} has none: leave 'labels' out")
    default_graphs = without_closure or default_graphs
    media_type = formats.negotiate(accept, family, format_values)
    if media_type is None:
        asked = f"format={format_values!r}" if format_values else f"Accept: {accept}"
        raise ProtocolError(406, f"cannot produce {asked} for a {analysis.form or 'query'}; "
                                 f"available: {formats.describe_choices(family)}")
    headers = {**_cors_for(origin, settings), "Vary": "Accept, Origin",  # negotiated: caches must key on it
               "content-type": formats.content_type(media_type),
               **assist.warning_headers(query, terms, settings.base_iri)}
    raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
    return _Plan(query, default_graphs or None, named_graphs or None, media_type, headers, raw,
                 options.labels)


async def sparql_endpoint(request: Request) -> Response:
    method = request.method
    if method not in ("GET", "POST"):  # HEAD (see the routes below)
        raise HTTPException(405, headers={"Allow": "GET, POST"})
    state = request.app.state
    settings: Settings = state.settings
    engine: QueryEngine = state.engine
    budget: QueryBudget = state.budget
    client = request.client.host if request.client else None
    plan: _Plan | None = None
    try:
        blocked = _budget_blocked(budget, client)
        if blocked:
            raise blocked
        plans = _plans(state, settings)
        found = plans.get(_plan_key(request, engine)) if method == "GET" else None
        if found is None:
            planned = await _plan(request, settings, engine)
            if isinstance(planned, Response):
                return planned
            plan = planned
            # keyed on the graphs it was checked against; long texts would make the table the memory
            if method == "GET" and len(request.scope["query_string"]) <= _PLAN_MAX_BYTES:
                if len(plans) >= _PLANS_MAX:
                    plans.clear()
                plans[_plan_key(request, engine)] = plan
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


class SparqlFastLane:
    """ASGI middleware: GET and POST ``/sparql`` are answered here, before FastAPI's exception
    middleware and router (about 40 % of the time of a light query's whole request); every other
    request goes on to the app unchanged, and so do other methods on ``/sparql`` (405, preflight).
    The same handler as the route: same checks, same answers. The route stays the fallback and the
    OpenAPI entry.

    A GET already answered the same way (same query string, ``Accept``, ``Origin`` and store graphs:
    a known plan) whose result is in the result cache, or which is proven light (run here, see
    `iscg_graph.light`), is answered without even parsing the request again. A GET not seen before
    is planned here from the raw query string and headers, by the handler's own planning function
    (`_plan_params`), then answered the same way: no request or response objects (a sixth of a new
    light query's time in this process). The budget is applied as in the route. A blocked or
    busy client, a request that fails its checks, a query that fails now or must go to a worker:
    all go on to the handler, which gives the same 429, error or answer as it would have.

    Install with ``app.add_middleware(SparqlFastLane)``.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != "/sparql" or scope["method"] not in ("GET", "POST"):
            await self.app(scope, receive, send)
            return
        if scope["method"] == "GET" and await self._get(scope, send):
            return
        response = await sparql_endpoint(Request(scope, receive))
        await response(scope, receive, send)

    async def _get(self, scope: Scope, send: Send) -> bool:
        """Answered a GET here (True), or nothing was sent (False: the handler answers it)."""
        state = scope["app"].state
        settings: Settings = state.settings
        engine: QueryEngine | None = getattr(state, "engine", None)
        answer_now = getattr(engine, "answer_now", None)
        graphs = getattr(engine, "graphs", None)
        if engine is None or answer_now is None or graphs is None:
            return False
        accept = origin = None
        for name, value in scope["headers"]:
            if name == b"accept" and accept is None:
                accept = value.decode("latin-1")
            elif name == b"origin" and origin is None:
                origin = value.decode("latin-1")
        plans = _plans(state, settings)
        raw_query = scope["query_string"]
        key = (raw_query, accept, origin, graphs())
        plan = plans.get(key)
        if plan is None:
            terms = assist.known_terms(state).peek(engine)
            if len(raw_query) > _PLAN_MAX_BYTES or terms is None:  # the handler loads the terms
                return False
            try:
                plan = _plan_params(_url_params(raw_query, settings), None, accept, origin, settings, engine,
                                    terms)
            except (ProtocolError, QueryError):  # the handler finds the same fault and says it
                return False
            if plan is None:  # no query: the service description
                return False
            if len(plans) >= _PLANS_MAX:
                plans.clear()
            plans[(raw_query, accept, origin, graphs())] = plan  # keyed on the graphs it was checked against
        if plan.labels:  # a second query after the first: the handler does it
            return False
        budget: QueryBudget = state.budget
        client = scope["client"][0] if scope.get("client") else None
        if budget.retry_after(client) is not None:
            return False
        if not budget.start(client):
            return False
        started = time.monotonic()
        try:
            result = answer_now(plan.query, media_type=plan.media_type, default_graph=plan.default_graphs,
                                named_graphs=plan.named_graphs, row_limit=settings.result_limit)
        except QueryError:  # e.g. over the result limit after a write: the handler says so
            result = None
        finally:
            budget.finish(client, time.monotonic() - started)
        if result is None or result.media_type != plan.media_type:
            return False
        headers = [*plan.raw_headers, (b"content-length", str(len(result.body)).encode("latin-1"))]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": result.body})
        return True
