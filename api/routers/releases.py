"""Releases on the web: ``/releases`` (the list), ``/releases/{name}`` (counts, what changed since the
release before, downloads), its dumps, description and change lists, and each resource as it was
in the release (``/releases/{name}/id/...``). SPARQL against a release is served by `api.sparql`.

Pages are HTML unless JSON is asked for (``Accept: application/json`` or ``?format=json``).
Releases never change: their diffs are computed once per app and kept (a few).
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from typing import Annotated, Any

import pyoxigraph as ox
from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from iscg_graph.build import diff_formats
from iscg_graph.build.publish import DUMPS
from iscg_graph.build.release_diff import Diff, diff_paths, to_patch
from iscg_graph.build.releases import DESCRIPTION, Release, list_releases, release_iri
from iscg_graph.vocab import curie, prefixes

from .. import i18n
from .. import openapi as oa
from ..auth import release_form_context
from ..errors import ProtocolError
from ..release_engines import find_release, release_root, snapshot_of
from ..settings import Settings
from ..templating import templates

__all__ = ["router"]

router = APIRouter(tags=["releases"])

CHANGE_FORMATS = {
    "html": "text/html; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "patch": "application/rdf-patch; charset=utf-8",
}
RESOURCE_FORMATS = {"ttl": "text/turtle", "nt": "application/n-triples"}
_DIFFS_KEPT = 8
_diff_lock = threading.Lock()
# the enums are the document's (a fuzzer's valid value is accepted); others keep their 400 naming them
FormatParam = Annotated[str | None, Query(max_length=10, description="json for JSON, else HTML",
                                          json_schema_extra={"enum": ["json", "html"]})]


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _wants_json(request: Request, fmt: str | None) -> bool:
    if fmt is not None:
        if fmt not in ("json", "html"):
            raise ProtocolError(400, f"unknown format {fmt[:10]!r}: use json or html")
        return fmt == "json"
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def _summary(r: Release) -> dict[str, Any]:
    return {**r.to_json(), "href": f"/releases/{r.name}", "sparql": f"/releases/{r.name}/sparql"}


@router.get("/releases", summary="The releases: dated, immutable snapshots, oldest first",
            response_class=Response, responses=oa.answers((oa.HTML, oa.JSON), 400, 422))
def releases_index(request: Request, format: FormatParam = None) -> Response:
    found = list_releases(release_root(_settings(request)))
    if _wants_json(request, format):
        return Response(json.dumps({"releases": [_summary(r) for r in found]}, indent=2),
                        media_type="application/json")
    return templates.TemplateResponse(request, "releases/index.html", {
        "releases": list(reversed(found)), "active": "dataset", **release_form_context(request)})


def _changes(request: Request, release: Release, since: str | None) -> Diff | None:
    """The diff from ``since`` (default: the release before) to ``release``; None if it is the first."""
    settings = _settings(request)
    before = find_release(settings, since) if since else (
        find_release(settings, release.previous) if release.previous else None)
    if before is None:
        return None
    held: OrderedDict[tuple[str, str], Diff] | None = getattr(request.app.state, "release_diffs", None)
    if held is None:
        held = request.app.state.release_diffs = OrderedDict()
    key = (before.name, release.name)
    with _diff_lock:
        found = held.get(key)
    if found is None:
        found = diff_paths(before.path, release.path, base=settings.base_iri,
                           before_name=before.name, after_name=release.name)
        with _diff_lock:
            held[key] = found
            while len(held) > _DIFFS_KEPT:
                held.popitem(last=False)
    return found


@router.get("/releases/{name}", summary="A release: counts, what changed since the one before, downloads",
            response_class=Response, responses=oa.answers((oa.HTML, oa.JSON), 400, 404, 422))
def release_page(request: Request, name: str, format: FormatParam = None,
                 since: Annotated[str | None, Query(max_length=64)] = None) -> Response:
    release = find_release(_settings(request), name)
    d = _changes(request, release, since)
    table = prefixes(_settings(request).base_iri)
    if _wants_json(request, format):
        body: dict[str, Any] = _summary(release)
        body["since"] = d.before if d else None
        body["changes"] = None if d is None else {
            "counts": d.counts(),
            "items": [{"iri": i.iri, "status": i.status, "class": i.cls, "label": i.label,
                       "changes": [{"property": c.property, "removed": c.removed, "added": c.added}
                                   for c in i.changes]} for i in d.items],
        }
        return Response(json.dumps(body, indent=2), media_type="application/json")
    classes = sorted(((curie(c, table) or c, n) for c, n in release.classes.items()), key=lambda x: -x[1])
    files = [{"name": f, "title": t, "href": f"/releases/{name}/dumps/{f}"} for f, (_m, t) in DUMPS.items()]
    return templates.TemplateResponse(request, "releases/release.html", {
        "r": release, "classes": classes, "files": files, "diff": d, "active": "dataset",
        "iri": release_iri(_settings(request).base_iri, release.name),
        "changes_html": (diff_formats.to_html(d, standalone=False, link=False, word=_words(request))
                         if d else ""),
    })


def _words(request: Request) -> Any:
    """The page's own words in the visitor's language (for the library's HTML of a diff)."""
    language = i18n.ui_language(request)
    return lambda message: i18n.gettext(language, message)


@router.get("/releases/{name}/changes.{fmt}",
            summary="What changed in a release (HTML, CSV, XLSX, RDF Patch)", response_class=Response,
            responses=oa.answers((oa.HTML, oa.CSV, oa.XLSX, "application/rdf-patch"), 404, 422))
def release_changes(request: Request, name: str, fmt: str,
                    since: Annotated[str | None, Query(max_length=64)] = None) -> Response:
    if fmt not in CHANGE_FORMATS:
        raise ProtocolError(404, f"no change list as .{fmt[:10]}; available: {', '.join(CHANGE_FORMATS)}")
    release = find_release(_settings(request), name)
    d = _changes(request, release, since)
    if d is None:
        raise ProtocolError(404, f"release {name!r} is the first: nothing to compare it with (use ?since=)")
    body: str | bytes
    if fmt == "xlsx":
        body = diff_formats.to_xlsx(d)
    elif fmt == "csv":
        body = diff_formats.to_csv(d)
    elif fmt == "patch":
        body = to_patch(d)
    else:
        body = diff_formats.to_html(d)
    headers = {} if fmt == "html" else {
        "Content-Disposition": f'attachment; filename="{d.before}-to-{d.after}.{fmt}"'}
    return Response(body, media_type=CHANGE_FORMATS[fmt], headers=headers)


@router.get("/releases/{name}/dumps/{file}", summary="A dump of a release (gzip)", response_class=Response,
            responses=oa.answers("application/gzip", 404))
def release_dump(request: Request, name: str, file: str) -> Response:
    release = find_release(_settings(request), name)
    if file not in DUMPS:
        raise ProtocolError(404, f"no dump {file[:80]!r}; available: {', '.join(DUMPS)}")
    return FileResponse(release.path / "dumps" / file, media_type="application/gzip", filename=file)


@router.get("/releases/{name}/description.ttl", summary="The VoID + DCAT description of a release",
            response_class=Response, responses=oa.answers("text/turtle", 404))
def release_description(request: Request, name: str) -> Response:
    release = find_release(_settings(request), name)
    return FileResponse(release.path / DESCRIPTION, media_type="text/turtle")


@router.get("/releases/{name}/id/{path:path}", summary="A resource as it was in a release",
            response_class=Response,
            responses=oa.answers((oa.HTML, *RESOURCE_FORMATS.values()), 400, 404, 422))
def release_resource(request: Request, name: str, path: str,
                     format: Annotated[str | None, Query(max_length=10, json_schema_extra={
                         "enum": list(RESOURCE_FORMATS)})] = None) -> Response:
    settings = _settings(request)
    release = find_release(settings, name)
    iri = f"{settings.base_iri}id/{path}"
    try:
        subject = ox.NamedNode(iri)
    except ValueError:
        raise ProtocolError(404, f"not a resource IRI: {iri[:200]!r}") from None
    store = snapshot_of(request.app, release)
    found = {ox.Triple(q.subject, q.predicate, q.object) for q in store.quads(subject, None, None, None)}
    triples = sorted(found, key=lambda t: (str(t.predicate), str(t.object)))
    if not triples:
        raise ProtocolError(404, f"{iri[:200]} is not in release {name!r}")
    if format is not None and format not in RESOURCE_FORMATS:
        raise ProtocolError(400, f"unknown format {format[:10]!r}: use "
                                 f"{', '.join(RESOURCE_FORMATS)} (or none: HTML)")
    accept = request.headers.get("accept", "")
    fmt = format or next((k for k, v in RESOURCE_FORMATS.items() if v in accept), None)
    if fmt is not None:
        rdf_format = ox.RdfFormat.TURTLE if fmt == "ttl" else ox.RdfFormat.N_TRIPLES
        kwargs: dict[str, Any] = {"prefixes": prefixes(settings.base_iri)} if fmt == "ttl" else {}
        return Response(ox.serialize(triples, format=rdf_format, **kwargs) or b"",
                        media_type=RESOURCE_FORMATS[fmt])
    table = prefixes(settings.base_iri)
    rows = [(curie(t.predicate.value, table) or t.predicate.value,
             t.object.value if isinstance(t.object, ox.NamedNode | ox.Literal) else str(t.object),
             isinstance(t.object, ox.NamedNode)) for t in triples]
    return HTMLResponse(templates.get_template("releases/resource.html").render(
        request=request, r=release, iri=iri, rows=rows, current=f"/id/{path}", active="dataset"))
