"""``/reports/new-since``: the candidate overlaps and recorded mappings that came with the items new
since a release or a study period (form, two tables, CSV/XLSX downloads of both in one table).

Thin: parse the choice (``release`` or ``since_period``, and ``min_score``), call
`iscg_graph.overlap.new_since.new_since` once, shape the page or the file. Included before the
reports router, whose ``/reports/{name}`` would otherwise take this path.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from iscg_graph.build.releases import list_releases
from iscg_graph.errors import ParameterError
from iscg_graph.overlap.new_since import QUERY, NewSince, Since, new_since, new_since_table, release_items
from iscg_graph.query.engine import QueryEngine
from iscg_graph.query.reports import choices
from iscg_graph.rdf.store import StoreMeta
from iscg_graph.render.table import TableFormat, render
from iscg_graph.render.table_view import ALL_ROWS, PER_PAGE_CHOICES
from iscg_graph.render.tabular import iri_path

from .. import i18n
from .. import openapi as oa
from ..candidate_index import get_index
from ..i18n.values import translate_values
from ..new_since_view import CANDIDATE_COLUMNS, Shown, parse_shown, selection, views
from ..querying import base_iri_of, catalog_of, public_link, query_engine, timeout_of
from ..release_engines import find_release, release_root, snapshot_of
from ..templating import templates

__all__ = ["router"]

router = APIRouter(tags=["reports"])
EngineDep = Annotated[QueryEngine, Depends(query_engine)]
Period = Annotated[str | None, Query(description="New since this study period (e.g. 2018-2021).")]
ReleaseName = Annotated[str | None, Query(description="New since this release (its name).",
                                          pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
MinScore = Annotated[float, Query(ge=0, le=1, description="Candidates scoring at least this (0 to 1).")]
TITLE = "What came new since a release or a study period"
# the tables' view (api/new_since_view.py), declared so the OpenAPI document tells them; read as text
# and checked there, so a bad one is shown with the form (422) naming it
Filter = Annotated[str | None, Query(description="Only rows containing every word of this (both tables).",
                                     max_length=200)]
PerPage = Annotated[Literal["25", "50", "100", "250", "all"] | None,
                    Query(description="Rows per page of each table: 25, 50, 100, 250 or all.")]
# the columns depend on the answer: left out of the schema, as the other reports' sort is; an
# unknown column is a 422 naming it
Sort = Annotated[str | None, Query(description="The column (its variable name) to sort this table by.",
                                   include_in_schema=False)]
Direction = Annotated[Literal["asc", "desc"] | None, Query(description="asc or desc.")]
PageNo = Annotated[int | None, Query(ge=1, le=1_000_000, description="The page of this table (from 1).")]


def _view_params(q: Filter = None, per_page: PerPage = None, cand_sort: Sort = None,
                 cand_dir: Direction = None, cand_page: PageNo = None, rec_sort: Sort = None,
                 rec_dir: Direction = None, rec_page: PageNo = None) -> dict[str, str]:
    given = {"q": q, "per_page": per_page, "cand_sort": cand_sort, "cand_dir": cand_dir,
             "cand_page": cand_page, "rec_sort": rec_sort, "rec_dir": rec_dir, "rec_page": rec_page}
    return {k: str(v) for k, v in given.items() if v is not None}


ViewDep = Annotated[dict[str, str], Depends(_view_params)]


def _meta(request: Request) -> StoreMeta:
    store = getattr(request.app.state, "store", None)
    return store.meta if store is not None else StoreMeta()


def _since(request: Request, period: str | None, release: str | None) -> Since:
    """The choice; a release and a period together: new by either; neither: everything."""
    period, release = (period or "").strip() or None, (release or "").strip() or None
    if release is None:
        return Since(period=period)
    found = find_release(request.app.state.settings, release)  # 404 naming it if unknown
    return Since(period=period, release=found.name, items=release_items(snapshot_of(request.app, found)))


def _run(request: Request, engine: QueryEngine, since: Since, min_score: float) -> NewSince:
    return new_since(engine, catalog_of(request), get_index(request), since, base_iri=base_iri_of(request),
                     min_score=min_score, timeout=timeout_of(request))


def _values(period: str | None, release: str | None, min_score: float) -> dict[str, str]:
    values = {"since_period": period or "", "release": release or "", "min_score": f"{min_score:g}"}
    return {k: v for k, v in values.items() if v}


@router.get("/reports/new-since", response_class=HTMLResponse, summary=TITLE,
            responses=oa.answers(oa.HTML, 404, *oa.ENGINE_ERRORS, error_media=(oa.HTML, oa.JSON)))
def new_since_page(request: Request, engine: EngineDep, shown_params: ViewDep, since_period: Period = None,
                   release: ReleaseName = None, min_score: MinScore = 0.2) -> Response:
    error: ParameterError | None = None
    result: NewSince | None = None
    shown, tables = Shown(), None
    try:
        since = _since(request, since_period, release)
        shown = parse_shown(shown_params)
        if since.period or since.release:  # nothing chosen: the form alone
            result = _run(request, engine, since, min_score)
            # the words the query writes (the recorded rows' origin) in the visitor's language
            result = replace(result, recorded=translate_values(result.recorded, "new-since",
                                                               i18n.ui_language(request)))
            tables = views(result, shown)
    except ParameterError as exc:  # shown with the form; other errors: the app's policy
        error = exc
    base = base_iri_of(request)
    settings = request.app.state.settings
    values = _values(since_period, release, min_score)
    context: dict[str, Any] = {
        "title": TITLE,
        "periods": choices(engine, catalog_of(request), "list-study-periods", base_iri=base),
        "releases": list_releases(release_root(settings)),
        "since_period": since_period or "",
        "release": release or "",
        "min_score": min_score,
        "result": result,
        "error": error,
        "meta": _meta(request),
        "query": QUERY,
        "query_string": shown.download_query(values),
        "values": values,
        "shown": shown,
        "candidates": tables[0] if tables else None,
        "recorded": tables[1] if tables else None,
        "candidate_columns": CANDIDATE_COLUMNS,
        "per_page_choices": PER_PAGE_CHOICES,
        "all_rows": ALL_ROWS,
        "link": lambda table, **changes: shown.link(table, values, **changes),
        "unfiltered": shown.unfiltered(values),
        "iri_path": lambda iri: iri_path(iri, base),
    }
    return templates.TemplateResponse(request, "reports/new_since.html", context,
                                      status_code=422 if error else 200)


def _download(request: Request, engine: QueryEngine, fmt: TableFormat, since_period: str | None,
              release: str | None, min_score: float, shown_params: dict[str, str]) -> Response:
    since = _since(request, since_period, release)
    shown = parse_shown(shown_params)
    result = _run(request, engine, since, min_score)
    # the whole selection the page's filter chose, each table in its shown order; never one page
    table, columns = new_since_table(selection(result, shown))
    lang = i18n.ui_language(request)
    table = translate_values(table, "new-since", lang)  # the words written by the library and the query
    computed = [("Data version", _meta(request).data_version), ("Query", QUERY),
                ("Release", since.release or ""), ("Study period", since.period or ""),
                ("Minimum score", f"{min_score:g}")]
    if shown.candidates.filter:
        computed.append(("Show rows containing", shown.candidates.filter))
    out = render(table, [replace(c, title=i18n.gettext(lang, c.title)) for c in columns], fmt,
                 title=i18n.gettext(lang, TITLE),
                 computed_from=[(i18n.gettext(lang, k), v) for k, v in computed], bom=True,
                 link=public_link(request))
    headers = {"Content-Disposition": f'attachment; filename="{out.filename("new-since")}"',
               "X-ISCG-Data-Version": _meta(request).data_version}
    return Response(out.body, media_type=out.content_type, headers=headers)


@router.get("/reports/new-since.csv", summary="What came new since a release or a study period, as CSV",
            response_class=Response, responses=oa.answers(oa.CSV, 404, *oa.ENGINE_ERRORS))
def new_since_csv(request: Request, engine: EngineDep, shown_params: ViewDep, since_period: Period = None,
                  release: ReleaseName = None, min_score: MinScore = 0.2) -> Response:
    return _download(request, engine, "csv", since_period, release, min_score, shown_params)


@router.get("/reports/new-since.xlsx", summary="What came new since a release or a study period, as Excel",
            response_class=Response, responses=oa.answers(oa.XLSX, 404, *oa.ENGINE_ERRORS))
def new_since_xlsx(request: Request, engine: EngineDep, shown_params: ViewDep, since_period: Period = None,
                   release: ReleaseName = None, min_score: MinScore = 0.2) -> Response:
    return _download(request, engine, "xlsx", since_period, release, min_score, shown_params)
