"""execute(): Oxigraph's writers, typed syntax errors with positions, row and byte limits."""

from __future__ import annotations

import pytest

from iscg_graph.errors import QuerySyntaxError, ResultTooLarge
from iscg_graph.query.engine import InProcessEngine, execute, parse_term
from iscg_graph.rdf.store import EmbeddedStore


@pytest.fixture(scope="module")
def store() -> EmbeddedStore:
    s = EmbeddedStore.in_memory()
    s.load_nquads(b"".join(b'<urn:s%d> <urn:p> "v%d\\n, \\"x\\"" <urn:g> .\n' % (i, i) for i in range(50)))
    return s


@pytest.mark.parametrize(
    "media_type",
    [
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    ],
)
def test_row_limit_is_exact_in_every_format(store: EmbeddedStore, media_type: str) -> None:
    q = "SELECT * WHERE { ?s ?p ?o }"
    assert execute(store, q, media_type=media_type, row_limit=50).body
    with pytest.raises(ResultTooLarge, match="50 rows, more than the limit of 49"):
        execute(store, q, media_type=media_type, row_limit=49)


@pytest.mark.parametrize(
    "media_type", ["text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml"]
)
def test_triple_limit(store: EmbeddedStore, media_type: str) -> None:
    q = "CONSTRUCT WHERE { ?s ?p ?o }"
    assert execute(store, q, media_type=media_type, row_limit=50).media_type == media_type
    with pytest.raises(ResultTooLarge, match="50 triples"):
        execute(store, q, media_type=media_type, row_limit=10)


def test_byte_cap_stops_serialisation(store: EmbeddedStore) -> None:
    with pytest.raises(ResultTooLarge, match="larger than 100 bytes"):
        execute(store, "SELECT * { ?s ?p ?o }", media_type="text/csv", max_bytes=100)


def test_syntax_error_carries_line_and_column(store: EmbeddedStore) -> None:
    with pytest.raises(QuerySyntaxError) as info:
        execute(store, "SELECT *\nWHERE { ?s ?p }", media_type="text/csv")
    assert info.value.line == 2 and isinstance(info.value.column, int)
    assert str(info.value).startswith(f"line 2, column {info.value.column}: expected")


def test_substitutions_and_base_iri(store: EmbeddedStore) -> None:
    r = execute(
        store,
        "SELECT ?s ?o { ?s <urn:p> ?o }",
        media_type="text/tab-separated-values",
        substitutions={"s": "<urn:s3>"},
    )
    assert r.body.decode().splitlines()[1] == '<urn:s3>\t"v3\\n, \\"x\\""'
    r = execute(store, "ASK { <s3> <p> ?o }", media_type="application/sparql-results+json", base_iri="urn:")
    assert b"true" in r.body
    assert parse_term('"3"^^<http://www.w3.org/2001/XMLSchema#integer>').value == "3"


def test_in_process_engine_reports_graphs(store: EmbeddedStore) -> None:
    engine = InProcessEngine(store)
    assert engine.graphs() == frozenset({"urn:g"})
    assert engine.run("ASK { ?s ?p ?o }", media_type="application/sparql-results+json").kind == "boolean"


def test_a_failed_query_leaves_no_result_for_another_thread_to_drop() -> None:
    """pyoxigraph results may only be dropped by the thread that made them; a kept exception (here
    over the row limit, raised while serialising) must not hold one through its traceback."""
    import gc
    import threading

    store = EmbeddedStore.in_memory()
    store.load_nquads(b"".join(b"<urn:s%d> <urn:p> <urn:o> <urn:g> .\n" % i for i in range(5)))
    caught: list[BaseException] = []

    def run() -> None:
        try:
            execute(store, "SELECT * WHERE { ?s ?p ?o }", media_type="text/csv", row_limit=1)
        except ResultTooLarge as exc:
            caught.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert len(caught) == 1
    caught.clear()  # dropped here, on another thread than the one that ran the query
    gc.collect()  # an unraisable "dropped on another thread" error fails the test (warnings are errors)
