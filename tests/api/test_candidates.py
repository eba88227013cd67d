"""/api/candidates, /reports/candidates, the review endpoints and the SSSOM export.

The router runs in a small app over a real on-disk store written from
tests/fixtures/candidates/mini.trig (so precompute, review writes and the snapshot all happen for
real); the canned overlap report is run with the in-process engine on the same store.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from api import candidate_index, candidate_refresh, errors
from api.routers import candidates
from api.settings import Settings
from iscg_graph.build.pipeline import write_store
from iscg_graph.overlap import columnar, scoring
from iscg_graph.overlap.scoring import CANDIDATES_FILE
from iscg_graph.query.catalog import load_catalog
from iscg_graph.query.engine import InProcessEngine
from iscg_graph.query.reports import run_select
from iscg_graph.rdf.derived import add_to_store
from iscg_graph.rdf.store import EmbeddedStore

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "candidates" / "mini.trig"
ID = "https://w3id.org/iscg/id/"
REVIEWS = "https://w3id.org/iscg/graph/reviews"
Q32 = ID + "question/itu-d/2018-2021/3-2"
Q417 = ID + "question/itu-t/2017-2020/4-17"
Q517 = ID + "question/itu-t/2017-2020/5-17"
Q62 = ID + "question/itu-d/2018-2021/6-2"
Q95 = ID + "question/itu-t/2017-2020/9-5"
TOKEN = "s3cret-review-token"


def _store(tmp_path: Path) -> EmbeddedStore:
    mem = ox.Store()
    mem.load(path=str(FIXTURE), format=ox.RdfFormat.TRIG)
    add_to_store(mem, "https://w3id.org/iscg/")  # as a build leaves it (the write path keeps it current)
    return write_store(tmp_path / "store", mem.dump(format=ox.RdfFormat.N_QUADS) or b"", "test-version")


def _client(store: EmbeddedStore, token: str | None) -> TestClient:
    app = FastAPI()
    errors.install(app)  # the app's error policy, as create_app registers it
    app.state.settings = Settings(review_token=token, store_path=store.path or Path("."))
    app.state.store = store
    app.include_router(candidates.router)
    return TestClient(app)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[EmbeddedStore]:
    s = _store(tmp_path)
    yield s
    del s


@pytest.fixture
def client(store: EmbeddedStore) -> TestClient:
    return _client(store, TOKEN)


def auth() -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKEN}"}


def pairs(body: dict) -> set[frozenset[str]]:
    return {frozenset((c["left"]["iri"], c["right"]["iri"])) for c in body["candidates"]}


# -- reading ---------------------------------------------------------------------------------------


def test_candidates_json(client: TestClient, store: EmbeddedStore) -> None:
    r = client.get("/api/candidates", params={"kind": "question", "limit": 100})
    assert r.status_code == 200
    body = r.json()
    assert body["data_version"] == "test-version"
    assert body["count"] == len(body["candidates"]) == body["total"] > 10
    assert (store.path / CANDIDATES_FILE).is_file()  # computed on first use, then served from it
    first = body["candidates"][0]
    assert set(first) >= {"left", "right", "score", "evidence", "explanation", "recorded"}
    assert set(first["left"]) >= {"iri", "label", "sector_code"}
    assert first["evidence"]["terms"] and "weight" in first["evidence"]["terms"][0]
    scores = [c["score"] for c in body["candidates"]]
    assert scores == sorted(scores, reverse=True)
    assert not any(c["recorded"] for c in body["candidates"])
    assert frozenset((Q32, Q417)) in pairs(body)


def test_candidates_grouped_by_lineage(client: TestClient) -> None:
    flat = client.get("/api/candidates", params={"kind": "question", "limit": 5000}).json()
    r = client.get("/api/candidates", params={"kind": "question", "group": "lineage", "limit": 5000})
    assert r.status_code == 200
    body = r.json()
    assert body["group"] == "lineage" and body["count"] == len(body["lineages"]) == body["total"]
    members = [m for row in body["lineages"] for m in row["members"]]
    assert len(members) == flat["total"]  # every pair once, under its lineage pair
    assert {frozenset((m["left"]["iri"], m["right"]["iri"])) for m in members} == pairs(flat)
    row = body["lineages"][0]
    assert set(row) >= {"left_lineage", "right_lineage", "periods", "tier", "status", "explanation"}
    assert row["tier"] in ("now", "at-the-same-time") and " ↔ " in row["periods"][0]
    assert row["members"][0]["score"] == row["score"]
    tiers = [row["tier"] == "never-at-the-same-time" for row in body["lineages"]]
    assert tiers == sorted(tiers)  # never-concurrent lineage pairs last
    page = client.get("/api/candidates", params={"group": "lineage", "limit": 2, "offset": 1}).json()
    assert [x["left"] for x in page["lineages"]] == [x["left"] for x in body["lineages"][1:3]]
    bad = client.get("/api/candidates", params={"group": "period"})
    assert bad.status_code == 422 and "group" in bad.text
    # the page's downloads: one row per lineage pair, as on screen, with its periods
    table = client.get("/api/candidates", params={"group": "lineage", "limit": 5000, "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(table.text)))
    assert len(rows) == body["total"]
    assert rows[0]["Study periods"] == "; ".join(body["lineages"][0]["periods"])
    assert sum(int(r["Pairs in the lineage"]) for r in rows) == flat["total"]


def test_filters_and_kinds(client: TestClient) -> None:
    r = client.get("/api/candidates", params={"sector": "ITU-R", "limit": 100}).json()
    assert r["candidates"] and all(
        "ITU-R" in (c["left"]["sector_code"], c["right"]["sector_code"]) for c in r["candidates"]
    )
    r = client.get("/api/candidates", params={"min_score": 0.4}).json()
    assert r["candidates"] and all(c["score"] >= 0.4 for c in r["candidates"])
    themes = client.get("/api/candidates", params={"kind": "theme"}).json()["candidates"]
    assert {c["left"]["label"] for c in themes} >= {"Child Online Protection"}
    res = client.get("/api/candidates", params={"kind": "resolution", "limit": 1}).json()
    assert res["count"] == 1 and res["total"] > 1


def test_include_recorded_flags_known_pairs(client: TestClient) -> None:
    r = client.get("/api/candidates", params={"include_recorded": "true", "limit": 200}).json()
    recorded = [c for c in r["candidates"] if c["recorded"]]
    assert len(recorded) == 3
    assert all(c["status"] == "Asserted" and c["links"] for c in recorded)


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"kind": "people"}, "kind"),
        ({"min_score": "2"}, "min_score"),
        ({"limit": "0"}, "limit"),
        ({"sector": "ITU-X"}, "sector"),
        ({"format": "pdf"}, "format"),
    ],
)
def test_bad_parameters_are_422_naming_them(client: TestClient, params: dict, name: str) -> None:
    r = client.get("/api/candidates", params=params)
    assert r.status_code == 422
    assert name in r.text


def test_csv_and_xlsx_hold_the_whole_result_not_the_page(client: TestClient) -> None:
    total = client.get("/api/candidates", params={"limit": 5}).json()["total"]
    assert total > 5  # so a page of 5 is not the whole result
    r = client.get("/api/candidates", params={"format": "csv", "limit": 5})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(r.text)))
    assert lines[0][:3] == ["Score", "Left item", "Left item (IRI)"] and len(lines) == 1 + total
    r = client.get("/api/candidates", params={"limit": 5}, headers={"Accept": candidates.XLSX})
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb["Report"]
    assert ws["A1"].value == "Score" and ws.max_row == 1 + total and ws.freeze_panes == "A2"
    # links lead to this service, not to the identifiers' host
    linked = [c.hyperlink.target for c in ws["B"][1:] if c.hyperlink]
    assert linked and all(t.startswith("http://testserver/id/") for t in linked)


def test_report_page(client: TestClient) -> None:
    r = client.get("/reports/candidates", params={"kind": "question", "sector": "itu-d"})
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    assert "ITU-D Q3/2 (2018-2021): Securing information and communication networks" in r.text
    assert 'href="/id/question/itu-d/2018-2021/3-2"' in r.text
    assert "Shared words" in r.text and "format=csv" in r.text
    assert client.get("/reports/candidates", params={"sector": "nowhere"}).status_code == 422


# -- review ----------------------------------------------------------------------------------------


def test_review_is_disabled_by_default(store: EmbeddedStore) -> None:
    plain = _client(store, None)
    r = plain.post(
        "/api/candidates/review",
        json={"left": Q32, "right": Q417, "decision": "reject", "reviewer": "x"},
        headers=auth(),
    )
    assert r.status_code == 403 and "disabled" in r.json()["detail"]
    assert REVIEWS not in store.graphs()


def test_review_needs_the_token(client: TestClient, store: EmbeddedStore) -> None:
    body = {"left": Q32, "right": Q417, "decision": "reject", "reviewer": "x"}
    assert client.post("/api/candidates/review", json=body).status_code == 401
    r = client.post("/api/candidates/review", json=body, headers={"Authorization": "Bearer wrong"})
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    assert REVIEWS not in store.graphs()


def test_accept_appears_in_sparql_and_the_overlap_report(client: TestClient, store: EmbeddedStore) -> None:
    r = client.post(
        "/api/candidates/review",
        headers=auth(),
        json={
            "left": Q32,
            "right": Q417,
            "decision": "accept",
            "relation": "overlap",
            "reviewer": "Ana Reviewer",
            "comment": "Both study cybersecurity culture and practice.",
        },
    )
    assert r.status_code == 201, r.text
    mapping = r.json()["mapping"]
    assert mapping == ID + "mapping/R0001" and r.json()["status"] == "Accepted"

    rows = store.select("""
        PREFIX iscg: <https://w3id.org/iscg/ontology#>
        PREFIX prov: <http://www.w3.org/ns/prov#>
        PREFIX sssom: <https://w3id.org/sssom/>
        SELECT ?m ?kind ?who ?why WHERE { GRAPH <https://w3id.org/iscg/graph/reviews> {
          ?m a iscg:Mapping ; iscg:subject ?s ; iscg:object ?o ; iscg:status iscg:Accepted ;
             iscg:relationKind ?kind ; prov:wasAttributedTo ?who ;
             sssom:mapping_justification <https://w3id.org/semapv/vocab/ManualMappingCuration> } }""")
    assert len(rows) == 1 and rows[0]["m"].value == mapping
    assert rows[0]["kind"].value.endswith("#Overlap") and rows[0]["who"].value == ID + "agent/ana-reviewer"

    # the canned overlap report now counts the accepted mapping as evidence for the pair
    table = run_select(InProcessEngine(store), load_catalog()["question-duplicate-candidates"], {})
    hits = [i for i, row in enumerate(table.rows) if {row["qa"].value, row["qb"].value} == {Q32, Q417}]
    assert len(hits) == 1
    row = table.rows[hits[0]]
    assert row["mappings"].value == "1" and "by Ana Reviewer" in row["evidence"].value

    # no longer proposed; listed as recorded (Accepted) on request
    assert frozenset((Q32, Q417)) not in pairs(client.get("/api/candidates", params={"limit": 500}).json())
    listed = client.get("/api/candidates", params={"item": Q32, "include_recorded": "true"}).json()
    flagged = [
        c for c in listed["candidates"] if frozenset((c["left"]["iri"], c["right"]["iri"])) == {Q32, Q417}
    ]
    assert flagged and flagged[0]["status"] == "Accepted" and flagged[0]["recorded"]

    # deciding the same pair again is a conflict
    again = client.post(
        "/api/candidates/review",
        headers=auth(),
        json={"left": Q417, "right": Q32, "decision": "reject", "reviewer": "Bob"},
    )
    assert again.status_code == 409


def test_reject_is_never_proposed_again(client: TestClient, store: EmbeddedStore, tmp_path: Path) -> None:
    assert frozenset((Q62, Q95)) in pairs(client.get("/api/candidates", params={"limit": 500}).json())
    r = client.post(
        "/api/candidates/review",
        headers=auth(),
        json={
            "left": Q62,
            "right": Q95,
            "decision": "reject",
            "reviewer": "Bob",
            "comment": "Different angle.",
        },
    )
    assert r.status_code == 201 and r.json()["status"] == "Rejected"
    assert frozenset((Q62, Q95)) not in pairs(client.get("/api/candidates", params={"limit": 500}).json())
    # ... nor after the store is reopened and everything recomputed from scratch
    path = store.path
    (path / CANDIDATES_FILE).unlink()
    reopened = EmbeddedStore.open_snapshot(path)
    fresh = _client(reopened, TOKEN)
    assert frozenset((Q62, Q95)) not in pairs(fresh.get("/api/candidates", params={"limit": 500}).json())
    assert reopened.select("""PREFIX iscg: <https://w3id.org/iscg/ontology#>
        SELECT ?m WHERE { ?m iscg:status iscg:Rejected }""")


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (
            {"left": Q517, "right": Q417, "decision": "accept", "relation": "duplicate", "reviewer": "Ana"},
            "a mapping joins two different Union parts",
        ),  # same Sector: the shapes say no
        (
            {
                "left": Q32,
                "right": ID + "question/nope",
                "decision": "accept",
                "relation": "overlap",
                "reviewer": "Ana",
            },
            "right",
        ),  # unknown item
        (
            {"left": Q32, "right": ID + "theme/resolution-areas/14", "decision": "reject", "reviewer": "Ana"},
            "never proposed as a pair",
        ),  # a Question and a theme
        (
            {"left": Q32, "right": Q417, "decision": "accept", "reviewer": "Ana"},
            "relation kind",
        ),  # accept without a relation kind
        (
            {"left": Q32, "right": Q417, "decision": "accept", "relation": "overlap", "reviewer": "  "},
            "reviewer",
        ),
    ],
)
def test_invalid_decision_is_422_and_stores_nothing(
    client: TestClient, store: EmbeddedStore, body: dict, fragment: str
) -> None:
    before = len(store)
    r = client.post("/api/candidates/review", headers=auth(), json=body)
    assert r.status_code == 422, r.text
    assert fragment in r.text
    assert len(store) == before and REVIEWS not in store.graphs()


