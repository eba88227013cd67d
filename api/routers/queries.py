"""Canned queries as a typed API: ``GET /api/queries`` and one operation per ``queries/*.rq``.

Each canned query gets its own route, ``GET /api/queries/<name>``, whose OpenAPI operation lists the
query's parameters with their types. The routes are built from the `QuerySpec` list when the router
is built (`build_router`); each is served by a small `CannedQueryEndpoint` object rather than a
closure, so the handler for a query is a named, inspectable thing that holds its spec.

Values are type-checked twice: by FastAPI from the declared Python type (integer, enum of Sector
codes or scheme slugs) and by `QuerySpec.bind`, which turns them into typed RDF terms handed to the
engine as substitutions. The query text is never altered. Unknown or ill-typed parameters get 422
naming the parameter.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from enum import Enum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from iscg_graph.errors import NotAcceptable, ParameterError, UnknownQuery
from iscg_graph.query.catalog import SCHEME_SLUGS, SECTOR_CODES, ParamSpec, QueryCatalog, QuerySpec
from iscg_graph.query.engine import QueryEngine
from iscg_graph.query.paging import DEFAULT_LIMIT, PageRequest
from iscg_graph.render.negotiation import negotiate
from iscg_graph.render.table import render
from iscg_graph.render.tabular import ResultTable

from .. import openapi as oa
from ..query_pages import PAGE_PARAMS, LimitParam, OffsetParam, TotalParam, paged_json
from ..querying import DEFAULT_CATALOG, FORMATS, base_iri_of, catalog_of, query_engine, timeout_of

__all__ = ["CannedQueryEndpoint", "build_router", "catalog_of", "query_engine", "router"]

OutputFormat = Enum("OutputFormat", {k: k for k in FORMATS}, type=str)  # type: ignore[misc]
SectorCode = Enum("SectorCode", {k.replace("-", "_"): k for k in SECTOR_CODES}, type=str)  # type: ignore[misc]
SchemeSlug = Enum("SchemeSlug", {k.replace("-", "_"): k for k in SCHEME_SLUGS}, type=str)  # type: ignore[misc]


_BY_MEDIA = {media: name for name, media in FORMATS.items()}


def choose_format(request: Request, fmt: str | None) -> str:
    """``format=`` if given, else the Accept header, negotiated as on every route (406 if nothing fits)."""
    if fmt:
        return fmt
    accept = request.headers.get("accept")
    chosen = negotiate(accept, tuple(FORMATS.values()), aliases={"application/json": FORMATS["json"]})
    if chosen is None:
        raise NotAcceptable(accept or "", tuple(FORMATS.values()))
    return _BY_MEDIA[chosen]


# slash-separated slugs, none of them "." or ".." (as QuerySpec.bind checks), after an optional IRI prefix
_ID_PATTERN = r"^(https?://[^\s<>\"{}|\\^`]+/)?[a-z0-9.-]*[a-z0-9-][a-z0-9.-]*(/[a-z0-9.-]*[a-z0-9-][a-z0-9.-]*)*$"


def _annotation(p: ParamSpec) -> Any:
    """The Python type FastAPI checks and documents for one declared parameter."""
    base: Any
    if p.type == "integer":
        base = int
    elif p.type == "sector":
        base = SectorCode
    elif p.type == "scheme":
        base = SchemeSlug
    else:
        base = str
    doc = p.description or p.label
    kind = {
        "iri": "an absolute IRI",
        "theme": "a theme IRI, or scheme/notation such as resolution-areas/27",
        "study_group": "a study group IRI, or sector/period/slug such as itu-t/2017-2020/sg17",
        "study_period": "years YYYY-YYYY, e.g. 2018-2021",
        "string": "text",
    }.get(p.type)
    description = f"{doc} ({kind})" if kind else doc
    extra: dict[str, Any] = {"description": description, "title": p.label or p.name}
    if p.type == "integer":
        if p.minimum is not None:
            extra["ge"] = p.minimum
        if p.maximum is not None:
            extra["le"] = p.maximum
    if p.type == "study_period":
        # not \d: it matches any script's digits; the app's document narrows it to the data's periods
        extra["pattern"] = r"^[0-9]{4}-[0-9]{4}$"
    if p.enum:  # a closed choice declared by the query (checked again by QuerySpec.bind)
        extra["json_schema_extra"] = {"enum": list(p.enum)}
    if p.type == "score":  # 0 to 1, at most four decimals (as QuerySpec.bind checks)
        extra["pattern"] = r"^(0(\.[0-9]{1,4})?|1(\.0{1,4})?|\.[0-9]{1,4})$"
    if p.type in ("theme", "study_group"):  # the part after {base}id/<kind>/, or the whole IRI
        extra["pattern"] = _ID_PATTERN
    if p.required:
        return Annotated[base, Query(**extra)]
    return Annotated[base | None, Query(**extra)]


class CannedQueryEndpoint:
    """The handler of one canned query: checks parameters, runs the query, shapes the response."""

    def __init__(self, spec: QuerySpec):
        self.spec = spec
        self.__name__ = "run_" + spec.name.replace("-", "_")
        params = [
            inspect.Parameter("request", inspect.Parameter.KEYWORD_ONLY, annotation=Request),
            inspect.Parameter(
                "engine",
                inspect.Parameter.KEYWORD_ONLY,
                annotation=QueryEngine,
                default=Depends(query_engine),
            ),
            inspect.Parameter(
                "format",
                inspect.Parameter.KEYWORD_ONLY,
                default=None,
                annotation=Annotated[
                    OutputFormat | None,
                    Query(
                        description="json (SPARQL results, the default), csv (SPARQL CSV), xlsx or html; "
                        "or use the Accept header"
                    ),
                ],
            ),
            inspect.Parameter("limit", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=LimitParam),
            inspect.Parameter("offset", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=OffsetParam),
            inspect.Parameter("total", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=TotalParam),
        ]
        for p in spec.params:
            default: object = inspect.Parameter.empty if p.required else p.default
            if not p.required and p.type == "integer" and p.default is not None:
                default = int(p.default)
            params.append(
                inspect.Parameter(
                    p.name, inspect.Parameter.KEYWORD_ONLY, annotation=_annotation(p), default=default
                )
            )
        self.__signature__ = inspect.Signature(params, return_annotation=Response)

    def __call__(
        self,
        *,
        request: Request,
        engine: QueryEngine,
        format: Any = None,
        limit: int | None = None,
        offset: int | None = None,
        total: bool | None = None,
        **values: Any,
    ) -> Response:
        known = {p.name for p in self.spec.params} | {"format", *PAGE_PARAMS}
        for name in request.query_params:
            if name not in known:
                allowed = ", ".join(sorted(known))
                message = f"unknown parameter for query {self.spec.name!r} (allowed: {allowed})"
                raise ParameterError(name, message)
        raw = {k: (None if v is None else str(getattr(v, "value", v))) for k, v in values.items()}
        fmt = choose_format(request, getattr(format, "value", format))
        # the library's errors are answered by the app's one policy (api.errors)
        if fmt == "json":  # an answer to read: one page; the other formats are files with every row
            page = PageRequest(DEFAULT_LIMIT if limit is None else limit, offset or 0)
            return paged_json(request, self.spec, raw, page, engine, base_iri_of(request),
                              timeout_of(request), total=bool(total))
        return run_canned(self.spec, raw, fmt, engine, base_iri_of(request), timeout_of(request))


def run_canned(
    spec: QuerySpec,
    raw: Mapping[str, str | None],
    fmt: str,
    engine: QueryEngine,
    base_iri: str,
    timeout: float | None,
) -> Response:
    substitutions = spec.bind(raw, base_iri)
    if fmt == "csv":
        result = engine.run(spec.text, media_type="text/csv", substitutions=substitutions, timeout=timeout)
        return Response(
            result.body,
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{spec.name}.csv"'},
        )
    result = engine.run(spec.text, media_type=FORMATS["json"], substitutions=substitutions, timeout=timeout)
    if fmt == "json":
        return Response(result.body, media_type=FORMATS["json"])
    table = ResultTable.from_sparql_json(result.body)
    columns = table.columns(spec.columns, hide=[p.name for p in spec.params])
    given = spec.effective_params(raw)
    about = [
        ("Query", spec.name),
        ("Parameters", ", ".join(f"{k} = {v}" for k, v in given.items()) or "none"),
    ]
    out = render(table, columns, "xlsx" if fmt == "xlsx" else "html", title=spec.summary, computed_from=about,
                 base_iri=base_iri)
    attachment = {"Content-Disposition": f'attachment; filename="{out.filename(spec.name)}"'}
    headers = attachment if fmt == "xlsx" else {}
    return Response(out.body, media_type=out.content_type, headers=headers)


def list_queries(request: Request) -> dict[str, Any]:
    catalog = catalog_of(request)
    return {
        "queries": [
            {
                **spec.to_json(),
                "href": f"/api/queries/{name}",
                "report_href": f"/reports/{name}" if spec.report else None,
            }
            for name, spec in catalog.items()
        ]
    }


def unknown_query(name: str) -> Response:
    raise UnknownQuery(f"no canned query named {name!r}; see /api/queries")


def build_router(catalog: QueryCatalog) -> APIRouter:
    """One GET operation per canned query, plus the listing."""
    api = APIRouter(prefix="/api/queries", tags=["canned queries"])
    api.add_api_route(
        "",
        list_queries,
        methods=["GET"],
        summary="Every canned query with its metadata",
        description="Name, summary, description, tags and parameters (type, required, default, "
        "allowed values) of every canned query.",
    )
    for name, spec in catalog.items():
        api.add_api_route(
            f"/{name}",
            CannedQueryEndpoint(spec),
            methods=["GET"],
            summary=spec.summary,
            description=spec.description or spec.summary,
            operation_id=f"query_{name.replace('-', '_')}",
            tags=["canned queries", *spec.tags],
            response_class=Response,
            responses=oa.answers(FORMATS.values(), 406, *oa.ENGINE_ERRORS),
        )
    api.add_api_route("/{name}", unknown_query, methods=["GET"], include_in_schema=False)
    return api


router = build_router(DEFAULT_CATALOG)
