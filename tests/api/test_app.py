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
from pydantic import SecretStr

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


def test_a_store_without_candidates_starts_at_once_and_says_when_they_are_ready(
    built_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil
    import threading

    from api.routers import candidates

    copy = tmp_path / "build"
    shutil.copytree(built_store.resolve(), copy)
    (copy / "candidates.json").unlink()
    release = threading.Event()
    real = candidates.warm_index

    def slow_warm_index(app):  # type: ignore[no-untyped-def]
        release.wait(30)
        return real(app)

    monkeypatch.setattr(candidates, "warm_index", slow_warm_index)
    settings = Settings(environment="test", store_path=copy, query_workers=1, retry_after_seconds=12)
    with TestClient(create_app(settings)) as c:
        assert c.get("/health").status_code == 200  # the service is up while the index is computed
        waiting = c.get("/api/candidates")
        assert waiting.status_code == 503
        assert waiting.headers["retry-after"] == "12"  # the setting, as every 503
        assert "still being computed" in waiting.json()["detail"]
        release.set()
        c.app.state.candidates_pending.join(60)
        ready = c.get("/api/candidates")
        assert ready.status_code == 200
        assert (copy / "candidates.json").exists()


def test_an_index_of_an_older_format_is_recomputed_in_the_background(
        built_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A build whose candidate index this version cannot map (an older format) starts at once: the
    index is computed in the background (minutes at a million triples), 503 + Retry-After meanwhile,
    never an answer from the old file."""
    import json
    import shutil
    import threading

    from api.routers import candidates
    from iscg_graph.overlap.columnar import FORMAT

    copy = tmp_path / "build"
    shutil.copytree(built_store.resolve(), copy)
    header = json.loads((copy / "candidates.json").read_text("utf-8"))
    (copy / "candidates.json").write_text(json.dumps({**header, "format": FORMAT - 1}), "utf-8")
    release = threading.Event()
    real = candidates.warm_index

    def slow_warm_index(app):  # type: ignore[no-untyped-def]
        release.wait(30)
        return real(app)

    monkeypatch.setattr(candidates, "warm_index", slow_warm_index)
    settings = Settings(environment="test", store_path=copy, query_workers=1, retry_after_seconds=7)
    with TestClient(create_app(settings)) as c:
        assert c.get("/health").status_code == 200
        waiting = c.get("/api/candidates")
        assert waiting.status_code == 503 and waiting.headers["retry-after"] == "7"
        release.set()
        c.app.state.candidates_pending.join(60)
        assert c.get("/api/candidates").status_code == 200
        assert json.loads((copy / "candidates.json").read_text("utf-8"))["format"] == FORMAT


def test_while_a_new_generations_index_loads_the_previous_one_answers(
        built_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A replica that moved to the remote store's next generation loads that generation's candidate
    index in the background (api/remote_store.py): the reports stay up meanwhile on the index served
    before, saying its data version, instead of 503 for as long as the load takes."""
    import shutil
    import threading

    from api import remote_store
    from api.routers import candidates

    copy = tmp_path / "build"
    shutil.copytree(built_store.resolve(), copy)
    settings = Settings(environment="test", store_path=copy, query_workers=1)
    with TestClient(create_app(settings)) as c:
        before = c.get("/api/candidates", params={"limit": 5})
        assert before.status_code == 200
        release = threading.Event()
        real = candidates.warm_index

        def slow_warm_index(app):  # type: ignore[no-untyped-def]
            release.wait(30)
            return real(app)

        monkeypatch.setattr(candidates, "warm_index", slow_warm_index)
        remote_store._warm_index(c.app)  # what a generation switch starts
        try:
            assert c.app.state.candidates_pending.is_alive()
            meanwhile = c.get("/api/candidates", params={"limit": 5})
            assert meanwhile.status_code == 200, meanwhile.text[:300]
            assert meanwhile.json()["data_version"] == before.json()["data_version"]
            assert meanwhile.json()["candidates"] == before.json()["candidates"]
            report = c.get("/reports/candidates", params={"kind": "question"})
            assert report.status_code == 200, report.text[:300]
            assert before.json()["data_version"] in report.text
        finally:
            release.set()
            c.app.state.candidates_pending.join(60)
        assert c.get("/api/candidates", params={"limit": 5}).json() == before.json()


def test_a_decision_taken_while_a_new_index_loads_is_in_the_new_one(
        built_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A review decision while the store's new index loads (a new build or generation) goes to the
    new store's journal, not into the index served meanwhile: that one belongs to the store before,
    and recorded there it would be kept as the new store's index once the load ends."""
    import shutil
    import threading

    from api import remote_store
    from api.routers import candidates

    copy = tmp_path / "build"
    shutil.copytree(built_store.resolve(), copy)
    token = "review-token-for-this-test"
    settings = Settings(environment="test", store_path=copy, query_workers=1, review_token=SecretStr(token))
    with TestClient(create_app(settings)) as c:
        first = c.get("/api/candidates", params={"limit": 1}).json()["candidates"][0]
        pair = {first["left"]["iri"], first["right"]["iri"]}
        before = c.app.state.candidate_index[1]
        release = threading.Event()
        real = candidates.warm_index

        def slow_warm_index(app):  # type: ignore[no-untyped-def]
            release.wait(30)
            return real(app)

        monkeypatch.setattr(candidates, "warm_index", slow_warm_index)
        remote_store._warm_index(c.app)
        try:
            decided = c.post("/api/candidates/review", headers={"Authorization": f"Bearer {token}"}, json={
                "left": first["left"]["iri"], "right": first["right"]["iri"], "decision": "reject",
                "reviewer": "Rita Reviewer"})
            assert decided.status_code == 201, decided.text[:300]
        finally:
            release.set()
            c.app.state.candidates_pending.join(60)
        assert c.app.state.candidate_index[1] is not before  # the store's own index, loaded
        listed = c.get("/api/candidates", params={"limit": 5000}).json()["candidates"]
        assert pair not in [{x["left"]["iri"], x["right"]["iri"]} for x in listed]


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
