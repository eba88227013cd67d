"""Data labels in the six languages on the real data: pages use a sourced label in the reader's
language and say when they fall back to English; search finds labels in every language present,
folding case and accents (issue 16)."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import Settings
from iscg_graph.rdf.store import EmbeddedStore

FALLBACK_FR = "Aucune source consultée jusqu'ici ne donne ce nom dans cette langue"


@pytest.fixture(scope="module")
def app(built_store: Path) -> FastAPI:
    app = create_app(Settings(store_path=built_store, environment="test"))
    app.state.store = EmbeddedStore.open_snapshot(built_store)  # no lifespan: these routes read the store
    return app


@pytest.fixture()
def client(app: FastAPI) -> TestClient:
    return TestClient(app)  # a fresh cookie jar for every test: ?lang= is remembered


def _h1(text: str) -> str:
    match = re.search(r"<h1[^>]*>[^<]*</h1>", text)
    assert match, "no h1"
    return match.group(0)


def test_sourced_label_in_the_readers_language(client: TestClient) -> None:
    r = client.get("/id/sector/itu-t", headers={"Accept": "text/html", "Accept-Language": "ar"})
    assert _h1(r.text) == '<h1 lang="ar">قطاع تقييس الاتصالات</h1>'
    assert 'class="fallback"' not in r.text
    zh = client.get("/id/bureau/tsb?lang=zh", headers={"Accept": "text/html"})
    assert _h1(zh.text) == '<h1 lang="zh">电信标准化局（TSB）</h1>'


def test_page_says_when_it_falls_back_to_english(client: TestClient) -> None:
    r = client.get("/id/sector/itu-d", headers={"Accept": "text/html", "Accept-Language": "fr"})
    assert _h1(r.text) == '<h1 lang="en">Telecommunication Development Sector (ITU-D)</h1>'
    assert FALLBACK_FR in r.text
    english = client.get("/id/sector/itu-d", headers={"Accept": "text/html"})
    assert 'class="fallback"' not in english.text  # English is no fallback


def test_the_remembered_language_also_chooses_labels(client: TestClient) -> None:
    client.cookies.set("iscg_lang", "es")
    try:
        r = client.get("/id/sector/itu-t", headers={"Accept": "text/html", "Accept-Language": "en"})
    finally:
        client.cookies.clear()
    label = "Sector de Normalización de las Telecomunicaciones de la UIT (UIT-T)"
    assert _h1(r.text) == f'<h1 lang="es">{label}</h1>'


@pytest.mark.parametrize(
    ("query", "expected", "lang"),
    [
        ("developpement", "/id/advisory-group/tdag", "fr"),  # accents folded
        ("DÉVELOPPEMENT", "/id/bureau/bdt", "fr"),  # case folded
        ("normalizacion", "/id/sector/itu-t", "es"),
        ("تقييس", "/id/sector/itu-t", "ar"),
        ("标准化", "/id/bureau/tsb", "zh"),
        ("консультативная", "/id/advisory-group/tdag", "ru"),
        ("securite", "/id/study-group/itu-t/2022-2024/sg17", "fr"),  # a study group's French name
        ("asesor normalizacion", "/id/advisory-group/tsag", "es"),
    ],
)
def test_search_finds_labels_in_every_language(
    client: TestClient, query: str, expected: str, lang: str
) -> None:
    r = client.get("/search", params={"q": query, "format": "json"})
    assert r.status_code == 200
    hits = r.json()["results"]
    found = [h for h in hits if h["iri"].endswith(expected)]
    assert found, f"{query!r} did not find {expected}: {[h['iri'] for h in hits]}"
    assert found[0]["matched_lang"] == lang


def test_a_study_group_page_in_french_uses_its_sourced_name(client: TestClient) -> None:
    french = {"Accept": "text/html", "Accept-Language": "fr"}
    r = client.get("/id/study-group/itu-t/2025-2028/sg17", headers=french)
    assert html.unescape(_h1(r.text)) == "<h1 lang=\"fr\">Commission d'études 17 de l'UIT-T - Sécurité</h1>"
    assert FALLBACK_FR not in r.text
    other = client.get("/id/study-group/itu-t/2025-2028/sg5", headers=french)
    assert FALLBACK_FR in other.text  # no source seen gives SG5's French name for this period
