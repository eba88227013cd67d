"""Linked data: every IRI under the public base dereferences here, with content negotiation.

Routes: `/id/…` (resources) and `/graph/…` (named graphs); the ontology, the dataset description,
dumps and the JSON-LD context are in `dataset.py`, search and the theme lists in `browse.py`. The
service maps its own host onto the configured `base_iri`: `GET /id/x` describes `{base_iri}id/x`,
and links in pages point at local paths.

Each representation answers to `Accept` (HTML, Turtle, JSON-LD, N-Triples, RDF/XML) and to a
suffix (`.html`, `.ttl`, `.jsonld`, `.nt`, `.rdf`); pages pick labels by `Accept-Language` (or
`?lang=`). Every response carries `ETag` and `Last-Modified` and honours conditional GET.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from iscg_graph.curation.history import changes_about
from iscg_graph.linked_data import describe as ld
from iscg_graph.linked_data.neighbours import grouped, neighbours
from iscg_graph.linked_data.thesaurus import broader_chain, build_scheme, is_scheme, narrower
from iscg_graph.query.reports import report_specs
from iscg_graph.rdf.derived import DERIVED_SUFFIX
from iscg_graph.render.collation import collation_key
from iscg_graph.render.conneg import split_suffix
from iscg_graph.vocab import ONTOLOGY_NS

from .. import openapi as oa
from ..linked_pages import SettingsDep, StoreDep, negotiate, not_found
from ..querying import catalog_of
from ..report_links import reports_about

router = APIRouter(tags=["linked data"])


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


@router.get("/derived", include_in_schema=False)
@router.get("/derived/{path:path}", include_in_schema=False)
def derived_node(request: Request, path: str = "") -> Response:
    """The derived graph's own nodes (its vocabulary, its theme pairs) are not resources of their
    own: 303 See Other to the derived graph, which holds everything said about them."""
    target = f"/{DERIVED_SUFFIX}"
    if request.url.query:
        target += f"?{request.url.query}"
    return RedirectResponse(target, status_code=303)
