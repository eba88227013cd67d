"""The canned-query API: listing, one typed operation per query, formats, 422s, and the proof that
parameter values never change the query text."""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from api import errors
from api.routers import queries as queries_router
from iscg_graph.errors import QueryTimeout
from iscg_graph.query.catalog import load_catalog
from iscg_graph.query.engine import EngineResult, InProcessEngine, parse_term
from iscg_graph.query.paging import MAX_LIMIT
from iscg_graph.rdf.derived import add_to_store
from iscg_graph.rdf.store import EmbeddedStore, StoreMeta

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "tests" / "fixtures" / "queries" / "mini.trig"
CANNED = sorted((REPO / "queries").glob("*.rq"))
HOSTILE = [
    'x" } UNION { ?s ?p ?o } #',
    "x\\u0022 } UNION { ?s ?p ?o",
    "x> } UNION { ?s ?p ?o",
    "line one\nline two\r\n} UNION {",
    "'; DROP ALL; '",
    '"""triple"""',
]


def _store() -> EmbeddedStore:
    store = EmbeddedStore(
        ox.Store(), meta=StoreMeta(data_version="fixture-1", built_at="2026-01-01T00:00:00Z")
    )
    store.inner.load(path=str(FIXTURE), format=ox.RdfFormat.TRIG)
    add_to_store(store.inner, "https://w3id.org/iscg/")  # as a build leaves it
    return store


class RecordingEngine:
    """Runs queries in process and remembers exactly what it was handed."""

    def __init__(self, store: EmbeddedStore):
        self.inner = InProcessEngine(store)
        self.calls: list[tuple[str, dict[str, str]]] = []

    def run(
        self,
        sparql: str,
        *,
        media_type: str,
        substitutions: Mapping[str, str] | None = None,
        **kwargs: object,
    ) -> EngineResult:
        self.calls.append((sparql, dict(substitutions or {})))
        return self.inner.run(sparql, media_type=media_type, substitutions=substitutions)


def _app(router, engine=None) -> TestClient:  # type: ignore[no-untyped-def]
    app = FastAPI()
    errors.install(app)  # the app's error policy, as create_app registers it
    app.include_router(router)
    app.state.store = _store()
    if engine is not None:
        app.state.engine = engine
    return TestClient(app)


@pytest.fixture(scope="module")
def client() -> TestClient:
    return _app(queries_router.router)


def test_listing_has_every_query_with_parameter_metadata(client: TestClient) -> None:
    body = client.get("/api/queries").json()
    listed = {q["name"]: q for q in body["queries"]}
    assert len(CANNED) == 16 and set(listed) == {p.stem for p in CANNED}
    dup = listed["question-duplicate-candidates"]
    assert dup["summary"] and dup["description"] and "duplication" in dup["tags"]
    params = {p["name"]: p for p in dup["parameters"]}
    assert params["sector_a"]["allowed_values"] == ["ITU-R", "ITU-T", "ITU-D", "GS"]
    assert params["sector_b"]["allowed_values"] == ["ITU-R", "ITU-T", "ITU-D", "GS"]
    assert params["min_score"] == {
        **params["min_score"],
        "type": "score",
        "required": False,
        "default": "0.2",
    }
    assert listed["study-group-neighbours"]["parameters"][0]["required"] is True
    assert dup["href"] == "/api/queries/question-duplicate-candidates"
    assert dup["report_href"] == "/reports/question-duplicate-candidates"


