"""W3C SPARQL 1.1 Protocol conformance, the update tests: the 14 of protocol/manifest.ttl, replayed
against a live service with an editor's bearer token, on a scratch store reset before each test.

The requests are sent as the manifest writes them (by `test_protocol.send`), plus the
``Authorization`` header; the ASK requests that check an update's effect go to the same endpoint.
"""

from __future__ import annotations

import pytest
from test_protocol import ALL_TESTS, FORMAT_TYPES, ProtocolTest, Request, _boolean, send

UPDATE_TESTS = [t for t in ALL_TESTS if t.is_update]


def test_the_update_tests_were_all_found() -> None:
    if not ALL_TESTS:
        pytest.skip("W3C manifests MISSING")
    assert len(UPDATE_TESTS) == 14, [t.name for t in UPDATE_TESTS]


def _reset(endpoint: str, token: str, nquads: bytes) -> None:
    """Back to the manifest's data: one update that drops everything and inserts data1-3 again."""
    body = b"DROP ALL ; INSERT DATA {\n" + b"".join(
        b"GRAPH " + line.rsplit(b" ", 2)[-2] + b" { " + line.rsplit(b" ", 2)[0] + b" }\n"
        for line in nquads.splitlines() if line.strip()
    ) + b"}"
    req = Request("POST", "/sparql/", {"content-type": "application/sparql-update",
                                       "authorization": f"Bearer {token}"}, body, set(), None, None)
    status, _, text = send(endpoint, req)
    assert status < 300, text


@pytest.mark.server
@pytest.mark.parametrize("test", UPDATE_TESTS, ids=[t.name for t in UPDATE_TESTS])
def test_protocol_update_test(w3c_write_service: tuple[str, str, bytes], test: ProtocolTest) -> None:
    base, token, nquads = w3c_write_service
    endpoint = f"{base}/sparql"
    _reset(endpoint, token, nquads)
    for req in test.requests:
        signed = Request(req.method, req.path, {**req.headers, "authorization": f"Bearer {token}"},
                         req.body, req.statuses, req.format, req.boolean)
        status, ctype, body = send(endpoint, signed)
        status_class = f"StatusCode{status // 100}xx"
        assert status_class in req.statuses, f"{test.title}: got {status} {body[:300]!r}"
        media_type = ctype.split(";")[0].strip()
        if req.format is not None:
            assert media_type in FORMAT_TYPES[req.format], f"{test.title}: Content-Type {ctype}"
        if req.boolean is not None:
            assert _boolean(body, media_type) is req.boolean, test.title
        if status >= 400:
            assert body.strip(), "an error response says what is wrong"


@pytest.mark.server
def test_anonymous_update_is_401_and_changes_nothing(w3c_write_service: tuple[str, str, bytes]) -> None:
    base, token, nquads = w3c_write_service
    endpoint = f"{base}/sparql"
    _reset(endpoint, token, nquads)
    req = Request("POST", "/sparql/", {"content-type": "application/sparql-update"}, b"CLEAR ALL",
                  set(), None, None)
    assert send(endpoint, req)[0] == 401
    ask = Request("POST", "/sparql/", {"content-type": "application/sparql-query",
                                       "accept": "application/sparql-results+json"},
                  b"ASK { GRAPH ?g { ?s ?p ?o } }", set(), None, None)
    status, ctype, body = send(endpoint, ask)
    assert status == 200 and _boolean(body, ctype.split(";")[0]) is True
