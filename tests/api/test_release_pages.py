"""Releases on the web: the list, a release's page with exactly what changed, its change lists and
RDF Patch, SPARQL against a release (same safety rules as /sparql), resources as they were."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import rdflib
from fastapi.testclient import TestClient
from rdflib.compare import isomorphic
from release_data import BASE, make_build, nquads, q

from api.main import create_app
from api.settings import Settings
from iscg_graph.build.release_diff import apply_patch, canonical_quads, to_nquads
from iscg_graph.build.releases import create_release, releases_dir

LABEL_OF_2 = f"SELECT ?l WHERE {{ {q(2)} <http://www.w3.org/2000/01/rdf-schema#label> ?l }}"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Path]]:
    link = tmp_path_factory.mktemp("releases") / "var" / "store"
    make_build(link, 1, nquads())
    create_release(link, releases_dir(link), "r1", title="After ISCG meeting, 1 September 2021",
                   on="2021-09-01", base=BASE)
    make_build(link, 2, nquads(q2_title="Question 2/17 on cybersecurity", extra=True, bnode="other"))
    create_release(link, releases_dir(link), "r2", on="2022-03-01", base=BASE)
    settings = Settings(environment="test", store_path=link, query_workers=1, reload_interval=0)
    with TestClient(create_app(settings)) as client:
        yield client, link


def _label(client: TestClient, path: str) -> str:
    resp = client.get(path, params={"query": LABEL_OF_2, "format": "json"})
    assert resp.status_code == 200, resp.text
    return str(resp.json()["results"]["bindings"][0]["l"]["value"])


def test_the_list_names_every_release_newest_first(site: tuple[TestClient, Path]) -> None:
    client, _ = site
    body = client.get("/releases", headers={"accept": "application/json"}).json()
    assert [r["name"] for r in body["releases"]] == ["r1", "r2"]
    assert body["releases"][1]["previous"] == "r1"
    page = client.get("/releases").text
    assert page.index('href="/releases/r2"') < page.index('href="/releases/r1"')
    assert "After ISCG meeting, 1 September 2021" in page


def test_a_release_lists_exactly_the_change_since_the_one_before(site: tuple[TestClient, Path]) -> None:
    client, _ = site
    body = client.get("/releases/r2?format=json").json()
    assert body["since"] == "r1"
    assert [(i["status"], i["iri"]) for i in body["changes"]["items"]] == [
        ("added", q(4)[1:-1]), ("changed", q(2)[1:-1])]
    assert body["changes"]["items"][1]["changes"] == [{
        "property": "rdfs:label", "removed": ["Question 2/17 on security @en"],
        "added": ["Question 2/17 on cybersecurity @en"]}]
    page = client.get("/releases/r2")
    assert page.status_code == 200 and "Question 2/17 on cybersecurity" in page.text
    assert 'href="/releases/r2/changes.patch"' in page.text and 'href="/releases/r2/sparql"' in page.text
    first = client.get("/releases/r1?format=json").json()
    assert first["changes"] is None and first["previous"] is None
    csv_rows = client.get("/releases/r2/changes.csv").text.strip().splitlines()
    assert len(csv_rows) == 1 + 3  # header, Question 4 (type, label), Question 2's label
    assert client.get("/releases/r1/changes.csv").status_code == 404


def test_the_patch_of_a_release_applied_to_the_one_before_gives_it(site: tuple[TestClient, Path]) -> None:
    client, link = site
    patch = client.get("/releases/r2/changes.patch")
    assert patch.status_code == 200 and patch.headers["content-type"].startswith("application/rdf-patch")
    root = releases_dir(link)
    got = rdflib.Dataset()
    got.parse(data=to_nquads(apply_patch(canonical_quads((root / "r1" / "snapshot.nq").read_bytes()),
                                         patch.text)), format="nquads")
    want = rdflib.Dataset()
    want.parse(data=(root / "r2" / "snapshot.nq").read_bytes(), format="nquads")
    for name in {g.identifier for g in want.graphs()} | {g.identifier for g in got.graphs()}:
        assert isomorphic(want.graph(name), got.graph(name)), name


def test_sparql_against_a_release_answers_as_it_did_whatever_the_live_data(
        site: tuple[TestClient, Path]) -> None:
    client, link = site
    assert _label(client, "/releases/r1/sparql") == "Question 2/17 on security"
    assert _label(client, "/releases/r2/sparql") == "Question 2/17 on cybersecurity"
    assert _label(client, "/sparql") == "Question 2/17 on cybersecurity"
    make_build(link, 3, nquads(q2_title="Question 2/17, rebuilt"))  # the live data moves on
    assert _label(client, "/releases/r1/sparql") == "Question 2/17 on security"
    posted = client.post("/releases/r1/sparql", content=LABEL_OF_2,
                         headers={"content-type": "application/sparql-query",
                                  "accept": "application/sparql-results+json"})
    assert posted.status_code == 200 and "on security" in posted.text


def test_a_release_endpoint_keeps_the_safety_rules(site: tuple[TestClient, Path]) -> None:
    client, _ = site
    update = client.post("/releases/r1/sparql", data={"query": "INSERT DATA { <x:a> <x:b> <x:c> }"})
    assert update.status_code == 403
    service = "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"
    outbound = client.get("/releases/r1/sparql", params={"query": service})
    assert outbound.status_code == 403
    bad = client.get("/releases/r1/sparql", params={"query": "SELEC nothing"})
    assert bad.status_code == 400
    for path in ("/releases/nope/sparql", "/releases/..%2Fstore/sparql", "/releases/current/sparql"):
        resp = client.get(path, params={"query": "ASK {}"})
        assert resp.status_code == 404, path


def test_a_resource_as_it_was_in_a_release(site: tuple[TestClient, Path]) -> None:
    client, _ = site
    path = "/releases/r1/id/question/itu-t/2017-2020/2-17"
    ttl = client.get(path, params={"format": "ttl"})
    assert ttl.status_code == 200 and "Question 2/17 on security" in ttl.text
    assert "cybersecurity" not in ttl.text
    page = client.get(path)
    assert page.status_code == 200 and "Question 2/17 on security" in page.text and "r1" in page.text
    assert client.get("/releases/r1/id/question/itu-t/2017-2020/4-17").status_code == 404
    assert client.get(path, params={"format": "exe"}).status_code == 400


def test_downloads_of_a_release(site: tuple[TestClient, Path]) -> None:
    client, _ = site
    dump = client.get("/releases/r1/dumps/iscg.nq.gz")
    assert dump.status_code == 200 and dump.content[:2] == b"\x1f\x8b"
    assert client.get("/releases/r1/dumps/snapshot.nq").status_code == 404
    desc = client.get("/releases/r2/description.ttl")
    assert desc.status_code == 200 and "wasRevisionOf" in desc.text
    xlsx = client.get("/releases/r2/changes.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert client.get("/releases/r2/changes.exe").status_code == 404
