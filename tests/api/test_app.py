"""The assembled application: every router mounted in the right order, static files, health."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Iterator
from pathlib import Path

import pytest
from external import missing
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import Settings


@pytest.fixture(scope="module")
def client(built_store: Path) -> Iterator[TestClient]:
    settings = Settings(environment="test", store_path=built_store, query_workers=1)
    with TestClient(create_app(settings)) as c:
        yield c


def test_health_names_the_data_version(client: TestClient, built_store: Path) -> None:
    body = client.get("/health").json()
    assert body["status"] == "ok"
    assert len(body["data_version"]) == 12 and body["triples"] > 10_000


@pytest.mark.parametrize(
    "path",
    ["/", "/query", "/reports", "/reports/candidates", "/reports/theme-coverage", "/themes", "/ontology",
     "/dataset", "/docs/querying", "/api/queries", "/api/candidates", "/sparql", "/static/css/site.css",
     "/id/sector/itu-t"],
)
def test_every_area_answers(client: TestClient, path: str) -> None:
    response = client.get(path, headers={"Accept": "text/html"} if not path.startswith("/api") else {})
    assert response.status_code == 200, (path, response.text[:300])


def test_static_files_stay_inside_their_folder(client: TestClient) -> None:
    assert client.get("/static/../main.py").status_code == 404
    assert client.get("/static/%2e%2e/main.py").status_code == 404


def test_reports_index_links_every_report_page(client: TestClient) -> None:
    html = client.get("/reports").text
    assert 'href="/reports/candidates"' in html
    assert 'href="/reports/sector-overlap-matrix"' in html


def test_what_one_app_allowed_is_never_remembered_for_another(built_store: Path, tmp_path: Path) -> None:
    """Checks and cached answers are per app: a SERVICE target allow-listed in one app stays refused
    in another app of the same process, even after the first app has answered it twice."""
    import shutil

    copy = tmp_path / "build"  # the module's client holds the store's write lock
    shutil.copytree(built_store.resolve(), copy)
    query = "SELECT * WHERE { SERVICE SILENT <http://127.0.0.1:9/sparql> { ?s ?p ?o } } LIMIT 1"
    common = {"environment": "test", "store_path": copy, "query_workers": 1}
    allowing = create_app(Settings(**common, allowed_service_iris=["http://127.0.0.1:9/"]))
    refusing = create_app(Settings(**common))
    with TestClient(allowing) as a:
        for _ in range(2):
            assert a.get("/sparql", params={"query": query}).status_code == 200
    with TestClient(refusing) as b:
        for _ in range(2):
            response = b.get("/sparql", params={"query": query})
            assert response.status_code == 403
            assert "127.0.0.1:9" in response.text


def test_a_repeated_query_gets_the_same_answer(client: TestClient) -> None:
    params = {"query": "SELECT ?s WHERE { ?s a <https://w3id.org/iscg/ontology#Sector> } ORDER BY ?s"}
    first = client.get("/sparql", params=params, headers={"Accept": "text/csv"})
    second = client.get("/sparql", params=params, headers={"Accept": "text/csv"})
    assert first.status_code == second.status_code == 200
    assert first.content == second.content and first.text.count("\n") == 4
    assert first.headers["content-type"] == second.headers["content-type"]


def test_fastapi_telemetry_is_off_unless_asked_for(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Off by default: FastAPI's check for a configured OpenTelemetry provider reads the environment
    on every request. ``ISCG_TELEMETRY=true`` keeps FastAPI's own default. Checked through FastAPI's
    public ``telemetry`` argument, not its private attributes."""
    if "telemetry" not in inspect.signature(FastAPI.__init__).parameters:
        missing("FastAPI's native telemetry (the locked FastAPI has it)")
    given: list[object] = []
    real_init = FastAPI.__init__

    @functools.wraps(real_init)  # the same signature, as create_app inspects it
    def recording_init(self: FastAPI, *args: object, **kwargs: object) -> None:
        given.append(kwargs.get("telemetry"))
        real_init(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(FastAPI, "__init__", recording_init)
    create_app(Settings(store_path=tmp_path))
    create_app(Settings(store_path=tmp_path, telemetry=True))
    assert given == [{"tracing": False, "metrics": False, "logs": False}, None]
