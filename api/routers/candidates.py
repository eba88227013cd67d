"""Discovered overlaps: /api/candidates (JSON, CSV, XLSX), /reports/candidates, review, SSSOM export.

Candidates are computed when the store is built or changed (`iscg_graph.overlap.scoring.precompute`) and
served from a memory-mapped columnar index here, reloaded when its header (``candidates.json``) or
the review overlay changes on disk; a review flags the one pair in place (`CandidateIndex.record`).
Review endpoints need ``Authorization: Bearer <ISCG_REVIEW_TOKEN>``; with no token configured (the
default) review is disabled and they answer 403.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Mapping
from datetime import date as Date
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, FastAPI, Header, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field

from iscg_graph.errors import NotAcceptable, ParameterError, StoreError
from iscg_graph.overlap.candidate_view import SORTABLE, view_candidates
from iscg_graph.overlap.columnar import HEADER_FILE as CANDIDATES_FILE
from iscg_graph.overlap.index import CandidateIndex, CandidatePage, candidate_table
from iscg_graph.overlap.lineage_view import group_by_lineage, lineage_table
from iscg_graph.overlap.review import Decision, reviews_graph, sssom_tsv
from iscg_graph.rdf.store import EmbeddedStore
from iscg_graph.render.negotiation import negotiate
from iscg_graph.render.table import MEDIA_TYPES, TableFormat, render, table_format
from iscg_graph.render.table_view import ALL_ROWS, DEFAULT_PER_PAGE, PER_PAGE_CHOICES, natural_key
from iscg_graph.render.tabular import iri_path

from .. import openapi as oa
from ..auth import review_context
from ..candidate_index import get_index, warm_index
from ..candidate_labels import code_options as _code_options
from ..candidate_refresh import index_lock, record_in_index
from ..querying import public_link
from ..settings import Settings
from ..table_params import VIEW_PARAMS, ViewParams, parse_view
from ..templating import templates
from ..writes import Author, record_review

router = APIRouter(tags=["candidates"])
_lock = index_lock

Kind = Literal["question", "resolution", "theme"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _settings(request: Request) -> Settings:
    return request.app.state.settings


def _store(request: Request) -> EmbeddedStore:
    return request.app.state.store


def start_index(app: FastAPI) -> None:
    """At start-up: map the candidate index now; a store without a readable one (none, or one written
    in an older format) computes it in the background.

    Mapping takes milliseconds at any size; computing takes minutes on a very large graph (over six
    at a million triples), which must not hold up the service's start (requests get 503 +
    Retry-After meanwhile, docs/notes/scale.md §7).
    """
    store: EmbeddedStore = app.state.store
    app.state.candidates_off = False
    if store.path is None or _readable_index(store):
        warm_index(app)
        return
    if not app.state.settings.candidates_at_startup:  # the build must write it (get_index: 503)
        app.state.candidates_pending = None
        app.state.candidates_off = True
        return
    worker = threading.Thread(target=warm_index, args=(app,), name="candidate-index", daemon=True)
    app.state.candidates_pending = worker
    worker.start()


def _readable_index(store: EmbeddedStore) -> bool:
    """Whether the store holds a candidate index this version can map (milliseconds)."""
    assert store.path is not None
    if not (store.path / CANDIDATES_FILE).exists():
        return False
    try:
        CandidateIndex.load(store.path)
    except (OSError, StoreError):
        return False
    return True



def _error(status: int, message: str, **extra: object) -> JSONResponse:
    return JSONResponse({"detail": message, **extra}, status_code=status)


_OFFERS: dict[str, TableFormat] = {MEDIA_TYPES["json"]: "json", MEDIA_TYPES["csv"]: "csv", XLSX: "xlsx"}


def _wants(request: Request, fmt: str | None) -> TableFormat:
    if fmt:
        return table_format(fmt)
    accept = request.headers.get("accept")
    chosen = negotiate(accept, tuple(_OFFERS))
    if chosen is None:
        raise NotAcceptable(accept or "", tuple(_OFFERS))
    return _OFFERS[chosen]


def _computed_from(page: CandidatePage, params: Mapping[str, object]) -> list[tuple[str, str]]:
    return [
        ("Data version", page.data_version),
        ("Method", "iscg_graph.overlap.scoring (TF-IDF + graph evidence)"),
        ("Parameters", ", ".join(f"{k}={v}" for k, v in params.items() if v not in (None, ""))),
    ]


@router.get(
    "/api/candidates",
    summary="Candidate overlaps nobody has recorded yet",
    responses=oa.answers((oa.JSON, oa.CSV, oa.XLSX), 422, 503),
)
def list_candidates(
    request: Request,
    index: Annotated[CandidateIndex, Depends(get_index)],
    kind: Kind = "question",
    sector: Annotated[
        str | None, Query(description="Sector code (ITU-D) or theme scheme notation (1.4)")
    ] = None,
    item: Annotated[str | None, Query(description="Only candidates involving this item IRI")] = None,
    min_score: Annotated[float, Query(ge=0, le=1)] = 0.0,
    limit: Annotated[int, Query(ge=1, le=5000)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
    include_recorded: bool = False,
    group: Annotated[
        Literal["pair", "lineage"],
        Query(description="lineage: one entry per pair of lineages (a Question and those continuing it), "
              "its study periods listed, pairs active now first, never-concurrent ones last"),
    ] = "pair",
    format: Annotated[Literal["json", "csv", "xlsx"] | None, Query(description="Overrides Accept")] = None,
) -> Response:
    page = index.query(  # a ParameterError is the app's 422, as on every route
        kind,
        sector=sector,
        item=item,
        min_score=min_score,
        limit=limit,
        offset=offset,
        include_recorded=include_recorded,
    )
    params = {
        "kind": kind,
        "sector": sector,
        "item": item,
        "min_score": min_score,
        "limit": limit,
        "include_recorded": include_recorded,
        "group": group,
    }
    fmt = _wants(request, format)
    if group == "lineage" and fmt == "json":
        grouped = index.lineages(kind, today=Date.today(), sector=sector, item=item, min_score=min_score,
                                 limit=limit, offset=offset, include_recorded=include_recorded)
        return JSONResponse(
            {
                "kind": kind,
                "data_version": grouped.data_version,
                "group": group,
                "total": grouped.total,
                "offset": offset,
                "count": len(grouped.lineages),
                "parameters": params,
                "lineages": [g.to_json() for g in grouped.lineages],
            }
        )
    if fmt in ("csv", "xlsx"):
        # a download is the whole result the form selected, not the page on screen
        if page.total > len(page.candidates):
            page = index.query(
                kind,
                sector=sector,
                item=item,
                min_score=min_score,
                limit=page.total,
                offset=0,
                include_recorded=include_recorded,
            )
        if group == "lineage":  # as the page shows them: one row per lineage pair
            table, columns = lineage_table(group_by_lineage(page.candidates, Date.today()))
        else:
            table, columns = candidate_table(page.candidates)
        out = render(
            table,
            columns,
            fmt,
            title=f"Candidate overlaps ({kind})",
            computed_from=_computed_from(page, params),
            link=public_link(request),
        )
        disposition = f'attachment; filename="{out.filename(f"candidates-{kind}")}"'
        return Response(out.body, media_type=out.content_type, headers={"Content-Disposition": disposition})
    return JSONResponse(
        {
            "kind": kind,
            "data_version": page.data_version,
            "total": page.total,
            "offset": offset,
            "count": len(page.candidates),
            "parameters": params,
            "candidates": [c.to_json() for c in page.candidates],
        }
    )


@router.get(
    "/reports/candidates", response_class=HTMLResponse, summary="Candidate overlaps, for policy staff",
    responses=oa.answers(oa.HTML, 422, 503, media={422: (oa.HTML, oa.JSON), 503: (oa.JSON,)}),
)
def candidates_report(
    request: Request,
    index: Annotated[CandidateIndex, Depends(get_index)],
    kind: Kind = "question",
    sector: str | None = None,
    min_score: Annotated[float, Query(ge=0, le=1)] = 0.0,
    limit: Annotated[int | None, Query(ge=1, le=5000, description="Only the N best-scored pairs")] = None,
    include_recorded: bool = False,
    sort: Annotated[Literal["score", "left_label", "right_label"] | None,
                    Query(description="The column to sort by")] = None,
    dir: Annotated[Literal["asc", "desc"], Query(description="Sort direction")] = "asc",
    q: Annotated[str, Query(max_length=200, description="Only pairs whose row contains every word")] = "",
    page: Annotated[int, Query(ge=1)] = 1,
    per_page: Annotated[Literal["25", "50", "100", "250", "all"],
                        Query(description="Rows per page; all: every row, for printing")] = (
        str(DEFAULT_PER_PAGE)),  # type: ignore[assignment]
) -> Response:
    sector = sector or None
    error = None
    shown = ViewParams()
    form = {k: v for k, v in request.query_params.items() if k not in VIEW_PARAMS and v.strip() != ""}
    try:
        shown = parse_view(request.query_params)
        # the whole selection (or its `limit` best), then sorted, filtered and paged here
        first = index.query(
            kind, sector=sector, min_score=min_score, limit=1, include_recorded=include_recorded
        )
        wanted = max(1, min(first.total, limit or first.total))
        selected = index.query(
            kind, sector=sector, min_score=min_score, limit=wanted, include_recorded=include_recorded
        )
        lineages = group_by_lineage(selected.candidates, Date.today())
        of_best = {id(g.best): g for g in lineages}
        shown_page = view_candidates(
            [g.best for g in lineages],
            sort=shown.sort,
            descending=shown.descending,
            filter=shown.filter,
            page=shown.page,
            per_page=shown.per_page,
        )
    except ParameterError as exc:
        error = str(exc)
        selected = CandidatePage(kind, 0, (), index.data_version)
        shown_page = view_candidates(())
        of_best = {}
    settings = _settings(request)
    # downloads: the whole selection the form made, never the page on screen
    downloads = urlencode(
        {k: v for k, v in form.items() if k != "limit"}
        | {"limit": str(max(1, selected.total)), "group": "lineage"}
    )
    return templates.TemplateResponse(
        request,
        "candidates/report.html",
        {
            "kind": kind,
            "sector": sector or "",
            "min_score": min_score,
            "limit": limit,
            "include_recorded": include_recorded,
            "page": selected,
            "rows": [of_best[id(c)] for c in shown_page.candidates],  # lineage pairs
            "view": shown_page.table,
            "shown": shown,
            "form": form,
            "sortable": SORTABLE,
            "per_page_choices": PER_PAGE_CHOICES,
            "all_rows": ALL_ROWS,
            "link": lambda **changes: shown.query(form, **changes),
            "error": error,
            "codes": _code_options(request, kind, sorted(index.codes(kind), key=natural_key)),
            "kinds": ("question", "resolution", "theme"),
            "href": lambda iri: iri_path(iri, settings.base_iri),
            "csv_link": f"/api/candidates?{downloads}&format=csv",
            "xlsx_link": f"/api/candidates?{downloads}&format=xlsx",
            "review_enabled": settings.review_token is not None,
            **review_context(request),  # reviewers' form (issue 13)
        },
        status_code=422 if error else 200,
    )


class ReviewBody(BaseModel):
    left: str = Field(description="IRI of one item of the candidate pair")
    right: str = Field(description="IRI of the other item")
    decision: Literal["accept", "reject"]
    relation: Literal["duplicate", "overlap", "complementary", "already-coordinated"] | None = Field(
        None, description="Required to accept"
    )
    reviewer: str = Field(min_length=1, max_length=200)
    comment: str = Field("", max_length=5000)


def _authorise(settings: Settings, authorization: str | None) -> JSONResponse | None:
    if settings.review_token is None:
        return _error(403, "review is disabled on this service (set ISCG_REVIEW_TOKEN to enable it)")
    expected = settings.review_token.get_secret_value()
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token or not secrets.compare_digest(token.strip(), expected):
        return JSONResponse(
            {"detail": "a valid 'Authorization: Bearer <review token>' header is required"},
            status_code=401,
            headers={"WWW-Authenticate": "Bearer"},
        )
    return None


@router.post("/api/candidates/review", status_code=201, summary="Accept or reject a candidate overlap",
             responses=oa.answers(oa.JSON, 401, 403, 409, 422, 503, status=201))
def review_candidate(
    request: Request,
    body: ReviewBody,
    authorization: Annotated[str | None, Header()] = None,
) -> JSONResponse:
    denied = _authorise(_settings(request), authorization)
    if denied is not None:
        return denied
    decision = Decision(
        body.left, body.right, body.decision, body.reviewer, body.relation, body.comment, Date.today()
    )
    by = Author(body.reviewer, body.comment, f"POST /api/candidates/review from "
                f"{request.client.host if request.client else 'unknown client'} (review token)", "review")
    with _lock:  # DecisionInvalid (422) and DecisionConflict (409) are answered by the app's policy
        outcome, change = record_review(request, decision, by)  # validated, atomic, in the journal (issue 13)
    if change is not None:
        record_in_index(request, decision, outcome)  # the one pair is flagged: nothing is recomputed
    return JSONResponse(
        {
            "mapping": outcome.mapping,
            "status": outcome.status,
            "relation": outcome.relation,
            "triples": outcome.triples,
            "graph": reviews_graph(_settings(request).base_iri),
        },
        status_code=201,
    )


@router.get("/api/mappings.sssom.tsv", summary="The whole register of links and mappings as SSSOM TSV",
            response_class=Response, responses=oa.answers(oa.TSV, 422))
def mappings_sssom(request: Request, mappings_only: bool = False) -> Response:
    text = sssom_tsv(_store(request), base=_settings(request).base_iri, mappings_only=mappings_only)
    return Response(
        text,
        media_type="text/tab-separated-values; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="iscg-mappings.sssom.tsv"'},
    )