def test_unknown_relation_kind_is_422(client: TestClient, store: EmbeddedStore) -> None:
    r = client.post(
        "/api/candidates/review",
        headers=auth(),
        json={"left": Q32, "right": Q417, "decision": "accept", "relation": "friends", "reviewer": "Ana"},
    )
    assert r.status_code == 422 and "relation" in r.text
    assert REVIEWS not in store.graphs()


def test_sssom_export(client: TestClient) -> None:
    client.post(
        "/api/candidates/review",
        headers=auth(),
        json={"left": Q62, "right": Q95, "decision": "reject", "reviewer": "Bob"},
    )
    r = client.get("/api/mappings.sssom.tsv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/tab-separated-values")
    lines = r.text.splitlines()
    assert lines[0].startswith("#mapping_set_id:")
    header = next(line for line in lines if not line.startswith("#")).split("\t")
    assert header[:4] == ["record_id", "subject_id", "subject_label", "predicate_id"]
    rows = [
        dict(zip(header, line.split("\t"), strict=True))
        for line in lines
        if line and not line.startswith(("#", "record_id"))
    ]
    assert len(rows) == 4
    review = next(r for r in rows if r["record_id"] == "iscgid:mapping/R0001")
    assert review["predicate_modifier"] == "Not" and review["author_id"] == "iscgid:agent/bob"
    assert review["mapping_justification"] == "semapv:ManualMappingCuration"


