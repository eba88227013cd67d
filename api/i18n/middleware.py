"""Chooses the interface language of every request and remembers an explicit choice.

Pure ASGI (no response buffering): puts the language into ``scope["state"]["ui_lang"]``; on a
``?lang=`` naming one of the six languages, answers with a ``Set-Cookie`` so the choice sticks for
the visitor; HTML answers say ``Content-Language`` and vary on ``Accept-Language`` and ``Cookie``.
"""

from __future__ import annotations

from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .languages import COOKIE, DEFAULT, negotiate, supported

ONE_YEAR = 365 * 24 * 3600


def ui_language(connection: HTTPConnection | None) -> str:
    """The interface language chosen for a request (English outside the middleware)."""
    if connection is None:
        return DEFAULT
    state: dict[str, Any] = connection.scope.get("state") or {}
    return str(state.get("ui_lang") or DEFAULT)


def _cookie(headers: dict[bytes, bytes]) -> str | None:
    raw = headers.get(b"cookie")
    if not raw:
        return None
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(raw.decode("latin-1"))
    except Exception:  # a malformed Cookie header is ignored, never an error
        return None
    morsel = jar.get(COOKIE)
    return morsel.value if morsel else None


def _vary(headers: list[tuple[bytes, bytes]], names: tuple[str, ...]) -> list[tuple[bytes, bytes]]:
    """The headers with one ``Vary`` that lists what it listed before and `names` (no repeats)."""
    listed = [t.strip() for k, v in headers if k.lower() == b"vary" for t in v.decode("latin-1").split(",")]
    listed = [t for t in listed if t]
    seen = {t.lower() for t in listed}
    listed += [n for n in names if n.lower() not in seen]
    rest = [(k, v) for k, v in headers if k.lower() != b"vary"]
    return [*rest, (b"vary", ", ".join(listed).encode("latin-1"))]


class LanguageMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        query = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("lang", [None])[0]
        cookie = _cookie(headers)
        accept = headers.get(b"accept-language", b"").decode("latin-1") or None
        language = negotiate(query, cookie, accept)
        scope.setdefault("state", {})["ui_lang"] = language
        remember = supported(query)
        remember = remember if remember and remember != supported(cookie) else None

        async def send_with_language(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers_out = list(message.get("headers", []))
                content_type = next((v for k, v in headers_out if k == b"content-type"), b"")
                if content_type.startswith(b"text/html"):
                    headers_out = _vary(headers_out, ("Accept-Language", "Cookie"))
                    headers_out.append((b"content-language", language.encode()))
                if remember:
                    headers_out.append((b"set-cookie", f"{COOKIE}={remember}; Path=/; Max-Age={ONE_YEAR}; "
                                                       "SameSite=Lax".encode()))
                message = {**message, "headers": headers_out}
            await send(message)

        await self.app(scope, receive, send_with_language)
