"""The /sparql endpoint: protocol operations, formats, errors, read-only, outbound refusals, limits.

Runs the real app (worker processes included) through TestClient on a small store written for the
tests. Timeout and budget behaviour is in test_sparql_timeout_budget.py; the W3C conformance runner and the
real clients (SPARQLWrapper, rdflib SPARQLStore) run against a live server in tests/w3c and
tests/clients.
"""

from __future__ import annotations

import csv
import io
import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import Settings
from iscg_graph.build.pipeline import write_store

BASE = "https://w3id.org/iscg/"
G_QUESTIONS = f"{BASE}graph/questions"
G_THEMES = f"{BASE}graph/themes"


def small_nquads() -> bytes:
    """Two named graphs: 12 Questions with labels, 3 themes; Questions address themes."""
    lines = []
    label = "<http://www.w3.org/2000/01/rdf-schema#label>"
    rdf_type = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
    for n in range(1, 13):
        q = f"<{BASE}id/question/itu-t/2017-2020/{n}-17>"
        lines.append(f"{q} {rdf_type} <{BASE}ontology#Question> <{G_QUESTIONS}> .")
        lines.append(f'{q} {label} "Question {n}/17"@en <{G_QUESTIONS}> .')
        lines.append(
            f"{q} <{BASE}ontology#addressesTheme> <{BASE}id/theme/iscg-areas/{n % 3 + 1}> <{G_QUESTIONS}> ."
        )
    for t in range(1, 4):
        theme = f"<{BASE}id/theme/iscg-areas/{t}>"
        lines.append(f"{theme} {rdf_type} <{BASE}ontology#Theme> <{G_THEMES}> .")
        lines.append(f'{theme} {label} "Theme {t}, with a comma"@en <{G_THEMES}> .')
    return ("\n".join(lines) + "\n").encode()


def make_store(root: Path, nquads: bytes) -> Path:
    path = root / "store"
    store = write_store(path, nquads, "test")
    del store  # release the RocksDB lock: the app opens it
    return path


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_store(tmp_path_factory.mktemp("sparql"), small_nquads())


@pytest.fixture(scope="module")
def client(store_path: Path) -> Iterator[TestClient]:
    settings = Settings(
        store_path=store_path,
        environment="test",
        query_workers=2,
        result_limit=20,
        max_query_bytes=2000,
        budget_seconds_per_minute=0,
        query_timeout=20,
    )
    with TestClient(create_app(settings)) as c:
        yield c


COUNT = "SELECT (COUNT(?q) AS ?n) WHERE { ?q a <https://w3id.org/iscg/ontology#Question> }"
FORM = {"content-type": "application/x-www-form-urlencoded"}
DIRECT = {"content-type": "application/sparql-query"}


# -- the three query operations ----------------------------------------------------------------


def test_get_post_form_and_post_direct_answer_the_same(client: TestClient) -> None:
    accept = {"accept": "application/sparql-results+json"}
    got = [
        client.get("/sparql", params={"query": COUNT}, headers=accept),
        client.post("/sparql", data={"query": COUNT}, headers=accept),
        client.post("/sparql", content=COUNT, headers={**DIRECT, **accept}),
    ]
    for resp in got:
        assert resp.status_code == 200, resp.text
        assert resp.headers["content-type"] == "application/sparql-results+json"
        assert resp.json()["results"]["bindings"][0]["n"]["value"] == "12"


def test_default_graph_is_the_union_of_named_graphs(client: TestClient) -> None:
    q = (
        "SELECT (COUNT(*) AS ?n) WHERE { ?q <https://w3id.org/iscg/ontology#addressesTheme> ?t . "
        "?t <http://www.w3.org/2000/01/rdf-schema#label> ?l }"
    )
    resp = client.get("/sparql", params={"query": q, "format": "json"})
    assert resp.json()["results"]["bindings"][0]["n"]["value"] == "12"


