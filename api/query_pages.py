"""A canned query's JSON answer one page at a time: ``limit`` rows from ``offset``, asked of the store
in SPARQL (`iscg_graph.query.paging`), with the next page's address in the body and in a
``Link: <…>; rel="next"`` header (RFC 8288), and the total on request (``total=true``: the page
cut from the whole answer when that is not too long, else one more evaluation, without the sort).
The downloads (CSV, XLSX, HTML) hold every row: a file, not a page, so the page parameters do not
apply to them (and are not refused: the request is valid)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import Response

from iscg_graph.query.catalog import QuerySpec
from iscg_graph.query.engine import QueryEngine
from iscg_graph.query.paging import DEFAULT_LIMIT, MAX_LIMIT, PageRequest, run_counted_page, run_page

__all__ = ["PAGE_PARAMS", "LimitParam", "OffsetParam", "TotalParam", "paged_json"]

PAGE_PARAMS = ("limit", "offset", "total")
JSON = "application/sparql-results+json"

LimitParam = Annotated[
    int | None,
    Query(
        ge=1,
        le=MAX_LIMIT,
        description=f"rows per page of the JSON answer (default {DEFAULT_LIMIT}, at most {MAX_LIMIT}); "
        "CSV, XLSX and HTML hold every row (these parameters do not apply to them)",
    ),
]
OffsetParam = Annotated[
    int | None,
    Query(ge=0, description="rows to skip before the page (0, the default: the first page)"),
]
TotalParam = Annotated[
    bool | None,
    Query(description="true: also count every row of the answer (page.total; costs one more evaluation)"),
]




def _link(request: Request, offset: int, limit: int) -> str:
    """The same request with another page, on the configured public URL if there is one (behind a
    proxy the request's own host is not the one clients reach)."""
    url = request.url.include_query_params(offset=offset, limit=limit)
    settings = getattr(request.app.state, "settings", None)
    public = getattr(settings, "public_url", None)
    if public:
        return f"{str(public).rstrip('/')}{url.path}?{url.query}"
    return str(url)


def paged_json(
    request: Request,
    spec: QuerySpec,
    raw: Mapping[str, str | None],
    page: PageRequest,
    engine: QueryEngine,
    base_iri: str,
    timeout: float | None,
    *,
    total: bool,
) -> Response:
    counted = run_counted_page(engine, spec, raw, page, base_iri=base_iri, timeout=timeout) if total else None
    got = counted.page if counted else run_page(engine, spec, raw, page, base_iri=base_iri, timeout=timeout)
    about: dict[str, Any] = {"limit": page.limit, "offset": page.offset, "rows": got.rows, "more": got.more}
    links: list[str] = []
    about["next"] = _link(request, page.offset + page.limit, page.limit) if got.more else None
    about["prev"] = _link(request, max(0, page.offset - page.limit), page.limit) if page.offset else None
    if about["next"]:
        links.append(f'<{about["next"]}>; rel="next"')
    if about["prev"]:
        links.append(f'<{about["prev"]}>; rel="prev"')
    if counted:
        about["total"] = counted.total
    body = {**got.results, "page": about}
    headers = {"Link": ", ".join(links)} if links else {}
    return Response(json.dumps(body, ensure_ascii=False).encode("utf-8"), media_type=JSON, headers=headers)
