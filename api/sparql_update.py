"""SPARQL 1.1 Update at ``/sparql``: POST ``application/sparql-update`` or form ``update=``.

Handed over by the query endpoint (`api.routers.sparql.UpdateRequested`) once it knows the request
is an update. Editors and admins only (401/403 otherwise, checked before the body is read); exactly
one ``update``; ``using-graph-uri`` / ``using-named-graph-uri`` as the protocol defines them;
``comment`` is recorded as the reason for the change. Relative IRIs resolve against the endpoint.
The update runs on a working copy through the one write path (validated, atomic, recorded).
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from iscg_graph.curation.update import apply_update
from iscg_graph.errors import UnsafeInput

from .auth import require_writer
from .write_bodies import read_text
from .writes import WRITE_ERRORS, author, change_response, error_response, write_path

__all__ = ["answer_update"]


async def answer_update(request: Request, params: list[tuple[str, str]], direct: bool) -> Response:
    settings = request.app.state.settings
    try:
        who = require_writer(request)
        updates = [v for k, v in params if k == "update"]
        if direct:
            if updates:
                raise UnsafeInput("a direct update POST must not also carry an 'update' parameter")
            updates = [await read_text(request, settings.max_write_bytes, "update")]
        if len(updates) != 1:
            raise UnsafeInput(f"exactly one 'update' is required, got {len(updates)}")
        if any(k == "query" for k, _ in params):
            raise UnsafeInput("a request carries a query or an update, not both")
        using = [v for k, v in params if k == "using-graph-uri"]
        using_named = [v for k, v in params if k == "using-named-graph-uri"]
        comment = next((v for k, v in params if k == "comment"), "")
        base = str(request.url.replace(query=""))
        text = updates[0]
        writes = write_path(request)
        record = await run_in_threadpool(
            writes.apply,
            lambda work: apply_update(work, text, base_iri=base, using=using, using_named=using_named),
            author(request, who, comment, "sparql-update"),
        )
    except WRITE_ERRORS as exc:
        return error_response(exc, _cors(request))
    response = change_response(record)
    response.headers.update(_cors(request))
    return response


def _cors(request: Request) -> dict[str, str]:
    origins = request.app.state.settings.cors_origins
    return {"Access-Control-Allow-Origin": "*"} if "*" in origins else {}


