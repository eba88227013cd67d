"""The service's HTTP protocol (api/http_protocol.py) through a real uvicorn server: a URL longer than
httptools can split reaches the application whole, a request head over a mebibyte is refused with
414 or 431 and the connection closed, and a keep-alive connection counts each request's head apart."""

from __future__ import annotations

import socket
import urllib.parse
from collections.abc import Callable

import pytest

from api.http_protocol import MAX_HEAD_BYTES, PARSE_URL_MAX, split_target
from iscg_graph.build.pipeline import write_store

pytestmark = pytest.mark.server

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


@pytest.fixture(scope="module")
def server(live_service: Callable[..., str], tmp_path_factory: pytest.TempPathFactory) -> tuple[str, int]:
    root = tmp_path_factory.mktemp("protocol")
    data = "".join(f'<urn:item:{i}> <urn:p:label> "item {i}" <urn:graph:items> .\n' for i in range(7))
    write_store(root / "store", data.encode(), "test")
    # URLs and queries up to 1 MB allowed, so that a URL httptools cannot split is answered, not refused
    base = live_service(root / "store", ISCG_MAX_URL_BYTES="1000000", ISCG_MAX_QUERY_BYTES="1000000")
    host, port = urllib.parse.urlsplit(base).netloc.split(":")
    return host, int(port)


def _exchange(address: tuple[str, int], payload: bytes, responses: int = 1) -> list[tuple[int, bytes]]:
    """Send raw bytes on one connection, read ``responses`` responses (status, body) or to EOF."""
    out: list[tuple[int, bytes]] = []
    with socket.create_connection(address, timeout=30) as sock:
        sock.sendall(payload)
        buffer = b""
        while len(out) < responses:
            while b"\r\n\r\n" not in buffer:
                chunk = sock.recv(65536)
                if not chunk:
                    return out
                buffer += chunk
            head, _, buffer = buffer.partition(b"\r\n\r\n")
            lines = head.split(b"\r\n")
            length = next(int(line.split(b":")[1]) for line in lines
                          if line.lower().startswith(b"content-length:"))
            while len(buffer) < length:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                buffer += chunk
            out.append((int(lines[0].split()[1]), buffer[:length]))
            buffer = buffer[length:]
    return out


def _get(query: str) -> bytes:
    target = "/sparql?format=json&query=" + urllib.parse.quote(query)
    return f"GET {target} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode()


def test_a_url_httptools_cannot_split_reaches_the_application_whole(server: tuple[str, int]) -> None:
    query = COUNT + " #" + "x" * 100_000  # a comment: the URL is about 100 KB, the answer the same
    assert len(_get(query)) > PARSE_URL_MAX
    [(status, body)] = _exchange(server, _get(query))
    assert status == 200, body[:300]
    assert b'"value":"7"' in body.replace(b" ", b"")


def test_one_connection_counts_each_head_apart(server: tuple[str, int]) -> None:
    """Three requests of 0.4 MB each on one keep-alive connection: over the limit together, each
    under it, so each is answered."""
    query = COUNT + " #" + "x" * 400_000
    answers = _exchange(server, _get(query) * 3, responses=3)
    assert [status for status, _ in answers] == [200, 200, 200]


@pytest.mark.parametrize("where,status", [("url", 414), ("headers", 431)])
def test_a_head_over_a_mebibyte_is_refused_and_the_connection_closed(
    server: tuple[str, int], where: str, status: int
) -> None:
    start = b"GET /sparql?query=" if where == "url" else b"GET /sparql HTTP/1.1\r\nHost: x\r\nX-Big: "
    payload = start + b"a" * (MAX_HEAD_BYTES + 1 - len(start))  # one byte over, nothing after it
    answers = _exchange(server, payload, responses=2)
    assert len(answers) == 1, "the connection stays open after the refusal"
    got, body = answers[0]
    assert got == status and f"passed {MAX_HEAD_BYTES} bytes".encode() in body
    assert (b"POST" in body) == (where == "url")  # a long query goes in a body
    [(after, _)] = _exchange(server, _get(COUNT))  # the server still answers
    assert after == 200


def test_split_target() -> None:
    assert split_target(b"/sparql?query=a%20b&x=1") == (b"/sparql", b"query=a%20b&x=1")
    assert split_target(b"/id/x%2Fy") == (b"/id/x%2Fy", b"")
    assert split_target(b"http://example.org/sparql?q=1#frag") == (b"/sparql", b"q=1")
    assert split_target(b"/a?b?c") == (b"/a", b"b?c")
