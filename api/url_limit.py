"""A request line over ``max_url_bytes`` is answered 414 here, on every route, before routing.

Long queries belong in a POST body (``max_query_bytes``); a URL that long is refused with a message
that says so. The HTTP server must let such a request line reach the application at all:
uvicorn's own httptools protocol cannot split a URL over 65,535 bytes (it answers a bare 400), so
the service runs uvicorn with `api.http_protocol` (``make run``, `tests/liveserver.py`), which hands
such a URL to the application whole and bounds the request head at 1 MiB.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Receive, Scope, Send

from . import error_messages, i18n


class UrlLimit:
    """ASGI middleware: ``414 URI Too Long`` when path plus query string pass ``max_bytes``."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.max_bytes > 0:
            size = len(scope.get("raw_path") or scope["path"].encode()) + len(scope.get("query_string", b""))
            if size > self.max_bytes:
                await self._refuse(size, scope, send)
                return
        await self.app(scope, receive, send)

    async def _refuse(self, size: int, scope: Scope, send: Send) -> None:
        detail = (f"request URL of {size} bytes is over the limit of {self.max_bytes} bytes: "
                  "send a long query in a POST body (application/sparql-query or a form)")
        # the body every error has (api/errors.py); before routing, the language is the header's
        accept = dict(scope.get("headers") or []).get(b"accept-language", b"").decode("latin-1") or None
        words = error_messages.words("uri_too_long", i18n.negotiate(None, None, accept))
        body = json.dumps({"detail": detail, **words}, ensure_ascii=False).encode()
        await send({"type": "http.response.start", "status": 414, "headers": [
            (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