def test_openapi_has_one_typed_operation_per_query(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    catalog = load_catalog()
    operations = {
        path: item["get"] for path, item in doc["paths"].items() if path.startswith("/api/queries/")
    }
    assert set(operations) == {f"/api/queries/{name}" for name in catalog}
    for name, spec in catalog.items():
        op = operations[f"/api/queries/{name}"]
        assert op["operationId"] == f"query_{name.replace('-', '_')}"
        assert op["summary"] == spec.summary
        params = {p["name"]: p for p in op.get("parameters", [])}
        assert set(params) == {p.name for p in spec.params} | {"format", "limit", "offset", "total"}
        assert params["limit"]["schema"]["anyOf"][0]["maximum"] == MAX_LIMIT
        for p in spec.params:
            assert params[p.name]["required"] is p.required
            schema = json.dumps(params[p.name]["schema"])
            if p.type == "integer":
                assert '"integer"' in schema
            if p.type == "sector":
                assert "SectorCode" in schema
            if p.type == "study_period":
                assert "pattern" in schema
    sector_enum = doc["components"]["schemas"]["SectorCode"]["enum"]
    assert sector_enum == ["ITU-R", "ITU-T", "ITU-D", "GS"]


def test_runs_with_typed_parameters(client: TestClient) -> None:
    r = client.get(
        "/api/queries/question-duplicate-candidates", params={"min_score": 0.4, "sector_a": "ITU-T"}
    )
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/sparql-results+json"
    rows = r.json()["results"]["bindings"]
    assert len(rows) == 1 and rows[0]["score"]["value"] == "0.4" and rows[0]["points"]["value"] == "4"


@pytest.mark.parametrize(
    ("path", "params", "name"),
    [
        ("theme-dossier", {"theme": "https://evil.example/x"}, "theme"),
        ("theme-dossier", {"colour": "red"}, "colour"),
        ("sector-overlap-detail", {"sector_a": "ITU-X", "sector_b": "GS"}, "sector_a"),
        ("sector-overlap-detail", {"sector_b": "GS"}, "sector_a"),
        ("sector-overlap-matrix", {"study_period": "2020-2017"}, "study_period"),
        ("sector-overlap-matrix", {"study_period": "soon"}, "study_period"),
        # digits of other scripts pass Python's and Rust's \d but match no data: never drop the filter
        ("sector-overlap-matrix", {"study_period": "\u0662\u0660\u0661\u0667-\u0662\u0660\u0662\u0660"},
         "study_period"),
        ("sector-overlap-matrix", {"study_period": "\uff12\uff10\uff11\uff17-\uff12\uff10\uff12\uff10"},
         "study_period"),
        ("question-duplicate-candidates", {"min_score": "\u0664"}, "min_score"),
        ("question-duplicate-candidates", {"min_score": "\uff14"}, "min_score"),
        ("question-duplicate-candidates", {"min_score": "many"}, "min_score"),
        ("question-duplicate-candidates", {"min_score": "1.5"}, "min_score"),
        ("theme-coverage", {"scheme": "nope"}, "scheme"),
        ("study-group-neighbours", {"study_group": "x/../y"}, "study_group"),
        ("theme-coverage", {"format": "pdf"}, "format"),
    ],
)
def test_bad_parameters_get_422_naming_them(
    client: TestClient, path: str, params: dict[str, str], name: str
) -> None:
    r = client.get(f"/api/queries/{path}", params=params)
    assert r.status_code == 422, r.text
    assert [d["loc"] for d in r.json()["detail"]] == [["query", name]]


def test_unknown_query_is_404(client: TestClient) -> None:
    r = client.get("/api/queries/drop-everything")
    assert r.status_code == 404 and "drop-everything" in r.json()["detail"]


def test_formats_by_parameter_and_accept(client: TestClient) -> None:
    r = client.get("/api/queries/theme-coverage", params={"format": "csv"})
    assert r.headers["content-type"].startswith("text/csv") and r.text.startswith(
        "scheme,count,section,theme")
    r = client.get("/api/queries/theme-coverage", headers={"Accept": "text/csv"})
    assert r.headers["content-type"].startswith("text/csv")
    r = client.get("/api/queries/theme-coverage", headers={"Accept": "text/html"})
    assert (
        r.headers["content-type"].startswith("text/html")
        and '<a href="/id/theme/resolution-areas/27">' in r.text
    )
    r = client.get("/api/queries/theme-coverage", params={"format": "xlsx", "scheme": "resolution-areas"})
    ws = load_workbook(io.BytesIO(r.content))["Report"]
    assert ws["B1"].value == "Theme" and ws.freeze_panes == "A2" and ws.max_row == 1 + 6
    r = client.get("/api/queries/theme-coverage", headers={"Accept": "application/json"})
    assert r.headers["content-type"] == "application/sparql-results+json"


def test_hostile_values_never_reach_the_query_text(tmp_path: Path) -> None:
    """A string and a theme parameter fed quotes, \\u0022, '>', newlines and '} UNION {': the text the
    engine gets is byte-identical to the file, the value arrives only as one typed substitution, and the
    result shows the query kept its shape (no injected rows)."""
    (tmp_path / "find-label.rq").write_text(
        "#+ summary: items with exactly this English label\n"
        "#+ params:\n"
        "#+   - {name: name, type: string, required: true, description: the label}\n"
        "#+   - {name: theme, type: theme, description: a theme}\n"
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "SELECT ?name ?theme ?item WHERE { ?item rdfs:label ?label . FILTER(STR(?label) = ?name) }\n",
        "utf-8",
    )
    catalog = load_catalog(tmp_path)
    engine = RecordingEngine(_store())
    client = _app(queries_router.build_router(catalog), engine)
    original = (tmp_path / "find-label.rq").read_text("utf-8")

    ok = client.get("/api/queries/find-label", params={"name": "Gender"})
    assert len(ok.json()["results"]["bindings"]) == 2  # the two Annex entries called Gender

    for value in HOSTILE:
        engine.calls.clear()
        r = client.get("/api/queries/find-label", params={"name": value})
        assert r.status_code == 200, r.text
        [(sparql, subs)] = engine.calls
        assert sparql == original  # byte-identical query text
        assert set(subs) == {"name"}
        term = parse_term(subs["name"])
        assert isinstance(term, ox.Literal) and term.value == value  # one literal, the exact value
        assert r.json()["results"]["bindings"] == []  # nothing matched, nothing injected

        engine.calls.clear()
        r = client.get("/api/queries/find-label", params={"name": "Gender", "theme": value})
        assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "theme"]
        assert engine.calls == []  # an ill-typed value never reaches the engine


def test_engine_errors_map_to_http(tmp_path: Path) -> None:
    class Slow:
        def run(self, sparql: str, **kwargs: object) -> EngineResult:
            raise QueryTimeout("query ran past 30 s and was stopped")

    client = _app(queries_router.router, Slow())
    r = client.get("/api/queries/theme-coverage")
    assert r.status_code == 503 and r.headers["retry-after"] and "stopped" in r.json()["detail"]
