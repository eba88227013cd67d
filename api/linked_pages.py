"""What the linked-data routers share (api/routers/resources.py, dataset.py, browse.py): choosing a
representation by suffix or ``Accept``, the HTML or RDF answer with its alternates and conditional
GET, and the "not found" answer (a page for browsers, the error policy's JSON otherwise)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Any

import pyoxigraph as ox
from fastapi import Depends, Request
from fastapi.responses import Response

from iscg_graph.rdf.store import EmbeddedStore
from iscg_graph.render.conneg import (
    BY_SUFFIX,
    FORMATS,
    HTML,
    JSON_LD,
    DocFormat,
    NotAcceptable,
    choose_format,
)
from iscg_graph.render.representations import serialize

from .deps import get_store, settings_dep
from .errors import ProtocolError
from .pages import conditional, html_page, languages, last_modified
from .settings import Settings
from .templating import templates

StoreDep = Annotated[EmbeddedStore, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(settings_dep)]

JSON = DocFormat("json", "application/json", "json", False)
FORMAT_TITLES = {
    "html": "HTML",
    "turtle": "Turtle",
    "json-ld": "JSON-LD",
    "n-triples": "N-Triples",
    "rdf-xml": "RDF/XML",
}


def pick_format(request: Request, suffix: str | None) -> DocFormat:
    if suffix:
        return BY_SUFFIX[suffix]
    return choose_format(request.headers.get("accept"))


def not_found(request: Request, message: str, settings: Settings) -> Response:
    try:
        wants_html = choose_format(request.headers.get("accept")) is HTML
    except NotAcceptable:
        wants_html = False
    if wants_html:
        return templates.TemplateResponse(
            request,
            "resources/not_found.html",
            {"message": message, "lang": "en", "base": settings.base_iri},
            status_code=404,
        )
    raise ProtocolError(404, message)  # the JSON body every error has (api/errors.py)


def alternates(path: str) -> list[dict[str, str]]:
    return [
        {"name": FORMAT_TITLES[f.name], "media_type": f.media_type, "href": f"{path}.{f.suffix}"}
        for f in FORMATS
        if f.rdf
    ]


def rdf_response(
    request: Request,
    triples: Sequence[ox.Triple],
    fmt: DocFormat,
    base: str,
    modified: float,
    negotiated: bool,
    location: str,
) -> Response:
    body = serialize(triples, fmt, base)
    extra = {"Content-Location": location}
    if fmt is JSON_LD:
        extra["Link"] = '</context.jsonld>; rel="http://www.w3.org/ns/json-ld#context"'
    return conditional(request, body, fmt.media_type, modified, negotiated=negotiated, extra=extra)


def negotiate(
    request: Request,
    suffix: str | None,
    local: str,
    triples: Callable[[], Sequence[ox.Triple]],
    page: Callable[[list[str]], tuple[str, dict[str, Any]]],
    store: EmbeddedStore,
    settings: Settings,
    lang: str | None,
) -> Response:
    fmt = pick_format(request, suffix)  # NotAcceptable: the app's 406
    modified = last_modified(store)
    location = f"{local}.{fmt.suffix}"
    if fmt.rdf:
        return rdf_response(request, triples(), fmt, settings.base_iri, modified, suffix is None, location)
    langs = languages(request, lang)
    template, context = page(langs)
    links = ", ".join(f'<{a["href"]}>; rel="alternate"; type="{a["media_type"]}"' for a in alternates(local))
    context.setdefault("lang", langs[0].split("-")[0])
    context.setdefault("alternates", alternates(local))
    context.setdefault("base", settings.base_iri)
    return html_page(request, template, context, modified, suffix is None, {"Link": links})
