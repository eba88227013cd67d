"""Linked data: content negotiation on every kind of resource, suffix forms, 404/406, conditional
GET, Accept-Language, pages with labels, ontology docs, dataset description, dumps, search.

Runs the app on the small fixture dataset tests/fixtures/linked-data/sample.trig (in memory, no
query workers: these routes read the store directly).
"""

from __future__ import annotations

import gzip
import json
import re
from email.utils import formatdate
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from ld_fixture import BASE, BUILT_AT, load_fixture_store

from api.main import create_app
from api.settings import Settings
from iscg_graph.build.publish import publish
from iscg_graph.rdf.store import EmbeddedStore

# one resource of every kind in the fixture: (path, English label, French label or None)
KINDS = {
    "sector": ("/id/sector/itu-t", "ITU-T", "UIT-T"),
    "study group": (
        "/id/study-group/itu-t/2017-2020/sg17",
        "ITU-T SG17 (2017-2020): Security",
        "UIT-T CE17 (2017-2020) : Sécurité",
    ),
    "working party": ("/id/study-group/itu-r/2019-2023/wp-5d", "ITU-R WP 5D (2019-2023): IMT Systems", None),
    "question": (
        "/id/question/itu-t/2017-2020/4-17",
        "ITU-T Q4/17 (2017-2020): Cybersecurity",
        "UIT-T Q4/17 (2017-2020) : Cybersécurité",
    ),
    "theme": ("/id/theme/iscg-areas/1.1", "Cybersecurity", "Cybersécurité"),
    "scheme": ("/id/scheme/iscg-areas", "ISCG revised list of areas of mutual interest", None),
    "mapping": ("/id/mapping/M0001", "Mapping M0001: ITU-T Q4/17 overlaps ITU-R Q239/1", None),
    "document": ("/id/document/itu-reference-2026", "ITU reference compiled from memory (2026)", None),
}
RDF_FORMATS = {
    "text/turtle": ("ttl", ox.RdfFormat.TURTLE),
    "application/ld+json": ("jsonld", ox.RdfFormat.JSON_LD),
    "application/n-triples": ("nt", ox.RdfFormat.N_TRIPLES),
    "application/rdf+xml": ("rdf", ox.RdfFormat.RDF_XML),
}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedStore:
    return load_fixture_store(tmp_path_factory.mktemp("ld"))


@pytest.fixture(scope="module")
def client(store: EmbeddedStore) -> TestClient:
    assert store.path is not None
    app = create_app(Settings(store_path=store.path, environment="test"))
    app.state.store = store  # no lifespan: these routes need no query workers
    return TestClient(app)


@pytest.fixture(autouse=True)
def _forget_language(client: TestClient) -> None:
    """A `?lang=` is remembered in a cookie (api/i18n): each test starts as a new visitor."""
    client.cookies.clear()


def parse(body: bytes, fmt: ox.RdfFormat) -> list[ox.Triple]:
    return [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(body, format=fmt)]


def main_text(html: str) -> str:
    main = re.search(r"<main[^>]*>(.*)</main>", html, re.S)
    assert main, "no <main> in the page"
    return main.group(1)


