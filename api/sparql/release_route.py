"""SPARQL against a release: ``/releases/{name}/sparql``, the same protocol and safety rules as
``/sparql`` (budget, size limits, updates and outbound clauses refused, timeout, result limit),
answered by the release's own engine (`api.release_engines`)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from .. import openapi as oa
from ..release_engines import engine_for, find_release
from . import openapi
from .route import answer, router

__all__ = ["release_sparql"]


async def release_sparql(request: Request, name: str) -> Response:
    release = find_release(request.app.state.settings, name)
    return await answer(request, engine_for(request.app, release))


for _method, _doc in (("GET", openapi.GET), ("POST", openapi.POST)):
    _release_doc = {**_doc, "operation_id": f"release_{_doc['operation_id']}",
                    "summary": f"Against a release: {_doc['summary']}",
                    "responses": {**_doc["responses"], 404: oa.answers(None, 404)[404]}}
    router.add_api_route("/releases/{name}/sparql", release_sparql, methods=[_method],
                         response_class=Response, name=f"release_sparql_{_method.lower()}", **_release_doc)
