"""The ``/sparql`` operations as OpenAPI describes them: the protocol's parameters and bodies, and
every status and media type the route answers (`route` registers them on documenting routes)."""

from __future__ import annotations

from typing import Any

from iscg_graph.render import formats

from ..openapi import JSON, answers
from ..write_openapi import UPDATE_ANSWERS, UPDATE_BODY, UPDATE_FORM, UPDATE_MEDIA
from .protocol import DIRECT, FORM

ANSWERS = (*formats.PRODUCES["results"], *formats.PRODUCES["graph"])

_DATASET = {
    "default-graph-uri": "a graph of this store to query as the default graph (repeatable)",
    "named-graph-uri": "a graph of this store to make available to GRAPH (repeatable)",
}
_QUERY = "a SPARQL 1.1 query (SELECT, ASK, CONSTRUCT or DESCRIBE); without it, the service description"
_FORMAT = ("the result format instead of Accept, or a media type: json, xml, csv, tsv (results); turtle, "
           "ntriples, json-ld, rdfxml (graphs)")


def _param(name: str, description: str, *, repeat: bool = False) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "array", "items": {"type": "string"}} if repeat else {"type": "string"}
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema,
            **({"style": "form", "explode": True} if repeat else {})}


_PARAMS = [
    _param("query", _QUERY),
    *(_param(name, text, repeat=True) for name, text in _DATASET.items()),
    _param("format", _FORMAT),
]

_FORM_BODY = {
    "type": "object",
    "properties": {
        "query": {"type": "string", "description": _QUERY},
        **{name: {"type": "array", "items": {"type": "string"}, "description": text}
           for name, text in _DATASET.items()},
        "format": {"type": "string", "description": _FORMAT},
        **UPDATE_FORM,  # SPARQL 1.1 Update: one endpoint for queries and updates
    },
}

_ERRORS = (400, 403, 406, 413, 429, 503)
_DESCRIBE = {
    200: "query results (SELECT/ASK), an RDF graph (CONSTRUCT/DESCRIBE) or, on a GET without a query, "
         "the SPARQL service description",
    403: "SPARQL Update, SERVICE to a host not allowed, or a dataset IRI the store does not hold",
}

GET: dict[str, Any] = {
    "operation_id": "sparql_query_get",
    "summary": "SPARQL 1.1 query (GET): the query in the URL",
    "responses": answers(ANSWERS, 303, *_ERRORS, error_media=(JSON,), describe=_DESCRIBE,
                         media={303: ()}),
    "openapi_extra": {"parameters": _PARAMS},
}
POST: dict[str, Any] = {
    "operation_id": "sparql_query_post",
    "summary": "SPARQL 1.1 query or update (POST): a form, or the query itself as application/sparql-query, "
               "or an update as application/sparql-update (editors; validated, recorded)",
    "responses": answers((*ANSWERS, JSON), *_ERRORS, 204, 401, 409, 415, 422, error_media=(JSON,),
                         describe={**UPDATE_ANSWERS, **_DESCRIBE,
                                   200: _DESCRIBE[200] + "; for an update, the change as recorded (JSON)",
                                   403: _DESCRIBE[403] + "; for an update, " + UPDATE_ANSWERS[403]},
                         media={204: ()}),
    "openapi_extra": {
        "parameters": [p for p in _PARAMS if p["name"] != "query"],
        "requestBody": {
            "required": True,
            "content": {
                FORM: {"schema": _FORM_BODY},
                DIRECT: {"schema": {"type": "string", "minLength": 1, "description": _QUERY}},
                UPDATE_MEDIA: UPDATE_BODY,
            },
        },
    },
}
