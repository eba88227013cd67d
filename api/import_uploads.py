"""Uploaded tables waiting for their editor's confirmation, kept server-side by the file's SHA-256.

The confirmation form carries only the hash: what is committed is exactly the file that was
previewed, never a second upload, with the choices the editor made for its ambiguous cells
(checked against the choices offered, kept here, never read back from the page). An upload
belongs to the editor who sent it (another account finds nothing under its hash). At most
`KEEP` uploads and `KEEP_BYTES` bytes are kept, each for `TTL` seconds; the oldest go first.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from starlette.datastructures import FormData
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.types import Message

from iscg_graph.errors import UnsafeInput

__all__ = ["KEEP", "KEEP_BYTES", "TTL", "Pending", "PendingUploads", "capped_form", "pending_uploads"]

KEEP = 32
KEEP_BYTES = 64_000_000
TTL = 3600.0


@dataclass(frozen=True)
class Pending:
    owner: str
    digest: str
    file_name: str
    data: bytes
    format: str | None  # as the editor chose it; None: from the header row
    periods: tuple[tuple[str, str], ...]
    comment: str
    at: float
    picks: tuple[tuple[str, str], ...] = ()  # the editor's checked choices for ambiguous cells (cell, token)


class PendingUploads:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: OrderedDict[tuple[str, str], Pending] = OrderedDict()

    def put(self, item: Pending) -> None:
        with self._lock:
            self._items.pop((item.owner, item.digest), None)
            self._items[(item.owner, item.digest)] = item
            self._expire(time.monotonic())
            while len(self._items) > KEEP or sum(len(p.data) for p in self._items.values()) > KEEP_BYTES:
                self._items.popitem(last=False)

    def get(self, owner: str, digest: str) -> Pending | None:
        with self._lock:
            self._expire(time.monotonic())
            return self._items.get((owner, digest))

    def drop(self, owner: str, digest: str) -> None:
        with self._lock:
            self._items.pop((owner, digest), None)

    def _expire(self, now: float) -> None:
        for key in [k for k, p in self._items.items() if now - p.at > TTL]:
            del self._items[key]


_making = threading.Lock()


def pending_uploads(app: object) -> PendingUploads:
    """The app's uploads awaiting confirmation (made once per app)."""
    state = app.state  # type: ignore[attr-defined]
    with _making:
        found: PendingUploads | None = getattr(state, "pending_uploads", None)
        if found is None:
            found = state.pending_uploads = PendingUploads()
        return found


async def capped_form(request: Request, cap: int) -> FormData:
    """The request's multipart form, read only if the whole body is at most ``cap`` bytes (declared
    or, for a chunked body, as it arrives): a larger upload is refused (413) before anything of it
    is parsed or spooled to disk."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > cap:
        raise UnsafeInput(f"an upload of {declared} bytes is over the limit of {cap} bytes", 413)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            raise UnsafeInput(f"an upload is over the limit of {cap} bytes", 413)
        chunks.append(chunk)
    body = b"".join(chunks)
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    try:
        return await Request(request.scope, replay).form(max_files=1, max_fields=20)
    except (MultiPartException, ValueError) as exc:
        raise UnsafeInput(f"not a usable upload form: {exc}", 400) from None
