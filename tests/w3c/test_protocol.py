"""W3C SPARQL 1.1 Protocol conformance: every query test of protocol/manifest.ttl, replayed live.

Reads ``../shared/w3c-sparql11/protocol/manifest.ttl``, keeps the query tests (the 14 update tests
need an update endpoint; this one is read-only), and sends each ``ht:Request`` as written (method,
path rewritten from ``/sparql/`` to the endpoint, headers, body in its declared encoding) with
http.client, so no header is added or normalised. Checks the expected status class, result format
(by Content-Type) and ASK answer.
"""

from __future__ import annotations

import http.client
import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
import rdflib
from external import W3C_SPARQL11, missing
from rdflib.collection import Collection

from iscg_graph.query.safety import analyse

W3C = W3C_SPARQL11

MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = rdflib.Namespace("http://www.w3.org/2011/http#")
CNT = rdflib.Namespace("http://www.w3.org/2011/content#")
HTS = rdflib.Namespace("http://www.w3.org/2011/http-statusCodes#")

FORMAT_TYPES = {
    "boolean": {"application/sparql-results+json", "application/sparql-results+xml"},
    "tabular": {
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    },
    "RDF": {"application/rdf+xml", "text/turtle", "application/n-triples", "application/xhtml+xml"},
}


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: set[str]
    format: str | None
    boolean: bool | None


@dataclass
class ProtocolTest:
    name: str
    title: str
    requests: list[Request] = field(default_factory=list)

    @property
    def is_update(self) -> bool:
        """An update request: ``update=`` parameter, update media type, or an update text as body."""
        for r in self.requests:
            if "update=" in r.path or "sparql-update" in r.headers.get("content-type", ""):
                return True
            if r.body and (b"update=" in r.body or analyse(r.body.decode("utf-8", "replace")).update):
                return True
        return False


def load_tests() -> list[ProtocolTest]:
    path = W3C / "protocol" / "manifest.ttl"
    if not path.is_file():
        return []
    g = rdflib.Graph().parse(path, format="turtle")
    manifest = next(g.subjects(rdflib.RDF.type, MF.Manifest))
    out = []
    for entry in Collection(g, g.value(manifest, MF.entries)):
        test = ProtocolTest(str(entry).split("#")[-1], str(g.value(entry, MF.name)))
        action = g.value(entry, MF.action)
        for req in Collection(g, g.value(action, HT.requests)):
            headers = {}
            if g.value(req, HT.headers) is not None:
                for h in Collection(g, g.value(req, HT.headers)):
                    headers[str(g.value(h, HT.fieldName)).lower()] = str(g.value(h, HT.fieldValue))
            body = None
            content = g.value(req, HT.body)
            if content is not None:
                encoding = str(g.value(content, CNT.characterEncoding) or "UTF-8")
                body = str(g.value(content, CNT.chars)).encode(encoding)
            resp = g.value(req, HT.resp)
            expected_bool = g.value(resp, MF.expectedBoolean)
            test.requests.append(
                Request(
                    method=str(g.value(req, HT.methodName)),
                    path=str(g.value(req, HT.absolutePath)),
                    headers=headers,
                    body=body,
                    statuses={str(s).split("#")[-1] for s in g.objects(resp, MF.expectedStatus)},
                    format=str(g.value(resp, MF.expectedFormat))
                    if g.value(resp, MF.expectedFormat)
                    else None,
                    boolean=None if expected_bool is None else bool(expected_bool.toPython()),
                )
            )
        out.append(test)
    return out


ALL_TESTS = load_tests()
QUERY_TESTS = [t for t in ALL_TESTS if not t.is_update]


def test_the_manifest_was_read_in_full() -> None:
    if not ALL_TESTS:
        missing(f"W3C manifests at {W3C}")
    assert len(ALL_TESTS) == 34
    assert len(QUERY_TESTS) == 20


def _boolean(body: bytes, media_type: str) -> bool:
    if media_type == "application/sparql-results+json":
        return bool(json.loads(body)["boolean"])
    root = ET.fromstring(body)
    node = root.find("{http://www.w3.org/2005/sparql-results#}boolean")
    assert node is not None
    return node.text == "true"


def send(endpoint: str, req: Request) -> tuple[int, str, bytes]:
    url = urlsplit(endpoint)
    assert req.path.startswith("/sparql/"), req.path
    path = url.path + req.path.removeprefix("/sparql/")  # "/sparql/?query=…" -> "/sparql?query=…"
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        conn.putrequest(req.method, path, skip_accept_encoding=True)
        for name, value in req.headers.items():
            conn.putheader(name, value)
        if req.body is not None:
            conn.putheader("content-length", str(len(req.body)))
        conn.endheaders(req.body)
        resp = conn.getresponse()
        return resp.status, resp.getheader("content-type", ""), resp.read()
    finally:
        conn.close()


@pytest.mark.server
@pytest.mark.parametrize("test", QUERY_TESTS, ids=[t.name for t in QUERY_TESTS])
def test_protocol_query_test(w3c_service: str, test: ProtocolTest) -> None:
    for req in test.requests:
        status, ctype, body = send(w3c_service, req)
        status_class = f"StatusCode{status // 100}xx"
        assert status_class in req.statuses, f"{test.title}: got {status} {body[:300]!r}"
        media_type = ctype.split(";")[0].strip()
        if req.format is not None:
            assert media_type in FORMAT_TYPES[req.format], f"{test.title}: Content-Type {ctype}"
        if req.boolean is not None:
            assert _boolean(body, media_type) is req.boolean
        if status >= 400:
            assert body.strip(), "an error response says what is wrong"
