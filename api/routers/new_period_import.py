"""``/curate/new-period``: the Questions of a new study period, uploaded by an editor (what
``iscg import --new-period`` does on the command line; docs/notes/new-periods.md).

The preview lists each new Question with the Question it continues: from the table's ``continues``
column, or proposed from the titles with its score and alternatives and a checkbox to accept it.
The confirmation commits the file kept server-side under its hash (never a second upload), with the
rows the editor accepted, only if a fresh preview still proposes exactly what the editor saw (the
graph may have changed in between); otherwise the new preview is shown again. Library:
`iscg_graph.imports.new_period` (``preview_questions`` / ``with_acceptance`` / ``commit_questions``).
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from iscg_graph.errors import ImportFailed, UploadRefused
from iscg_graph.imports.new_period import (
    PeriodPreview,
    carried_over,
    commit_questions,
    preview_questions,
    with_acceptance,
)
from iscg_graph.imports.upload import read_table

from ..auth import csrf_token, principal
from ..candidate_refresh import refresh_index
from ..form_messages import problem_message, say
from ..i18n.messages import N_
from ..import_pages import (
    MAX_BYTES,
    NEW_PERIOD,
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
from ..writes import WRITE_ERRORS, write_path

__all__ = ["router"]

router = APIRouter(tags=["curation"])
_CHANGED = N_("the graph changed since your preview: check this preview and confirm again")
_HOW = {"table": N_("from the continues column"), "proposed": N_("proposed from the titles"),
        "none": N_("none found")}


def _key(preview: PeriodPreview) -> str:
    """What the editor saw: each row's Question and what it would continue (the confirmation names it)."""
    seen = sorted((c.row, c.question, c.earlier.iri if c.earlier else "", c.basis)
                  for c in preview.continuations)
    return hashlib.sha256(repr(seen).encode()).hexdigest()[:16]


def _preview(request: Request, item: Pending) -> PeriodPreview:
    sheets = read_table(item.data, item.file_name, max_bytes=MAX_BYTES)
    return preview_questions(sheets, request.app.state.store, base=request.app.state.settings.base_iri)


def _page(request: Request, status: int = 200, *, preview: PeriodPreview | None = None,
          item: Pending | None = None, accepted: set[int] | None = None, **context: Any) -> Response:
    values: dict[str, Any] = {"refused": "", "comment": "", "preview": preview, "item": item, **context}
    if preview is not None:
        values["messages"] = [problem_message(request, p) for p in preview.problems]
    if preview is not None and not preview.problems:
        store = request.app.state.store
        chosen = accepted if accepted is not None else {c.row for c in preview.confirmed()}
        names = {q.iri: f"{q.sector} {q.notation} ({q.period})" for q in preview.add}
        values.update(key=_key(preview), chosen=chosen, how=_HOW, names=names,
                      carry=carried_over(preview, store, accept_all=True))
    return templates.TemplateResponse(request, "curation/new_period.html", {
        "who": principal(request), "csrf": csrf_token(request), "max_mb": MAX_BYTES // 1_000_000, **values},
        status_code=status)


@router.get("/curate/new-period", response_class=HTMLResponse, include_in_schema=False,
            summary="Form: import the Questions of a new study period (editors)")
def new_period_form(request: Request) -> Response:
    who = editor(request)
    return who if isinstance(who, Response) else _page(request)


@router.post("/curate/new-period", response_class=HTMLResponse, include_in_schema=False,
             summary="Preview the Questions of a new study period and what they continue (editors)")
async def new_period_upload(request: Request) -> Response:
    return await receive_upload(request, _check_upload, _page)


def _check_upload(request: Request, data: bytes | None, file_name: str, fields: dict[str, str]) -> Response:
    who = editor(request, fields.get("csrf_token", ""))
    if isinstance(who, Response):
        return who
    comment = fields.get("comment", "")[:5000]
    file = uploaded_file(request, data, file_name, _page, comment=comment)
    if isinstance(file, Response):
        return file
    name, data = file
    item = Pending(owner=who.name, digest=hashlib.sha256(data).hexdigest(), file_name=name, data=data,
                   format=NEW_PERIOD, periods=(), comment=comment, at=time.monotonic())
    try:
        preview = _preview(request, item)
    except UploadRefused as exc:
        return _page(request, 415, refused=str(exc), comment=comment)
    pending_uploads(request.app).put(item)
    return _page(request, 422 if preview.problems else 200, preview=preview, item=item, comment=comment)


def _accepted(request: Request, preview: PeriodPreview, raw: list[str]) -> set[int] | str:
    """The accepted rows, or what is wrong with them: only rows with a proposal can be accepted."""
    # a row whose accept_continuation says no is the table's decision: not offered, not accepted
    proposals = {c.row for c in preview.proposals if c.earlier is not None and c.row not in preview.refused}
    rows: set[int] = set()
    for value in raw:
        if not value.strip().isdigit() or int(value) not in proposals:
            return say(request, N_("accept: %(value)s is not a row with a proposed continuation"),
                       value=repr(value[:20]))
        rows.add(int(value))
    return rows


@router.post("/curate/new-period/{digest}", response_class=HTMLResponse, include_in_schema=False,
             summary="Commit the previewed Questions with the accepted continuations (editors)")
async def new_period_commit(request: Request, digest: str) -> Response:
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str) and k != "accept"}
    accept = [v for v in form.getlist("accept") if isinstance(v, str)][:1000]
    return await run_in_threadpool(_commit, request, digest, fields, accept)


def _commit(request: Request, digest: str, fields: dict[str, str], accept: list[str]) -> Response:
    who = editor(request, fields.get("csrf_token", ""))
    if isinstance(who, Response):
        return who
    comment = fields.get("comment", "")[:5000]
    item = find_pending(request, who.name, digest, new_period=True)
    if item is None:
        return _page(request, 404, refused=say(request, NO_UPLOAD))
    preview = _preview(request, item)  # the graph may have changed since the preview: check again
    rows = _accepted(request, preview, accept) if not preview.problems else set()
    if isinstance(rows, str):
        return _page(request, 422, refused=rows, preview=preview, item=item, comment=comment)
    if preview.problems or fields.get("key", "") != _key(preview):
        changed = "" if preview.problems else say(request, _CHANGED)
        return _page(request, 422 if preview.problems else 409, preview=preview, item=item, comment=comment,
                     accepted=rows, refused=changed)
    if not comment.strip():
        return _page(request, 422, refused=say(request, SAY_WHY), preview=preview, item=item, accepted=rows)
    try:
        record, _carry = commit_questions(with_acceptance(preview, rows), write_path(request), data=item.data,
                                          file_name=item.file_name, author=who.name, comment=comment.strip(),
                                          base=request.app.state.settings.base_iri)
    except ImportFailed as exc:
        preview.problems = list(exc.problems) or [untraced(v.message) for v in exc.report.violations]
        return _page(request, 422, preview=preview, item=item, comment=comment)
    except WRITE_ERRORS as exc:
        return _page(request, 400, refused=write_refusal(exc), preview=preview, item=item,
                     comment=comment, accepted=rows)
    pending_uploads(request.app).drop(who.name, digest)
    if record is None:
        return _page(request, 200, preview=preview, item=item, comment=comment, accepted=rows,
                     refused=say(request, N_("nothing to add: every Question is already in the graph")))
    refresh_index(request)  # the new Questions join candidate discovery and "new since"
    return RedirectResponse(f"/changes/{record.number}", status_code=303)
