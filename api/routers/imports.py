"""Importing tables on the web (editors): upload a mapping table or one of the graph's own tables,
see its problems by sheet/row/column (and download the table with the bad cells highlighted) or
its preview, then confirm: the file kept server-side under its SHA-256 is committed as one change,
which shows in /changes. Templates of every format are downloadable.

Every form needs a session and its CSRF token, like the other editor forms. A file is refused as
a whole when it is over `MAX_BYTES` (413) or not a safe .csv/.xlsx (415: macros, decompression
bombs, legacy workbooks, not UTF-8); formulas are never evaluated (`iscg_graph.imports.upload`).
"""

from __future__ import annotations

import hashlib
import re
import time
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from iscg_graph.errors import ChoiceRefused, ImportFailed, UploadRefused
from iscg_graph.imports.choices import parse_choose
from iscg_graph.imports.data_templates import data_template
from iscg_graph.imports.mapping_table import template_choices
from iscg_graph.imports.uploads import (
    MAPPING_TABLE,
    UPLOAD_FORMATS,
    UploadPreview,
    check_upload_choices,
    commit_upload,
    preview_upload,
    study_periods,
)
from iscg_graph.imports.workbooks import error_workbook, template

from ..auth import csrf_token, principal
from ..candidate_refresh import refresh_index
from ..form_messages import problem_message, say
from ..i18n.messages import N_
from ..import_pages import (
    MAX_BYTES,
    NO_UPLOAD,
    SAY_WHY,
    editor,
    find_pending,
    receive_upload,
    untraced,
    uploaded_file,
    write_refusal,
)
from ..import_uploads import Pending, pending_uploads
from ..templating import templates
from ..writes import WRITE_ERRORS, author, write_path

__all__ = ["MAX_BYTES", "router"]

