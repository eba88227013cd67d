"""W3C SPARQL 1.1 Graph Store HTTP Protocol conformance: every test of
graph-store-protocol/manifest-indirect.ttl (indirect graph identification, multipart POST,
percent-encoded graph IRIs), replayed against ``/store`` of a live service with an editor's token.

Each request is sent as written (``/gsp`` rewritten to ``/store``, headers and body as given) with
http.client; checks: the status (by name or class), the ``Location`` of a created graph (used as
``$LOCATION$`` in later requests, as the manifest says), the Content-Type and, for an expected body,
graph isomorphism with the body returned. The store is reset before each test.
"""

from __future__ import annotations

import http.client
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
import rdflib
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from test_protocol import CNT, HT, MF, W3C
from test_update_protocol import _reset

STATUS = {"OK": {200}, "Created": {201}, "NoContent": {204}, "NotFound": {404}}


@dataclass
class GspRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: set[str]
    location: str | None
    response_type: str | None
    response_body: str | None


@dataclass
class GspTest:
    name: str
    title: str
    requests: list[GspRequest] = field(default_factory=list)


def _headers(g: rdflib.Graph, node: rdflib.term.Node | None) -> dict[str, str]:
    if node is None or g.value(node, HT.headers) is None:
        return {}
    return {str(g.value(h, HT.fieldName)).lower(): str(g.value(h, HT.fieldValue))
            for h in Collection(g, g.value(node, HT.headers))}


def load_tests() -> list[GspTest]:
    path = W3C / "graph-store-protocol" / "manifest-indirect.ttl"
    if not path.is_file():
        return []
    g = rdflib.Graph().parse(path, format="turtle")
    manifest = next(g.subjects(rdflib.RDF.type, MF.Manifest))
    out = []
    for entry in Collection(g, g.value(manifest, MF.entries)):
        test = GspTest(str(entry).split("#")[-1], str(g.value(entry, MF.name)))
        for req in Collection(g, g.value(g.value(entry, MF.action), HT.requests)):
            content = g.value(req, HT.body)
            body = None
            if content is not None:
                body = str(g.value(content, CNT.chars)).encode(str(g.value(content, CNT.characterEncoding)))
            resp = g.value(req, HT.resp)
            rbody = g.value(resp, HT.body)
            test.requests.append(GspRequest(
                method=str(g.value(req, HT.methodName)),
                path=str(g.value(req, HT.absolutePath)),
                headers=_headers(g, req),
                body=body,
                statuses={str(s).split("#")[-1] for s in g.objects(resp, MF.expectedStatus)},
                location=str(g.value(resp, MF.expectedLocation) or "") or None,
                response_type=_headers(g, resp).get("content-type"),
                response_body=str(g.value(rbody, CNT.chars)) if rbody is not None else None,
            ))
        out.append(test)
    return out


TESTS = load_tests()


def test_the_manifest_was_read_in_full() -> None:
    if not TESTS:
        pytest.skip(f"W3C manifests MISSING at {W3C}")
    assert len(TESTS) == 9
    assert any("multipart" in r.headers.get("content-type", "") for t in TESTS for r in t.requests)


def _send(base: str, req: GspRequest, path: str, token: str) -> tuple[int, dict[str, str], bytes]:
    url = urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        conn.putrequest(req.method, path, skip_accept_encoding=True)
        for name, value in {**req.headers, "authorization": f"Bearer {token}"}.items():
            conn.putheader(name, value)
        if req.body is not None:
            conn.putheader("content-length", str(len(req.body)))
        conn.endheaders(req.body)
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def _status_ok(status: int, expected: set[str]) -> bool:
    return any(status in STATUS.get(e, set()) or e == f"StatusCode{status // 100}xx" for e in expected)


@pytest.mark.server
@pytest.mark.parametrize("test", TESTS, ids=[t.name for t in TESTS])
def test_graph_store_protocol(w3c_write_service: tuple[str, str, bytes], test: GspTest) -> None:
    base, token, nquads = w3c_write_service
    _reset(f"{base}/sparql", token, nquads)
    variables: dict[str, str] = {}
    for req in test.requests:
        path = req.path
        for name, value in variables.items():
            path = path.replace(name, value)
        assert path.startswith("/gsp"), path
        status, headers, body = _send(base, req, "/store" + path.removeprefix("/gsp"), token)
        assert _status_ok(status, req.statuses), f"{test.title}: {req.method} {path}: {status} {body[:300]!r}"
        if req.location:
            assert headers.get("location"), "a created graph's IRI is in Location"
            variables[req.location] = headers["location"]
        if req.response_type:
            assert headers["content-type"].lower().replace(" ", "") == \
                req.response_type.lower().replace(" ", "")
        if req.response_body is not None and req.method == "GET":
            got = rdflib.Graph().parse(data=body, format="turtle")
            want = rdflib.Graph().parse(data=req.response_body, format="turtle")
            assert isomorphic(got, want), f"{test.title}:\n{body.decode()}"
