"""JSON errors and the scripts' words in the visitor's language (issue 16): every error body keeps
its English ``detail`` and gains a stable ``code`` and a ``message`` in the request's language; the
workbench's script strings come from the same gettext catalogues (``/i18n/<lang>.json``)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from api.error_messages import SENTENCES
from api.i18n import LANGUAGES, gettext
from api.i18n.scripts import script_ids
from api.main import create_app
from api.settings import Settings
from iscg_graph.build.pipeline import write_store

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "tests" / "fixtures" / "queries" / "mini.trig"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    inner = ox.Store()
    inner.load(path=str(FIXTURE), format=ox.RdfFormat.TRIG)
    path = tmp_path_factory.mktemp("errors") / "store"
    store = write_store(path, inner.dump(format=ox.RdfFormat.N_QUADS) or b"", "fixture-errors")
    del store
    settings = Settings(store_path=path, environment="test", query_workers=1, budget_seconds_per_minute=0,
                        query_timeout=20)
    with TestClient(create_app(settings)) as c:
        yield c


def test_a_library_error_speaks_the_requests_language(client: TestClient) -> None:
    r = client.get("/api/queries/no-such-query", headers={"Accept-Language": "fr-CH, fr;q=0.9"})
    assert r.status_code == 404
    body = r.json()
    assert body["code"] == "unknown_query"
    assert "no-such-query" in body["detail"]  # the English detail, with the specifics, unchanged
    assert body["message"] == "Il n'existe aucune requête prédéfinie de ce nom."


def test_a_sparql_syntax_error_in_russian_keeps_its_detail(client: TestClient) -> None:
    english = client.get("/sparql", params={"query": "SELEC * WHERE {}"},
                         headers={"Accept": "application/json"})
    russian = client.get("/sparql", params={"query": "SELEC * WHERE {}", "lang": "ru"},
                         headers={"Accept": "application/json"})
    client.cookies.clear()
    assert english.status_code == russian.status_code == 400
    assert english.json()["detail"] == russian.json()["detail"]
    assert english.json()["code"] == russian.json()["code"] == "query_syntax"
    assert english.json()["message"] == "The SPARQL query has a syntax error."
    assert russian.json()["message"] == "В запросе SPARQL синтаксическая ошибка."


def test_fastapis_own_errors_get_code_and_message(client: TestClient) -> None:
    r = client.get("/search", params={"q": "x", "limit": "many"}, headers={"Accept-Language": "zh",
                                                                             "Accept": "application/json"})
    assert r.status_code == 422
    body = r.json()
    assert isinstance(body["detail"], list) and body["detail"][0]["loc"][-1] == "limit"
    assert (body["code"], body["message"]) == ("invalid_parameter", "请求的某个参数无效。")
    missing = client.get("/no/such/page", headers={"Accept-Language": "es"})
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Not Found", "code": "not_found",
                              "message": "No se encontró nada en esta dirección."}


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
def test_every_error_sentence_is_translated(lang: str) -> None:
    for code, sentence in SENTENCES.items():
        assert gettext(lang, sentence) != sentence, (lang, code)


def test_the_scripts_catalogue_comes_from_the_gettext_catalogues(client: TestClient) -> None:
    ids = script_ids()
    assert {"Download CSV", "Show more (%(count)s left)", "Link copied"} <= set(ids)
    source = (REPO / "api" / "static" / "workbench" / "workbench.js").read_text(encoding="utf-8")
    assert len(ids) == len(set(re.findall(r'\b_\("((?:[^"\\]|\\.)*)"', source)))
    fr = client.get("/i18n/fr.json")
    assert fr.status_code == 200
    messages = fr.json()["messages"]
    assert set(messages) == set(ids)
    assert messages["Download CSV"] == "Télécharger en CSV"
    assert all(messages[m] != m for m in ids if not m.startswith("%"))  # every one translated
    assert client.get("/i18n/en.json").json()["messages"] == {}  # English: the messages themselves
    unknown = client.get("/i18n/xx.json")
    assert unknown.status_code == 404 and unknown.json()["code"] == "not_found"


def test_the_workbench_page_embeds_its_languages_script_words(client: TestClient) -> None:
    page = client.get("/query", params={"lang": "ar"}).text
    client.cookies.clear()
    embedded = re.search(r'<script type="application/json" id="ui-messages">(.*?)</script>', page, re.S)
    assert embedded
    words = json.loads(embedded.group(1))
    assert words["Chart"] == "رسم بياني"
    config = json.loads(re.search(r'id="workbench-config">(.*?)</script>', page, re.S).group(1))  # type: ignore[union-attr]
    summaries = {e["name"]: e["summary"] for e in config["examples"]}
    assert summaries["theme-coverage"].startswith("تغطية المواضيع")


def test_a_url_over_the_limit_is_refused_in_the_readers_language(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": "ASK {}" + " " * 40_000}, headers={"Accept-Language": "fr"})
    assert r.status_code == 414
    body = r.json()
    assert "over the limit" in body["detail"]
    assert (body["code"], body["message"]) == ("uri_too_long", "L'adresse de la requête est trop longue.")


def test_a_missing_resource_answers_the_same_error_body(client: TestClient) -> None:
    r = client.get("/id/question/nowhere", headers={"Accept": "application/json", "Accept-Language": "ru"})
    assert r.status_code == 404
    body = r.json()
    assert "no resource" in body["detail"]
    assert (body["code"], body["message"]) == ("not_found", "По этому адресу ничего не найдено.")
