"""Headless Chromium (Debian's, via Playwright) against a live server: open the workbench, run a
query, see rows in the result table, follow a result link to a resource page showing labels, not
bare IRIs. Also: the chart view draws, a shareable link reopens the same query, an example tab
opens, and the browser fetches nothing from outside this service.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest

from iscg_graph.build.pipeline import write_store
from iscg_graph.build.publish import publish
from iscg_graph.query.workbench_text import strip_metadata

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
BASE = "https://w3id.org/iscg/"
FIXTURE = REPO / "tests" / "fixtures" / "linked-data" / "sample.trig"

QUERY = """PREFIX iscg: <https://w3id.org/iscg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?question ?sector WHERE {
  ?question a iscg:Question ; iscg:sector ?sector .
}
ORDER BY ?question
"""
COUNT_QUERY = """PREFIX iscg: <https://w3id.org/iscg/ontology#>
SELECT ?sector (COUNT(?q) AS ?questions) WHERE { ?q a iscg:Question ; iscg:sector ?sector }
GROUP BY ?sector ORDER BY ?sector
"""


def _nquads() -> bytes:
    import pyoxigraph as ox

    inner = ox.Store()
    inner.load(path=str(FIXTURE), format=ox.RdfFormat.TRIG)
    return inner.dump(format=ox.RdfFormat.N_QUADS) or b""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, live_service: Callable[..., str]) -> str:
    work = tmp_path_factory.mktemp("browser")
    store = write_store(work / "store", _nquads(), "browser-test")
    publish(store, work / "store", BASE)
    del store  # release the RocksDB lock: the server opens it
    return live_service(work / "store")


@pytest.fixture()
def page(browser_page, server: str):  # type: ignore[no-untyped-def]
    return browser_page(server, timeout_ms=20_000, also_allowed=("blob:",))


def run_query(page, text: str) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_function("window.iscgWorkbench && window.iscgWorkbench.getTab()")
    page.evaluate("q => { window.iscgWorkbench.getTab().setQuery(q); }", text)
    page.locator(".yasqe_queryButton:visible").click()


def test_run_a_query_and_follow_a_result_to_a_labelled_page(page, server: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server}/")
    page.click("a[href='/query']")
    page.wait_for_selector("#yasgui .CodeMirror")  # the editor (syntax-highlighting CodeMirror) is up
    run_query(page, QUERY)
    rows = page.locator(".iscg-table:visible tbody tr")
    rows.first.wait_for()
    assert rows.count() == 2  # the fixture has two Questions
    first = page.locator(".iscg-table:visible tbody tr").first.locator("a.iscg-iri").first
    text = first.inner_text()
    assert text == "ITU-R Q239/1 (2019-2023): Spectrum monitoring"  # a label, not the IRI
    assert first.get_attribute("title") == BASE + "id/question/itu-r/2019-2023/239-1"
    first.click()
    page.wait_for_url(f"{server}/id/question/itu-r/2019-2023/239-1")
    heading = page.locator("h1").inner_text()
    assert heading == "ITU-R Q239/1 (2019-2023): Spectrum monitoring"
    links = page.locator("section.statements a").all_inner_texts()
    assert "ITU-R" in links and "Question" in links  # Sector and type shown by their labels
    assert not [t for t in links if t.startswith(("http://", "https://w3id.org"))]
    assert page.outside_requests == [], page.outside_requests
    assert page.page_errors == [], page.page_errors


def test_chart_view_and_csv_download(page, server: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server}/query")
    run_query(page, COUNT_QUERY)
    page.locator(".iscg-table:visible tbody tr").first.wait_for()
    with page.expect_download() as info:
        page.click("button.iscg-csv")
    rows = list(csv.reader(io.StringIO(Path(info.value.path()).read_text("utf-8"))))
    assert rows[0] == ["sector", "questions"]
    assert sorted(r[1] for r in rows[1:]) == ["1", "1"] and len(rows) == 3
    page.click(".yasr .select_chart")
    bars = page.locator(".iscg-chart svg rect.bar")
    bars.first.wait_for()
    assert bars.count() == 2
    assert "ITU-R" in page.locator(".iscg-chart svg").text_content()  # bars named by label
    assert page.outside_requests == [], page.outside_requests


def test_shareable_link_reopens_the_same_query(page, server: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server}/query")
    run_query(page, QUERY)
    page.locator(".iscg-table:visible tbody tr").first.wait_for()
    page.click("#share-link")
    link = page.locator("#share-output").input_value()
    assert link.startswith(f"{server}/query") and "query=" in link
    fresh = page.context.browser.new_context()  # no stored tabs: only the link carries the query
    try:
        other = fresh.new_page()
        other.goto(link)
        other.wait_for_function("window.iscgWorkbench && window.iscgWorkbench.getTab()")
        assert other.evaluate("window.iscgWorkbench.getTab().getQuery()").strip() == QUERY.strip()
    finally:
        fresh.close()


def test_guide_links_open_their_query(page, server: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server}/docs/querying")
    link = page.locator("#class-Question a", has_text="Run in the workbench")
    expected = page.locator("#class-Question pre").inner_text()
    link.click()
    page.wait_for_function("window.iscgWorkbench && window.iscgWorkbench.getTab()")
    assert page.evaluate("window.iscgWorkbench.getTab().getQuery()").strip() == expected.strip()
    page.locator(".yasqe_queryButton:visible").click()
    page.locator(".iscg-table:visible tbody tr").first.wait_for()
    assert page.locator(".iscg-table:visible tbody tr").count() == 2


def test_example_tab_opens_a_canned_query(page, server: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server}/query")
    page.wait_for_function("window.iscgWorkbench && window.iscgWorkbench.getTab()")
    link = page.locator("[data-example='list-themes']")
    link.click()
    expected = strip_metadata((REPO / "queries" / "list-themes.rq").read_text("utf-8"))
    assert page.evaluate("window.iscgWorkbench.getTab().getQuery()") == expected  # no #+ lines
    assert page.evaluate("window.iscgWorkbench.getTab().getName()") == link.inner_text()
    page.locator(".yasqe_queryButton:visible").click()
    page.locator(".iscg-table:visible tbody tr").first.wait_for()
    assert page.locator(".iscg-table:visible tbody tr").count() == 4  # the fixture's four themes


def test_prefix_and_term_completion_come_from_the_ontology(page, server: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server}/query")
    page.wait_for_function("window.iscgWorkbench && window.iscgWorkbench.getTab()")
    page.evaluate("() => { window.iscgWorkbench.getTab().setQuery(''); }")
    page.click(".CodeMirror-lines >> visible=true")
    page.keyboard.type("PREFIX isc")
    hints = page.locator(".CodeMirror-hints")
    hints.wait_for()
    assert "iscg: <https://w3id.org/iscg/ontology#>" in hints.inner_text()
    page.keyboard.press("Escape")
    page.evaluate("""() => { const tab = window.iscgWorkbench.getTab();
        tab.setQuery('PREFIX iscg: <https://w3id.org/iscg/ontology#>\\nSELECT * WHERE { ?x a iscg:Stud');
        const y = tab.getYasqe(); y.focus(); y.setCursor(y.lineCount() - 1, 1000); }""")
    page.keyboard.press("Control+Space")
    page.wait_for_function(
        "document.querySelector('.CodeMirror-hints') && "
        "document.querySelector('.CodeMirror-hints').innerText.includes('iscg:StudyGroup')"
    )
    assert page.outside_requests == [], page.outside_requests  # no prefix.cc, no LOV


def test_result_iris_that_are_not_http_are_not_links(page, server: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server}/query")
    run_query(
        page, 'SELECT ?x WHERE { VALUES ?x { <javascript:alert(1)> <urn:x:1> <https://www.itu.int/> } }'
    )
    page.locator(".iscg-table:visible tbody tr").first.wait_for()
    hrefs = page.locator(".iscg-table:visible a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert hrefs == ["https://www.itu.int/"]
    assert page.locator(".iscg-table:visible span.iscg-iri").count() == 2


def test_syntax_error_is_shown_at_its_position_with_the_fix(page, server: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server}/query")
    run_query(page, "SELECT ?q WHERE {\n  ?q a iscg:Question\n}")
    error = page.locator("#iscg-diagnostics .iscg-error")
    error.wait_for()
    assert "Line 2, column" in error.inner_text()
    assert "PREFIX iscg: <https://w3id.org/iscg/ontology#>" in error.inner_text()
    mark = page.locator(".CodeMirror .iscg-error-mark")
    mark.first.wait_for()
    assert "iscg" in mark.first.inner_text() or mark.count() == 1
    line = page.locator(".CodeMirror-code > div").nth(1)  # the editor's second line carries the mark
    assert line.locator(".iscg-error-line, .iscg-error-mark").count() >= 1
    run_query(page, QUERY)  # a good query clears it
    page.locator(".iscg-table:visible tbody tr").first.wait_for()
    page.wait_for_function("document.getElementById('iscg-diagnostics').hidden")
    assert page.locator(".CodeMirror .iscg-error-mark").count() == 0
    assert page.page_errors == [], page.page_errors


def test_misspelt_class_is_a_warning_with_a_suggestion(page, server: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server}/query")
    run_query(page, "PREFIX iscg: <https://w3id.org/iscg/ontology#>\nSELECT ?q WHERE { ?q a iscg:Questoin }")
    warning = page.locator("#iscg-diagnostics .iscg-warning")
    warning.wait_for()
    assert "iscg:Questoin" in warning.inner_text() and "did you mean iscg:Question" in warning.inner_text()
    assert page.outside_requests == [], page.outside_requests


def test_canned_query_form_offers_choices_and_binds_them(page, server: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server}/query?example=list-themes")
    select = page.locator("#iscg-params select[name=scheme]")
    select.wait_for()
    options = select.locator("option").all_inner_texts()
    assert len(options) >= 2 and not [o for o in options if o.startswith("http")]  # labels, not IRIs
    select.select_option("iscg-areas")  # the fixture's one Annex list
    page.click("#iscg-params button[type=submit]")
    iri = BASE + "id/scheme/iscg-areas"
    page.wait_for_function("v => window.iscgWorkbench.getTab().getQuery().includes('<' + v + '>')", arg=iri)
    text = page.evaluate("window.iscgWorkbench.getTab().getQuery()")
    assert "#+" not in text and "?scheme" not in text.split("WHERE")[1]
    page.locator(".yasqe_queryButton:visible").click()
    page.locator(".iscg-table:visible tbody tr").first.wait_for()
    assert "example=list-themes" in page.url and "scheme=" in page.url
    assert page.page_errors == [], page.page_errors


def test_the_workbench_speaks_the_pages_language(page, server: str) -> None:  # type: ignore[no-untyped-def]
    """The script's own words (result bar, buttons, chart controls) come from the French catalogue."""
    page.goto(f"{server}/query?lang=fr")
    run_query(page, COUNT_QUERY)
    page.locator(".iscg-table:visible tbody tr").first.wait_for()
    assert page.locator(".iscg-count:visible").inner_text().strip() == "Lignes : 2"
    assert page.locator("button.iscg-csv:visible").inner_text().strip() == "Télécharger en CSV"
    page.click(".yasr .select_chart")
    page.locator(".iscg-chart svg rect.bar").first.wait_for()
    assert page.locator(".iscg-chart select").first.get_attribute("aria-label") == "Colonne des catégories"
    assert page.page_errors == [], page.page_errors
