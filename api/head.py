"""HEAD wherever GET is: a HEAD request is answered as the GET it names, with the same status and
headers (Content-Length, ETag, Last-Modified) and no body (RFC 9110, 9.3.2).

ASGI middleware, installed once in `create_app`, so no route declares HEAD itself (FastAPI would
give the HEAD and GET of one route the same OpenAPI operationId)."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)