router = APIRouter(tags=["curation"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_SECTORS = ("ITU-R", "ITU-T", "ITU-D")


def _page(request: Request, status: int = 200, **context: Any) -> Response:
    store = request.app.state.store
    values: dict[str, Any] = {"result": None, "refused": "", "choice_error": "", "comment": "", "format": "",
                              "chosen": {},
                              **context}
    if values["result"] is not None:
        values["picks_key"] = picks_key(values["result"].picks)
        values["messages"] = [problem_message(request, p) for p in values["result"].problems]
    return templates.TemplateResponse(request, "curation/import.html", {
        "who": principal(request), "csrf": csrf_token(request), "formats": UPLOAD_FORMATS,
        "periods": study_periods(store), "max_mb": MAX_BYTES // 1_000_000, **values}, status_code=status)


def _preview(request: Request, item: Pending) -> UploadPreview:
    return preview_upload(item.data, item.file_name, request.app.state.store,
                          base=request.app.state.settings.base_iri, format=item.format,
                          periods=dict(item.periods), max_bytes=MAX_BYTES, picks=item.picks)


def picks_key(picks: tuple[tuple[str, str], ...]) -> str:
    """A short fingerprint of the choices a preview was made with: the confirmation names it, so
    what is committed is the preview the editor saw, even if the choices changed in another tab."""
    return hashlib.sha256(repr(sorted(picks)).encode()).hexdigest()[:16] if picks else ""


@router.get("/curate/import", response_class=HTMLResponse, include_in_schema=False,
            summary="Form: import a table (editors)")
def import_form(request: Request) -> Response:
    who = editor(request)
    return who if isinstance(who, Response) else _page(request)


@router.post("/curate/import", response_class=HTMLResponse, include_in_schema=False,
             summary="Check an uploaded table: its problems or its preview (editors)")
async def import_upload(request: Request) -> Response:
    """The form is read only when the whole body is within the cap; the checks, the preview and the
    page are blocking work, done in the threadpool (`import_pages.receive_upload`)."""
    return await receive_upload(request, _check_upload, _page)


def _check_upload(request: Request, data: bytes | None, file_name: str, fields: dict[str, str]) -> Response:
    who = editor(request, fields.get("csrf_token", ""))
    if isinstance(who, Response):
        return who
    format, comment = fields.get("format", "")[:40], fields.get("comment", "")[:5000]
    periods = (fields.get(f"period_{s.replace('-', '_').lower()}", "")[:9] for s in _SECTORS)
    chosen = {s: p for s, p in zip(_SECTORS, periods, strict=True) if p}
    keep = {"comment": comment, "format": format, "chosen": chosen}
    file = uploaded_file(request, data, file_name, _page, **keep)
    if isinstance(file, Response):
        return file
    name, data = file
    if format and format not in UPLOAD_FORMATS:
        return _page(request, 422, **keep,
                     refused=say(request, N_("unknown format %(format)s: one of %(formats)s"),
                                 format=repr(format), formats=", ".join(UPLOAD_FORMATS)))
    bad = [p for p in chosen.values() if not re.fullmatch(r"\d{4}-\d{4}", p)]
    if bad:
        return _page(request, 422, refused=say(request, N_("%(period)s is not a study period like 2022-2025"),
                                                  period=repr(bad[0])), **keep)
    item = Pending(who.name, "", name, data, format or None, tuple(sorted(chosen.items())), comment,
                   time.monotonic())
    try:
        result = _preview(request, item)
    except UploadRefused as exc:
        return _page(request, 415, refused=str(exc), **keep)
    pending_uploads(request.app).put(Pending(**{**item.__dict__, "digest": result.digest}))
    return _page(request, 422 if result.problems else 200, result=result, **keep)


@router.get("/curate/import/{digest}/errors.xlsx", include_in_schema=False,
            summary="The uploaded table with its bad cells highlighted (editors)")
def import_errors(request: Request, digest: str) -> Response:
    who = editor(request)
    if isinstance(who, Response):
        return who
    item = find_pending(request, who.name, digest, new_period=False)
    if item is None:
        return _page(request, 404, refused=say(request, NO_UPLOAD))
    result = _preview(request, item)
    stem = item.file_name.rsplit(".", 1)[0]
    return Response(error_workbook(result.sheets, result.problems), media_type=XLSX, headers={
        "Content-Disposition": f'attachment; filename="{_ascii(stem)}-problems.xlsx"'})


@router.post("/curate/import/{digest}", response_class=HTMLResponse, include_in_schema=False,
             summary="Commit the previewed table as one change (editors)")
def import_commit(
    request: Request,
    digest: str,
    csrf_token: Annotated[str, Form()] = "",
    comment: Annotated[str, Form(max_length=5000)] = "",
    choices: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    who = editor(request, csrf_token)
    if isinstance(who, Response):
        return who
    item = find_pending(request, who.name, digest, new_period=False)
    if item is None:
        return _page(request, 404, refused=say(request, NO_UPLOAD))
    if choices != picks_key(item.picks):
        return _page(request, 409, result=_preview(request, item), comment=comment,
                     choice_error=say(request, N_("the choices for the ambiguous cells changed since this "
                                                  "preview: check the preview below and confirm again")))
    if not comment.strip():
        return _page(request, 422, refused=say(request, SAY_WHY),
                     result=_preview(request, item))
    result = _preview(request, item)  # the store may have changed since the preview: check again
    if result.problems:
        return _page(request, 422, result=result, comment=comment)
    try:
        record = commit_upload(result, write_path(request), data=item.data, author=who.name,
                               comment=comment.strip(), base=request.app.state.settings.base_iri,
                               origin=author(request, who, comment, "table-import").origin)
    except ImportFailed as exc:
        result.problems = list(exc.problems) or [untraced(v.message) for v in exc.report.violations]
        return _page(request, 422, result=result, comment=comment)
    except WRITE_ERRORS as exc:
        return _page(request, 400, refused=write_refusal(exc), result=result, comment=comment)
    pending_uploads(request.app).drop(who.name, digest)
    if record is None:
        return _page(request, 200, result=result, comment=comment)
    if result.format == MAPPING_TABLE or result.format == "mappings":
        refresh_index(request)  # recorded mappings leave the candidate overlaps
    return RedirectResponse(f"/changes/{record.number}", status_code=303)


@router.post("/curate/import/{digest}/choose", response_class=HTMLResponse, include_in_schema=False,
             summary="Choose among the matches of ambiguous cells, then check again (editors)")
def import_choose(
    request: Request,
    digest: str,
    csrf_token: Annotated[str, Form()] = "",
    comment: Annotated[str, Form(max_length=5000)] = "",
    choose: Annotated[list[str] | None, Form(max_length=300)] = None,
) -> Response:
    """Each ``choose`` value is ``CELL=CHOICE`` (an empty one: not chosen yet; at most 200). The picks, with
    those made before for this upload, must each be one of the choices offered for its cell (422
    naming it otherwise); then they are kept with the upload and the table is checked again."""
    who = editor(request, csrf_token)
    if isinstance(who, Response):
        return who
    item = find_pending(request, who.name, digest, new_period=False)
    if item is None:
        return _page(request, 404, refused=say(request, NO_UPLOAD))
    values = [v for v in (choose or [])[:200] if v.strip()]
    try:
        posted = parse_choose(values)
        before = _preview(request, item)
        picks = check_upload_choices(before, request.app.state.store, periods=dict(item.periods),
                                     picks=item.picks + posted)
    except ChoiceRefused as exc:
        return _page(request, 422, choice_error=str(exc), result=_preview(request, item), comment=comment)
    chosen = Pending(**{**item.__dict__, "picks": picks, "at": time.monotonic()})
    pending_uploads(request.app).put(chosen)
    result = _preview(request, chosen)
    return _page(request, 422 if result.problems else 200, result=result, comment=comment)


@router.get("/curate/import/templates/{name}", include_in_schema=False,
            summary="An XLSX template of one table format (editors)")
def import_template(request: Request, name: str) -> Response:
    who = editor(request)
    if isinstance(who, Response):
        return who
    fmt = name.removesuffix(".xlsx")
    if not name.endswith(".xlsx") or fmt not in UPLOAD_FORMATS:
        return _page(request, 404, refused=say(request, N_("no template %(name)s: one of %(names)s"),
                                               name=repr(name[:60]),
                                               names=", ".join(f + ".xlsx" for f in UPLOAD_FORMATS)))
    store = request.app.state.store
    body = (template(template_choices(store, {})) if fmt == MAPPING_TABLE
            else data_template(fmt, store, request.app.state.settings.base_iri))
    return Response(body, media_type=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="{fmt}.xlsx"'})


def _ascii(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", text)[:80] or "table"
