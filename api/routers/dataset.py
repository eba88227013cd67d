"""The graph as a whole: `/ontology` (documentation, or the ontology as RDF, and its versions),
`/dataset` (VoID + DCAT), `/dumps/<file>` (gzip dumps written by the build) and `/context.jsonld`,
with the same content negotiation and conditional GET as the resources (api/linked_pages.py)."""

from __future__ import annotations

import json
from email.utils import formatdate
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, Response

from iscg_graph.build.dump_refresh import fresh_dumps
from iscg_graph.build.publish import DUMPS, count, dataset_iri, description, meta_graph
from iscg_graph.linked_data import describe as ld
from iscg_graph.linked_data.ontology_docs import ONTOLOGY_FILE, document, load_ontology
from iscg_graph.query.profile import class_profiles
from iscg_graph.rdf.store import EmbeddedStore
from iscg_graph.render.conneg import BY_SUFFIX, not_modified, split_suffix
from iscg_graph.render.representations import jsonld_context

from .. import openapi as oa
from ..linked_pages import SettingsDep, StoreDep, alternates, negotiate, not_found, pick_format, rdf_response
from ..pages import conditional, html_page, languages, last_modified
from ..settings import Settings

router = APIRouter(tags=["linked data"])


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
        return rdf_response(request, ordered, fmt, base, modified, suffix is None, f"/ontology.{fmt.suffix}")
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
    fresh_dumps(store, path.parent, settings.base_iri)  # curated writes since the build: written again
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