def test_a_non_default_base_mints_reviews_and_pages_under_it(tmp_path: Path) -> None:
    """The public base is the caller's: reviews, the SSSOM export and the pages all use the setting."""
    from api.routers import resources

    base = "https://example.org/kg/"
    text = FIXTURE.read_text("utf-8")
    for part in ("id/", "graph/"):
        text = text.replace(f"https://w3id.org/iscg/{part}", f"{base}{part}")
    mem = ox.Store()
    mem.load(text.encode("utf-8"), format=ox.RdfFormat.TRIG)
    store = write_store(tmp_path / "store", mem.dump(format=ox.RdfFormat.N_QUADS) or b"", "rebased")
    app = FastAPI()
    errors.install(app)
    app.state.settings = Settings(review_token=TOKEN, store_path=tmp_path / "store", base_iri=base)
    app.state.store = store
    app.include_router(candidates.router)
    app.include_router(resources.router)
    client = TestClient(app)
    left, right = (q.replace("https://w3id.org/iscg/", base) for q in (Q32, Q417))

    r = client.post("/api/candidates/review", headers=auth(),
                    json={"left": left, "right": right, "decision": "accept", "relation": "overlap",
                          "reviewer": "Ana Reviewer"})
    assert r.status_code == 201, r.text
    assert r.json()["mapping"] == f"{base}id/mapping/R0001"
    assert r.json()["graph"] == f"{base}graph/reviews"
    assert f"{base}graph/reviews" in store.graphs()
    agents = store.select(f"SELECT ?a WHERE {{ GRAPH <{base}graph/reviews> "
                          "{ ?m <http://www.w3.org/ns/prov#wasAttributedTo> ?a } }")
    assert {row["a"].value for row in agents} == {f"{base}id/agent/ana-reviewer"}
    minted = {q.subject.value for q in store.quads(graph=ox.NamedNode(f"{base}graph/reviews"))}
    # the records under the base's id/, and the register's last number stated on its graph
    assert minted - {f"{base}graph/reviews"} and all(iri.startswith(f"{base}id/") for iri in minted
                                                    if iri != f"{base}graph/reviews")

    sssom = client.get("/api/mappings.sssom.tsv").text
    assert f"#mapping_set_id: {base}graph/mappings.sssom.tsv" in sssom and "iscgid:mapping/R0001" in sssom

    page = client.get("/id/mapping/R0001", headers={"accept": "application/n-triples"})
    assert page.status_code == 200, page.text
    attributed = "<http://www.w3.org/ns/prov#wasAttributedTo>"
    # the page of the minted IRI, served at its local path
    assert f"<{base}id/mapping/R0001> {attributed} <{base}id/agent/ana-reviewer>" in page.text
    again = client.post("/api/candidates/review", headers=auth(),
                        json={"left": right, "right": left, "decision": "reject", "reviewer": "Bob"})
    assert again.status_code == 409  # the conflict check reads the reviews graph under the same base


