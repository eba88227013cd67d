"""Reports for policy staff: ``/reports`` (the list) and ``/reports/<name>`` (form, table, chart,
downloads, "computed from"), plus ``/reports/<name>.csv`` and ``.xlsx``.

Every report is a canned query with a ``report:`` block in its header (see iscg_graph.query.reports); the
page offers its parameters as choices (Sectors, study periods, Annex lists, themes, study groups by
label), never as IRIs. Charts are server-side SVG drawn by the templates: no script, no CDN.

Static files (``/static/…``) are mounted by ``api.main.create_app``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from iscg_graph.errors import ParameterError, UnknownQuery
from iscg_graph.query.catalog import SECTOR_CODES, ParamSpec, QueryCatalog
from iscg_graph.query.engine import QueryEngine
from iscg_graph.query.report_pages import run_report_page
from iscg_graph.query.reports import (
    ReportResult,
    ReportSpec,
    bars,
    choices,
    heatmap,
    report_specs,
    run_report,
)
from iscg_graph.rdf.store import StoreMeta
from iscg_graph.render.table import TableFormat, render
from iscg_graph.render.table_view import (
    ALL_ROWS,
    PER_PAGE_CHOICES,
    TableView,
    natural_key,
    sort_and_filter,
    view,
)
from iscg_graph.render.tabular import iri_path

from .. import i18n
from .. import openapi as oa
from ..i18n.values import translate_values
from ..querying import base_iri_of, catalog_of, public_link, query_engine, timeout_of
from ..table_params import VIEW_PARAMS, ViewParams, parse_view
from ..templating import templates

__all__ = ["router", "templates"]

API_DIR = Path(__file__).resolve().parent.parent
STATIC_DIR = API_DIR / "static"

router = APIRouter(tags=["reports"])
EngineDep = Annotated[QueryEngine, Depends(query_engine)]


def _meta(request: Request) -> StoreMeta:
    store = getattr(request.app.state, "store", None)
    return store.meta if store is not None else StoreMeta()


def _report(catalog: QueryCatalog, name: str) -> ReportSpec:
    spec = catalog[name]  # UnknownQuery if absent
    if not spec.report:
        raise UnknownQuery(f"{name!r} is a canned query but not a report")
    return ReportSpec.from_query(spec)


def _values(request: Request, report: ReportSpec) -> tuple[dict[str, str], str | None]:
    """The submitted parameter values (empty = not given) and the first unknown name, if any."""
    known = {p.name for p in report.query.params}
    # `lang` chooses the interface language (api/i18n) on every page, so it is never a report's
    unknown = next(
        (k for k in request.query_params if k not in known and k not in VIEW_PARAMS and k != "lang"), None
    )
    values = {k: v for k, v in request.query_params.items() if k in known and v.strip() != ""}
    return values, unknown


def _field(p: ParamSpec, engine: QueryEngine, catalog: QueryCatalog, base_iri: str) -> dict[str, Any]:
    """How the form offers one parameter: a select with labelled choices, or a plain input."""
    options: list[tuple[str, str]] = []
    if p.type == "sector":
        labels = {"GS": "General Secretariat"}
        options = [(code, labels.get(code, code)) for code in SECTOR_CODES]
    elif p.choices_query and p.choices_query in catalog:
        # natural order of what people read: SG2 before SG11, §1.2 item 2 before item 10
        options = sorted(
            choices(engine, catalog, p.choices_query, base_iri=base_iri), key=lambda o: natural_key(o[1])
        )
    elif p.allowed_values():
        options = p.option_labels()
    return {
        "name": p.name,
        "label": p.label or p.name.replace("_", " ").capitalize(),
        "description": p.description,
        "required": p.required,
        "empty_label": p.empty_label or "Any",
        "default": p.default or "",
        "options": options,
        "own_words": not p.choices_query,  # the options' words are the interface's (translated), not data
        "input": "number" if p.type == "integer" else "text",
        "minimum": p.minimum,
        "maximum": p.maximum,
    }


def _chart(result: ReportResult, values: Mapping[str, str], base_iri: str) -> dict[str, Any] | None:
    chart = result.report.chart
    if not chart or not result.table.rows:
        return None
    if chart.get("kind") == "heatmap":
        heat = heatmap(result.table, chart)
        codes = {f"{base_iri}id/sector/{slug}": code for code, slug in SECTOR_CODES.items()}
        links: list[list[str | None]] = []
        for a in heat.iris:
            row_links: list[str | None] = []
            for b in heat.iris:
                if chart.get("drilldown") and a in codes and b in codes and a != b:
                    query = {"sector_a": codes[a], "sector_b": codes[b]}
                    query.update({k: v for k, v in values.items() if k in ("study_period", "count")})
                    row_links.append(f"/reports/{chart['drilldown']}?{urlencode(query)}")
                else:
                    row_links.append(None)
            links.append(row_links)
        return {
            "kind": "heatmap",
            "data": heat,
            "links": links,
            "value_title": _title(result, chart["value"]),
        }
    if chart.get("kind") == "bars":
        data = bars(result.table, chart)
        if not data:
            return None
        return {
            "kind": "bars",
            "data": data,
            "maximum": max(b.length for b in data),
            "colours": ["#2e75b6", "#70ad47", "#ed7d31", "#7f6000"],
            "value_title": _title(result, chart["value"]),
            "series_titles": {s: _title(result, s) for s in chart.get("series", [])},
        }
    return None


def _in_words(result: ReportResult, fields: list[dict[str, Any]], lang: str) -> ReportResult:
    """ "computed from" with each parameter's label and the chosen option's words (never a raw IRI),
    in the visitor's language where they are the interface's words (not data)."""
    described = []
    for f in fields:
        raw = result.computed_from.params.get(f["name"])
        if raw is None:
            continue
        words = dict(f["options"]).get(raw, raw)
        if f["own_words"] and raw in dict(f["options"]):
            words = i18n.gettext(lang, words)
        described.append((i18n.gettext(lang, f["label"]), words))
    return replace(result, computed_from=result.computed_from.in_words(described))


_ITEM_PARAMS = {"theme": "theme", "study_group": "study-group", "scheme": "scheme"}


def _full_iris(report: ReportSpec, values: dict[str, str], base: str) -> dict[str, str]:
    """Item choices given by their short path (``theme=resolution-areas/27``, as resource pages link)
    -> the full IRI the form's options carry, so the choice shows as selected."""
    out = dict(values)
    for p in report.query.params:
        kind, raw = _ITEM_PARAMS.get(p.type), out.get(p.name)
        if kind and raw and not raw.startswith(("http://", "https://")):
            out[p.name] = f"{base}id/{kind}/{raw.strip('/')}"
    return out


