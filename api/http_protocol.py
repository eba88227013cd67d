"""The HTTP/1.1 protocol the service runs under uvicorn: httptools, with a bounded request head and
URLs longer than httptools can split.

httptools (llhttp, in C) parses a request in a fraction of h11's time (pure Python): on the 10k
bench with 8 clients a never-seen light query cost 0.24-0.30 ms of server CPU with it against
0.33-0.38 ms with h11 (docs/notes/scale.md §53). Two things kept the service on h11 until now,
and this protocol mends both:

- ``httptools.parse_url`` keeps offsets in 16 bits, so a URL over 65,535 bytes failed there and
  uvicorn answered a bare 400 before the application could say 414 (`api.url_limit`). Here such a
  URL is split by the standard library instead, so the request reaches the application whole;
- uvicorn's httptools protocol bounds neither the request line nor the headers (h11 bounded both
  with its incomplete-event size). Here the bytes received while a request's head is incomplete are
  counted, and past `MAX_HEAD_BYTES` the connection is answered 414 (in the URL) or 431 (in the
  headers) and closed: what a client can make the server hold before the application runs is
  bounded by that limit plus one read.

Run it with ``uvicorn --http api.http_protocol:BoundedHttpToolsProtocol`` (``make run``, the test
server, the container image and the bench do).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

__all__ = ["MAX_HEAD_BYTES", "PARSE_URL_MAX", "BoundedHttpToolsProtocol", "split_target"]

MAX_HEAD_BYTES = 1 << 20  # request line and headers together, as h11's incomplete-event size was
PARSE_URL_MAX = 65_535  # the longest URL httptools.parse_url splits


def split_target(target: bytes) -> tuple[bytes, bytes]:
    """A request target's raw path and query string (origin or absolute form; no fragment)."""
    parts = urlsplit(target)
    return parts.path, parts.query


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, with the request head bounded and long URLs split here."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_open = True  # no request begun yet: the first bytes are a head
        self._head_bytes = 0

    def data_received(self, data: bytes) -> None:
        if self._head_open:
            self._head_bytes += len(data)
            if self._head_bytes > MAX_HEAD_BYTES:
                self._refuse_head()
                return
        super().data_received(data)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_open = True

    def on_headers_complete(self) -> None:
        self._head_open = False
        self._head_bytes = 0
        if len(self.url) <= PARSE_URL_MAX:
            super().on_headers_complete()
            return
        target = self.url
        self.url = b"/"  # what parse_url can take; the scope gets the real target before the app runs
        try:
            super().on_headers_complete()
        finally:
            self.url = target
        raw_path, query = split_target(target)
        path = raw_path.decode("ascii", "replace")
        if "%" in path:
            path = unquote(path)
        self.scope["path"] = self.root_path + path
        self.scope["raw_path"] = self.root_path.encode("ascii") + raw_path
        self.scope["query_string"] = query

    def on_message_complete(self) -> None:
        self._head_open = True  # what follows this request is the next one's head
        self._head_bytes = 0
        super().on_message_complete()

    def _refuse_head(self) -> None:
        in_url = 2 * len(getattr(self, "url", b"")) > self._head_bytes  # most of the head is its URL
        status = 414 if in_url else 431
        msg = (f"The request line passed {MAX_HEAD_BYTES} bytes; send a long query in a POST body "
               f"(application/sparql-query or a form)." if in_url else
               f"The request headers passed {MAX_HEAD_BYTES} bytes.")
        self.logger.warning("Request head over %d bytes refused (%d).", MAX_HEAD_BYTES, status)
        content = [STATUS_LINE[status]]
        for name, value in self.server_state.default_headers:
            content.extend([name, b": ", value, b"\r\n"])
        body = msg.encode("ascii")
        content.extend([b"content-type: text/plain; charset=utf-8\r\n",
                        b"content-length: " + str(len(body)).encode("ascii") + b"\r\n",
                        b"connection: close\r\n", b"\r\n", body])
        self.transport.write(b"".join(content))
        self.transport.close()
        self._head_open = False  # nothing more is read from this connection
