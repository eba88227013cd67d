"""What the two import pages share: the table import (`routers/imports.py`) and the Questions of a
new study period (`routers/new_period_import.py`). Each router keeps its own routes, preview and
commit; the steps both take the same way live here, once:

- `editor`: the signed-in editor (and the form's CSRF token), or the refusal page;
- `receive_upload`: the upload route's body: the form read only within the cap (`capped_form`),
  a refused form answered with the router's page, the rest handed to the router's check in the
  threadpool (the checks, the preview and the page are blocking work);
- `uploaded_file`: the checks every uploaded file gets: one was sent (422), within `MAX_BYTES` (413);
- `find_pending`: the caller's upload kept under a hash, of the router's kind (else 404);
- `untraced` / `write_refusal`: what a failed commit shows.

Their templates share the macros of ``curation/_import.html``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile as StarletteUploadFile

from iscg_graph.curation.accounts import Principal
from iscg_graph.errors import UnsafeInput
from iscg_graph.imports.upload import Problem

from .auth import WriteDenied, check_csrf, denied_page, require_writer
from .form_messages import say
from .i18n.messages import N_
from .import_uploads import Pending, capped_form, pending_uploads

__all__ = ["MAX_BYTES", "NEW_PERIOD", "NO_UPLOAD", "SAY_WHY", "Page", "editor", "find_pending",
           "receive_upload", "uploaded_file", "untraced", "write_refusal"]

MAX_BYTES = 5_000_000
NEW_PERIOD = "new-period"  # the format a new period's uploads wait under, told apart from the tables'
NO_UPLOAD = N_("no upload of yours with this hash (uploads are kept for an hour); upload the file again")
SAY_WHY = N_("say why: the comment is recorded with the change")
_DIGEST = re.compile(r"[0-9a-f]{64}")

Page = Callable[..., Response]  # a router's page: (request, status, **context)
Check = Callable[[Request, bytes | None, str, dict[str, str]], Response]  # (request, data, name, fields)


def editor(request: Request, csrf: str | None = None) -> Principal | Response:
    """The signed-in editor, or the page refusing anyone else; ``csrf``: a form's token, checked."""
    try:
        who = require_writer(request, "editor")
    except WriteDenied as exc:
        return denied_page(request, exc)
    if csrf is not None:
        check_csrf(request, csrf)
    return who


async def receive_upload(request: Request, check: Check, page: Page) -> Response:
    try:
        form = await capped_form(request, MAX_BYTES + 100_000)
    except UnsafeInput as exc:
        refused = (say(request, N_("the upload is over the limit of %(limit)s bytes"), limit=MAX_BYTES)
                   if exc.status == 413 else say(request, N_("not a usable upload form")))
        return await run_in_threadpool(page, request, exc.status, refused=refused)
    file = form.get("file")
    fields = {k: v if isinstance(v, str) else "" for k, v in form.items() if k != "file"}
    data = await file.read(MAX_BYTES + 1) if isinstance(file, StarletteUploadFile) else None
    name = (file.filename or "") if isinstance(file, StarletteUploadFile) else ""
    return await run_in_threadpool(check, request, data, name, fields)


def uploaded_file(request: Request, data: bytes | None, file_name: str, page: Page,
                  **keep: Any) -> tuple[str, bytes] | Response:
    """The file's name (its last path part, at most 200 characters) and bytes, or the page (with
    ``keep``, what the form said) naming what is wrong: no file or an empty one, or too large."""
    if not data:
        return page(request, 422, refused=say(request, N_("choose a file (.csv or .xlsx) to upload")), **keep)
    name = file_name.replace("\\", "/").rsplit("/", 1)[-1][:200] or "upload"
    if len(data) > MAX_BYTES:
        return page(request, 413, refused=say(request, N_("%(file)s: over the limit of %(limit)s bytes"),
                                              file=name, limit=MAX_BYTES), **keep)
    return name, data


def find_pending(request: Request, owner: str, digest: str, *, new_period: bool) -> Pending | None:
    """``owner``'s upload kept under ``digest``, if it is one of this page's (a new period's or a
    table's: neither page previews or commits the other's)."""
    if not _DIGEST.fullmatch(digest):
        return None
    item = pending_uploads(request.app).get(owner, digest)
    if item is None or (item.format == NEW_PERIOD) != new_period:
        return None
    return item


def untraced(message: str) -> Problem:
    """A shape violation no cell of the table can be blamed for."""
    return Problem.worded("", 0, "", "", (N_("would break the shapes: %(message)s"), {"message": message}))


def write_refusal(exc: Exception) -> str:
    """What a refused write (one of `writes.WRITE_ERRORS`) says on the page."""
    return str(getattr(exc, "message", exc))
