"""The reports page in the six languages, in Debian's headless Chromium against a live server on the
real data: Arabic right to left with Arabic navigation; French, Chinese, Russian and Spanish with
translated navigation and report titles; the choice made with the switch sticks (cookie)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from iscg_graph.build.pipeline import build

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
# the navigation and the first two report titles as each catalogue translates them
EXPECTED = {
    "ar": (["استعلام", "التقارير", "المواضيع", "الأنطولوجيا", "مجموعة البيانات"],
           ["أين تتداخل القطاعات؟", "زوج من القطاعات بالتفصيل"]),
    "fr": (["Requête", "Rapports", "Thèmes", "Ontologie", "Jeu de données"],
           ["Où les Secteurs se recoupent-ils ?", "Une paire de Secteurs en détail"]),
    "zh": (["查询", "报告", "主题", "本体", "数据集"], ["各部门在哪些方面重叠？", "一对部门详情"]),
    "ru": (["Запрос", "Отчеты", "Темы", "Онтология", "Набор данных"],
           ["Где пересекаются Секторы?", "Пара Секторов подробно"]),
    "es": (["Consulta", "Informes", "Temas", "Ontología", "Conjunto de datos"],
           ["¿Dónde se solapan los Sectores?", "Un par de Sectores en detalle"]),
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, live_service: Callable[..., str]) -> str:
    work = tmp_path_factory.mktemp("languages-browser")
    build(work / "store")
    return live_service(work / "store")


@pytest.fixture()
def page(browser_page, server: str):  # type: ignore[no-untyped-def]
    pg = browser_page(server, timeout_ms=30_000, viewport={"width": 1200, "height": 900})
    yield pg
    pg.context.close()
    assert pg.outside_requests == [], f"fetched from outside the service: {pg.outside_requests}"
    assert pg.page_errors == [], f"script errors: {pg.page_errors}"


def _titles(page) -> list[str]:  # type: ignore[no-untyped-def]
    return [t.strip() for t in page.locator("ol.report-list li a strong").all_inner_texts()]


@pytest.mark.parametrize("lang", ["ar", "fr", "zh", "ru", "es"])
def test_reports_page_in_each_language(page, server: str, lang: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server}/reports?lang={lang}")
    html = page.locator("html")
    assert html.get_attribute("lang") == lang
    assert html.get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    nav, titles = EXPECTED[lang]
    assert [t.strip() for t in page.locator("nav.main-nav a").all_inner_texts()] == nav
    assert _titles(page)[:2] == titles
    # the layout really is mirrored for Arabic: the brand sits at the right edge, the list is right-aligned
    brand = page.locator("header.site .brand").bounding_box()
    assert brand is not None
    if lang == "ar":
        assert brand["x"] > 600
        assert page.evaluate("getComputedStyle(document.querySelector('main p.lead')).direction") == "rtl"
    else:
        assert brand["x"] < 100
    if os.environ.get("ISCG_SCREENSHOTS") and lang in ("ar", "fr", "zh"):  # README images (docs/img)
        page.screenshot(path=str(REPO / "docs" / "img" / f"reports-{lang}.png"), full_page=True)


def test_switch_is_remembered(page, server: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server}/reports")
    assert page.locator("html").get_attribute("lang") == "en"
    page.locator("nav.languages a[hreflang=es]").click()
    page.wait_for_url(f"{server}/reports?lang=es")
    page.goto(f"{server}/reports/sector-overlap-matrix")  # no ?lang= now: the cookie speaks
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.locator("h1").inner_text().strip() == "¿Dónde se solapan los Sectores?"
    assert page.locator("nav.main-nav a[aria-current=page]").inner_text().strip() == "Informes"


def test_overlap_matrix_in_chinese(page, server: str) -> None:  # type: ignore[no-untyped-def]
    """The heatmap and its table in Chinese: each Sector pair once, the cells linking their drill-down."""
    page.goto(f"{server}/reports/sector-overlap-matrix?lang=zh")
    assert page.locator("h1").inner_text().strip() == "各部门在哪些方面重叠？"
    cells = page.locator("figure.heatmap a")
    assert cells.count() >= 6
    assert all("/reports/sector-overlap-detail" in (cells.nth(i).get_attribute("href") or "")
               for i in range(cells.count()))
    # Chinese text is drawn with a CJK font: its glyphs are wider than the boxes of a missing font
    width = page.evaluate("""() => { const c = document.createElement('canvas').getContext('2d');
        c.font = '20px sans-serif'; return c.measureText('各部门重叠').width; }""")
    assert width >= 90, f"Chinese drawn {width}px wide for five characters: no CJK font?"
    if os.environ.get("ISCG_SCREENSHOTS"):  # README image (docs/img)
        page.goto(f"{server}/reports/sector-overlap-matrix?lang=en")  # the README's is in English
        page.screenshot(path=str(REPO / "docs" / "img" / "overlap-matrix.png"), full_page=False)
