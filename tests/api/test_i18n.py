"""The interface language: ``?lang=`` (remembered in a cookie), the cookie, ``Accept-Language``,
English; ``<html lang dir>``; translated navigation and report titles (issue 16)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from api.i18n import COOKIE, negotiate
from api.main import create_app
from api.settings import Settings
from iscg_graph.build.pipeline import write_store

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "tests" / "fixtures" / "queries" / "mini.trig"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    inner = ox.Store()
    inner.load(path=str(FIXTURE), format=ox.RdfFormat.TRIG)
    path = tmp_path_factory.mktemp("i18n") / "store"
    store = write_store(path, inner.dump(format=ox.RdfFormat.N_QUADS) or b"", "fixture-i18n")
    del store  # the app opens it
    settings = Settings(
        store_path=path, environment="test", query_workers=1, budget_seconds_per_minute=0, query_timeout=20
    )
    with TestClient(create_app(settings)) as c:
        yield c


def _html_tag(text: str) -> str:
    match = re.search(r"<html[^>]*>", text)
    assert match, text[:200]
    return match.group(0)


def _nav(text: str) -> list[str]:
    nav = text.split('class="main-nav"', 1)[1].split("</nav>", 1)[0]
    return re.findall(r">([^<]+)</a>", nav)


@pytest.mark.parametrize(
    ("query", "cookie", "header", "expected"),
    [
        (None, None, None, "en"),
        (None, None, "de-DE,de;q=0.9", "en"),  # not one of the six: English
        (None, None, "de-DE,fr;q=0.8,en;q=0.5", "fr"),  # the first of the six the reader accepts
        (None, None, "zh-Hans-CN", "zh"),
        (None, "ru", "fr", "ru"),  # the remembered choice beats the header
        ("ar", "ru", "fr", "ar"),  # an explicit choice beats both
        ("xx", "es", None, "es"),  # an unknown ?lang= is skipped, not an error
        ("ES-mx", None, None, "es"),
    ],
)
def test_negotiation_precedence(
    query: str | None, cookie: str | None, header: str | None, expected: str
) -> None:
    assert negotiate(query, cookie, header) == expected


def test_default_is_english_left_to_right(client: TestClient) -> None:
    r = client.get("/reports")
    assert r.status_code == 200
    assert _html_tag(r.text) == '<html lang="en" dir="ltr">'
    assert _nav(r.text) == ["Query", "Reports", "Themes", "Ontology", "Dataset"]
    assert r.headers["content-language"] == "en"
    assert "Cookie" in ",".join(r.headers.get_list("vary"))
    assert "set-cookie" not in r.headers


def test_accept_language_french(client: TestClient) -> None:
    r = client.get("/reports", headers={"Accept-Language": "fr-CH, fr;q=0.9, en;q=0.8"})
    assert _html_tag(r.text) == '<html lang="fr" dir="ltr">'
    assert _nav(r.text) == ["Requête", "Rapports", "Thèmes", "Ontologie", "Jeu de données"]
    assert "Où les Secteurs se recoupent-ils ?" in r.text  # a report title, from the query's header
    assert "set-cookie" not in r.headers  # only an explicit choice is remembered


def test_arabic_is_right_to_left(client: TestClient) -> None:
    r = client.get("/reports?lang=ar")
    assert _html_tag(r.text) == '<html lang="ar" dir="rtl">'
    assert _nav(r.text)[1] == "التقارير"


def test_explicit_choice_is_remembered_in_a_cookie(client: TestClient) -> None:
    client.cookies.clear()
    r = client.get("/reports?lang=es")
    assert r.status_code == 200
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=es;") and "Path=/" in cookie and "SameSite=Lax" in cookie
    # the next page, without ?lang= and with an English browser, stays Spanish
    again = client.get("/reports/sector-overlap-matrix", headers={"Accept-Language": "en"})
    assert _html_tag(again.text) == '<html lang="es" dir="ltr">'
    assert "set-cookie" not in again.headers  # already remembered
    client.cookies.clear()


def test_language_switch_links_the_same_page(client: TestClient) -> None:
    r = client.get("/reports/sector-overlap-matrix?study_period=2017-2020", headers={"Accept-Language": "ru"})
    switch = r.text.split('class="languages"', 1)[1].split("</nav>", 1)[0]
    links = re.findall(r'href="([^"]+)" lang="([a-z]+)"', switch)
    assert [lang for _href, lang in links] == ["ar", "zh", "en", "fr", "ru", "es"]
    assert ("/reports/sector-overlap-matrix?study_period=2017-2020&amp;lang=fr", "fr") in links
    assert 'lang="ru" hreflang="ru" aria-current="true"' in switch


def test_plural_forms_follow_the_language(client: TestClient) -> None:
    r = client.get("/reports/sector-overlap-matrix?lang=ru")
    count = re.search(r"<strong class=\"total\">(\d+)</strong> (\w+)", r.text)
    assert count, "row count missing"
    n, word = int(count.group(1)), count.group(2)
    expected = "строка" if n % 10 == 1 and n % 100 != 11 else (
        "строки" if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14 else "строк")
    assert word == expected


def test_malformed_cookie_is_ignored(client: TestClient) -> None:
    r = client.get("/reports", headers={"Cookie": 'iscg_lang="; \x7f=', "Accept-Language": "zh"})
    assert r.status_code == 200
    assert _html_tag(r.text) == '<html lang="zh" dir="ltr">'


def test_downloads_speak_the_visitors_language(client: TestClient) -> None:
    import csv
    import io

    from openpyxl import load_workbook

    r = client.get("/reports/sector-overlap-matrix.csv?lang=ru")
    assert r.status_code == 200
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    header = next(row for row in rows if "Сектор" in row)
    assert "Другой Сектор" in header
    client.cookies.clear()  # ?lang=ru was remembered
    x = client.get("/reports/sector-overlap-matrix.xlsx", headers={"Accept-Language": "fr"})
    assert x.status_code == 200
    cells = {str(c.value) for ws in load_workbook(io.BytesIO(x.content)).worksheets
             for row in ws.iter_rows() for c in row if c.value is not None}
    assert {"Secteur", "Autre Secteur", "Version des données"} <= cells
