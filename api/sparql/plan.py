"""What a validated ``/sparql`` request resolves to (`Plan`: query, dataset, media type, response
headers), and the per-app table of plans already made. One planning function, `plan_params`, and
one remembering one, `plan_get`, are shared by the route and the fast lane."""

from __future__ import annotations

from typing import Any, NamedTuple

from iscg_graph.query.engine import QueryEngine
from iscg_graph.query.nesting import check_nesting
from iscg_graph.query.safety import analyse, check_request
from iscg_graph.render import formats
from iscg_graph.render.negotiation import MAX_CACHED, shorten

from .. import query_assist as assist
from ..settings import Settings
from .protocol import ProtocolError, select, url_params

__all__ = ["PLANS_MAX", "PLAN_MAX_BYTES", "Plan", "plan_get", "plan_params", "rememberable"]


class Plan(NamedTuple):
    """What a validated request resolved to: everything but the budget and the run."""

    query: str
    default_graphs: list[str] | None
    named_graphs: list[str] | None
    media_type: str
    headers: dict[str, str]  # for the route: CORSMiddleware adds Origin to Vary
    raw_headers: list[tuple[bytes, bytes]]  # for the fast lane, as ASGI sends them: Vary with Origin,
    # as CORSMiddleware gives it to a request without Origin (the only ones the fast lane answers)
    labels: str | None = None  # labels=<lang>: the query runs as SPARQL JSON, then label columns


PlanKey = tuple[bytes, str | None, frozenset[str]]
PLANS_MAX = 512
PLAN_MAX_BYTES = 8192  # as the result cache's keys


def rememberable(raw_query: bytes, accept: str | None) -> bool:
    """Short enough to be a key: longer texts or headers would make the table the memory."""
    return len(raw_query) <= PLAN_MAX_BYTES and (accept is None or len(accept) <= MAX_CACHED)


def _plans_of(state: Any, settings: Settings) -> dict[PlanKey, Plan]:
    """The app's remembered plans, valid for its current settings object (allow-list, limits)."""
    held = getattr(state, "sparql_plans", None)
    if held is None or held[0] is not settings:
        held = state.sparql_plans = (settings, {})
    plans: dict[PlanKey, Plan] = held[1]
    return plans


def plan_get(state: Any, settings: Settings, engine: QueryEngine, raw_query: bytes,
             accept: str | None, terms: frozenset[str] | None = None) -> Plan | None:
    """A GET's plan: remembered, or made now (raising ProtocolError and the query errors) and
    remembered, keyed on the store graphs it was checked against. None: no query."""
    plans = _plans_of(state, settings)
    key = (raw_query, accept, engine.graphs())
    plan = plans.get(key)
    if plan is not None:
        return plan
    plan = plan_params(url_params(raw_query, settings), None, accept, settings, engine, terms)
    if plan is not None and rememberable(raw_query, accept):
        if len(plans) >= PLANS_MAX:
            plans.clear()
        plans[key] = plan
    return plan


def plan_params(params: list[tuple[str, str]], direct: str | None, accept: str | None, settings: Settings,
                engine: QueryEngine, terms: frozenset[str] | None = None) -> Plan | None:
    """The plan for these protocol parameters (raising ProtocolError and the query errors), or None
    when there is no query. ``terms``: the known classes and properties, for unknown-term warnings."""
    query, default_graphs, named_graphs, format_values = select(params, direct)
    if query is None:
        return None
    check_nesting(query, settings.max_query_depth)  # before any parser: deep nesting kills one
    analysis = analyse(query)
    family: formats.Family = "graph" if analysis.form in ("CONSTRUCT", "DESCRIBE") else "results"
    graphs = engine.graphs(wait=5.0) if analysis.update is None else frozenset()
    check_request(analysis, store_graphs=graphs, allowed=settings.allowed_service_iris,
                  default_graph_uris=default_graphs, named_graph_uris=named_graphs)
    names_dataset = bool(default_graphs or named_graphs or analysis.from_graphs or analysis.from_named)
    try:  # entailment=none, labels=<lang>
        options, without_closure = assist.options_and_dataset(params, graphs, names_dataset)
    except ValueError as exc:
        raise ProtocolError(400, str(exc)) from exc
    if options.labels and family != "results":
        raise ProtocolError(400, f"labels={options.labels} adds columns to SELECT results; "
                                 f"a {analysis.form} has none: leave 'labels' out")
    default_graphs = without_closure or default_graphs
    media_type = formats.negotiate(accept, family, format_values)
    if media_type is None:
        asked = f"format={format_values!r}"[:200] if format_values else f"Accept: {shorten(accept)}"
        raise ProtocolError(406, f"cannot produce {asked} for a {analysis.form or 'query'}; "
                                 f"available: {formats.describe_choices(family)}")
    # negotiated: caches must key on Accept
    warnings = assist.warning_headers(query, terms, settings.base_iri)
    headers = {"Vary": "Accept", "content-type": formats.content_type(media_type), **warnings}
    raw = [(b"vary", b"Accept, Origin"), (b"content-type", headers["content-type"].encode("latin-1"))]
    raw += [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in warnings.items()]
    return Plan(query, default_graphs or None, named_graphs or None, media_type, headers, raw, options.labels)
