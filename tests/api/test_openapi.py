"""The OpenAPI document tells the truth: unique operations, /sparql's parameters and bodies, HEAD
wherever GET is, the docs pages from local assets, and a bounded, seeded schemathesis run that finds
no server error, no answer the document does not describe and no valid request refused."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import Settings

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def _app_on_a_copy(built_store: Path, tmp_path_factory: pytest.TempPathFactory, name: str) -> FastAPI:
    """An app on its own copy of the build: the store's lock is never shared with another module's
    app (nor between this module's two), however long a reference to a closed store lingers."""
    copy = tmp_path_factory.mktemp(name) / "build"
    shutil.copytree(built_store.resolve(), copy)
    return create_app(Settings(environment="test", store_path=copy, query_workers=1))


@pytest.fixture(scope="module")
def app(built_store: Path, tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    return _app_on_a_copy(built_store, tmp_path_factory, "openapi")


@pytest.fixture(scope="module")
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


@pytest.fixture(scope="module")
def document(client: TestClient) -> dict[str, Any]:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, op) for path, ops in document["paths"].items()
            for method, op in ops.items() if method in METHODS]


def test_operation_ids_are_unique(document: dict[str, Any]) -> None:
    operations = _operations(document)
    assert len(operations) >= 40
    ids = Counter(op["operationId"] for _, _, op in operations)
    assert [name for name, n in ids.items() if n > 1] == []


def test_every_documented_answer_names_its_media_types(document: dict[str, Any]) -> None:
    for path, method, op in _operations(document):
        codes = set(op["responses"])
        assert codes & {"200", "201"}, (method, path)
        for code, response in op["responses"].items():
            if code not in ("304", "303", "204"):  # no body
                assert response.get("content"), (method, path, code)  # every body has a media type


def test_sparql_parameters_and_bodies_are_documented(document: dict[str, Any]) -> None:
    ops = document["paths"]["/sparql"]
    assert set(ops) == {"get", "post"}
    get_params = {p["name"] for p in ops["get"]["parameters"]}
    assert {"query", "default-graph-uri", "named-graph-uri"} <= get_params
    bodies = ops["post"]["requestBody"]["content"]
    assert set(bodies) == {"application/x-www-form-urlencoded", "application/sparql-query",
                           "application/sparql-update"}
    form = bodies["application/x-www-form-urlencoded"]["schema"]["properties"]
    assert {"query", "update", "using-graph-uri"} <= set(form)
    assert {"401", "409", "422"} <= set(ops["post"]["responses"])  # an update: roles, conflicts, SHACL
    for op in ops.values():
        answered = set(op["responses"]["200"]["content"])
        assert {"application/sparql-results+json", "text/csv", "text/turtle"} <= answered
        assert {"400", "403", "406", "413", "429", "503"} <= set(op["responses"])
    assert "415" in ops["post"]["responses"]


def test_write_routes_are_documented(document: dict[str, Any]) -> None:
    store = document["paths"]["/store"]
    assert set(store) == {"get", "put", "post", "delete"}
    assert {p["name"] for p in store["get"]["parameters"]} == {"graph", "default"}
    assert "text/turtle" in store["get"]["responses"]["200"]["content"]
    for method in ("put", "post"):
        bodies = set(store[method]["requestBody"]["content"])
        assert {"text/turtle", "application/ld+json", "multipart/form-data"} <= bodies
        assert {"401", "403", "413", "415", "422"} <= set(store[method]["responses"])
    assert {"comment", "graph"} <= {p["name"] for p in store["delete"]["parameters"]}
    revert = document["paths"]["/changes/{number}/revert"]["post"]
    assert {"201", "401", "403", "409"} <= set(revert["responses"])


@pytest.mark.parametrize("path", ["/", "/health", "/api/queries", "/reports", "/id/sector/itu-t",
                                  "/ontology", "/dataset", "/themes", "/search?q=cyber",
                                  "/sparql?query=ASK%20%7B%7D", "/query/prefixes.json"])
def test_head_answers_wherever_get_does(client: TestClient, path: str) -> None:
    get = client.get(path)
    head = client.head(path)
    assert head.status_code == get.status_code == 200, path
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    if "content-length" in get.headers:
        assert head.headers["content-length"] == get.headers["content-length"]