# -- content negotiation ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("media_type", sorted(RDF_FORMATS))
def test_every_kind_of_resource_in_every_rdf_format(client: TestClient, kind: str, media_type: str) -> None:
    path, _label, _fr = KINDS[kind]
    r = client.get(path, headers={"Accept": media_type})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == media_type
    assert "Accept" in r.headers["vary"]
    suffix, fmt = RDF_FORMATS[media_type]
    assert r.headers["content-location"] == f"{path}.{suffix}"
    triples = parse(r.content, fmt)
    iri = ox.NamedNode(BASE + path.lstrip("/"))
    assert any(t.subject == iri for t in triples), "the description has no statement about the resource"
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    assert any(t.subject == iri and t.predicate == rdf_type for t in triples)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_of_resource_as_html(client: TestClient, kind: str) -> None:
    path, label, _fr = KINDS[kind]
    r = client.get(
        path, headers={"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
    )
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert f">{label}</h1>" in r.text.replace("&#39;", "'")
    for suffix in ("ttl", "jsonld", "nt", "rdf"):
        assert f'href="{path}.{suffix}"' in r.text


def test_no_preference_gets_html_and_q_values_decide(client: TestClient) -> None:
    path = KINDS["question"][0]
    assert client.get(path, headers={"Accept": "*/*"}).headers["content-type"].startswith("text/html")
    r = client.get(path, headers={"Accept": "text/html;q=0.5, text/turtle"})
    assert r.headers["content-type"].startswith("text/turtle")
    r = client.get(path, headers={"Accept": "application/json"})  # the JSON-LD alias
    assert r.headers["content-type"].startswith("application/ld+json")


@pytest.mark.parametrize(
    "suffix, media_type",
    [
        ("ttl", "text/turtle"),
        ("jsonld", "application/ld+json"),
        ("nt", "application/n-triples"),
        ("rdf", "application/rdf+xml"),
        ("html", "text/html"),
    ],
)
def test_suffix_forms_override_accept(client: TestClient, suffix: str, media_type: str) -> None:
    r = client.get(f"{KINDS['theme'][0]}.{suffix}", headers={"Accept": "image/png"})
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == media_type
    # a suffix URL names one representation (CORSMiddleware adds Origin to every response); an HTML
    # page's words still follow the interface language (api/i18n)
    assert r.headers["vary"] == ("Accept-Language, Cookie, Origin" if suffix == "html" else "Origin")


def test_dotted_identifiers_are_not_mistaken_for_suffixes(client: TestClient) -> None:
    # `1.1` is the notation, not a format suffix
    r = client.get("/id/theme/iscg-areas/1.1", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    assert "iscg-areas/1.1>" in r.text or "iscg-areas/1.1" in r.text


def test_jsonld_is_compacted_with_the_published_context(client: TestClient) -> None:
    r = client.get(KINDS["question"][0] + ".jsonld")
    doc = r.json()
    assert doc["@context"]["iscg"] == BASE + "ontology#"
    assert 'rel="http://www.w3.org/ns/json-ld#context"' in r.headers["link"]
    assert "iscg:studyGroup" in r.text
    published = client.get("/context.jsonld")
    assert published.status_code == 200
    assert published.json()["@context"] == doc["@context"]


# -- errors ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/id/question/itu-t/2017-2020/99-17",
        "/id/nothing",
        "/id/nothing.ttl",
        "/id/question/itu-t/2017-2020/4-17.xyz",
        "/graph/nothing",
        "/graph/themes.xyz",
        "/dumps/secret.txt",
        "/ontology/9.9.9",
        "/ontology.xyz",
        "/dataset.exe",
        "/id/a b",
        "/id/a%3Eb",
        "/id/%00",
        "/ontology/a%20b",
        "/ontology/%3E.ttl",
    ],
)
def test_unknown_iris_are_404_with_a_message(client: TestClient, path: str) -> None:
    r = client.get(path, headers={"Accept": "text/turtle"})
    assert r.status_code == 404
    assert r.json()["detail"]
    html = client.get(path, headers={"Accept": "text/html"})
    assert html.status_code == 404
    assert "Not found" in html.text


def test_unacceptable_media_type_is_406_listing_what_is_available(client: TestClient) -> None:
    r = client.get(KINDS["sector"][0], headers={"Accept": "image/png"})
    assert r.status_code == 406
    assert "text/turtle" in r.json()["detail"]


# -- conditional GET ---------------------------------------------------------------------------


