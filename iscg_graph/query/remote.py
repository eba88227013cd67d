"""A remote SPARQL 1.1 server as a query engine (SPARQLWrapper over HTTP).

`RemoteEngine` answers the same `QueryEngine` interface as the embedded engines, so the caching
layer, the endpoint's safety rules (timeout, result limit, refused ``SERVICE``/``LOAD``, budget:
all checked by the caller *before* a request reaches an engine) and every canned query work on it
unchanged. What it adds:

- **Typed substitutions** are written into the text (`iscg_graph.query.splice`): servers take none.
- **Answers are normalised**: the server is asked for SPARQL JSON results (``SELECT``/``ASK``) or
  N-Triples (``CONSTRUCT``/``DESCRIBE``), parsed by pyoxigraph and re-serialised in the media type
  the caller asked for, with pyoxigraph's writers. Every server's answer is then byte-for-byte what
  the embedded store writes for the same solutions, and rows are counted for the result limit
  (over it: `ResultTooLarge`, never a truncated body; the body is capped at ``max_bytes`` while it
  is read).
- **Timeout, twice**: this engine stops waiting at the deadline (socket timeout, then a deadline
  checked while the body is read) and raises `QueryTimeout` (503 + ``Retry-After``); the server
  is also told, where it has a per-request limit (Virtuoso: the ``timeout`` parameter in ms;
  Oxigraph server: only its start-up ``--timeout-s``, see docs/notes/remote.md). Closing the
  connection is all a generic SPARQL 1.1 server can be told.
- **Generation from the store**: the loader (`iscg_graph.build.remote_load`) records a token in the
  meta graph with every load or write; ``generation`` reads it at most every ``poll_interval``
  seconds, so every replica's caches move with the store, not with a local file.
- **No other connection**: one opener without proxy handlers (environment proxies are ignored) and
  no redirects followed: the configured URLs are the only hosts contacted.
"""

from __future__ import annotations

import base64
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Hashable
from dataclasses import dataclass
from http.client import HTTPResponse
from typing import Any, Literal

import pyoxigraph as ox
from SPARQLWrapper import INSERT, POST, POSTDIRECTLY, SELECT, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from ..errors import EngineUnavailable, QueryError, QuerySyntaxError, QueryTimeout, ResultTooLarge
from .engine import GRAPH_FORMATS, RESULTS_FORMATS
from .interface import BaseEngine, EngineResult, QueryRequest
from .portability import check_portable
from .remote_ask import ask_as_select, boolean_answer
from .remote_values import canonical_booleans
from .safety import analyse
from .splice import splice

__all__ = ["RemoteConfig", "RemoteEngine", "ServerKind", "generation_iri", "meta_graph_iri"]

ServerKind = Literal["oxigraph", "virtuoso", "generic"]
_DCT_IDENTIFIER = "http://purl.org/dc/terms/identifier"
_RESULTS_ACCEPT = "application/sparql-results+json"
_GRAPH_ACCEPT = "application/n-triples, text/plain;q=0.9, text/turtle;q=0.8"
_PARSERS: dict[str, ox.RdfFormat] = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES, "text/plain": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE, "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD, "application/n-quads": ox.RdfFormat.N_QUADS,
}
_CHUNK = 1 << 16


def meta_graph_iri(base: str) -> str:
    return f"{base}graph/meta"


def generation_iri(base: str) -> str:
    """The resource whose ``dct:identifier`` is the store's generation token."""
    return f"{base}graph/meta#generation"


@dataclass(frozen=True)
class RemoteConfig:
    query_url: str
    update_url: str | None = None
    gsp_url: str | None = None
    user: str | None = None
    password: str | None = None
    timeout: float = 30.0            # per request, seconds
    poll_interval: float = 2.0       # seconds between reads of the store's generation
    kind: ServerKind = "generic"     # which per-server second line to use
    base_iri: str = "https://w3id.org/iscg/"
    max_bytes: int | None = 256_000_000


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect would be a connection to another place: answered as an error


def opener() -> urllib.request.OpenerDirector:
    """urllib without proxies from the environment and without redirects."""
    return urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