def test_protocol_dataset_restricts_the_default_graph(client: TestClient) -> None:
    resp = client.get("/sparql", params={"query": COUNT, "default-graph-uri": G_THEMES, "format": "json"})
    assert resp.status_code == 200
    assert resp.json()["results"]["bindings"][0]["n"]["value"] == "0"
    resp = client.get(
        "/sparql",
        params={
            "query": "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }",
            "named-graph-uri": G_THEMES,
            "format": "json",
        },
    )
    assert [b["g"]["value"] for b in resp.json()["results"]["bindings"]] == [G_THEMES]


# -- formats -------------------------------------------------------------------------------------

SELECT_FORMATS = {
    "application/sparql-results+json": "application/sparql-results+json",
    "application/sparql-results+xml": "application/sparql-results+xml",
    "text/csv": "text/csv; charset=utf-8",
    "text/tab-separated-values": "text/tab-separated-values; charset=utf-8",
}
GRAPH_FORMATS = {
    "text/turtle": (ox.RdfFormat.TURTLE, "text/turtle; charset=utf-8"),
    "application/n-triples": (ox.RdfFormat.N_TRIPLES, "application/n-triples; charset=utf-8"),
    "application/ld+json": (ox.RdfFormat.JSON_LD, "application/ld+json"),
    "application/rdf+xml": (ox.RdfFormat.RDF_XML, "application/rdf+xml"),
}
LABELS = (
    "SELECT ?t ?l WHERE { ?t a <https://w3id.org/iscg/ontology#Theme> ; "
    "<http://www.w3.org/2000/01/rdf-schema#label> ?l } ORDER BY ?t"
)


@pytest.mark.parametrize("accept", sorted(SELECT_FORMATS))
def test_select_in_every_results_format(client: TestClient, accept: str) -> None:
    resp = client.get("/sparql", params={"query": LABELS}, headers={"accept": accept})
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"] == SELECT_FORMATS[accept]
    fmt = {
        "application/sparql-results+json": ox.QueryResultsFormat.JSON,
        "application/sparql-results+xml": ox.QueryResultsFormat.XML,
        "text/tab-separated-values": ox.QueryResultsFormat.TSV,
    }.get(accept)
    if fmt is None:  # CSV: no Oxigraph parser; read it as CSV (labels contain commas)
        rows = list(csv.reader(io.StringIO(resp.text)))
        assert rows[0] == ["t", "l"] and len(rows) == 4 and rows[1][1] == "Theme 1, with a comma"
    else:
        parsed = list(ox.parse_query_results(resp.content, format=fmt))  # type: ignore[arg-type]
        assert len(parsed) == 3
        assert parsed[0]["l"] == ox.Literal("Theme 1, with a comma", language="en")


@pytest.mark.parametrize("accept", sorted(GRAPH_FORMATS))
def test_construct_in_every_graph_format(client: TestClient, accept: str) -> None:
    q = "CONSTRUCT { ?t ?p ?o } WHERE { ?t a <https://w3id.org/iscg/ontology#Theme> ; ?p ?o }"
    resp = client.post("/sparql", data={"query": q}, headers={"accept": accept})
    assert resp.status_code == 200, resp.text
    fmt, ctype = GRAPH_FORMATS[accept]
    assert resp.headers["content-type"] == ctype
    assert len(list(ox.parse(resp.content, format=fmt))) == 6


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("csv", "text/csv; charset=utf-8"),
        ("tsv", "text/tab-separated-values; charset=utf-8"),
        ("xml", "application/sparql-results+xml"),
        ("json", "application/sparql-results+json"),
    ],
)
def test_format_parameter_overrides_accept(client: TestClient, fmt: str, expected: str) -> None:
    resp = client.get("/sparql", params={"query": COUNT, "format": fmt}, headers={"accept": "text/html"})
    assert resp.status_code == 200
    assert resp.headers["content-type"] == expected


def test_ask_and_describe(client: TestClient) -> None:
    resp = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers={"accept": "application/json"})
    assert resp.json() == {"head": {}, "boolean": True}
    q = f"DESCRIBE <{BASE}id/theme/iscg-areas/1>"
    resp = client.get("/sparql", params={"query": q}, headers={"accept": "application/n-triples"})
    assert resp.status_code == 200 and len(resp.text.strip().splitlines()) == 2  # type + label


