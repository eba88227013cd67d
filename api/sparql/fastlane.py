"""`SparqlFastLane`: ASGI middleware answering ``/sparql`` before FastAPI's stack, with the route's
own planning and handler (see `api.sparql.route`)."""

from __future__ import annotations

import time

from fastapi import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from iscg_graph.errors import QueryError
from iscg_graph.query.engine import QueryEngine

from ..budget import QueryBudget
from ..settings import Settings
from . import assist
from .plan import PLAN_MAX_BYTES, PLANS_MAX, plan_params, plans_of
from .protocol import ProtocolError, url_params
from .route import sparql_endpoint


class SparqlFastLane:
    """ASGI middleware: GET and POST ``/sparql`` are answered here, before FastAPI's exception
    middleware and router (about 40 % of the time of a light query's whole request); every other
    request goes on to the app unchanged, and so do other methods on ``/sparql`` (405, preflight).
    The same handler as the route: same checks, same answers. The route stays the fallback and the
    OpenAPI entry.

    A GET already answered the same way (same query string, ``Accept``, ``Origin`` and store graphs:
    a known plan) whose result is in the result cache, or which is proven light (run here, see
    `iscg_graph.query.light`), is answered without even parsing the request again. A GET not seen before
    is planned here from the raw query string and headers, by the handler's own planning function
    (`plan_params`), then answered the same way: no request or response objects (a sixth of a new
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
        plans = plans_of(state, settings)
        raw_query = scope["query_string"]
        key = (raw_query, accept, origin, graphs())
        plan = plans.get(key)
        if plan is None:
            terms = assist.known_terms(state).peek(engine)
            if len(raw_query) > PLAN_MAX_BYTES or terms is None:  # the handler loads the terms
                return False
            try:
                plan = plan_params(url_params(raw_query, settings), None, accept, origin, settings, engine,
                                   terms)
            except (ProtocolError, QueryError):  # the handler finds the same fault and says it
                return False
            if plan is None:  # no query: the service description
                return False
            if len(plans) >= PLANS_MAX:
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
