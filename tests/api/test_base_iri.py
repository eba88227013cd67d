"""A deployment under another public base: the shipped data built with ``base``, served with the same
``base_iri``. Instances, graphs, pages, canned-query parameters and the dataset description all use
it; the ontology's own terms keep their namespace (see docs/notes/hardening.md)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import Settings
from iscg_graph.build.pipeline import build

pytestmark = pytest.mark.slow

BASE = "https://example.org/kg/"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    store = tmp_path_factory.mktemp("rebased") / "store"
    build(store, base=BASE)
    settings = Settings(store_path=store, base_iri=BASE, environment="test", query_workers=1,
                        budget_seconds_per_minute=0)
    with TestClient(create_app(settings)) as c:
        yield c


def test_pages_describe_iris_under_the_base(client: TestClient) -> None:
    triples = client.get("/id/sector/itu-r", headers={"accept": "application/n-triples"})
    assert triples.status_code == 200
    assert f"<{BASE}id/sector/itu-r>" in triples.text and "w3id.org/iscg/id/" not in triples.text
    assert "<https://w3id.org/iscg/ontology#sector>" in triples.text  # the vocabulary's own namespace
    page = client.get("/id/sector/itu-r", headers={"accept": "text/html"})
    assert page.status_code == 200 and 'href="/id/' in page.text  # links stay local


def test_canned_queries_bind_parameters_under_the_base(client: TestClient) -> None:
    resp = client.get("/api/queries/theme-coverage", params={"format": "csv", "scheme": "resolution-areas"})
    assert resp.status_code == 200, resp.text
    rows = resp.text.splitlines()[1:]
    assert rows and all(row.startswith(f"{BASE}id/scheme/resolution-areas,") for row in rows)


def test_the_dataset_description_names_the_base(client: TestClient) -> None:
    resp = client.get("/dataset", headers={"accept": "text/turtle"})
    assert resp.status_code == 200
    assert BASE in resp.text
    assert "w3id.org/iscg/id/" not in resp.text and "w3id.org/iscg/graph/" not in resp.text
