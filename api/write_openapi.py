"""The write routes as OpenAPI documents them: the Graph Store Protocol at ``/store`` (GET, PUT,
POST, DELETE), SPARQL 1.1 Update on ``POST /sparql`` (merged into the query operation, one
endpoint as the protocol has it) and ``POST /changes/{number}/revert``: their parameters, bodies,
and every status and media type they answer (`api.writes.error_response` is the one place errors
are made: 401/403 from the roles, 413/415/400 from the body checks, 422 with the SHACL report, 409 when
a change no longer applies).
"""

from __future__ import annotations

from typing import Any

from iscg_graph.curation.rdf_input import MEDIA_TYPES

from .openapi import JSON, answers

__all__ = ["REVERT", "STORE_READ", "STORE_WRITE", "UPDATE_ANSWERS", "UPDATE_BODY", "UPDATE_FORM",
           "UPDATE_MEDIA"]

READ_MEDIA = ("text/turtle", "application/n-triples", "application/n-quads", "application/rdf+xml",
              "application/ld+json")
UPDATE_MEDIA = "application/sparql-update"
_IRI = r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*$"

_GRAPH = {"name": "graph", "in": "query", "required": False,
          "description": "the IRI of the graph (absolute); give it or `default`, not both",
          "schema": {"type": "string", "pattern": _IRI, "maxLength": 2000}}
_DEFAULT = {"name": "default", "in": "query", "required": False, "allowEmptyValue": True,
            "description": "the default graph (a flag, no value); give it or `graph`, not both",
            "schema": {"type": "string", "maxLength": 0}}
_COMMENT = {"name": "comment", "in": "query", "required": False,
            "description": "why: recorded with the change (also accepted as the X-Change-Comment header)",
            "schema": {"type": "string", "maxLength": 5000}}

_CHANGE = {  # what `api.writes.change_response` sends
    200: "the change as recorded: {change, iri, added, removed, href}",
    201: "a graph created, and the change as recorded (POST to the store: its IRI in Location)",
    204: "nothing to change: nothing recorded",
    401: "no credentials, or wrong ones: an editor's bearer token or session is needed",
    403: "not allowed: the role is below editor, writing is off (read-only, or no admin account yet), "
         "the change journal was named, or a LOAD/SERVICE was sent",
    409: "conflicts with what is recorded",
    411: "a multipart body without Content-Length",
    413: "the body is over the write limit (ISCG_MAX_WRITE_BYTES)",
    415: "the body's media type or charset is not accepted (UTF-8 RDF only)",
    422: "the dataset after the change would break the shapes: the SHACL report (focus node, path, "
         "message), nothing written",
}

STORE_READ: dict[str, Any] = {
    "summary": "Read a graph (SPARQL 1.1 Graph Store Protocol)",
    "responses": answers(READ_MEDIA, 400, 404, 406, error_media=(JSON,),
                         describe={200: "the graph, in the format negotiated by Accept (Turtle by default)"}),
    "openapi_extra": {"parameters": [_GRAPH, _DEFAULT]},
}


def _write(method: str) -> dict[str, Any]:
    codes = {"PUT": (201, 204, 400, 401, 403, 411, 413, 415, 422),
             "POST": (201, 204, 400, 401, 403, 411, 413, 415, 422),
             "DELETE": (204, 400, 401, 403, 404, 422)}[method]
    what = {"PUT": "Replace a graph with the body", "POST": "Add the body to a graph (or to a new graph)",
            "DELETE": "Delete a graph"}[method]
    extra: dict[str, Any] = {"parameters": [_GRAPH, _DEFAULT, _COMMENT]}
    if method != "DELETE":
        rdf = {media: {"schema": {"type": "string", "format": "binary"}} for media in sorted(MEDIA_TYPES)}
        extra["requestBody"] = {"required": True, "content": {
            **rdf, "multipart/form-data": {"schema": {"type": "object", "additionalProperties": {
                "type": "string", "format": "binary"}}}}}
    return {
        "summary": f"{what} (Graph Store Protocol; editors, validated, recorded)",
        "operation_id": f"graph_store_{method.lower()}",
        "responses": answers((JSON,), *codes, describe=_CHANGE, media={204: ()}),
        "openapi_extra": extra,
    }


STORE_WRITE = {method: _write(method) for method in ("PUT", "POST", "DELETE")}

UPDATE_BODY = {"schema": {"type": "string", "minLength": 1,
                          "description": "a SPARQL 1.1 Update (no LOAD, no SERVICE); editors only"}}
UPDATE_FORM = {
    "update": {"type": "string", "description": "a SPARQL 1.1 Update, instead of `query` (editors only)"},
    "using-graph-uri": {"type": "array", "items": {"type": "string"},
                        "description": "USING: a graph of this store as the update's default graph"},
    "using-named-graph-uri": {"type": "array", "items": {"type": "string"},
                              "description": "USING NAMED: a graph of this store for GRAPH"},
    "comment": {"type": "string", "maxLength": 5000, "description": "why: recorded with the change"},
}
UPDATE_ANSWERS = {code: text for code, text in _CHANGE.items() if code not in (201, 411)}

REVERT: dict[str, Any] = {
    "summary": "Undo a change, as a new change (admins; a reason is required)",
    "status_code": 201,
    "responses": answers((JSON,), 303, 400, 401, 403, 409, 422, status=201,
                         describe={201: "the new change that undoes it",
                                   303: "from the web form: to the new change's page",
                                   400: "no reason given", 401: _CHANGE[401],
                                   403: "not an admin, or writing is off",
                                   409: "no such change, or a later change touched the same statements",
                                   422: _CHANGE[422]},
                         media={303: ()}),
}