def test_head_of_a_missing_resource_is_404_not_405(client: TestClient) -> None:
    assert client.head("/id/sector/no-such-sector").status_code == 404
    assert client.put("/sparql", params={"query": "ASK {}"}).status_code == 405


@pytest.mark.parametrize("page, asset", [("/docs", "swagger-ui-bundle.js"),
                                         ("/redoc", "redoc.standalone.js")])
def test_api_docs_pages_load_their_assets_from_here(client: TestClient, page: str, asset: str) -> None:
    html = client.get(page).text
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(s.endswith(asset) for s in sources), sources
    assert [s for s in sources if "://" in s or s.startswith("//")] == []
    assert "fonts.googleapis" not in html
    for source in sources:
        if source.startswith("/static/"):
            assert client.get(source).status_code == 200, source


# -- fuzzing ----------------------------------------------------------------------------------------

# `positive_data_acceptance` (a schema-valid request must not get 4xx) is left out for /sparql only:
# its `query` is SPARQL, a grammar JSON Schema cannot express, so a string the schema admits can be
# an invalid query, rightly answered 400. Every other closed choice is in the schema (enums from the
# data, patterns, bounds), so everywhere else the check runs.
# The same for GET /store: exactly one of `graph` and `default` is a rule between two parameters
# that a parameter's schema cannot state (the fuzzer may send both, or neither: rightly 400).
EXCLUDED_CHECKS: dict[str, tuple[str, ...]] = {
    "GET /sparql": ("positive_data_acceptance",),
    "POST /sparql": ("positive_data_acceptance",),
    "GET /store": ("positive_data_acceptance",),
}


def test_closed_choices_from_the_data_are_enums(document: dict[str, Any]) -> None:
    def schema(path: str, name: str) -> dict[str, Any]:
        param = next(p for p in document["paths"][path]["get"]["parameters"] if p["name"] == name)
        both = [param["schema"], *param["schema"].get("anyOf", [])]  # the schema and its string branch
        return {**param["schema"], **next(s for s in both if s.get("type") == "string")}

    periods = schema("/api/queries/sector-overlap-matrix", "study_period")["enum"]
    assert "2022-2025" in periods and all(int(p[:4]) < int(p[5:]) for p in periods)
    assert schema("/api/queries/sector-overlap-matrix", "count")["enum"] == ["areas", "items"]
    assert {"itu-r", "itu-t", "itu-d"} <= set(schema("/api/candidates", "sector")["enum"])
    assert schema("/reports/candidates", "sector")["enum"] == schema("/api/candidates", "sector")["enum"]
    theme = schema("/api/queries/theme-dossier", "theme")["pattern"]
    assert theme.startswith("^(https://w3id\\.org/iscg/id/theme/)?")
    assert schema("/search", "q")["minLength"] == 1
    assert next(p for p in document["paths"]["/search"]["get"]["parameters"] if p["name"] == "q")["required"]
    assert schema("/api/queries/question-duplicate-candidates", "min_score")["pattern"]


@pytest.fixture(scope="module")
def fuzz_schema(built_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """An app of its own (the other tests' app holds its store's lock while this one runs);
    schemathesis runs its lifespan and calls it in-process."""
    from schemathesis.python import asgi

    app = _app_on_a_copy(built_store, tmp_path_factory, "fuzz")
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)  # starts the app's lifespan
    yield schema
    asgi.shutdown_lifespans()


@pytest.mark.slow
def test_fuzzing_finds_no_server_error_and_nothing_undocumented(fuzz_schema: Any) -> None:
    from hypothesis import HealthCheck, given, settings

    checks = {check.__name__: check for check in schemathesis.checks.CHECKS.get_all()}
    assert {name for names in EXCLUDED_CHECKS.values() for name in names} <= set(checks)
    failures: dict[str, str] = {}
    operations = 0
    for result in fuzz_schema.get_all_operations():
        operation = result.ok()
        operations += 1
        excluded = [checks[name] for name in EXCLUDED_CHECKS.get(operation.label, ())]

        @given(case=operation.as_strategy())
        @settings(max_examples=8, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case: Any) -> None:
            case.call_and_validate(excluded_checks=excluded)  # noqa: B023 (run at once, below)

        try:
            run()
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # schemathesis' failure groups: collected, so one run names them all
            failures[operation.label] = str(exc)[:2000]
    assert operations >= 40
    assert failures == {}