def _about(report: ReportSpec, values: Mapping[str, str], fields: list[dict[str, Any]], base: str) -> list:
    """The items a report was asked about, as (words, link to the item's page): the way back."""
    out = []
    options = {f["name"]: dict(f["options"]) for f in fields}
    for p in report.query.params:
        kind, raw = _ITEM_PARAMS.get(p.type), values.get(p.name)
        if kind is None or not raw:
            continue
        iri = raw if raw.startswith(("http://", "https://")) else f"{base}id/{kind}/{raw.strip('/')}"
        words = options.get(p.name, {}).get(iri)
        if words:  # only what the form offers (a value it does not know is reported as an error)
            out.append((p.label or p.name, words, iri_path(iri, base)))
    return out


def _check_sort(shown: ViewParams, result: ReportResult) -> None:
    titles = {c.name: c.title for c in result.columns}
    if shown.sort and shown.sort not in titles:
        raise ParameterError("sort", f"is not a column of this report (columns: {', '.join(titles)})")


def _localised(request: Request, result: ReportResult) -> ReportResult:
    """The words the query writes itself (statuses, kinds, evidence) in the visitor's language, for the
    page and the downloads alike; the query's answer stays English elsewhere (api/i18n/values.py)."""
    table = translate_values(result.table, result.report.query.name, i18n.ui_language(request))
    return replace(result, table=table)


def _title(result: ReportResult, var: str) -> str:
    return result.report.query.columns.get(var, var.replace("_", " "))


@router.get("/reports", response_class=HTMLResponse, summary="The reports, in plain language",
            responses=oa.answers(oa.HTML))
def reports_index(request: Request) -> HTMLResponse:
    catalog = catalog_of(request)
    return templates.TemplateResponse(
        request, "reports/index.html", {"reports": report_specs(catalog), "meta": _meta(request)}
    )


def _download(request: Request, name: str, engine: QueryEngine, fmt: TableFormat) -> Response:
    """The report's table as a file; its errors are the app's (api.errors), as on every route."""
    catalog = catalog_of(request)
    report = _report(catalog, name)
    values, unknown = _values(request, report)
    if unknown:
        raise ParameterError(unknown, f"unknown parameter for report {name!r}")
    result = run_report(
        engine,
        catalog,
        name,
        values,
        _meta(request),
        base_iri=base_iri_of(request),
        timeout=timeout_of(request),
    )
    fields = [_field(p, engine, catalog, base_iri_of(request)) for p in report.query.params]
    shown = parse_view(request.query_params)
    _check_sort(shown, result)
    result = _localised(request, _in_words(result, fields, i18n.ui_language(request)))
    # the whole result the form selected, in the order and with the filter shown; never one page
    rows, _used = sort_and_filter(
        result.table, result.columns, sort=shown.sort, descending=shown.descending, filter=shown.filter
    )
    result = replace(result, table=replace(result.table, rows=tuple(rows)))
    computed = result.computed_from
    # the CSV is a plain table, so what it was computed from travels in headers (and in the XLSX)
    # CSV with a BOM: Excel reads UTF-8 right
    # headers, title and "computed from" in the visitor's language (api/i18n); the data as it is
    lang = i18n.ui_language(request)
    out = render(
        result.table,
        [replace(c, title=i18n.gettext(lang, c.title)) for c in result.columns],
        fmt,
        title=i18n.gettext(lang, report.title),
        computed_from=[(i18n.gettext(lang, k), v) for k, v in computed.items()],
        bom=True,
        link=public_link(request),
    )
    headers = {
        "X-ISCG-Data-Version": computed.data_version,
        "X-ISCG-Query": computed.query,
        "X-ISCG-Parameters": urlencode(computed.params),
        "Content-Disposition": f'attachment; filename="{out.filename(name)}"',
    }
    return Response(out.body, media_type=out.content_type, headers=headers)


