"""What /sparql adds for people, on the store built from the real data: RDFS entailment (declared
in the service description, switchable off), explained syntax errors, unknown-term warnings with
suggestions, and label columns in every SELECT results format."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import Settings
from iscg_graph.rdf.entailment import ENTAILMENT_GRAPH, RDFS_REGIME

ISCG = "PREFIX iscg: <https://w3id.org/iscg/ontology#>\n"
JSON = "application/sparql-results+json"


@pytest.fixture(scope="module")
def client(built_store: Path) -> Iterator[TestClient]:
    app = create_app(Settings(store_path=built_store, environment="test", query_workers=1))
    with TestClient(app) as c:
        yield c


Rows = list[dict[str, dict[str, str]]]


def select(client: TestClient, query: str, **params: str) -> tuple[Rows, dict[str, str]]:
    r = client.get("/sparql", params={"query": query, **params}, headers={"Accept": JSON})
    assert r.status_code == 200, r.text
    return r.json()["results"]["bindings"], dict(r.headers)


def count(client: TestClient, query: str, **params: str) -> int:
    rows, _ = select(client, query, **params)
    return int(rows[0]["n"]["value"])


# -- entailment ---------------------------------------------------------------------------------

def test_links_count_the_mappings(client: TestClient) -> None:
    mappings = count(client, ISCG + "SELECT (COUNT(?m) AS ?n) WHERE { ?m a iscg:Mapping }")
    links = count(client, ISCG + "SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m a iscg:Link }")
    asserted = count(client, ISCG + "SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m a iscg:Link }",
                     entailment="none")
    assert mappings > 80
    assert links == mappings + asserted  # every mapping is a link, beside the links typed so
    assert count(client, ISCG + "SELECT (COUNT(?m) AS ?n) WHERE { ?m a iscg:Mapping . ?m a iscg:Link }",
                 entailment="none") == 0


def test_service_description_names_the_rdfs_regime(client: TestClient) -> None:
    r = client.get("/sparql", headers={"Accept": "application/n-triples"})
    assert r.status_code == 200
    triples = list(ox.parse(r.content, format=ox.RdfFormat.N_TRIPLES))
    sd = "http://www.w3.org/ns/sparql-service-description#"
    regimes = {(t.predicate.value, t.object.value) for t in triples
               if t.predicate.value in (sd + "defaultEntailmentRegime", sd + "entailmentRegime")}
    assert regimes == {(sd + "defaultEntailmentRegime", RDFS_REGIME), (sd + "entailmentRegime", RDFS_REGIME)}
    assert any(t.object.value == ENTAILMENT_GRAPH for t in triples)


def test_bad_entailment_value_is_a_400_naming_the_choices(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": "ASK {}", "entailment": "owl"})
    assert r.status_code == 400
    assert "entailment=rdfs" in r.text and "entailment=none" in r.text
    r = client.get("/sparql", params={"query": f"ASK FROM <{ENTAILMENT_GRAPH}> {{}}", "entailment": "none"})
    assert r.status_code == 400 and "cannot be combined" in r.text


# -- errors and warnings ------------------------------------------------------------------------

def test_unknown_prefix_says_which_prefix_line_to_add(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": "SELECT ?q WHERE { ?q a iscg:Question ; skos:notation ?n }"})
    assert r.status_code == 400
    assert "line 1, column" in r.text  # the parser's position is kept
    assert "the prefixes iscg:, skos: are used but not declared" in r.text
    assert "PREFIX iscg: <https://w3id.org/iscg/ontology#>" in r.text
    assert "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>" in r.text
    assert len(r.text) < 700


def test_unknown_prefix_the_service_does_not_know(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": "SELECT ?q WHERE { ?q a wd:Q5 }"})
    assert r.status_code == 400
    assert "wd:" in r.text and "knows no namespace for wd:" in r.text


def test_aggregate_without_group_by_says_add_group_by(client: TestClient) -> None:
    query = ISCG + "SELECT ?sg (COUNT(?q) AS ?n) WHERE { ?q iscg:studyGroup ?sg }"
    r = client.post("/sparql", content=query, headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 400
    assert "?sg is selected beside an aggregate but not grouped" in r.text
    assert "add GROUP BY ?sg" in r.text
    assert "line 2, column" in r.text


def test_other_syntax_errors_keep_position_and_say_what_was_expected(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": "SELECT ?s WHERE { ?s ?p }"})
    assert r.status_code == 400
    assert "line 1, column 26" in r.text and "a subject, a predicate and an object" in r.text


def test_misspelt_class_answers_with_a_warning_and_a_suggestion(client: TestClient) -> None:
    rows, headers = select(client, ISCG + "SELECT ?q WHERE { ?q a iscg:Questoin }")
    assert rows == []
    warning = headers["iscg-warning"]
    assert "iscg:Questoin is in neither the ontology nor the data" in warning
    assert "did you mean iscg:Question" in warning
    # asked twice (the remembered plan keeps the warning)
    _, again = select(client, ISCG + "SELECT ?q WHERE { ?q a iscg:Questoin }")
    assert again.get("iscg-warning") == warning


def test_known_terms_and_other_namespaces_give_no_warning(client: TestClient) -> None:
    query = (ISCG + "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"
             "SELECT ?q WHERE { ?q a iscg:Question ; iscg:questionNumber ?n "
             "FILTER(xsd:integer(?n) > 3 && ?q != <https://w3id.org/iscg/id/question/x>) } LIMIT 1")
    rows, headers = select(client, query)
    assert rows and "iscg-warning" not in headers


# -- labels ---------------------------------------------------------------------------------------

SECTORS = (ISCG + "SELECT ?s ?n WHERE { ?s a iscg:Sector ; "
           "<http://www.w3.org/2004/02/skos/core#notation> ?n } ORDER BY ?n")


def test_labels_json_adds_a_column_after_each_iri_column(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": SECTORS, "labels": "fr"}, headers={"Accept": JSON})
    assert r.status_code == 200
    data = r.json()
    assert data["head"]["vars"] == ["s", "sLabel", "n"]
    by_notation = {row["n"]["value"]: row["sLabel"] for row in data["results"]["bindings"]}
    assert set(by_notation) == {"ITU-D", "ITU-R", "ITU-T"}
    assert all(label["xml:lang"] in ("fr", "en") for label in by_notation.values())


def test_labels_fall_back_to_english(client: TestClient) -> None:
    # German is no language of the Union: no label in it, so every one falls back to English
    r = client.get("/sparql", params={"query": SECTORS, "labels": "de"}, headers={"Accept": JSON})
    labels = [row["sLabel"] for row in r.json()["results"]["bindings"]]
    assert labels and all(label["xml:lang"] == "en" for label in labels)


def test_labels_in_the_requested_language_where_a_source_gives_one(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": SECTORS, "labels": "zh"}, headers={"Accept": JSON})
    langs = {row["sLabel"]["xml:lang"] for row in r.json()["results"]["bindings"]}
    assert "zh" in langs and langs <= {"zh", "en"}


def test_labels_in_csv_tsv_and_xml(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": SECTORS, "labels": "en"}, headers={"Accept": "text/csv"})
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0] == ["s", "sLabel", "n"]
    assert "Telecommunication Development Sector (ITU-D)" in [row[1] for row in rows[1:]]
    r = client.get("/sparql", params={"query": SECTORS, "labels": "en"},
                   headers={"Accept": "text/tab-separated-values"})
    lines = r.text.splitlines()
    assert lines[0] == "?s\t?sLabel\t?n"
    assert any('"Telecommunication Development Sector (ITU-D)"@en' in line for line in lines)
    r = client.get("/sparql", params={"query": SECTORS, "labels": "en"},
                   headers={"Accept": "application/sparql-results+xml"})
    parsed = list(ox.parse_query_results(r.content, format=ox.QueryResultsFormat.XML))
    assert len(parsed) == 3 and all(row["sLabel"] is not None for row in parsed)
    ElementTree.fromstring(r.content)


def test_labels_only_for_select(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", "labels": "en"})
    assert r.status_code == 400 and "SELECT" in r.text
    r = client.get("/sparql", params={"query": SECTORS, "labels": "not a tag"})
    assert r.status_code == 400 and "language tag" in r.text


def test_without_labels_the_result_is_unchanged(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": SECTORS}, headers={"Accept": JSON})
    assert json.loads(r.content)["head"]["vars"] == ["s", "n"]
