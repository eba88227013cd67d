"""The workbench's canned-query forms and diagnostics, on the store built from the real data:
parameters offered as choices, the text without ``#+`` lines, values bound so the query gives the
API's rows, a link from every report to its query, and the diagnosis of a query text."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import Settings
from iscg_graph.query.catalog import load_catalog
from iscg_graph.query.engine import execute
from iscg_graph.query.workbench_text import strip_metadata, substitute
from iscg_graph.rdf.store import EmbeddedStore

JSON = "application/sparql-results+json"
CATALOG = load_catalog()


@pytest.fixture(scope="module")
def client(built_store: Path) -> Iterator[TestClient]:
    app = create_app(Settings(store_path=built_store, environment="test", query_workers=1))
    with TestClient(app) as c:
        yield c


@pytest.fixture(scope="module")
def config(client: TestClient) -> dict[str, object]:
    page = client.get("/query").text
    raw = re.search(r'<script type="application/json" id="workbench-config">(.*?)</script>', page, re.DOTALL)
    assert raw
    return json.loads(raw.group(1).replace("<\\/", "</"))  # type: ignore[no-any-return]


def _rows(body: bytes) -> list[str]:
    """Rows as comparable strings; GROUP_CONCAT parts (" | ") sorted: their order is unspecified."""
    def norm(term: dict[str, str]) -> dict[str, str]:
        return {**term, "value": " | ".join(sorted(term["value"].split(" | ")))}
    return sorted(json.dumps({k: norm(v) for k, v in b.items()}, sort_keys=True)
                  for b in json.loads(body)["results"]["bindings"])


def test_examples_have_no_metadata_lines_and_offer_choices(config: dict[str, object]) -> None:
    examples = {e["name"]: e for e in config["examples"]}  # type: ignore[attr-defined]
    assert set(examples) == set(CATALOG)
    for ex in examples.values():
        assert not any(line.startswith("#+") for line in ex["query"].splitlines()), ex["name"]
    dossier = {p["name"]: p for p in examples["theme-dossier"]["params"]}
    options = dossier["theme"]["options"]
    assert len(options) > 50
    value, label = options[0]
    assert value.startswith("https://w3id.org/iscg/id/theme/") and not label.startswith("http")
    sector = {p["name"]: p for p in examples["questions-without-resolution"]["params"]}["sector"]
    assert ["ITU-T", "ITU-T"] in sector["options"]


@pytest.mark.parametrize("name", sorted(n for n in CATALOG if CATALOG[n].params))
def test_bound_text_gives_the_rows_of_the_api(client: TestClient, config: dict[str, object], name: str,
                                              real_store: EmbeddedStore) -> None:
    spec = CATALOG[name]
    fields = {e["name"]: e for e in config["examples"]}[name]["params"]  # type: ignore[index]
    required = {p.name: (p.default or "ITU-T") for p in spec.params if p.required}
    for field in fields:
        values = dict(required)
        if field["options"]:
            values[field["name"]] = field["options"][len(field["options"]) // 2][0]
        r = client.get(f"/query/bind/{name}", params=values)
        assert r.status_code == 200, r.text
        assert not r.text.lstrip().startswith("#+")
        via_sparql = client.post("/sparql", content=r.text.encode(),
                                 headers={"Content-Type": "application/sparql-query", "Accept": JSON})
        assert via_sparql.status_code == 200, via_sparql.text
        substituted = execute(real_store, spec.text, media_type=JSON, substitutions=spec.bind(values))
        assert _rows(via_sparql.content) == _rows(substituted.body), (name, values)


def test_bind_rejects_bad_parameters(client: TestClient) -> None:
    r = client.get("/query/bind/questions-without-resolution", params={"sector": "ITU-X"})
    assert r.status_code == 400 and "sector" in r.text
    r = client.get("/query/bind/questions-without-resolution", params={"colour": "red"})
    assert r.status_code == 400 and "colour" in r.text
    assert client.get("/query/bind/no-such-query").status_code == 404


def test_substitute_handles_projection_group_and_bound() -> None:
    text = ("SELECT ?s ?x WHERE { { SELECT ?x ?s WHERE { ?s ?p ?x } } FILTER(BOUND(?x)) } "
            "GROUP BY ?x ORDER BY ?x")
    out = substitute(text, {"x": "<urn:v>"})
    assert out == ("SELECT ?s (<urn:v> AS ?x) WHERE { { SELECT  ?s WHERE { ?s ?p <urn:v> } } FILTER(true) } "
                   "GROUP BY (<urn:v>) ORDER BY (<urn:v>)")
    assert strip_metadata("#+ a: 1\n#+ b: 2\n\nSELECT * {}\n") == "SELECT * {}\n"


def test_every_report_links_to_its_query_in_the_workbench(client: TestClient) -> None:
    index = client.get("/reports").text
    names = sorted(set(re.findall(r'href="/reports/([a-z0-9-]+)"', index)) - {"candidates"})
    assert len(names) >= 5
    for name in names:
        page = client.get(f"/reports/{name}").text
        assert f'href="/query?example={name}' in page, name
    page = client.get("/reports/questions-without-resolution", params={"sector": "ITU-D"}).text
    assert 'href="/query?example=questions-without-resolution&amp;sector=ITU-D"' in page


def test_diagnostics_of_a_query_text(client: TestClient) -> None:
    r = client.post("/api/query-diagnostics", json={"query": "SELECT ?q WHERE {\n  ?q a iscg:Question }"})
    error = r.json()["error"]
    assert error["line"] == 2 and error["column"] > 1
    assert "PREFIX iscg: <https://w3id.org/iscg/ontology#>" in error["fix"]
    r = client.post("/api/query-diagnostics", json={
        "query": "PREFIX iscg: <https://w3id.org/iscg/ontology#>\nSELECT ?q WHERE { ?q a iscg:Questoin }"})
    body = r.json()
    assert body["error"] is None
    assert body["warnings"][0]["term"] == "iscg:Questoin"
    assert "iscg:Question" in body["warnings"][0]["suggestions"]
    service = "SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }"
    r = client.post("/api/query-diagnostics", json={"query": service})
    assert r.json() == {"error": None, "warnings": []}  # never evaluated: /sparql refuses it (403)
