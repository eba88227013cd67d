"""What the HTML and linked-data page routes share: when the data last changed, conditional GET
(``ETag``, ``Last-Modified``, 304), the reader's languages, and a template rendered as a page."""

from __future__ import annotations

import time
from datetime import datetime
from email.utils import formatdate
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from iscg_graph.rdf.store import META, EmbeddedStore
from iscg_graph.render.conneg import etag_for, not_modified, preferred_languages

from .i18n.languages import COOKIE, supported
from .templating import templates

_generation_seen: dict[int, tuple[int, float]] = {}


def last_modified(store: EmbeddedStore) -> float:
    """When the served data last changed.

    The store rewrites its meta.json on every write (build, publish, review decisions), so that
    file's mtime is the answer; without one, the build time, else when this generation was first seen.
    """
    if store.path is not None:
        try:
            return (store.path / META).stat().st_mtime
        except OSError:
            pass
    meta = store.meta
    built = _parse_time(meta.built_at)
    if meta.generation == 0 and built is not None:
        return built
    seen = _generation_seen.get(id(store))
    if seen is None or seen[0] != meta.generation:
        _generation_seen[id(store)] = (meta.generation, time.time())
    return _generation_seen[id(store)][1]


def _parse_time(text: str) -> float | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def conditional(
    request: Request,
    body: bytes,
    media_type: str,
    modified: float | None,
    *,
    negotiated: bool,
    status: int = 200,
    extra: dict[str, str] | None = None,
) -> Response:
    etag = etag_for(body)
    headers = {"ETag": etag, "Cache-Control": "public, max-age=60"}
    if modified is not None:
        headers["Last-Modified"] = formatdate(modified, usegmt=True)
    if negotiated:
        headers["Vary"] = "Accept, Accept-Language"
    headers.update(extra or {})
    if status == 200 and not_modified(
        etag, modified, request.headers.get("if-none-match"), request.headers.get("if-modified-since")
    ):
        return Response(status_code=304, headers=headers)
    charset = (
        "; charset=utf-8"
        if media_type.startswith("text/") or "json" in media_type or "xml" in media_type
        else ""
    )
    return Response(body, status_code=status, media_type=media_type + charset, headers=headers)


def languages(request: Request, lang: str | None) -> list[str]:
    """Label languages in order: ``?lang=``, the visitor's remembered interface language, the header."""
    header = request.headers.get("accept-language")
    prefs = preferred_languages(header)
    lang = lang or supported(request.cookies.get(COOKIE))
    if lang:
        prefs = [lang.lower(), *[p for p in prefs if p != lang.lower()]]
    return prefs


def html_page(
    request: Request,
    template: str,
    context: dict[str, Any],
    modified: float,
    negotiated: bool,
    extra: dict[str, str] | None = None,
) -> Response:
    body = templates.get_template(template).render({"request": request, **context}).encode("utf-8")
    return conditional(request, body, "text/html", modified, negotiated=negotiated, extra=extra)
