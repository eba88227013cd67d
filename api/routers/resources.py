"""Linked data: every IRI under the public base dereferences here, with content negotiation.

Routes: `/id/…` (resources), `/graph/…` (named graphs), `/ontology` (documentation or the ontology
itself), `/dataset` (VoID + DCAT), `/dumps/<file>` (gzip dumps written by the build),
`/context.jsonld`, `/search`, `/themes`. The service maps its own host onto the configured
`base_iri`: `GET /id/x` describes `{base_iri}id/x`, and links in pages point at local paths.

Each representation answers to `Accept` (HTML, Turtle, JSON-LD, N-Triples, RDF/XML) and to a
suffix (`.html`, `.ttl`, `.jsonld`, `.nt`, `.rdf`); pages pick labels by `Accept-Language` (or
`?lang=`). Every response carries `ETag` and `Last-Modified` and honours conditional GET.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from email.utils import formatdate
from pathlib import Path
from typing import Annotated, Any

import pyoxigraph as ox
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, JSONResponse, Response

from iscg_graph.build.publish import DUMPS, count, dataset_iri, description, meta_graph
from iscg_graph.curation.history import changes_about
from iscg_graph.linked_data import describe as ld
from iscg_graph.linked_data.neighbours import grouped, neighbours
from iscg_graph.linked_data.ontology_docs import ONTOLOGY_FILE, document, load_ontology
from iscg_graph.linked_data.search import SearchError, SearchIndex
from iscg_graph.linked_data.thesaurus import (
    broader_chain,
    build_scheme,
    is_scheme,
    narrower,
    notation_key,
    scheme_iris,
)
from iscg_graph.query.profile import class_profiles
from iscg_graph.query.reports import report_specs
from iscg_graph.rdf.store import EmbeddedStore
from iscg_graph.render.collation import collation_key
from iscg_graph.render.conneg import (
    BY_SUFFIX,
    FORMATS,
    HTML,
    JSON_LD,
    DocFormat,
    NotAcceptable,
    choose_format,
    not_modified,
    split_suffix,
)
from iscg_graph.render.representations import jsonld_context, serialize
from iscg_graph.vocab import ONTOLOGY_NS

from .. import openapi as oa
from ..deps import get_store, settings_dep
from ..pages import conditional, html_page, languages, last_modified
from ..querying import catalog_of
from ..report_links import reports_about
from ..settings import Settings
from ..templating import templates

StoreDep = Annotated[EmbeddedStore, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(settings_dep)]

JSON = DocFormat("json", "application/json", "json", False)
router = APIRouter(tags=["linked data"])

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
    return JSONResponse({"detail": message}, status_code=404)


def alternates(path: str) -> list[dict[str, str]]:
    return [
        {"name": FORMAT_TITLES[f.name], "media_type": f.media_type, "href": f"{path}.{f.suffix}"}
        for f in FORMATS
        if f.rdf
    ]


def _rdf(
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
        return _rdf(request, triples(), fmt, settings.base_iri, modified, suffix is None, location)
    langs = languages(request, lang)
    template, context = page(langs)
    links = ", ".join(f'<{a["href"]}>; rel="alternate"; type="{a["media_type"]}"' for a in alternates(local))
    context.setdefault("lang", langs[0].split("-")[0])
    context.setdefault("alternates", alternates(local))
    context.setdefault("base", settings.base_iri)
    return html_page(request, template, context, modified, suffix is None, {"Link": links})


# -- resources -------------------------------------------------------------------------------------


@router.get(
    "/id/{path:path}",
    summary="A resource of the graph (HTML, Turtle, JSON-LD, N-Triples, RDF/XML)",
    response_class=Response,
    responses=oa.LINKED_DATA,
)
def resource(
    path: str,
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    lang: str | None = Query(None, max_length=35, description="label language, overrides Accept-Language"),
) -> Response:
    base = settings.base_iri
    iri = f"{base}id/{path}"
    suffix: str | None = None
    if not ld.exists(store, iri):
        stem, suffix = split_suffix(path)
        iri = f"{base}id/{stem}"
        if suffix is None or not ld.exists(store, iri):
            return not_found(request, f"no resource <{base}id/{path}> in the graph", settings)
        path = stem
    local = f"/id/{path}"

    def page(langs: list[str]) -> tuple[str, dict[str, Any]]:
        labeller = ld.Labeller(store, base, langs)
        desc = ld.describe(store, iri, labeller)
        ctx: dict[str, Any] = {"d": desc, "neighbours": grouped(neighbours(store, iri, labeller)), "iri": iri,
                               "history": changes_about(store.inner, iri)[:50]}  # curation (issue 13)
        titles = {r.name: r.title for r in report_specs(catalog_of(request))}
        ctx["reports"] = [(titles[k], href) for k, href in reports_about(iri, base) if k in titles]
        if is_scheme(store, iri):
            ctx["scheme"] = build_scheme(store, iri, labeller)
        elif any(t.value == f"{ONTOLOGY_NS}Theme" for t in (desc.types if desc else ())):
            ctx["chain"] = broader_chain(store, iri, labeller)
            ctx["narrower"] = narrower(store, iri, labeller)
        return "resources/resource.html", ctx

    return negotiate(
        request, suffix, local, lambda: ld.triples_about(store, iri), page, store, settings, lang
    )


@router.get(
    "/graph/{path:path}",
    summary="A named graph: its content, or a page listing what it holds",
    response_class=Response,
    responses=oa.LINKED_DATA,
)
def named_graph(
    path: str,
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    lang: str | None = Query(None, max_length=35),
) -> Response:
    base = settings.base_iri
    graphs = set(store.graphs())
    iri = f"{base}graph/{path}"
    suffix: str | None = None
    if iri not in graphs:
        stem, suffix = split_suffix(path)
        iri = f"{base}graph/{stem}"
        if suffix is None or iri not in graphs:
            return not_found(request, f"no named graph <{base}graph/{path}>", settings)
        path = stem

    def page(langs: list[str]) -> tuple[str, dict[str, Any]]:
        labeller = ld.Labeller(store, base, langs)
        triples = ld.graph_triples(store, iri)
        subjects = sorted({t.subject for t in triples if isinstance(t.subject, ox.NamedNode)}, key=str)
        nodes = sorted((labeller.node(s) for s in subjects), key=lambda n: collation_key(n.label))
        return "resources/graph.html", {
            "graph": labeller.node(ox.NamedNode(iri)),
            "triples": len(triples),
            "subjects": nodes,
            "iri": iri,
        }

    return negotiate(
        request, suffix, f"/graph/{path}", lambda: ld.graph_triples(store, iri), page, store, settings, lang
    )


# -- ontology, dataset, dumps, context -------------------------------------------------------------


@router.get(
    "/ontology", summary="The ontology: HTML documentation, or the ontology as RDF",
    response_class=Response,
    responses=oa.LINKED_DATA,
)
@router.get("/ontology.{suffix}", include_in_schema=False)
@router.get("/ontology/{version}", include_in_schema=False)
def ontology(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    suffix: str | None = None,
    version: str | None = None,
    lang: str | None = Query(None, max_length=35),
) -> Response:
    base = settings.base_iri
    triples = load_ontology(store, base)
    if version is not None:
        stem, vsuffix = split_suffix(version)
        version_iri = ld.named(f"{base}ontology/{stem}")
        if version_iri is None or not any(t.object == version_iri for t in triples):
            return not_found(request, f"no ontology version <{base}ontology/{stem}>", settings)
        suffix = vsuffix
    if suffix is not None and suffix not in BY_SUFFIX:
        return not_found(request, f"no representation .{suffix} of the ontology", settings)
    if not triples:
        return not_found(request, "the ontology is not loaded", settings)
    fmt = pick_format(request, suffix)  # NotAcceptable: the app's 406
    modified = last_modified(store)
    if fmt.rdf:
        if (
            fmt.suffix == "ttl"
            and ONTOLOGY_FILE.is_file()
            and not any(store.quads(None, None, None, ox.NamedNode(f"{base}graph/ontology")))
        ):
            body = ONTOLOGY_FILE.read_bytes()  # the file as written, comments included
            return conditional(request, body, fmt.media_type, modified, negotiated=suffix is None)
        ordered = sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
        return _rdf(request, ordered, fmt, base, modified, suffix is None, f"/ontology.{fmt.suffix}")
    langs = languages(request, lang)
    doc = document(triples, base, data=store, languages=tuple(langs))
    ctx = {"doc": doc, "lang": langs[0].split("-")[0], "alternates": alternates("/ontology"), "base": base,
           "profiles": class_profiles(store.path, base)}
    return html_page(request, "resources/ontology.html", ctx, modified, suffix is None)


@router.get(
    "/context.jsonld",
    summary="The JSON-LD context used by every JSON-LD document of the service",
    response_class=Response,
    responses=oa.answers("application/ld+json", 304),
)
def context(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    body = json.dumps(jsonld_context(settings.base_iri), indent=2, sort_keys=True).encode("utf-8")
    return conditional(request, body, "application/ld+json", last_modified(store), negotiated=False)


def _dataset_triples(store: EmbeddedStore, base: str) -> list[ox.Triple]:
    ds = dataset_iri(base)
    found = [
        ox.Triple(q.subject, q.predicate, q.object)
        for q in store.quads(None, None, None, ox.NamedNode(meta_graph(base)))
        if isinstance(q.subject, ox.NamedNode)
        and (q.subject.value == ds or q.subject.value.startswith(ds + "#"))
    ]
    if not found:  # not published yet (a store built before publish ran): describe it live
        found = description(store, base)
    return sorted(set(found), key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


def _dumps_dir(store: EmbeddedStore, settings: Settings) -> Path:
    return (store.path or settings.store_path) / "dumps"


@router.get(
    "/dataset",
    summary="The dataset description (VoID + DCAT): licence, counts, endpoint, dumps",
    response_class=Response,
    responses=oa.LINKED_DATA,
)
@router.get("/dataset.{suffix}", include_in_schema=False)
def dataset(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    suffix: str | None = None,
    lang: str | None = Query(None, max_length=35),
) -> Response:
    base = settings.base_iri
    if suffix is not None and suffix not in BY_SUFFIX:
        return not_found(request, f"no representation .{suffix} of the dataset description", settings)

    def page(langs: list[str]) -> tuple[str, dict[str, Any]]:
        triples = _dataset_triples(store, base)
        ds = ox.NamedNode(dataset_iri(base))
        values: dict[str, list[str]] = {}
        for t in triples:
            if t.subject == ds and isinstance(t.object, ox.NamedNode | ox.Literal):
                values.setdefault(t.predicate.value, []).append(t.object.value)
        labeller = ld.Labeller(store, base, langs)
        counts = count(store, base)
        folder = _dumps_dir(store, settings)
        dumps = [
            {
                "name": name,
                "media_type": media,
                "title": title,
                "href": f"/dumps/{name}",
                "size": (folder / name).stat().st_size if (folder / name).is_file() else None,
            }
            for name, (media, title) in DUMPS.items()
        ]
        graphs = [(labeller.node(ox.NamedNode(g)), n) for g, n in counts.graphs.items()]
        classes = sorted(
            ((labeller.node(ox.NamedNode(c)), n) for c, n in counts.classes.items()), key=lambda x: -x[1]
        )
        return "resources/dataset.html", {
            "v": values,
            "counts": counts,
            "dumps": dumps,
            "graphs": graphs,
            "classes": classes,
            "iri": dataset_iri(base),
        }

    return negotiate(
        request, suffix, "/dataset", lambda: _dataset_triples(store, base), page, store, settings, lang
    )


@router.get(
    "/dumps/{name}",
    summary="A full dump of the graph (gzip), regenerated on every build",
    response_class=Response,
    responses=oa.answers(("application/gzip",), 304, 404, error_media=oa.PAGE_ERRORS),
)
def dump(name: str, request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    if name not in DUMPS:
        return not_found(request, f"no dump named {name!r}; available: {', '.join(DUMPS)}", settings)
    path = _dumps_dir(store, settings) / name
    if not path.is_file():
        return not_found(request, f"the dump {name} has not been written (run `iscg build`)", settings)
    stat = path.stat()
    etag = f'"{int(stat.st_mtime_ns):x}-{stat.st_size:x}"'
    headers = {"ETag": etag, "Last-Modified": formatdate(stat.st_mtime, usegmt=True)}
    if not_modified(
        etag, stat.st_mtime, request.headers.get("if-none-match"), request.headers.get("if-modified-since")
    ):
        return Response(status_code=304, headers=headers)
    return FileResponse(path, media_type="application/gzip", filename=name, headers=headers)


# -- search and browsing ---------------------------------------------------------------------------


@router.get("/search", summary="Find resources by label in any language (prefix and word match, ranked)",
            response_class=Response, responses=oa.answers((oa.HTML, oa.JSON), 304, 400, 406, 422))
def search(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    q: str = Query("", description="words or the beginning of a label, notation or title"),
    limit: int = Query(20, description="at most this many results (1-200; outside it, 400)",
                       json_schema_extra={"minimum": 1, "maximum": 200}),
    lang: str | None = Query(None, max_length=35),
    format: str | None = Query(None, pattern="^(json|html)$", description="json or html, overriding Accept"),
) -> Response:
    base = settings.base_iri
    if format:
        wants_html = format == "html"
    else:
        wants_html = choose_format(request.headers.get("accept"), (HTML, JSON)) is HTML
    langs = languages(request, lang)
    hits: list[Any] = []
    error: str | None = None
    if q.strip() or not wants_html:
        try:
            hits = SearchIndex.for_store(store, base).search(q, limit=limit, language=langs[0])
        except SearchError as exc:
            if not wants_html:
                raise  # the app's policy: 400
            error = str(exc)
    labeller = ld.Labeller(store, base, langs)
    results = []
    for h in hits:
        node = labeller.node(ox.NamedNode(h.iri))
        types = [labeller.node(ox.NamedNode(t)) for t in h.types]
        results.append(
            {
                "iri": h.iri,
                "label": node.label,
                "lang": node.lang,
                "href": node.href,
                "matched": h.matched,
                "matched_lang": h.lang,
                "field": h.field,
                "score": h.score,
                "types": [{"iri": t.value, "label": t.label} for t in types],
            }
        )
    modified = last_modified(store)
    if not wants_html:
        body = json.dumps(
            {"query": q, "count": len(results), "results": results}, ensure_ascii=False, indent=2
        ).encode("utf-8")
        return conditional(request, body, "application/json", modified, negotiated=True)
    ctx = {
        "q": q,
        "results": results,
        "error": error,
        "lang": langs[0].split("-")[0],
        "base": base,
        "limit": limit,
    }
    return html_page(request, "resources/search.html", ctx, modified, True)


@router.get("/themes", summary="The theme lists of the ISCG report, browsable as thesauri",
            response_class=Response, responses=oa.answers(oa.HTML, 304, 422))
def themes(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    lang: str | None = Query(None, max_length=35),
) -> Response:
    base = settings.base_iri
    langs = languages(request, lang)
    labeller = ld.Labeller(store, base, langs)
    schemes = [
        build_scheme(store, iri, labeller) for iri in scheme_iris(store) if iri.startswith(f"{base}id/")
    ]
    schemes.sort(key=lambda sc: (notation_key(sc.notation), sc.node.label))
    letters: dict[str, list[tuple[ld.Node, ld.Node]]] = {}
    for scheme in schemes:
        for letter, nodes in scheme.a_to_z:
            letters.setdefault(letter, []).extend((n, scheme.node) for n in nodes)
    a_to_z = [
        (k, sorted(v, key=lambda e: (collation_key(e[0].label), e[1].label)))
        for k, v in sorted(letters.items(), key=lambda kv: collation_key(kv[0]))
    ]
    ctx = {"schemes": schemes, "a_to_z": a_to_z, "lang": langs[0].split("-")[0], "base": base}
    return html_page(request, "resources/themes.html", ctx, last_modified(store), True)
