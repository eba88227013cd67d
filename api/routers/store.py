"""The SPARQL 1.1 Graph Store HTTP Protocol at ``/store`` (indirect identification).

``?graph=<IRI>`` names a graph, ``?default`` the default graph. GET/HEAD for everyone (Turtle,
N-Triples, N-Quads, RDF/XML, JSON-LD by ``Accept``); PUT (replace), POST (merge; without
``graph`` or ``default``: a new graph whose IRI is returned in ``Location``, 201), DELETE for
editors and admins. Bodies: an RDF media type, or ``multipart/form-data`` whose parts are RDF
files. Each write goes through the one write path (validated, atomic, recorded; ``comment``
parameter recorded as the reason); hostile bodies are refused by `iscg_graph.curation.rdf_input`.
"""

from __future__ import annotations

import secrets

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from iscg_graph.curation.history import CHANGES_GRAPH
from iscg_graph.curation.rdf_input import parse_rdf, rdf_format
from iscg_graph.errors import UnsafeInput
from iscg_graph.rdf.store import EmbeddedStore

from ..auth import require_writer
from ..urlencoded import parse_pairs
from ..write_bodies import check_declared_length, read_capped
from ..write_openapi import STORE_READ, STORE_WRITE
from ..writes import WRITE_ERRORS, author, change_response, error_response, write_path

router = APIRouter(tags=["graph store"])

OUTPUT = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}
Target = ox.NamedNode | ox.DefaultGraph


def _target(request: Request, *, required: bool = True) -> Target | None:
    """The graph named by the query string (decoded once), None for POST to the store itself."""
    pairs = parse_pairs(request.scope.get("query_string", b"").decode("latin-1"))
    graphs = [v for k, v in pairs if k == "graph"]
    default = any(k == "default" for k, _ in pairs)
    if default and graphs:
        raise UnsafeInput("give either ?default or ?graph=, not both")
    if len(graphs) > 1:
        raise UnsafeInput("exactly one 'graph' parameter is allowed")
    if default:
        return ox.DefaultGraph()
    if graphs:
        try:
            return ox.NamedNode(graphs[0])
        except ValueError as exc:
            raise UnsafeInput(f"graph {graphs[0]!r} is not an absolute IRI") from exc
    if required:
        raise UnsafeInput("name the graph: ?graph=<IRI> or ?default")
    return None


def _comment(request: Request) -> str:
    pairs = parse_pairs(request.scope.get("query_string", b"").decode("latin-1"))
    return next((v for k, v in pairs if k == "comment"), "") or request.headers.get("x-change-comment", "")


def _negotiate(accept: str | None) -> str | None:
    if not accept:
        return "text/turtle"
    for part in accept.split(","):
        media = part.split(";")[0].strip().lower()
        if media in OUTPUT:
            return media
        if media in ("*/*", "text/*", "application/*"):
            return "text/turtle"
    return None


def _exists(store: EmbeddedStore, target: Target) -> bool:
    if isinstance(target, ox.DefaultGraph):
        return True
    return any(True for _ in store.inner.quads_for_pattern(None, None, None, target))


def _serialise(store: EmbeddedStore, target: Target, media: str) -> bytes:
    triples = [ox.Triple(q.subject, q.predicate, q.object)
               for q in store.inner.quads_for_pattern(None, None, None, target)]
    return ox.serialize(triples, format=OUTPUT[media]) or b""


@router.get("/store", response_class=Response, **STORE_READ)  # HEAD: api.head
def read_graph(request: Request) -> Response:
    try:
        target = _target(request)
    except UnsafeInput as exc:
        return error_response(exc)
    assert target is not None
    store: EmbeddedStore = request.app.state.store
    if not _exists(store, target):
        return JSONResponse({"detail": f"no graph {target}"}, status_code=404)
    media = _negotiate(request.headers.get("accept"))
    if media is None:
        return JSONResponse({"detail": f"cannot produce {request.headers.get('accept')}; available: "
                             + ", ".join(OUTPUT)}, status_code=406)
    body = _serialise(store, target, media)
    ctype = f"{media}; charset=utf-8"
    if request.method == "HEAD":
        return Response(headers={"content-type": ctype, "content-length": str(len(body))})
    return Response(body, headers={"content-type": ctype, "Vary": "Accept"})


