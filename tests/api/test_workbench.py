"""The analysts' pages: home, the YASGUI workbench page, the generated "how to query" guide, the
label look-up used by the result table, and the locally served front-end files.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from ld_fixture import BASE, load_fixture_store

from api.main import create_app
from api.settings import Settings
from iscg_graph.errors import ParameterError
from iscg_graph.linked_data.ontology_docs import document, load_ontology
from iscg_graph.linked_data.query_docs import guide
from iscg_graph.query.catalog import load_catalog
from iscg_graph.query.workbench_text import bound_text, strip_metadata
from iscg_graph.rdf.store import EmbeddedStore

REPO = Path(__file__).resolve().parents[2]
CANNED = sorted(p.stem for p in (REPO / "queries").glob("*.rq"))


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedStore:
    return load_fixture_store(tmp_path_factory.mktemp("wb"))


@pytest.fixture(scope="module")
def client(store: EmbeddedStore) -> TestClient:
    assert store.path is not None
    app = create_app(Settings(store_path=store.path, environment="test"))
    app.state.store = store
    return TestClient(app)


def workbench_config(html: str) -> dict[str, object]:
    found = re.search(r'<script type="application/json" id="workbench-config">(.*?)</script>', html, re.S)
    assert found, "no workbench config in the page"
    return dict(json.loads(found.group(1)))


def test_canned_queries_exist() -> None:
    assert len(CANNED) >= 10, f"expected the project's canned queries in queries/, found {len(CANNED)}"


def test_home_links_to_the_workbench(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200
    assert 'href="/query"' in r.text and 'action="/search"' in r.text


def test_workbench_page_is_configured_for_this_service(client: TestClient) -> None:
    r = client.get("/query")
    assert r.status_code == 200
    config = workbench_config(r.text)
    assert config["endpoint"] == "/sparql"
    prefixes = dict(config["prefixes"])  # type: ignore[arg-type]
    assert (
        prefixes["iscg"] == BASE + "ontology#" and prefixes["skos"] == "http://www.w3.org/2004/02/skos/core#"
    )
    assert str(config["starter"]).startswith("PREFIX iscg: <https://w3id.org/iscg/ontology#>")
    terms = dict(config["terms"])  # type: ignore[arg-type]
    assert BASE + "ontology#Question" in terms["classes"]
    assert BASE + "ontology#studyGroup" in terms["properties"]


def test_every_canned_query_is_an_example(client: TestClient) -> None:
    html = client.get("/query").text
    examples = workbench_config(html)["examples"]
    assert isinstance(examples, list)
    names = [e["name"] for e in examples]
    assert names == CANNED, "every queries/*.rq file must be offered, in file order"
    for e in examples:
        assert e["summary"], e["name"]
        # the file without its #+ metadata, parameters with a default bound as the API binds them
        spec = load_catalog()[e["name"]]
        try:
            expected = bound_text(spec, {}, BASE)
        except ParameterError:  # a required parameter without a default: the form gives it
            expected = strip_metadata(spec.text)
        assert e["query"] == expected
        assert "#+" not in e["query"]
        assert f'data-example="{e["name"]}"' in html


def test_examples_parse_as_sparql(client: TestClient, store: EmbeddedStore) -> None:
    examples = workbench_config(client.get("/query").text)["examples"]
    assert isinstance(examples, list) and len(examples) == len(CANNED)
    for e in examples:
        store.query(e["query"])  # raises SyntaxError on a broken query


def test_front_end_is_served_locally_with_nothing_from_a_cdn(client: TestClient) -> None:
    html = client.get("/query").text
    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert "/static/vendor/yasgui/yasgui.min.js" in sources
    assert [s for s in sources if s.startswith(("http:", "https:", "//"))] == []
    for path in (
        "/static/vendor/yasgui/yasgui.min.js",
        "/static/vendor/yasgui/yasgui.min.css",
        "/static/workbench/workbench.js",
        "/static/workbench/workbench.css",
    ):
        r = client.get(path)
        assert r.status_code == 200, f"{path} missing (run `make assets`)"
    js = client.get("/static/workbench/workbench.js").text
    assert 'registerPlugin("chart"' in js and 'registerPlugin("labels"' in js


def test_static_files_cannot_escape_their_folder(client: TestClient) -> None:
    assert client.get("/static/workbench/../../main.py").status_code == 404
    assert client.get("/static/vendor/%2e%2e/%2e%2e/settings.py").status_code == 404


def test_prefix_completion_table(client: TestClient) -> None:
    table = client.get("/query/prefixes.json").json()
    assert table["iscg"] == BASE + "ontology#"
    assert table["dct"] == "http://purl.org/dc/terms/"


def test_labels_for_result_iris(client: TestClient) -> None:
    iris = [BASE + "id/question/itu-t/2017-2020/4-17", BASE + "ontology#Question", "http://example.org/x"]
    r = client.post("/api/labels", json={"iris": iris, "lang": "fr"})
    labels = r.json()["labels"]
    assert labels[iris[0]] == {
        "label": "UIT-T Q4/17 (2017-2020) : Cybersécurité",
        "lang": "fr",
        "href": "/id/question/itu-t/2017-2020/4-17",
        "local": True,
        "known": True,
    }
    assert labels[iris[1]]["label"] == "Question"
    assert labels[iris[2]]["href"] == "http://example.org/x" and labels[iris[2]]["known"] is False
    english = client.post("/api/labels", json={"iris": iris[:1]}, headers={"Accept-Language": "en"}).json()
    assert english["labels"][iris[0]]["label"] == "ITU-T Q4/17 (2017-2020): Cybersecurity"


def test_labels_rejects_bad_input(client: TestClient) -> None:
    assert client.post("/api/labels", json={"iris": ["x"] * 2001}).status_code == 422
    assert client.post("/api/labels", json={"nope": []}).status_code == 422
    junk = client.post("/api/labels", json={"iris": ["not an iri with spaces", "<bad>"]}).json()
    assert junk["labels"] == {}


def test_querying_guide_is_generated_from_ontology_and_queries(client: TestClient) -> None:
    html = client.get("/docs/querying").text
    for name in CANNED:
        assert f'id="query-{name}"' in html, name
        assert f'href="/query?example={name}"' in html
    assert f"Canned queries ({len(CANNED)})" in html
    # main classes come from the data's classes, each with a runnable example
    for cls in ("Question", "Theme", "StudyGroup"):
        assert f'id="class-{cls}"' in html, cls


def test_generated_class_examples_return_rows(store: EmbeddedStore) -> None:
    doc = document(load_ontology(store, BASE), BASE, data=store)
    g = guide(doc, BASE)
    assert len(g.classes) >= 5
    for c in g.classes:
        result = store.query(c.example.text)
        assert isinstance(result, ox.QuerySolutions)
        rows = list(result)
        assert rows, f"the example for {c.term.name} returns nothing"


def test_guide_examples_return_rows_on_the_real_data(real_store: EmbeddedStore) -> None:
    doc = document(load_ontology(real_store, BASE), BASE, data=real_store)
    g = guide(doc, BASE)
    assert len(g.classes) >= 10, [c.term.name for c in g.classes]
    empty = [c.term.name for c in g.classes if not list(real_store.query(c.example.text))]
    assert empty == []
