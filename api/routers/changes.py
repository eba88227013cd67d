"""The change journal: ``GET /changes`` (HTML, JSON, Atom), ``GET /changes/{n}`` (HTML, JSON,
RDF Patch) and ``POST /changes/{n}/revert`` (admins: undone as a new change, with a reason).

Read from the journal graph of the served store (`iscg_graph.curation.history`), newest first.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from iscg_graph.curation.history import ChangeRecord, changes, get_change
from iscg_graph.rdf.store import EmbeddedStore

from .. import openapi as oa
from ..auth import WriteDenied, check_csrf, csrf_token, principal, require_writer
from ..templating import templates
from ..write_openapi import REVERT
from ..writes import WRITE_ERRORS, author, error_response, write_path

router = APIRouter(tags=["changes"])
ATOM = "application/atom+xml"
PATCH = "application/rdf-patch"


def _store(request: Request) -> EmbeddedStore:
    return request.app.state.store  # type: ignore[no-any-return]


def _wants(request: Request, fmt: str | None, choices: tuple[str, ...]) -> str:
    """``format=`` first, then the first acceptable media type of ``Accept``; HTML by default."""
    if fmt:
        named = {"json": "application/json", "atom": ATOM, "html": "text/html", "patch": PATCH}
        return named.get(fmt, "")
    for part in request.headers.get("accept", "text/html").split(","):
        media = part.split(";")[0].strip().lower()
        if media in choices:
            return media
        if media in ("*/*", "text/*"):
            return "text/html"
    return ""


def atom_feed(records: list[ChangeRecord], self_url: str, site: str) -> bytes:
    ns = "http://www.w3.org/2005/Atom"
    ET.register_namespace("", ns)
    feed = ET.Element(f"{{{ns}}}feed")
    ET.SubElement(feed, f"{{{ns}}}title").text = "ISCG knowledge graph: changes"
    ET.SubElement(feed, f"{{{ns}}}id").text = self_url
    ET.SubElement(feed, f"{{{ns}}}link", rel="self", href=self_url)
    ET.SubElement(feed, f"{{{ns}}}updated").text = records[0].at if records else "1970-01-01T00:00:00Z"
    for r in records:
        entry = ET.SubElement(feed, f"{{{ns}}}entry")
        ET.SubElement(entry, f"{{{ns}}}id").text = r.iri
        ET.SubElement(entry, f"{{{ns}}}title").text = f"change {r.number} by {r.author} ({r.kind})"
        ET.SubElement(entry, f"{{{ns}}}updated").text = r.at
        ET.SubElement(ET.SubElement(entry, f"{{{ns}}}author"), f"{{{ns}}}name").text = r.author
        ET.SubElement(entry, f"{{{ns}}}link", rel="alternate", href=f"{site}/changes/{r.number}")
        ET.SubElement(entry, f"{{{ns}}}summary").text = (
            f"{r.comment or '(no comment)'} — {r.added} added, {r.removed} removed; {len(r.about)} resources")
    return ET.tostring(feed, xml_declaration=True, encoding="utf-8")


@router.get("/changes", summary="Recorded changes, newest first (HTML, JSON, Atom)", response_class=Response,
            responses=oa.answers((oa.HTML, oa.JSON, ATOM), 406, 422))
def list_changes(
    request: Request,
    format: Annotated[str | None, Query(pattern="^(html|json|atom)$")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    records = changes(_store(request).inner, limit=limit, offset=offset)
    media = _wants(request, format, ("text/html", "application/json", ATOM))
    if media == "application/json":
        return JSONResponse({"changes": [r.to_json() for r in records], "limit": limit, "offset": offset})
    if media == ATOM:
        site = str(request.base_url).rstrip("/")
        return Response(atom_feed(records, f"{site}/changes?format=atom", site), media_type=ATOM)
    if media != "text/html":
        return JSONResponse({"detail": "available: text/html, application/json, application/atom+xml"},
                            status_code=406)
    return templates.TemplateResponse(request, "curation/changes.html", {
        "records": records, "limit": limit, "offset": offset, "who": principal(request)})


@router.get("/changes/{number}", summary="One recorded change (HTML, JSON, RDF Patch)",
            response_class=Response, responses=oa.answers((oa.HTML, oa.JSON, PATCH), 404, 406, 422))
def one_change(request: Request, number: int,
               format: Annotated[str | None, Query(pattern="^(html|json|patch)$")] = None) -> Response:
    record = get_change(_store(request).inner, request.app.state.settings.base_iri, number)
    if record is None:
        return JSONResponse({"detail": f"no change {number}"}, status_code=404)
    media = _wants(request, format, ("text/html", "application/json", PATCH))
    if media == "application/json":
        return JSONResponse(record.to_json())
    if media == PATCH:
        return Response(record.patch_text, media_type=PATCH)
    if media != "text/html":
        return JSONResponse({"detail": f"available: text/html, application/json, {PATCH}"}, status_code=406)
    context: dict[str, Any] = {"r": record, "who": principal(request), "csrf": csrf_token(request),
                               "lines": record.patch_text.splitlines()}
    return templates.TemplateResponse(request, "curation/change.html", context)


@router.post("/changes/{number}/revert", response_class=Response, **REVERT)
def revert_change(request: Request, number: int, comment: Annotated[str, Form(max_length=5000)] = "",
                  csrf_token: Annotated[str | None, Form()] = None) -> Response:
    try:
        who = require_writer(request, "admin")
        from_form = who.via != "token"
        if from_form:
            check_csrf(request, csrf_token)
        if not comment.strip():
            raise WriteDenied(400, "say why the change is reverted (comment)")
        record = write_path(request).revert(number, author(request, who, comment, "revert"))
    except WRITE_ERRORS as exc:
        return error_response(exc)
    if from_form:
        return RedirectResponse(f"/changes/{record.number}", status_code=303)
    return JSONResponse(record.to_json(), status_code=201)


