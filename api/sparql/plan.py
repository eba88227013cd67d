"""What a validated ``/sparql`` request resolves to (`Plan`: query, dataset, media type, response
headers), shared by the route and the fast lane, and the per-app table of plans already made."""

from __future__ import annotations

from typing import Any, NamedTuple

from fastapi import Request

from iscg_graph.query.engine import QueryEngine
from iscg_graph.query.safety import analyse, check_request
from iscg_graph.render import formats

from ..settings import Settings
from . import assist
from .protocol import ProtocolError, select


def cors_for(origin: str | None, settings: Settings) -> dict[str, str]:
    origins = settings.cors_origins
    if "*" in origins:
        return {"Access-Control-Allow-Origin": "*"}
    if origin and origin in origins:
        return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
    return {}


def store_graphs(engine: QueryEngine) -> frozenset[str]:
    graphs = getattr(engine, "graphs", None)
    return graphs(wait=5.0) if graphs is not None else frozenset()


class Plan(NamedTuple):
    """What a validated request resolved to: everything but the budget and the run."""

    query: str
    default_graphs: list[str] | None
    named_graphs: list[str] | None
    media_type: str
    headers: dict[str, str]
    raw_headers: list[tuple[bytes, bytes]]  # the same, as ASGI sends them
    labels: str | None = None  # labels=<lang>: the query runs as SPARQL JSON, then label columns


PlanKey = tuple[bytes, str | None, str | None, frozenset[str]]
PLANS_MAX = 512
PLAN_MAX_BYTES = 8192  # as the result cache's keys


def plans_of(state: Any, settings: Settings) -> dict[PlanKey, Plan]:
    """The app's remembered plans, valid for its current settings object (allow-list, CORS)."""
    held = getattr(state, "sparql_plans", None)
    if held is None or held[0] is not settings:
        held = state.sparql_plans = (settings, {})
    plans: dict[PlanKey, Plan] = held[1]
    return plans


def plan_key(request: Request, engine: QueryEngine) -> PlanKey:
    headers = request.headers
    graphs = getattr(engine, "graphs", None)
    return (request.scope["query_string"], headers.get("accept"), headers.get("origin"),
            graphs() if graphs is not None else frozenset())


def plan_params(params: list[tuple[str, str]], direct: str | None, accept: str | None, origin: str | None,
                settings: Settings, engine: QueryEngine, terms: frozenset[str] | None = None) -> Plan | None:
    """The plan for these protocol parameters (raising ProtocolError and the query errors), or None
    when there is no query. Shared by the handler and the fast lane's GETs (no request objects)."""
    query, default_graphs, named_graphs, format_values = select(params, direct)
    if query is None:
        return None
    analysis = analyse(query)
    family: formats.Family = "graph" if analysis.form in ("CONSTRUCT", "DESCRIBE") else "results"
    graphs = store_graphs(engine) if analysis.update is None else frozenset()
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
    headers = {**cors_for(origin, settings), "Vary": "Accept, Origin",  # negotiated: caches must key on it
               "content-type": formats.content_type(media_type),
               **assist.warning_headers(query, terms, settings.base_iri)}
    raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
    return Plan(query, default_graphs or None, named_graphs or None, media_type, headers, raw, options.labels)