def test_unproducible_type_is_406(client: TestClient) -> None:
    resp = client.get("/sparql", params={"query": COUNT}, headers={"accept": "text/html"})
    assert resp.status_code == 406
    assert "text/csv" in resp.text
    resp = client.get(
        "/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"}, headers={"accept": "text/csv"}
    )
    assert resp.status_code == 406
    resp = client.get("/sparql", params={"query": COUNT, "format": "yaml"})
    assert resp.status_code == 406


def test_accept_wildcards_and_q_values(client: TestClient) -> None:
    resp = client.get(
        "/sparql",
        params={"query": COUNT},
        headers={"accept": "text/csv;q=0.5, application/sparql-results+xml"},
    )
    assert resp.headers["content-type"] == "application/sparql-results+xml"
    resp = client.get("/sparql", params={"query": COUNT}, headers={"accept": "*/*"})
    assert resp.headers["content-type"] == "application/sparql-results+json"
    resp = client.get(
        "/sparql", params={"query": "CONSTRUCT WHERE { ?s a ?o }"}, headers={"accept": "text/*"}
    )
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/turtle")


# -- the service description --------------------------------------------------------------------


def test_browsers_are_sent_to_the_workbench(client: TestClient) -> None:
    html = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    resp = client.get("/sparql", headers={"accept": html}, follow_redirects=False)
    assert resp.status_code == 303 and resp.headers["location"] == "/query"
    resp = client.get("/sparql", headers={"accept": "text/html, text/turtle;q=0.5"}, follow_redirects=False)
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/turtle")


def test_service_description_on_get_without_query(client: TestClient) -> None:
    resp = client.get("/sparql", headers={"accept": "text/turtle"})
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/turtle")
    triples = list(ox.parse(resp.content, format=ox.RdfFormat.TURTLE))
    sd = "http://www.w3.org/ns/sparql-service-description#"
    endpoints = [t.object.value for t in triples if t.predicate.value == sd + "endpoint"]
    assert endpoints == ["http://testserver/sparql"]
    names = sorted(t.object.value for t in triples if t.predicate.value == sd + "name")
    assert names == [G_QUESTIONS, G_THEMES]


# -- protocol errors -----------------------------------------------------------------------------


def test_malformed_query_is_400_with_position(client: TestClient) -> None:
    resp = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p }"})
    assert resp.status_code == 400
    assert "line 1, column" in resp.text


@pytest.mark.parametrize(
    ("method", "kwargs", "status"),
    [
        ("put", {"params": {"query": "ASK {}"}}, 405),
        ("get", {"params": [("query", "ASK {}"), ("query", "ASK {}")]}, 400),
        ("post", {"content": "ASK {}", "headers": {"content-type": "text/plain"}}, 415),
        ("post", {"content": b"query=ASK%20%7B%7D"}, 415),
        (
            "post",
            {
                "content": "ASK {}".encode("utf-16"),
                "headers": {"content-type": "application/sparql-query; charset=UTF-16"},
            },
            415,
        ),
        ("post", {"content": b"ASK { \xff }", "headers": DIRECT}, 400),
        ("get", {"params": "query=ASK%20%7B%FF%7D"}, 400),
        ("post", {"content": b"", "headers": FORM}, 400),
    ],
    ids=[
        "wrong-method",
        "two-queries",
        "wrong-media-type",
        "missing-content-type",
        "utf16",
        "non-utf8-body",
        "non-utf8-query-string",
        "no-query",
    ],
)
def test_protocol_errors_are_4xx_with_a_message(
    client: TestClient, method: str, kwargs: dict, status: int
) -> None:
    resp = getattr(client, method)("/sparql", **kwargs)
    assert resp.status_code == status, resp.text
    assert resp.text.strip()


