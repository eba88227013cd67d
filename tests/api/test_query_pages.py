"""``/api/queries/<name>`` one page at a time: following ``next`` (body and ``Link`` header) gives the
whole answer, the last page has no ``next``, ``total=true`` counts, the downloads keep every row,
and bad page values are 422s naming the parameter."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient
from test_queries import RecordingEngine, _app, _store

from api.routers import queries as queries_router
from iscg_graph.query.paging import DEFAULT_LIMIT, MAX_LIMIT

NAME = "theme-coverage"
PARAMS: dict[str, str] = {}


@pytest.fixture(scope="module")
def engine() -> RecordingEngine:
    return RecordingEngine(_store())


@pytest.fixture(scope="module")
def client(engine: RecordingEngine) -> TestClient:
    return _app(queries_router.router, engine)


def _whole(client: TestClient) -> list[dict]:
    r = client.get(f"/api/queries/{NAME}", params={**PARAMS, "limit": MAX_LIMIT})
    assert r.status_code == 200 and r.json()["page"]["more"] is False
    return r.json()["results"]["bindings"]


def test_following_next_gives_the_whole_answer_and_the_last_page_has_none(client: TestClient) -> None:
    whole = _whole(client)
    assert len(whole) >= 3, "the fixture must give several rows to page"
    url: str | None = f"/api/queries/{NAME}?limit=2"
    got: list[dict] = []
    pages = 0
    while url:
        r = client.get(url)
        assert r.status_code == 200, r.text
        body = r.json()
        page = body["page"]
        assert page["limit"] == 2 and page["rows"] == len(body["results"]["bindings"]) <= 2
        got.extend(body["results"]["bindings"])
        link = r.headers.get("link", "")
        if page["more"]:
            assert f'<{page["next"]}>; rel="next"' in link
        else:
            assert page["next"] is None and 'rel="next"' not in link
        if page["offset"]:
            assert 'rel="prev"' in link and "offset=" in page["prev"]
        url = page["next"]
        pages += 1
    assert got == whole and pages == -(-len(whole) // 2)


def test_the_page_is_asked_of_the_store(client: TestClient, engine: RecordingEngine) -> None:
    engine.calls.clear()
    client.get(f"/api/queries/{NAME}", params={**PARAMS, "limit": 2, "offset": 4})
    [(sparql, _subs)] = engine.calls
    assert sparql.rstrip().endswith("LIMIT 3 OFFSET 4")  # one row more: is there another page?


def test_default_page_and_total_on_request(client: TestClient) -> None:
    whole = _whole(client)
    r = client.get(f"/api/queries/{NAME}", params=PARAMS)
    assert r.json()["page"]["limit"] == DEFAULT_LIMIT and "total" not in r.json()["page"]
    r = client.get(f"/api/queries/{NAME}", params={**PARAMS, "limit": 1, "total": "true"})
    assert r.json()["page"]["total"] == len(whole) and r.json()["page"]["more"] is True


def test_downloads_hold_every_row_whatever_the_page_parameters(client: TestClient) -> None:
    whole = _whole(client)
    r = client.get(f"/api/queries/{NAME}", params={**PARAMS, "format": "csv"})
    assert r.status_code == 200
    assert len(list(csv.reader(io.StringIO(r.text)))) == 1 + len(whole)
    # a page parameter does not make a file a page
    r = client.get(f"/api/queries/{NAME}", params={**PARAMS, "format": "csv", "limit": 2, "offset": 1})
    assert r.status_code == 200 and len(list(csv.reader(io.StringIO(r.text)))) == 1 + len(whole)
    r = client.get(f"/api/queries/{NAME}", params=PARAMS, headers={"Accept": "text/csv"})
    assert len(list(csv.reader(io.StringIO(r.text)))) == 1 + len(whole)


@pytest.mark.parametrize(
    ("params", "name"),
    [({"limit": "0"}, "limit"), ({"limit": "-1"}, "limit"), ({"limit": "x"}, "limit"),
     ({"limit": str(MAX_LIMIT + 1)}, "limit"), ({"offset": "-1"}, "offset"), ({"offset": "1.5"}, "offset"),
     ({"total": "maybe"}, "total")],
)
def test_bad_page_values_are_422_naming_the_parameter(client: TestClient, params: dict, name: str) -> None:
    r = client.get(f"/api/queries/{NAME}", params={**PARAMS, **params})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["query", name]


def test_next_is_on_the_public_url_when_one_is_configured(engine: RecordingEngine) -> None:
    from types import SimpleNamespace

    own = _app(queries_router.router, engine)
    own.app.state.settings = SimpleNamespace(public_url="https://iscg.example.org/")  # type: ignore[attr-defined]
    r = own.get(f"/api/queries/{NAME}", params={**PARAMS, "limit": 1})
    assert r.json()["page"]["next"].startswith(f"https://iscg.example.org/api/queries/{NAME}?")
    assert "offset=1" in r.json()["page"]["next"] and "limit=1" in r.json()["page"]["next"]