@router.get("/reports/{name}.csv", summary="A report as CSV (labels and IRIs)", response_class=Response,
            responses=oa.answers(oa.CSV, 404, *oa.ENGINE_ERRORS))
def report_csv(request: Request, name: str, engine: EngineDep) -> Response:
    return _download(request, name, engine, "csv")


@router.get("/reports/{name}.xlsx", summary="A report as a formatted Excel workbook", response_class=Response,
            responses=oa.answers(oa.XLSX, 404, *oa.ENGINE_ERRORS))
def report_xlsx(request: Request, name: str, engine: EngineDep) -> Response:
    return _download(request, name, engine, "xlsx")


def _store_pages(report: ReportSpec, shown: ViewParams) -> bool:
    """The query's own order, no filter, no chart: the store answers just the page (and the count).
    Any other view needs every row (a sort by another column, words to match, a chart of all rows)."""
    return not (shown.sort or shown.filter or report.chart)


def _page_from_store(
    request: Request,
    engine: QueryEngine,
    catalog: QueryCatalog,
    report: ReportSpec,
    values: dict[str, str],
    fields: list[dict[str, Any]],
    shown: ViewParams,
) -> tuple[ReportResult, TableView]:
    got = run_report_page(
        engine, catalog, report.name, values, _meta(request), page=shown.page, per_page=shown.per_page,
        base_iri=base_iri_of(request), timeout=timeout_of(request),
    )
    result = _localised(request, _in_words(got.result, fields, i18n.ui_language(request)))
    rows = list(result.table.rows)
    table = TableView(rows, got.total, got.total, got.page, got.pages, got.per_page, None, False, "")
    return result, table


@router.get(
    "/reports/{name}", response_class=HTMLResponse, summary="One report: form, table, chart, downloads",
    responses=oa.answers(oa.HTML, 404, *oa.ENGINE_ERRORS, error_media=(oa.HTML, oa.JSON)),
)
def report_page(request: Request, name: str, engine: EngineDep) -> Response:
    catalog = catalog_of(request)
    base_iri = base_iri_of(request)
    try:
        report = _report(catalog, name)
    except UnknownQuery as exc:
        return templates.TemplateResponse(
            request, "reports/not_found.html", {"message": str(exc)}, status_code=404
        )
    values, unknown = _values(request, report)
    values = _full_iris(report, values, base_iri)
    error: ParameterError | None = None
    result: ReportResult | None = None
    missing = [p for p in report.query.params if p.required and p.name not in values]
    shown = ViewParams()
    table: TableView | None = None
    try:
        fields = [_field(p, engine, catalog, base_iri) for p in report.query.params]
        if unknown:
            error = ParameterError(unknown, "is not a parameter of this report")
        elif not missing:
            shown = parse_view(request.query_params)
            if _store_pages(report, shown):
                result, table = _page_from_store(request, engine, catalog, report, values, fields, shown)
            else:
                result = run_report(engine, catalog, name, values, _meta(request), base_iri=base_iri,
                                    timeout=timeout_of(request))
                result = _localised(request, _in_words(result, fields, i18n.ui_language(request)))
                _check_sort(shown, result)
        if result is not None and table is None:
            table = view(
                result.table,
                result.columns,
                sort=shown.sort,
                descending=shown.descending,
                filter=shown.filter,
                page=shown.page,
                per_page=shown.per_page,
            )
    except ParameterError as exc:  # shown on the page, with the form (other errors: the app's policy)
        error = exc
    query_string = shown.download_query(values)
    context = {
        "about": _about(report, values, fields, base_iri) if result else [],
        "view": table,
        "shown": shown,
        "per_page_choices": PER_PAGE_CHOICES,
        "all_rows": ALL_ROWS,
        "link": lambda **changes: shown.query(values, **changes),
        "report": report,
        "fields": fields,
        "values": values,
        "result": result,
        "chart": _chart(result, values, base_iri) if result else None,
        "error": error,
        "missing": missing,
        "meta": _meta(request),
        "base_iri": base_iri,
        "query_string": query_string,
        "iri_path": lambda iri: iri_path(iri, base_iri),
    }
    return templates.TemplateResponse(
        request, "reports/report.html", context, status_code=422 if error else 200
    )