# -- read-only -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        {"data": {"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}},
        {"content": "DELETE WHERE { ?s ?p ?o }", "headers": {"content-type": "application/sparql-update"}},
        {"content": "PREFIX ex: <urn:x#> INSERT DATA { ex:a ex:b ex:c }", "headers": DIRECT},
        {"data": {"query": "CLEAR ALL"}},
    ],
    ids=["update-form", "update-direct", "update-as-query", "clear-as-query"],
)
def test_updates_are_refused_with_403(client: TestClient, kwargs: dict) -> None:
    resp = client.post("/sparql", **kwargs)
    assert resp.status_code == 403, resp.text
    assert "read-only" in resp.text
    assert client.get("/sparql", params={"query": COUNT, "format": "csv"}).text.splitlines()[1] == "12"


# -- size and result limits ----------------------------------------------------------------------


def test_query_over_the_size_limit_is_413_before_parsing(client: TestClient) -> None:
    huge = "SELECT * WHERE { " + "#" * 3000 + "\n ?s ?p ?o }"
    assert client.post("/sparql", content=huge, headers=DIRECT).status_code == 413
    assert client.post("/sparql", data={"query": huge}).status_code == 413
    assert client.get("/sparql", params={"query": huge}).status_code == 413
    # an unparsable body over the limit is still 413 (size is checked first)
    assert client.post("/sparql", content="(" * 3000, headers=DIRECT).status_code == 413


def test_result_over_the_limit_is_an_explicit_error_never_truncated(client: TestClient) -> None:
    q = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"  # 42 rows, limit 20
    for fmt in ("json", "xml", "csv", "tsv"):
        resp = client.get("/sparql", params={"query": q, "format": fmt})
        assert resp.status_code == 400, fmt
        assert "more than the limit of 20" in resp.text
        assert resp.headers["x-result-limit"] == "20"
    resp = client.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }", "format": "nt"})
    assert resp.status_code == 400 and "triples" in resp.text
    # at the limit: answered in full
    resp = client.get("/sparql", params={"query": q + " LIMIT 20", "format": "tsv"})
    assert resp.status_code == 200 and len(resp.text.strip().splitlines()) == 21


# -- no outbound requests ------------------------------------------------------------------------