def test_etag_and_if_none_match(client: TestClient) -> None:
    path = KINDS["question"][0]
    first = client.get(path, headers={"Accept": "text/turtle"})
    etag = first.headers["etag"]
    assert etag.startswith('"') and etag.endswith('"')
    again = client.get(path, headers={"Accept": "text/turtle", "If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    assert client.get(path, headers={"Accept": "text/turtle", "If-None-Match": '"other"'}).status_code == 200
    assert client.get(path, headers={"Accept": "text/turtle", "If-None-Match": "*"}).status_code == 304
    # another representation has another validator
    other = client.get(path, headers={"Accept": "application/n-triples", "If-None-Match": etag})
    assert other.status_code == 200
    assert other.headers["etag"] != etag


def test_last_modified_and_if_modified_since(client: TestClient, store: EmbeddedStore) -> None:
    path = KINDS["theme"][0]
    r = client.get(path)
    # the store rewrites meta.json on every write (here: publish), so its mtime is the last change
    assert store.path is not None
    assert r.headers["last-modified"] == formatdate((store.path / "meta.json").stat().st_mtime, usegmt=True)
    assert client.get(path, headers={"If-Modified-Since": r.headers["last-modified"]}).status_code == 304
    earlier = formatdate(1_700_000_000, usegmt=True)
    assert client.get(path, headers={"If-Modified-Since": earlier}).status_code == 200
    assert client.get(path, headers={"If-Modified-Since": "not a date"}).status_code == 200


@pytest.mark.parametrize(
    "path", ["/ontology", "/dataset", "/graph/themes", "/context.jsonld", "/search?q=cyber"]
)
def test_other_documents_are_conditional_too(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 200
    assert client.get(path, headers={"If-None-Match": r.headers["etag"]}).status_code == 304


def test_dumps_are_conditional(client: TestClient) -> None:
    r = client.get("/dumps/iscg.nq.gz")
    assert r.status_code == 200
    assert client.get("/dumps/iscg.nq.gz", headers={"If-None-Match": r.headers["etag"]}).status_code == 304


# -- Accept-Language ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(k for k, v in KINDS.items() if v[2]))
def test_accept_language_picks_the_label(client: TestClient, kind: str) -> None:
    path, en, fr = KINDS[kind]
    french = client.get(path, headers={"Accept": "text/html", "Accept-Language": "fr-CH, fr;q=0.9, en;q=0.5"})
    assert f'<h1 lang="fr">{fr}</h1>' in french.text
    # the interface language (api/i18n) also follows a remembered choice
    assert french.headers["vary"] == "Accept, Accept-Language, Cookie, Origin"
    german = client.get(path, headers={"Accept": "text/html", "Accept-Language": "de"})
    assert f'<h1 lang="en">{en}</h1>' in german.text  # falls back to English
    assert f">{fr}</h1>" in client.get(path + "?lang=fr", headers={"Accept": "text/html"}).text


def test_accept_language_applies_to_linked_labels(client: TestClient) -> None:
    r = client.get(KINDS["question"][0], headers={"Accept": "text/html", "Accept-Language": "fr"})
    assert ">UIT-T CE17 (2017-2020) : Sécurité</a>" in r.text  # the study group, linked in French
    assert ">Cybersécurité</a>" in r.text


# -- what the HTML page shows --------------------------------------------------------------------


def test_page_shows_statements_as_labelled_links_not_iris(client: TestClient) -> None:
    html = main_text(client.get(KINDS["question"][0], headers={"Accept": "text/html"}).text)
    assert '<a href="/id/study-group/itu-t/2017-2020/sg17"' in html
    assert ">ITU-T SG17 (2017-2020): Security</a>" in html
    assert ">Question</a>" in html  # its type, labelled from the ontology
    # no link text is a bare IRI under the base
    texts = re.findall(r"<a [^>]*>([^<]*)</a>", html)
    assert texts and not [t for t in texts if t.startswith(BASE)]


def test_page_shows_source_confidence_and_incoming(client: TestClient) -> None:
    html = main_text(client.get(KINDS["question"][0], headers={"Accept": "text/html"}).text)
    assert 'class="confidence"><a href="/ontology#Confirmed"' in html
    assert "https://www.itu.int/en/ITU-T/studygroups/2017-2020/17/Pages/q4.aspx" in html
    assert "Pointing here (1)" in html
    assert ">Mapping M0001: ITU-T Q4/17 overlaps ITU-R Q239/1</a>" in html


@pytest.mark.parametrize(
    "kind, neighbour, via",
    [
        ("question", "ITU-R Q239/1 (2019-2023): Spectrum monitoring", "mapping"),
        ("study group", "ITU-R Q239/1 (2019-2023): Spectrum monitoring", "shared theme"),
        ("theme", "ITU-R Q239/1 (2019-2023): Spectrum monitoring", "addresses theme"),
    ],
)
def test_cross_sector_neighbours(client: TestClient, kind: str, neighbour: str, via: str) -> None:
    html = main_text(client.get(KINDS[kind][0], headers={"Accept": "text/html"}).text)
    section = html.split("Cross-Sector neighbours", 1)
    assert len(section) == 2, "no neighbours section"
    part = section[1].split("</section>", 1)[0]
    assert neighbour in part
    assert via in part
    if kind != "theme":  # the same Sector is not a cross-Sector neighbour
        assert "ITU-T SG17" not in part and "Cross-Sector neighbours (1)" in html


def test_no_neighbours_section_for_other_kinds(client: TestClient) -> None:
    html = client.get(KINDS["document"][0], headers={"Accept": "text/html"}).text
    assert "Cross-Sector neighbours" not in html


def test_scheme_browses_like_a_thesaurus(client: TestClient) -> None:
    html = main_text(client.get(KINDS["scheme"][0], headers={"Accept": "text/html"}).text)
    tree = html.split("<h3>Hierarchy</h3>", 1)[1].split("<h3>A–Z</h3>", 1)[0]
    # 1 Security and trust > 1.1 Cybersecurity, 1.2 Child online protection; then 2 Accessibility
    order = [
        tree.index(x)
        for x in ("Security and trust", "Cybersecurity", "Child online protection", "Accessibility")
    ]
    assert order == sorted(order)
    assert tree.count('<ul class="tree">') == 2  # top level and one nested level
    az = html.split("<h3>A–Z</h3>", 1)[1]
    assert 'id="az-A"' in az and 'id="az-C"' in az and 'id="az-S"' in az
    themes = client.get("/themes").text
    assert "ISCG revised list of areas of mutual interest" in themes and "(4 themes)" in themes


def test_theme_page_shows_broader_and_narrower(client: TestClient) -> None:
    child = main_text(client.get("/id/theme/iscg-areas/1.1", headers={"Accept": "text/html"}).text)
    assert "Broader:" in child and ">Security and trust</a>" in child
    parent = main_text(client.get("/id/theme/iscg-areas/1", headers={"Accept": "text/html"}).text)
    assert (
        "Narrower:" in parent and ">Cybersecurity</a>" in parent and ">Child online protection</a>" in parent
    )


def test_named_graph_page_and_content(client: TestClient, store: EmbeddedStore) -> None:
    html = client.get("/graph/themes", headers={"Accept": "text/html"}).text
    assert ">Cybersecurity</a>" in html
    nt = client.get("/graph/themes.nt")
    expected = {str(q) for q in store.quads(None, None, None, ox.NamedNode(BASE + "graph/themes"))}
    assert len(parse(nt.content, ox.RdfFormat.N_TRIPLES)) == len(expected)


# -- ontology, dataset, dumps --------------------------------------------------------------------


def test_ontology_documentation_is_generated_from_the_ontology(client: TestClient) -> None:
    html = client.get("/ontology", headers={"Accept": "text/html"}).text
    for term in ("Question", "StudyGroup", "Theme", "studyGroup", "addressesTheme", "Confirmed"):
        assert f'id="{term}"' in html, term
    study_group = html.split('id="studyGroup"', 1)[1].split("</section>", 1)[0]
    assert "Domain" in study_group and ">Question</a>" in study_group and ">study group</a>" in study_group
    question = html.split('id="Question"', 1)[1].split("</section>", 1)[0]
    assert "Instances in the data" in question and "ITU-T Q4/17 (2017-2020): Cybersecurity" in question


@pytest.mark.parametrize(
    "how",
    [{"path": "/ontology", "headers": {"Accept": "text/turtle"}}, {"path": "/ontology.ttl", "headers": {}}],
)
def test_ontology_as_turtle_at_its_own_iri(client: TestClient, how: dict[str, object]) -> None:
    r = client.get(str(how["path"]), headers=how["headers"])  # type: ignore[arg-type]
    assert r.headers["content-type"].startswith("text/turtle")
    triples = parse(r.content, ox.RdfFormat.TURTLE)
    question = ox.NamedNode(BASE + "ontology#Question")
    assert (
        ox.Triple(
            question,
            ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            ox.NamedNode("http://www.w3.org/2002/07/owl#Class"),
        )
        in triples
    )


def test_dataset_description_void_and_dcat(client: TestClient, store: EmbeddedStore) -> None:
    r = client.get("/dataset.ttl")
    triples = parse(r.content, ox.RdfFormat.TURTLE)
    ds = ox.NamedNode(BASE + "dataset")

    def values(p: str) -> list[str]:
        return [t.object.value for t in triples if t.subject == ds and t.predicate.value == p]

    void, dcat, dct = "http://rdfs.org/ns/void#", "http://www.w3.org/ns/dcat#", "http://purl.org/dc/terms/"
    data_triples = len(
        {
            (str(q.subject), str(q.predicate), str(q.object))
            for q in store.quads(None, None, None, None)
            if q.graph_name != ox.NamedNode(BASE + "graph/meta")
        }
    )
    assert values(void + "triples") == [str(data_triples)]
    assert values(dct + "license") == ["https://creativecommons.org/licenses/by/4.0/"]
    assert values(void + "sparqlEndpoint") == [BASE + "sparql"]
    assert sorted(values(void + "dataDump")) == [BASE + "dumps/iscg.nq.gz", BASE + "dumps/iscg.ttl.gz"]
    assert values(dct + "modified") == [BUILT_AT]
    downloads = {t.object.value for t in triples if t.predicate.value == dcat + "downloadURL"}
    assert downloads == {BASE + "dumps/iscg.nq.gz", BASE + "dumps/iscg.ttl.gz"}
    classes = {t.object.value for t in triples if t.predicate.value == void + "class"}
    assert BASE + "ontology#Question" in classes
    html = client.get("/dataset", headers={"Accept": "text/html"}).text
    assert 'href="/dumps/iscg.ttl.gz"' in html and "creativecommons.org/licenses/by/4.0" in html


def test_dumps_hold_the_whole_dataset(client: TestClient, store: EmbeddedStore) -> None:
    nq = client.get("/dumps/iscg.nq.gz")
    assert nq.headers["content-type"] == "application/gzip"
    quads = list(ox.parse(gzip.decompress(nq.content), format=ox.RdfFormat.N_QUADS))
    assert len(quads) == len(store)
    ttl = client.get("/dumps/iscg.ttl.gz")
    triples = parse(gzip.decompress(ttl.content), ox.RdfFormat.TURTLE)
    assert len(set(triples)) == len(
        {(q.subject, q.predicate, q.object) for q in store.quads(None, None, None, None)}
    )


def test_publish_is_idempotent_and_deterministic(tmp_path: Path) -> None:
    a = load_fixture_store(tmp_path / "a")
    size = len(a)
    publish(a, tmp_path / "a", BASE)
    assert len(a) == size
    load_fixture_store(tmp_path / "b")
    for name in ("iscg.nq.gz", "iscg.ttl.gz"):
        assert (tmp_path / "a" / "dumps" / name).read_bytes() == (
            tmp_path / "b" / "dumps" / name
        ).read_bytes()


# -- search --------------------------------------------------------------------------------------


def search(client: TestClient, q: str, **extra: str) -> list[dict[str, object]]:
    r = client.get("/search", params={"q": q, **extra}, headers={"Accept": "application/json"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["count"] == len(body["results"])
    return list(body["results"])


def test_search_exact_notation_ranks_first(client: TestClient) -> None:
    hits = search(client, "Q4/17")
    assert hits[0]["iri"] == BASE + "id/question/itu-t/2017-2020/4-17"
    assert hits[0]["href"] == "/id/question/itu-t/2017-2020/4-17"


def test_search_prefix_and_word_match_ranked(client: TestClient) -> None:
    hits = search(client, "cyber")
    iris = [h["iri"] for h in hits]
    assert iris[0] == BASE + "id/theme/iscg-areas/1.1"  # label starts with it
    assert BASE + "id/question/itu-t/2017-2020/4-17" in iris  # a later word of its label
    scores = [h["score"] for h in hits]
    assert scores == sorted(scores, reverse=True)
    assert search(client, "online prot")[0]["iri"] == BASE + "id/theme/iscg-areas/1.2"  # every word a prefix


def test_search_any_language_and_accents(client: TestClient) -> None:
    hits = search(client, "securite et conf")
    assert hits[0]["iri"] == BASE + "id/theme/iscg-areas/1"
    assert hits[0]["matched"] == "Sécurité et confiance"
    assert hits[0]["matched_lang"] == "fr"


def test_search_limit_and_bad_requests(client: TestClient) -> None:
    assert len(search(client, "itu", limit="2")) == 2
    for params in (
        {"q": ""},
        {"q": "x" * 201},
        {"q": "itu", "limit": "0"},
        {"q": "itu", "limit": "1000"},
        {"q": "!!!"},
    ):
        r = client.get("/search", params=params, headers={"Accept": "application/json"})
        assert r.status_code == 400, params
        assert r.json()["detail"]
    assert client.get("/search", params={"q": "itu", "limit": "many"}).status_code == 422


def test_search_html(client: TestClient) -> None:
    r = client.get("/search", params={"q": "cyber"}, headers={"Accept": "text/html"})
    assert r.headers["content-type"].startswith("text/html")
    assert '<a href="/id/theme/iscg-areas/1.1"' in r.text
    assert client.get("/search", params={"q": "cyber", "format": "json"}).json()["count"] >= 2


def test_json_search_body_is_valid_json(client: TestClient) -> None:
    r = client.get("/search?q=sector&format=json")
    assert json.loads(r.content)["query"] == "sector"


@pytest.mark.parametrize(
    "path", [KINDS["question"][0], "/graph/themes", "/ontology", "/dataset", "/dumps/iscg.nq.gz"]
)
def test_head_answers_like_get_without_a_body(client: TestClient, path: str) -> None:
    get = client.get(path, headers={"Accept": "text/turtle, */*;q=0.1"})
    head = client.head(path, headers={"Accept": "text/turtle, */*;q=0.1"})
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["etag"] == get.headers["etag"]
    assert head.headers["content-type"] == get.headers["content-type"]


def test_html_page_advertises_its_rdf_representations(client: TestClient) -> None:
    path = KINDS["question"][0]
    link = client.get(path, headers={"Accept": "text/html"}).headers["link"]
    assert f'<{path}.ttl>; rel="alternate"; type="text/turtle"' in link
    assert f'<{path}.jsonld>; rel="alternate"; type="application/ld+json"' in link


def test_collections_group_a_scheme_and_themes_has_an_a_to_z(
    client: TestClient, store: EmbeddedStore
) -> None:
    skos = "http://www.w3.org/2004/02/skos/core#"
    coll = ox.NamedNode(BASE + "id/scheme/iscg-areas/collection/first")
    graph = ox.NamedNode(BASE + "graph/themes")
    extra = [
        ox.Quad(
            coll,
            ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            ox.NamedNode(skos + "Collection"),
            graph,
        ),
        ox.Quad(coll, ox.NamedNode(skos + "prefLabel"), ox.Literal("the first group", language="en"), graph),
        ox.Quad(coll, ox.NamedNode(skos + "member"), ox.NamedNode(BASE + "id/theme/iscg-areas/2"), graph),
    ]
    store.inner.extend(extra)
    try:
        html = main_text(client.get(KINDS["scheme"][0], headers={"Accept": "text/html"}).text)
        tree = html.split("<h3>Hierarchy</h3>", 1)[1].split("<h3>A–Z</h3>", 1)[0]
        assert ">the first group</a></h4>" in tree
        assert tree.index("the first group") < tree.index("Accessibility")
        themes = client.get("/themes").text
        assert "All themes A–Z" in themes and 'id="all-A"' in themes and 'id="all-S"' in themes
    finally:
        for q in extra:
            store.inner.remove(q)


def test_only_http_iris_become_links(client: TestClient, store: EmbeddedStore) -> None:
    subject = ox.NamedNode(BASE + "id/sector/itu-r")
    see_also = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#seeAlso")
    graph = ox.NamedNode(BASE + "graph/organisations")
    extra = [
        ox.Quad(subject, see_also, ox.NamedNode("javascript:alert(1)"), graph),
        ox.Quad(subject, see_also, ox.NamedNode("urn:isbn:9789261000000"), graph),
    ]
    store.inner.extend(extra)
    try:
        html = client.get("/id/sector/itu-r", headers={"Accept": "text/html"}).text
        assert 'href="javascript:' not in html and 'href="urn:' not in html
        assert '<span class="iri" title="javascript:alert(1)">' in html
    finally:
        for q in extra:
            store.inner.remove(q)


@pytest.mark.parametrize("path", ["/ontology", "/dataset", "/graph/themes"])
@pytest.mark.parametrize("media_type", sorted(RDF_FORMATS))
def test_documents_negotiate_and_have_suffix_forms(client: TestClient, path: str, media_type: str) -> None:
    suffix, fmt = RDF_FORMATS[media_type]
    negotiated = client.get(path, headers={"Accept": media_type})
    by_suffix = client.get(f"{path}.{suffix}")
    for r in (negotiated, by_suffix):
        assert r.status_code == 200
        assert r.headers["content-type"].split(";")[0] == media_type
        assert len(parse(r.content, fmt)) > 10
    assert negotiated.content == by_suffix.content
    assert client.get(path, headers={"Accept": "text/html"}).headers["content-type"].startswith("text/html")