# -- incremental review (no recomputation) --------------------------------------------------------


def test_a_review_updates_the_served_index_without_recomputing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = _store(tmp_path)
    client = _client(store, TOKEN)
    before = client.get("/api/candidates", params={"item": Q32, "limit": 100}).json()
    assert any(Q417 in (c["left"]["iri"], c["right"]["iri"]) for c in before["candidates"])

    calls: list[str] = []

    def forbidden(name: str) -> Any:
        def run(*args: Any, **kwargs: Any) -> Any:
            calls.append(name)
            raise AssertionError(f"{name} ran after a review")

        return run

    for module in (candidate_index, scoring, candidate_refresh):
        monkeypatch.setattr(module, "precompute", forbidden("precompute"), raising=False)
        monkeypatch.setattr(module, "build_candidates", forbidden("build_candidates"), raising=False)

    r = client.post(
        "/api/candidates/review",
        headers=auth(),
        json={"left": Q417, "right": Q32, "decision": "reject", "reviewer": "Ana Reviewer"},
    )
    assert r.status_code == 201, r.text
    assert (store.path / columnar.OVERLAY_FILE).is_file()  # type: ignore[operator]
    after = client.get("/api/candidates", params={"item": Q32, "limit": 100}).json()
    assert after["total"] == before["total"] - 1
    assert not any(Q417 in (c["left"]["iri"], c["right"]["iri"]) for c in after["candidates"])
    flagged = client.get(
        "/api/candidates", params={"item": Q32, "limit": 100, "include_recorded": "true"}
    ).json()
    pair = [c for c in flagged["candidates"] if Q417 in (c["left"]["iri"], c["right"]["iri"])]
    assert pair and pair[0]["status"] == "Rejected" and pair[0]["links"] == [r.json()["mapping"]]
    # a second service process (fresh app on the same store) sees the decision from the overlay
    other = _client(store, TOKEN).get("/api/candidates", params={"item": Q32, "limit": 100}).json()
    assert other["total"] == after["total"]
    assert calls == []
