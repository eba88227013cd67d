"""The floor of this stack: uvicorn + a bare ASGI app + pyoxigraph, with no checks at all.

Not a server anyone should run: it answers ``GET /sparql?query=`` by running the text on an
in-memory pyoxigraph store (the bench data, union default graph, as every bench server) and sending
SPARQL JSON. No protocol checks, no safety scan, no proof, no budget, no timeout, no FastAPI. What
this service does per request can only add to it, so its single-request latency is the best any
service built on uvicorn and pyoxigraph could show on this machine: bench/run.py reports it next
to ``oxigraph serve`` (server ``floor``) to tell the stack's cost from this service's own.

    BENCH_FLOOR_DATA=var/bench/data-10k.nq python -m uvicorn floor_app:app --app-dir bench
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from api.urlencoded import parse_pairs  # noqa: E402  (the service's own decoder: the fastest we have)

_store = ox.Store()
_store.bulk_load(path=os.environ["BENCH_FLOOR_DATA"], format=ox.RdfFormat.N_QUADS)
_JSON = ox.QueryResultsFormat.JSON
_HEADERS = [(b"content-type", b"application/sparql-results+json")]


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":  # nothing to start or stop
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    query = next((v for k, v in parse_pairs(scope["query_string"].decode("latin-1")) if k == "query"), "")
    try:
        body = _store.query(query, use_default_graph_as_union=True).serialize(format=_JSON) or b""
        status = 200
    except (SyntaxError, ValueError, OSError) as exc:
        body, status = str(exc).encode(), 400
    length = (b"content-length", str(len(body)).encode())
    await send({"type": "http.response.start", "status": status, "headers": [*_HEADERS, length]})
    await send({"type": "http.response.body", "body": body})
