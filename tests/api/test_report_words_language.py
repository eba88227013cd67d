"""The words the canned queries write themselves (statuses, kinds, evidence) are shown in the
visitor's language on the report pages and in their CSV/Excel files, with the Excel headers in that
language too; the query answers themselves (the canned-query API) stay English (issue 16)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from api.i18n import LANGUAGES, gettext
from api.i18n.values import PATTERNS, VALUES, translate_value
from api.main import create_app
from api.settings import Settings
from iscg_graph.build.pipeline import write_store
from iscg_graph.rdf.derived import add_to_store

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "tests" / "fixtures" / "queries" / "mini.trig"
NO_LINK = "several Sectors, no coordination link"
NO_LINK_FR = "plusieurs Secteurs, aucun lien de coordination"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    inner = ox.Store()
    inner.load(path=str(FIXTURE), format=ox.RdfFormat.TRIG)
    add_to_store(inner, "https://w3id.org/iscg/")  # the drill-down reads it, as in a build
    path = tmp_path_factory.mktemp("report-words") / "store"
    store = write_store(path, inner.dump(format=ox.RdfFormat.N_QUADS) or b"", "fixture-v1")
    del store  # the app opens it
    settings = Settings(
        store_path=path, environment="test", query_workers=1, budget_seconds_per_minute=0, query_timeout=20
    )
    with TestClient(create_app(settings)) as c:
        yield c


def test_every_mapped_value_is_written_by_its_query() -> None:
    """The mapping follows the queries: a value no query writes any more would never be translated."""
    checked = 0
    for query, columns in {**VALUES, **PATTERNS}.items():
        if query == "new-since":  # written by the library and queries/new-since.rq together
            continue
        text = (REPO / "queries" / f"{query}.rq").read_text(encoding="utf-8")
        for column in columns:
            assert f"?{column}" in text, (query, column)
        for values in VALUES.get(query, {}).values():
            for value in values:
                words = value.rstrip(".") if "judgement" in value else value
                assert f'"{words}' in text or f"{words}\"" in text, (query, value)
                checked += 1
    assert checked >= 25


def test_values_around_data_keep_the_data() -> None:
    evidence = ("both address the theme Climate change | both follow Resolution 73 | "
                "recorded as overlapping by the ISCG mapping table, confirmed")
    fr = translate_value("question-duplicate-candidates", "evidence", evidence, "fr")
    assert fr == ("toutes deux traitent du thème Climate change | toutes deux découlent de Resolution 73 | "
                  "enregistré comme overlapping par the ISCG mapping table, confirmed")
    assert translate_value("question-duplicate-candidates", "evidence", evidence, "en") == evidence
    # the new-since downloads: the relation kind before the origin stays as sourced
    why = translate_value("new-since", "why", "overlapping carry over? from: Q3/2 and Q4/17", "es")
    assert why == "overlapping ¿trasladar? desde: Q3/2 and Q4/17"
    assert translate_value("new-since", "why", "overlapping recorded by people", "ru") == (
        "overlapping зарегистрировано людьми")
    # a value no entry knows (data) is left alone; a known word in another column too
    assert translate_value("theme-coverage", "status", "Climate change", "fr") == "Climate change"
    assert translate_value("theme-coverage", "themeLabel", NO_LINK, "fr") == NO_LINK
    for lang in LANGUAGES:
        if lang != "en":
            translated = translate_value("theme-coverage", "status", NO_LINK, lang)
            assert translated == gettext(lang, NO_LINK) != NO_LINK


def _tbody(page: str) -> str:
    return page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]


def test_a_report_page_in_french_shows_the_queries_words_in_french(client: TestClient) -> None:
    english = client.get("/reports/theme-coverage", params={"lang": "en"})
    assert english.status_code == 200 and NO_LINK in _tbody(english.text)
    french = client.get("/reports/theme-coverage", params={"lang": "fr"})
    assert french.status_code == 200
    body = _tbody(french.text)
    assert NO_LINK_FR in body and NO_LINK not in body
    assert "un seul Secteur" in body or "non traité" in body
    # the filter looks at the words shown
    filtered = client.get("/reports/theme-coverage", params={"lang": "fr", "q": "aucun lien"})
    assert filtered.status_code == 200 and NO_LINK_FR in _tbody(filtered.text)
    # the canned-query API keeps the query's own answer, whatever the language
    api = client.get("/api/queries/theme-coverage",
                     headers={"Accept": "text/csv", "Accept-Language": "fr"})
    assert api.status_code == 200 and NO_LINK in api.text and NO_LINK_FR not in api.text
    client.cookies.delete("iscg_lang")


def test_a_french_excel_download_has_french_headers_and_words(client: TestClient) -> None:
    x = client.get("/reports/theme-coverage.xlsx", headers={"Accept-Language": "fr"})
    assert x.status_code == 200
    ws = load_workbook(io.BytesIO(x.content)).active
    assert ws is not None
    headers = [c.value for c in ws[1] if c.value]
    english = load_workbook(io.BytesIO(client.get("/reports/theme-coverage.xlsx").content)).active
    assert english is not None
    english_headers = [c.value for c in english[1] if c.value]
    assert len(headers) == len(english_headers) >= 3
    assert headers == [gettext("fr", h) for h in english_headers]
    assert "Thème" in headers and "Theme" not in headers
    cells = {str(c.value) for row in ws.iter_rows(min_row=2) for c in row if c.value is not None}
    assert NO_LINK_FR in cells and NO_LINK not in cells
    # a true/false answer is shown as words, so as French words
    coordinated = headers.index(gettext("fr", "Coordination recorded"))
    assert {str(row[coordinated].value) for row in ws.iter_rows(min_row=2)} <= {"oui", "non"}
    csv_fr = client.get("/reports/theme-coverage.csv", headers={"Accept-Language": "fr"})
    csv_en = client.get("/reports/theme-coverage.csv", headers={"Accept-Language": "en"})
    rows = list(csv.reader(io.StringIO(csv_fr.content.decode("utf-8-sig"))))
    english_row = next(csv.reader(io.StringIO(csv_en.content.decode("utf-8-sig"))))
    assert english_row[1] == "Theme" and rows[0][1] == "Thème" and len(rows[0]) == len(english_row)
    for french, english_title in zip(rows[0], english_row, strict=True):  # "(IRI)": a link column
        if not english_title.endswith(" (IRI)"):
            assert french == gettext("fr", english_title)
            assert french != english_title or english_title == "Questions"  # the same word in French
    assert any(NO_LINK_FR in r for r in rows) and not any(NO_LINK in r for r in rows)


def test_kinds_of_items_in_the_drill_down_are_translated(client: TestClient) -> None:
    params = {"sector_a": "ITU-D", "sector_b": "ITU-T", "lang": "es"}
    page = client.get("/reports/sector-overlap-detail", params=params)
    assert page.status_code == 200
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", _tbody(page.text))
    assert "Cuestión" in cells and "Question" not in cells
    client.cookies.delete("iscg_lang")
