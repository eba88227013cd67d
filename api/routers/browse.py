"""Finding things: `/search` (labels in every language, HTML or JSON) and `/themes` (the theme lists
of the ISCG report, browsable as thesauri, with an A-Z in the reader's collation)."""

from __future__ import annotations

import json
from typing import Any

import pyoxigraph as ox
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from iscg_graph.linked_data import describe as ld
from iscg_graph.linked_data.search import MAX_QUERY, SearchError, SearchIndex
from iscg_graph.linked_data.thesaurus import build_scheme, notation_key, scheme_iris
from iscg_graph.render.collation import collation_key
from iscg_graph.render.conneg import HTML, choose_format

from .. import openapi as oa
from ..linked_pages import JSON, SettingsDep, StoreDep
from ..pages import conditional, html_page, languages, last_modified

router = APIRouter(tags=["linked data"])


@router.get("/search", summary="Find resources by label in any language (prefix and word match, ranked)",
            response_class=Response, responses=oa.answers((oa.HTML, oa.JSON), 304, 400, 406, 422))
def search(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    q: str = Query("", description="words or the beginning of a label, notation or title; without a "
                   "letter or digit: the search form as HTML, 400 as JSON",
                   json_schema_extra={"minLength": 1, "maxLength": MAX_QUERY, "pattern": r"\w"}),
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
