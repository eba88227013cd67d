"""The analysts' side: home page, SPARQL workbench (YASGUI), "how to query" guide, label look-up.

Routes: `/` (home), `/query` (YASGUI on this service's `/sparql`, ontology prefixes preloaded, every
canned query as an example tab, result table with labels, chart view, CSV download, shareable
links), `/docs/querying` (guide generated from the ontology and the canned queries),
`/api/labels` (labels for result IRIs), and the workbench's static files under
`/static/workbench/` and `/static/vendor/` (YASGUI, copied from node_modules at set-up time).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import pyoxigraph as ox
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from iscg_graph.errors import QueryError
from iscg_graph.linked_data import describe as ld
from iscg_graph.linked_data.ontology_docs import document, load_ontology
from iscg_graph.linked_data.query_docs import Example, canned_examples, guide, ontology_terms, prefix_block
from iscg_graph.query.paths import path_examples
from iscg_graph.query.profile import class_profiles
from iscg_graph.rdf.store import EmbeddedStore
from iscg_graph.vocab import prefixes

from .. import i18n
from .. import openapi as oa
from ..deps import get_store, settings_dep
from ..pages import html_page, languages, last_modified
from ..settings import Settings
from ..workbench_forms import param_forms

StoreDep = Annotated[EmbeddedStore, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(settings_dep)]

router = APIRouter(tags=["workbench"])
STATIC = Path(__file__).resolve().parents[1] / "static"
MAX_LABELS = 2000

STARTER = """SELECT ?question ?label ?sector WHERE {
  ?question a iscg:Question ;
            rdfs:label ?label ;
            iscg:sector ?sector .
  FILTER(LANG(?label) = "en")
}
ORDER BY ?label
LIMIT 50
"""


def _examples() -> tuple[list[Example], str | None]:
    try:
        return list(canned_examples()), None
    except QueryError as exc:  # a broken .rq file must not take the workbench down
        return [], str(exc)


@router.get("/", summary="Home: search, the query workbench and the linked-data entry points",
            response_class=Response, responses=oa.answers(oa.HTML, 304))
def home(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    meta = store.meta
    ctx = {
        "base": settings.base_iri,
        "lang": languages(request, None)[0].split("-")[0],
        "meta": meta,
        "graphs": len(store.graphs()),
    }
    return html_page(request, "workbench/home.html", ctx, last_modified(store), True)


@router.get("/query", summary="The SPARQL query workbench (YASGUI)", response_class=Response,
            responses=oa.answers(oa.HTML, 304))
def query_page(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    base = settings.base_iri
    examples, problem = _examples()
    doc = document(load_ontology(store, base), base)
    forms = param_forms(request)
    language = i18n.ui_language(request)
    config = {
        "endpoint": "/sparql",
        "base": base,
        "prefixes": prefixes(base),
        "starter": prefix_block(base) + "\n\n" + STARTER,
        "examples": [
            {
                "name": e.name,
                "summary": i18n.gettext(language, e.summary),
                "description": i18n.gettext(language, e.description or ""),
                "query": forms[e.name]["text"] if e.name in forms else e.text,
                "params": forms[e.name]["params"] if e.name in forms else [],
            }
            for e in examples
        ],
        "terms": ontology_terms(doc, base),
        "labelsUrl": "/api/labels",
        "bindUrl": "/query/bind/",
        "diagnosticsUrl": "/api/query-diagnostics",
    }
    ctx = {
        "config": json.dumps(config, ensure_ascii=False).replace("</", "<\\/"),
        "examples": examples,
        "problem": problem,
        "base": base,
        "lang": "en",
        "vendor_ready": (STATIC / "vendor" / "yasgui" / "yasgui.min.js").is_file(),
    }
    return html_page(request, "workbench/query.html", ctx, last_modified(store), False)


@router.get("/docs/querying", summary="How to query this graph: classes, properties, example queries",
            response_class=Response, responses=oa.answers(oa.HTML, 304))
def querying_guide(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    base = settings.base_iri
    langs = languages(request, None)
    doc = document(load_ontology(store, base), base, data=store, languages=tuple(langs))
    problem = None
    try:
        g = guide(doc, base)
    except QueryError as exc:
        problem = str(exc)
        g = None
    ctx = {"guide": g, "doc": doc, "problem": problem, "base": base, "lang": langs[0].split("-")[0],
           "profiles": class_profiles(store.path, base)}
    return html_page(request, "workbench/querying.html", ctx, last_modified(store), True)


@router.get("/docs/examples", summary="Example queries along the graph's main paths, each runnable",
            response_class=Response, responses=oa.answers(oa.HTML, 304))
def path_examples_page(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    ctx = {"examples": path_examples(settings.base_iri), "base": settings.base_iri, "lang": "en"}
    return html_page(request, "workbench/examples.html", ctx, last_modified(store), True)


@router.get("/query/prefixes.json", summary="Prefixes offered by the editor's PREFIX completion")
def prefix_table(settings: SettingsDep) -> dict[str, str]:
    return prefixes(settings.base_iri)


class LabelRequest(BaseModel):
    iris: list[str] = Field(..., max_length=MAX_LABELS, description=f"at most {MAX_LABELS} IRIs")
    lang: str | None = Field(None, max_length=35)


@router.post("/api/labels", summary="Display labels and local links for IRIs (used by the result table)")
def labels(body: LabelRequest, request: Request, store: StoreDep, settings: SettingsDep) -> dict[str, Any]:
    labeller = ld.Labeller(store, settings.base_iri, languages(request, body.lang))
    out: dict[str, Any] = {}
    for iri in body.iris:
        if not iri or len(iri) > 2000 or any(c in iri for c in ' <>"{}|\\^`'):
            continue
        try:
            node = labeller.node(ox.NamedNode(iri))
        except ValueError:
            continue
        out[iri] = {
            "label": node.label,
            "lang": node.lang,
            "href": node.href,
            "local": node.local,
            "known": ld.exists(store, iri),
        }
    return {"labels": out}


__all__ = ["router"]