@pytest.fixture
def listener() -> Iterator[tuple[int, list[bytes]]]:
    """A local TCP listener that records every connection it gets."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    sock.settimeout(0.2)
    seen: list[bytes] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except OSError:
                continue
            conn.settimeout(1)
            try:
                seen.append(conn.recv(4096))
            except OSError:
                seen.append(b"")
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield sock.getsockname()[1], seen
    stop.set()
    thread.join(2)
    sock.close()


def test_listener_sees_a_direct_fetch(listener: tuple[int, list[bytes]]) -> None:
    """The zero-connection checks below would be meaningless if the listener could not see pyoxigraph."""
    port, seen = listener
    store = ox.Store()
    with pytest.raises(OSError):
        list(store.query(f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}"))
    assert len(seen) == 1


@pytest.mark.parametrize(
    "template",
    [
        "SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
        "PREFIX remote: <{root}> SELECT * WHERE {{ SERVICE remote:sparql {{ ?s ?p ?o }} }}",
        "BASE <{root}> SELECT * WHERE {{ SERVICE <sparql> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ BIND(<{url}> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
        "SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}",
        "SELECT * FROM NAMED <{url}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        "LOAD <{url}>",
        "LOAD SILENT <{url}> INTO GRAPH <urn:g>",
    ],
    ids=[
        "service",
        "service-silent",
        "service-prefixed",
        "service-relative",
        "service-variable",
        "from",
        "from-named",
        "load",
        "load-silent",
    ],
)
def test_outbound_clauses_are_refused_with_zero_connections(
    client: TestClient, listener: tuple[int, list[bytes]], template: str
) -> None:
    port, seen = listener
    root = f"http://127.0.0.1:{port}/"
    query = template.format(url=root + "sparql", root=root)
    for resp in (
        client.get("/sparql", params={"query": query}),
        client.post("/sparql", content=query, headers=DIRECT),
    ):
        assert resp.status_code == 403, resp.text
    assert seen == []


def test_protocol_dataset_iris_outside_the_store_are_refused(
    client: TestClient, listener: tuple[int, list[bytes]]
) -> None:
    port, seen = listener
    url = f"http://127.0.0.1:{port}/data.ttl"
    for key in ("default-graph-uri", "named-graph-uri"):
        resp = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }", key: url})
        assert resp.status_code == 403 and url in resp.text
    assert seen == []


def test_keywords_inside_strings_and_names_are_not_refused(client: TestClient) -> None:
    q = (
        'PREFIX ex: <urn:ex#> SELECT ?x WHERE { BIND("SERVICE <http://x/> FROM LOAD" AS ?x) '
        "OPTIONAL { ?x ex:service ex:from } } # SERVICE <http://y/>"
    )
    resp = client.get("/sparql", params={"query": q, "format": "json"})
    assert resp.status_code == 200, resp.text


def test_cors_on_get_and_preflight(client: TestClient) -> None:
    resp = client.get("/sparql", params={"query": COUNT}, headers={"origin": "https://example.org"})
    assert resp.headers["access-control-allow-origin"] == "*"
    pre = client.options(
        "/sparql",
        headers={
            "origin": "https://example.org",
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type",
        },
    )
    assert pre.status_code == 200  # Starlette's CORSMiddleware answers preflights
    assert "POST" in pre.headers["access-control-allow-methods"]
    refused = client.get("/sparql", params={"query": "ASK {"}, headers={"origin": "https://example.org"})
    assert refused.status_code == 400 and refused.headers["access-control-allow-origin"] == "*"
    assert "Accept" in resp.headers["vary"]  # negotiated answers tell caches so


def test_json_body_is_oxigraph_output(client: TestClient) -> None:
    resp = client.get("/sparql", params={"query": LABELS, "format": "json"})
    assert json.loads(resp.content)["head"]["vars"] == ["t", "l"]


# -- the fast lane ---------------------------------------------------------------------------------


def test_a_new_light_get_is_answered_before_the_handler_and_a_faulty_one_by_it(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A GET never seen before is planned and answered by the fast lane when it is light (no request
    or response objects). One that fails a check goes on to the route, which gives the usual error."""
    from api.sparql import route

    handled: list[str | None] = []
    first_step = route.budget_blocked  # what the route does first, for every request

    def counting(budget, client):  # type: ignore[no-untyped-def]
        handled.append(client)
        return first_step(budget, client)

    monkeypatch.setattr(route, "budget_blocked", counting)
    # never seen: a subject no other test asks for, and a comment that makes the text unique
    light = (f"SELECT ?l WHERE {{ <{BASE}id/question/itu-t/2017-2020/7-17> "
             "<http://www.w3.org/2000/01/rdf-schema#label> ?l }  # fast lane")
    resp = client.get("/sparql", params={"query": light}, headers={"accept": "text/csv"})
    assert resp.status_code == 200, resp.text
    assert resp.text.splitlines() == ["l", "Question 7/17"]
    assert resp.headers["content-type"].startswith("text/csv")
    assert resp.headers["vary"] == "Accept, Origin"
    assert handled == []
    refused = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }  # fast lane"
    resp = client.get("/sparql", params={"query": refused})
    assert resp.status_code == 403 and "SERVICE" in resp.text
    def count(query: str) -> int:
        resp = client.get("/sparql", params={"query": query, "format": "json"})
        assert resp.status_code == 200, resp.text
        return int(resp.json()["results"]["bindings"][0]["n"]["value"])

    quads = count("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c }  # fast lane: light")
    assert len(handled) == 1
    # a browser's cross-origin request goes through CORSMiddleware to the route
    resp = client.get("/sparql", params={"query": light}, headers={"accept": "text/csv", "origin": "https://a.example"})
    assert resp.status_code == 200 and resp.headers["access-control-allow-origin"] == "*"
    assert resp.headers["vary"] == "Accept, Origin"
    assert len(handled) == 2
    handled.clear()
    count("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c }  # fast lane: light")
    assert handled == []
    # over the light bound (quads² > 1000): the fast lane plans it, a worker runs it via the handler
    assert count("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }  # fast lane: a worker's") == quads**2
    assert len(handled) == 1