class _Wrapper(SPARQLWrapper):
    """SPARQLWrapper sending through our opener (its own uses the process-wide one, proxies included)."""

    is_update = False  # (SPARQLWrapper's constructor already sets a query)

    def __init__(self, endpoint: str, via: urllib.request.OpenerDirector, update: str | None = None):
        super().__init__(endpoint, updateEndpoint=update)
        self._via = via

    def setQuery(self, query: str | bytes) -> None:
        """The text as it is, its kind from the caller: SPARQLWrapper's own guess reads the first
        keyword-like word, comments included (a header saying "add" made a SELECT an update)."""
        super().setQuery(query)
        self.queryType = INSERT if self.is_update else SELECT

    def _query(self) -> tuple[HTTPResponse, str]:
        request = self._createRequest()
        try:
            response = self._via.open(request, timeout=self.timeout or None)
        except urllib.error.HTTPError as exc:
            if exc.code == 400:
                raise QueryBadFormed(exc.read()) from exc
            raise
        return response, self.returnFormat


class RemoteEngine(BaseEngine):
    """Queries answered by a SPARQL 1.1 server; see the module text."""

    def __init__(self, config: RemoteConfig):
        self.config = config
        self._opener = opener()
        self._lock = threading.Lock()
        self._generation: Hashable = None
        self._generation_read = float("-inf")
        self._graphs: tuple[Hashable, frozenset[str]] | None = None

    # -- the wire ------------------------------------------------------------------------------
    def wrapper(self, *, update: bool = False, timeout: float | None = None) -> _Wrapper:
        cfg = self.config
        if update and not cfg.update_url:
            raise EngineUnavailable("no update URL configured for the remote store (ISCG_REMOTE_UPDATE_URL)")
        sw: _Wrapper = _Wrapper(cfg.query_url, self._opener, cfg.update_url)
        sw.setMethod(POST)
        sw.setOnlyConneg(True)  # no format=/output= parameters: the Accept header says it
        sw.is_update = update
        if update:
            sw.setRequestMethod(POSTDIRECTLY)
            # the charset said explicitly (literals carry non-ASCII text: §, accents)
            sw.addCustomHttpHeader("Content-Type", "application/sparql-update; charset=utf-8")
        if cfg.user and cfg.password:
            sw.setCredentials(cfg.user, cfg.password)  # HTTP Basic (Digest would change urllib globally)
        limit = timeout if timeout is not None else cfg.timeout
        sw.setTimeout(max(1, int(limit + 0.999)))
        if cfg.kind == "virtuoso" and not update:
            sw.addParameter("timeout", str(int(limit * 1000)))  # Virtuoso's own per-query limit (ms)
        return sw

    def send(self, sw: SPARQLWrapper, text: str, accept: str, deadline: float) -> tuple[bytes, str]:
        """One request; the body read against ``deadline`` and the byte cap."""
        sw.setQuery(text)
        sw.addCustomHttpHeader("Accept", accept)
        try:
            response = sw.query().response
        except QueryBadFormed as exc:
            raise QuerySyntaxError(_message(exc)[:500]) from None
        except urllib.error.HTTPError as exc:
            raise self._http_error(exc) from None
        except TimeoutError as exc:
            raise _timeout("did not answer") from exc
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise _timeout("did not answer") from None
            raise EngineUnavailable(f"the remote store cannot be reached: {exc.reason}") from None
        except (ConnectionError, OSError) as exc:
            raise EngineUnavailable(f"the remote store cannot be reached: {exc}") from None
        try:
            if response.headers.get("X-SQL-State"):  # Virtuoso's "anytime" answer: partial at its limit
                raise QueryTimeout("the remote store stopped the query at its limit (partial answer refused)")
            media = (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            return self._read(response, deadline), media
        finally:
            response.close()  # past the deadline: the server sees the connection go

    def _read(self, response: HTTPResponse, deadline: float) -> bytes:
        cap = self.config.max_bytes
        parts: list[bytes] = []
        size = 0
        while True:
            if time.monotonic() > deadline:
                raise _timeout("did not finish its answer")
            try:
                chunk = response.read(_CHUNK)
            except TimeoutError:
                raise _timeout("did not finish its answer") from None
            if not chunk:
                return b"".join(parts)
            size += len(chunk)
            if cap is not None and size > cap:
                raise ResultTooLarge(f"the serialised result is larger than {cap} bytes")
            parts.append(chunk)

    def _http_error(self, exc: urllib.error.HTTPError) -> QueryError:
        text = _message(exc)
        if exc.code in (401, 403):
            return EngineUnavailable(f"the remote store refused our credentials ({exc.code})")
        if "S1T00" in text or "timeout" in text.lower() or exc.code in (503, 504):  # Virtuoso: S1T00
            return QueryTimeout(f"the remote store stopped the query at its time limit: {text[:200]}")
        if exc.code in (400, 422):
            return QuerySyntaxError(text[:500])
        if "SR171" in text or "SR452" in text:  # Virtuoso: transaction / result size limits
            return ResultTooLarge(f"the remote store refused the result: {text[:200]}")
        return EngineUnavailable(f"the remote store answered {exc.code}: {text[:200]}")

    # -- BaseEngine ----------------------------------------------------------------------------
    def execute(self, request: QueryRequest, timeout: float | None = None) -> EngineResult:
        limit = timeout if timeout is not None else self.config.timeout
        deadline = time.monotonic() + limit
        check_portable(self.config.kind, request.sparql)  # known wrong answers: refused, saying why
        text = splice(request.sparql, request.substitution_map)
        form = analyse(request.sparql).form
        sw = self.wrapper(timeout=limit)
        for graph in request.default_graph or ():
            sw.addDefaultGraph(graph)
        for graph in request.named_graphs or ():
            sw.addNamedGraph(graph)
        if request.default_graph is None and request.named_graphs is None:
            self._whole_dataset(sw, request.sparql)
        graph_form = form in ("CONSTRUCT", "DESCRIBE")
        as_select = ask_as_select(text) if form == "ASK" and self.config.kind == "virtuoso" else None
        body, media = self.send(sw, as_select or text, _GRAPH_ACCEPT if graph_form else _RESULTS_ACCEPT,
                                deadline)
        if as_select is not None:  # Virtuoso's ASK is wrong on a named dataset (remote_ask)
            body = boolean_answer(body)
        if not graph_form:
            body = self._canonical(body)
        return normalise(body, media, request.media_type, request.row_limit)

    def _canonical(self, body: bytes) -> bytes:
        """Virtuoso's ``"1"``/``"0"`` booleans as ``"true"``/``"false"`` (`remote_values`)."""
        return canonical_booleans(body) if self.config.kind == "virtuoso" else body

    def _whole_dataset(self, sw: SPARQLWrapper, sparql: str) -> None:
        """The embedded store's dataset: the default graph is the union of the loaded graphs.

        Oxigraph server is asked for its union default graph; other servers get the loaded graphs
        named as the dataset (staging graphs of a load under way stay out of sight), unless the
        query chooses its own with ``FROM``."""
        if self.config.kind == "oxigraph":
            sw.addParameter("union-default-graph", "true")
            return
        found = analyse(sparql)
        if found.from_graphs or found.from_named:
            return
        for graph in sorted(self.graphs()):
            sw.addDefaultGraph(graph)
            sw.addNamedGraph(graph)

    @property
    def generation(self) -> Hashable:
        now = time.monotonic()
        if now - self._generation_read < self.config.poll_interval:
            return self._generation
        with self._lock:
            if now - self._generation_read >= self.config.poll_interval:
                try:
                    self._generation = self.read_generation()
                except QueryError:
                    pass  # unreachable for a moment: keep the last value, try again next poll
                self._generation_read = time.monotonic()
        return self._generation

    def read_generation(self) -> str | None:
        base = self.config.base_iri
        text = (f"SELECT ?token WHERE {{ GRAPH <{meta_graph_iri(base)}> "
                f"{{ <{generation_iri(base)}> <{_DCT_IDENTIFIER}> ?token }} }}")
        rows = self.select(text)
        return str(rows[0]["token"].value) if rows else None

    def refresh_generation(self) -> Hashable:
        """Read the generation now (after a write through this process)."""
        with self._lock:
            self._generation_read = float("-inf")
        return self.generation

    def graphs(self, wait: float = 0.0) -> frozenset[str]:
        generation = self.generation
        cached = self._graphs
        if cached is not None and cached[0] == generation:
            return cached[1]
        rows = self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        ours, staging = f"{self.config.base_iri}graph/", f"{self.config.base_iri}graph/staging/"
        names = (row["g"].value for row in rows if isinstance(row.get("g"), ox.NamedNode))
        # the loaded graphs only: not a load's staging graphs, not the server's own or others' data
        found = frozenset(g for g in names if g.startswith(ours) and not g.startswith(staging))
        self._graphs = (generation, found)
        return found

    def select(self, sparql: str, timeout: float | None = None) -> list[dict[str, Any]]:
        """A SELECT's solutions as pyoxigraph terms (the engine's own reads, the mirror)."""
        limit = timeout if timeout is not None else self.config.timeout
        sw = self.wrapper(timeout=limit)
        body, _ = self.send(sw, sparql, _RESULTS_ACCEPT, time.monotonic() + limit)
        parsed = ox.parse_query_results(self._canonical(body), format=ox.QueryResultsFormat.JSON)
        if not isinstance(parsed, ox.QuerySolutions):
            raise QueryError("the remote store answered a SELECT with a boolean")
        names = [v.value for v in parsed.variables]
        return [{name: sol[name] for name in names if sol[name] is not None} for sol in parsed]

    def update(self, text: str, timeout: float | None = None) -> None:
        """One SPARQL Update request (the loader and writes)."""
        limit = timeout if timeout is not None else max(self.config.timeout, 300.0)
        sw = self.wrapper(update=True, timeout=limit)
        self.send(sw, text, "*/*", time.monotonic() + limit)


    def gsp_post(self, graph: str, ntriples: bytes, timeout: float | None = None) -> None:
        """Add N-Triples to ``graph`` with the Graph Store Protocol (``POST {gsp_url}?graph=…``):
        the loader's bulk path, parsed by the server as data, not as an update text."""
        cfg = self.config
        if not cfg.gsp_url:
            raise EngineUnavailable("no Graph Store Protocol URL configured for the remote store "
                                    "(ISCG_REMOTE_GSP_URL)")
        url = f"{cfg.gsp_url}{'&' if '?' in cfg.gsp_url else '?'}{urllib.parse.urlencode({'graph': graph})}"
        request = urllib.request.Request(url, data=ntriples, method="POST",
                                         headers={"Content-Type": "application/n-triples"})
        if cfg.user and cfg.password:
            pair = base64.b64encode(f"{cfg.user}:{cfg.password}".encode()).decode()
            request.add_header("Authorization", f"Basic {pair}")
        limit = timeout if timeout is not None else max(cfg.timeout, 300.0)
        try:
            with self._opener.open(request, timeout=limit) as response:
                response.read()
        except urllib.error.HTTPError as exc:
            raise self._http_error(exc) from None
        except TimeoutError:
            raise _timeout("did not take the data") from None
        except (urllib.error.URLError, OSError) as exc:
            raise EngineUnavailable(f"the remote store cannot be reached: {exc}") from None


def normalise(body: bytes, media: str, wanted: str, row_limit: int | None) -> EngineResult:
    """The server's answer, parsed and re-written by pyoxigraph in the media type asked for."""
    if media in ("application/sparql-results+json", "application/json"):
        parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        effective = wanted if wanted in RESULTS_FORMATS else next(iter(RESULTS_FORMATS))
        fmt = RESULTS_FORMATS[effective]
        if isinstance(parsed, ox.QueryBoolean):
            return EngineResult(parsed.serialize(format=fmt) or b"", effective, "boolean", None)
        rows = None
        if row_limit is not None:  # counted on a second parse: the first one is written out below
            again = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
            rows = sum(1 for _ in again)  # type: ignore[union-attr, misc]
            if rows > row_limit:
                raise ResultTooLarge(f"the result has {rows} rows, more than the limit of {row_limit}")
        return EngineResult(parsed.serialize(format=fmt) or b"", effective, "bindings", rows)
    fmt_in = _PARSERS.get(media)
    if fmt_in is None:
        raise EngineUnavailable(f"the remote store answered an unexpected media type {media or '(none)'}")
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(body, format=fmt_in)]
    if row_limit is not None and len(triples) > row_limit:
        raise ResultTooLarge(f"the result has {len(triples)} triples, more than the limit of {row_limit}")
    effective = wanted if wanted in GRAPH_FORMATS else next(iter(GRAPH_FORMATS))
    data = ox.serialize(triples, format=GRAPH_FORMATS[effective]) or b""
    return EngineResult(data, effective, "graph", len(triples))


def _timeout(what: str) -> QueryTimeout:
    return QueryTimeout(f"the remote store {what} within the query timeout")


def _message(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        raw: Any = exc.read()
    else:
        raw = exc.args[0] if exc.args else str(exc)
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", errors="replace")
    return str(raw).strip()
