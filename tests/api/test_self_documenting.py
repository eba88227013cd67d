"""The graph documents itself and the documentation holds against the data: class profiles list
every property instances use; every example query on /docs/querying and /docs/examples runs and
returns rows; every skos:example of the ontology (shown on /ontology) is true of the data."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import Settings
from iscg_graph.query.paths import path_examples
from iscg_graph.query.profile import read_profile
from iscg_graph.rdf.store import EmbeddedStore
from iscg_graph.vocab import DEFAULT_BASE, prefixes

ONTOLOGY_GRAPH = DEFAULT_BASE + "graph/ontology"

BASE = "https://w3id.org/iscg/"
ISCG = BASE + "ontology#"
JSON = "application/sparql-results+json"
EXAMPLE_BLOCK = re.compile(r'<pre class="example"><code>(.*?)</code></pre>', re.DOTALL)


@pytest.fixture(scope="module")
def client(built_store: Path) -> Iterator[TestClient]:
    app = create_app(Settings(store_path=built_store, environment="test", query_workers=1))
    with TestClient(app) as c:
        yield c


def rows_of(client: TestClient, query: str) -> list[dict[str, object]]:
    r = client.post("/sparql", content=query.encode(), headers={
        "Content-Type": "application/sparql-query", "Accept": JSON})
    assert r.status_code == 200, (query, r.text)
    assert "iscg-warning" not in r.headers, r.headers["iscg-warning"]
    return r.json()["results"]["bindings"]  # type: ignore[no-any-return]


def test_profile_lists_every_property_instances_use(built_store: Path, real_store: EmbeddedStore) -> None:
    profiles = read_profile(built_store)
    documented = [c for c in profiles if c.startswith(ISCG)]
    assert len(documented) > 20
    for cls in documented:
        query = f"SELECT DISTINCT ?p WHERE {{ ?s a <{cls}> ; ?p ?o }}"
        used = {r["p"].value for r in real_store.select(query)}
        listed = {u.property for u in profiles[cls].properties}
        assert used == listed, (cls, used ^ listed)
        instances = real_store.select(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a <{cls}> }}")
        assert profiles[cls].instances == int(instances[0]["n"].value)
    question = {u.property: u for u in profiles[ISCG + "Question"].properties}
    for name in ("sector", "studyPeriod", "addressesTheme", "studyGroup", "questionOrdinal"):
        assert ISCG + name in question
    sector = question[ISCG + "sector"]
    assert sector.value_types[0][0] == ISCG + "Sector" and sector.example_value.startswith("<")


def _section(page: str, anchor: str) -> str:
    start = page.index(f'id="{anchor}"')
    end = page.find('<section class="term"', start + 1)
    return page[start:end if end > 0 else None]


def test_profiles_are_shown_on_the_guide_and_the_ontology_page(client: TestClient) -> None:
    guide = client.get("/docs/querying").text
    on_ontology = client.get("/ontology", headers={"Accept": "text/html"}).text
    for page, anchor in ((guide, "class-Question"), (on_ontology, "Question")):
        section = _section(page, anchor)
        for curie in ("iscg:sector", "iscg:studyPeriod", "iscg:addressesTheme", "iscg:questionOrdinal"):
            assert f"<code>{curie}</code>" in section, (anchor, curie)
    link = _section(on_ontology, "Link")
    assert "<code>iscg:subject</code>" in link and "<code>dct:source</code>" in link


def test_every_example_on_the_guide_runs_and_returns_rows(client: TestClient) -> None:
    page = client.get("/docs/querying").text
    guide_start = page.index("<h2>Main classes</h2>")
    canned_start = page.index("<h2>Canned queries")
    queries = [html.unescape(q) for q in EXAMPLE_BLOCK.findall(page[guide_start:canned_start])]
    assert len(queries) >= 10
    for query in queries:
        assert rows_of(client, query), query


def test_every_path_example_runs_and_returns_rows(client: TestClient) -> None:
    page = client.get("/docs/examples").text
    shown = [html.unescape(q) for q in EXAMPLE_BLOCK.findall(page)]
    expected = path_examples(BASE)
    assert shown == [e.text for e in expected]
    assert {"question-group-sector-period", "question-themes-list", "mappings-with-provenance",
            "resolution-versions"} <= {e.name for e in expected}
    for query in shown:
        assert len(rows_of(client, query)) >= 3, query
    assert page.count('class="run" href="/query?query=') == len(expected)


def test_every_ontology_example_is_true_of_the_data(real_store: EmbeddedStore) -> None:
    head = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in prefixes(BASE).items())
    examples = real_store.select(
        f"SELECT ?term ?text WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> "
        "{ ?term <http://www.w3.org/2004/02/skos/core#example> ?text } }")
    assert len(examples) > 15
    for row in examples:
        triples = list(ox.parse((head + row["text"].value).encode(), format=ox.RdfFormat.TURTLE))
        assert triples
        for t in triples:
            found = real_store.ask("ASK { ?s ?p ?o }", {"s": t.subject, "p": t.predicate, "o": t.object})
            assert found, (row["term"].value, str(t))