async def _body_quads(request: Request, target: Target, cap: int, base: str) -> list[ox.Quad]:
    ctype = request.headers.get("content-type", "")
    if ctype.lower().startswith("multipart/form-data"):
        return await _multipart_quads(request, target, cap, base)
    fmt = rdf_format(ctype)
    body = await read_capped(request, cap)
    return await run_in_threadpool(parse_rdf, body, fmt, base_iri=base, max_bytes=cap, to_graph=target)


async def _multipart_quads(request: Request, target: Target, cap: int, base: str) -> list[ox.Quad]:
    check_declared_length(request, cap, "multipart body", required=True)
    form = await request.form(max_files=20, max_fields=20, max_part_size=cap)
    quads: list[ox.Quad] = []
    try:
        for _, value in form.multi_items():
            if isinstance(value, str):
                continue
            data = await value.read(cap + 1)
            fmt = rdf_format(value.content_type)
            quads += await run_in_threadpool(parse_rdf, data, fmt, base_iri=base, max_bytes=cap,
                                             to_graph=target)
    finally:
        await form.close()
    if not quads and not any(not isinstance(v, str) for _, v in form.multi_items()):
        raise UnsafeInput("the multipart body has no RDF file part")
    return quads


def _apply_write(request: Request, target: Target, quads: list[ox.Quad] | None, mode: str, kind: str,
                 who: object) -> Response:
    if isinstance(target, ox.NamedNode) and target.value == CHANGES_GRAPH:
        return JSONResponse({"detail": "the change journal is written only by the service"}, status_code=403)
    store: EmbeddedStore = request.app.state.store
    existed = _exists(store, target) if isinstance(target, ox.NamedNode) else True

    def change(work: ox.Store) -> None:
        if mode in ("put", "delete"):
            if isinstance(target, ox.DefaultGraph):
                work.clear_graph(ox.DefaultGraph())
            elif work.contains_named_graph(target):
                work.remove_graph(target)
        if quads:
            work.extend(quads)

    record = write_path(request).apply(change, author(request, who, _comment(request), kind))  # type: ignore[arg-type]
    if mode == "put" and not existed:
        return change_response(record, 201)
    return change_response(record)


async def write_graph(request: Request) -> Response:
    settings = request.app.state.settings
    try:
        who = require_writer(request)
        target = _target(request, required=request.method != "POST")
        if request.method == "DELETE":
            assert target is not None
            store: EmbeddedStore = request.app.state.store
            if not _exists(store, target):
                return JSONResponse({"detail": f"no graph {target}"}, status_code=404)
            return await run_in_threadpool(_apply_write, request, target, None, "delete", "graph-store", who)
        created = None
        if target is None:  # POST to the store: a new graph, named here
            created = ox.NamedNode(f"{settings.base_iri}graph/upload/{secrets.token_hex(8)}")
            target = created
        base = target.value if isinstance(target, ox.NamedNode) else str(request.url.replace(query=""))
        quads = await _body_quads(request, target, settings.max_write_bytes, base)
        mode = "put" if request.method == "PUT" else "post"
        response = await run_in_threadpool(_apply_write, request, target, quads, mode, "graph-store", who)
    except WRITE_ERRORS as exc:
        return error_response(exc)
    if created is not None:
        response.status_code = 201
        response.headers["Location"] = created.value
    return response


for _method in ("PUT", "POST", "DELETE"):
    router.add_api_route("/store", write_graph, methods=[_method], response_class=Response,
                         name=f"graph_store_{_method.lower()}", **STORE_WRITE[_method])
