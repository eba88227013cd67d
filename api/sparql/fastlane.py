"""`SparqlFastLane`: answers a ``/sparql`` GET before the app's stack when no handler is needed.

ASGI middleware, the outermost: a GET whose plan is known or made here (`plan.plan_get`, the
route's own planning) and whose answer the engine gives at once (`QueryEngine.answer_now`: the
result cache, or a query proven light, run here) is sent from here, with no request or response
objects (a cached answer takes a fraction of the time the full stack takes). Everything else goes
on to the app unchanged, and the route gives the answer, 429 or error it always gives:

- a request with an ``Origin`` header (a browser's cross-origin call: `CORSMiddleware` answers
  for those), any other method or path;
- a query string or ``Accept`` header too long to remember a plan for;
- a request that fails a check (the route raises the same error and the app's policy answers);
- a blocked or busy client (the budget is the route's to refuse);
- a query that must wait (a worker) or fails now.

Install it last (``app.add_middleware(SparqlFastLane)`` after the others), so it sits outside them.
"""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Receive, Scope, Send

from iscg_graph.errors import QueryError
from iscg_graph.query.engine import QueryEngine
from iscg_graph.render.negotiation import MAX_CACHED

from .. import query_assist as assist
from ..budget import QueryBudget
from ..settings import Settings
from .plan import plan_get, rememberable
from .protocol import ProtocolError

__all__ = ["SparqlFastLane"]


class SparqlFastLane:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] != "http" or scope["path"] != "/sparql" or scope["method"] != "GET"
                or not await self._answer(scope, send)):
            await self.app(scope, receive, send)

    async def _answer(self, scope: Scope, send: Send) -> bool:
        """Answered here (True), or nothing was sent (False: the app answers)."""
        accept = None
        for name, value in scope["headers"]:
            if name == b"origin":
                return False
            if name == b"accept" and accept is None:
                if len(value) > MAX_CACHED:  # not decoded: no plan is remembered for it anyway
                    return False
                accept = value.decode("latin-1")
        raw_query: bytes = scope["query_string"]
        if not rememberable(raw_query, accept):
            return False
        state = scope["app"].state
        settings: Settings = state.settings
        try:
            engine: QueryEngine = state.engine
        except AttributeError:  # not started (no lifespan): the route says so
            return False
        try:
            terms = assist.known_terms(state).peek(engine)
        except QueryError:  # a remote store slow to list its graphs: the route answers (503), not a 500
            return False
        if terms is None:  # the route loads the known terms (for warnings) first
            return False
        try:
            plan = plan_get(state, settings, engine, raw_query, accept, terms)
        except (ProtocolError, QueryError):  # the route finds the same fault and raises it
            return False
        if plan is None or plan.labels:  # the service description; labels: a second query, the route's
            return False
        budget: QueryBudget = state.budget
        client = scope["client"][0] if scope.get("client") else None
        if budget.retry_after(client) is not None or not budget.start(client):
            return False
        started = time.monotonic()
        try:
            result = engine.answer_now(plan.query, media_type=plan.media_type,
                                       default_graph=plan.default_graphs, named_graphs=plan.named_graphs,
                                       row_limit=settings.result_limit)
        except QueryError:  # e.g. over the result limit after a write: the route says so
            result = None
        finally:
            budget.finish(client, time.monotonic() - started)
        if result is None or result.media_type != plan.media_type:
            return False
        headers = [*plan.raw_headers, (b"content-length", str(len(result.body)).encode("latin-1"))]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": result.body})
        return True
