"""The report pages in Debian's headless Chromium, against a live server on the real data.

A policy officer's path: open /reports, pick a report, choose from the form, submit, read the table,
see the chart, drill down from the heatmap, open the downloads (the XLSX is read back with openpyxl).
Nothing is fetched from outside the service and the pages raise no script errors.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import load_workbook

from iscg_graph.build.pipeline import build

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, live_service: Callable[..., str]) -> str:
    work = tmp_path_factory.mktemp("reports-browser")
    build(work / "store")  # the real data, validated, as `iscg build` does it
    return live_service(work / "store")


@pytest.fixture()
def page(browser_page, server: str):  # type: ignore[no-untyped-def]
    pg = browser_page(server, timeout_ms=30_000, accept_downloads=True)
    yield pg
    pg.context.close()
    assert pg.outside_requests == [], f"fetched from outside the service: {pg.outside_requests}"
    assert pg.page_errors == [], f"script errors: {pg.page_errors}"


def _visible_box(locator) -> dict:  # type: ignore[no-untyped-def]
    box = locator.bounding_box()
    assert box is not None and box["width"] > 0 and box["height"] > 0
    return box


def test_overlap_matrix_form_heatmap_and_drilldown(page, server: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server}/reports")
    page.get_by_role("link", name="Where do the Sectors overlap?").click()
    page.wait_for_url(f"{server}/reports/sector-overlap-matrix")
    heat = page.locator("figure.heatmap svg")
    _visible_box(heat)
    # areas, not copies: each pair once in the table, the heatmap mirrored with an empty diagonal
    assert page.locator("figure.heatmap rect.cell:not(.none)").count() == 12
    assert page.locator("table.report-table tbody tr").count() == 6

    # choose a study period by its label and submit the form
    page.get_by_label("Study period").select_option(label="2018-2021 (ITU-D)")
    page.get_by_role("button", name="Show the report").click()
    page.wait_for_url("**study_period=2018-2021**")
    assert page.locator("section.computed").inner_text().count("Study period: 2018-2021") == 1
    assert page.get_by_label("Study period").input_value() == "2018-2021"
    _visible_box(page.locator("figure.heatmap svg"))

    # drill down from the ITU-D x ITU-T cell
    page.locator('figure.heatmap a[href*="sector_a=ITU-D&sector_b=ITU-T"]').first.click()
    page.wait_for_url("**/reports/sector-overlap-detail?**")
    table = page.locator("table.report-table")
    assert table.locator("tbody tr").count() > 0
    # the drill-down is long: find the climate work with the table's filter
    page.get_by_label("Show rows containing").fill("Q6/2")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**q=Q6**")
    assert "ITU-D Q6/2 (2018-2021)" in table.inner_text()
    header = [t.strip() for t in table.locator("thead th").all_inner_texts()]
    assert header[:3] == ["Area (and the lists naming it)", "Side", "Kind"]  # counted by area


def test_theme_coverage_bars_render(page, server: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server}/reports/theme-coverage")
    bars = page.locator("figure.bars g.bar")
    assert bars.count() >= 10
    _visible_box(bars.first.locator("rect").first)
    page.get_by_label("Annex list").select_option(
        label="§1.6 Issues covered by Council working groups and expert groups"
    )
    page.get_by_role("button", name="Show the report").click()
    page.wait_for_url("**scheme=**")
    assert page.locator("table.report-table tbody tr").count() == 8


def test_theme_dossier_by_choice_and_downloads(page, server: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server}/reports/theme-dossier")
    page.get_by_label("Theme").select_option(label="§1.4 27. Climate Change")
    page.get_by_role("button", name="Show the report").click()
    page.wait_for_url("**theme=**")
    table = page.locator("table.report-table")
    text = table.inner_text()
    assert "ITU-T SG5 (2017-2020)" in text and "ITU-D Q6/2 (2018-2021)" in text
    rows = int(page.locator("strong.total").inner_text())  # the whole result, whatever the page shows
    # labels link to the items' pages on this service
    href = table.locator("a", has_text="ITU-D Q6/2 (2018-2021)").first.get_attribute("href")
    assert href == "/id/question/itu-d/2018-2021/6-2"

    with page.expect_download() as info:
        page.locator("a.dl-csv").click()
    csv_path = tmp_path / "dossier.csv"
    info.value.save_as(csv_path)
    data = list(csv.reader(io.StringIO(csv_path.read_text("utf-8-sig"))))
    assert len(data) == rows + 1 and data[0][0] == "Theme"

    with page.expect_download() as info:
        page.locator("a.dl-xlsx").click()
    xlsx_path = tmp_path / "dossier.xlsx"
    info.value.save_as(xlsx_path)
    assert info.value.suggested_filename == "theme-dossier.xlsx"
    wb = load_workbook(xlsx_path)
    ws = wb["Report"]
    assert ws.max_row == rows + 1
    assert ws["A1"].value == "Theme" and ws["A1"].font.bold and ws.freeze_panes == "A2"
    assert ws.column_dimensions["A"].width >= len("Theme")
    about = {r[0].value: r[1].value for r in wb["About"].iter_rows()}
    assert about["Query"] == "theme-dossier" and "Climate Change" in about["Parameters"]


def test_required_choice_then_result(page, server: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server}/reports/study-group-neighbours")
    assert page.locator("table.report-table").count() == 0
    page.get_by_label("Study group").select_option(
        label="ITU-T SG5 (2017-2020): Environment, climate change and circular economy"
    )
    page.get_by_role("button", name="Show the report").click()
    page.wait_for_url("**study_group=**")
    first = page.locator("table.report-table tbody tr").first.inner_text()
    assert "ITU-D SG2 (2018-2021)" in first


def _column(page, index: int) -> list[str]:  # type: ignore[no-untyped-def]
    return [
        t.strip()
        for t in page.locator(f"table.report-table tbody tr td:nth-child({index})").all_inner_texts()
    ]


def test_sort_and_filter_a_long_table(page, server: str) -> None:  # type: ignore[no-untyped-def]
    from iscg_graph.render.table_view import natural_key

    page.goto(f"{server}/reports/theme-coverage")
    total = int(page.locator("strong.total").inner_text())
    assert total > 90 and page.locator("table.report-table tbody tr").count() == 50  # 92 areas
    assert page.get_by_text(f"Page 1 of {-(-total // 50)}").count() == 1

    # sort by the theme column, then the other way
    page.locator("table.report-table thead a.sort", has_text="Theme").click()
    page.wait_for_url("**sort=**")
    names = _column(page, 2)
    assert names == sorted(names, key=natural_key)
    page.locator("table.report-table thead a.sort", has_text="Theme").click()
    page.wait_for_url("**dir=desc**")
    down = _column(page, 2)
    assert down == sorted(down, key=natural_key, reverse=True) and down[0] != names[0]

    # filter, keeping the sort
    page.get_by_label("Show rows containing").fill("climate")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**q=climate**")
    matching = int(page.locator("strong.matching").inner_text())
    rows = page.locator("table.report-table tbody tr")
    assert 0 < matching == rows.count() < total
    assert all("climate" in t.lower() for t in rows.all_inner_texts())
    assert "dir=desc" in page.url


def test_candidates_excel_holds_every_row(page, server: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server}/reports/candidates")
    total = int(page.locator("strong.total").first.inner_text())
    shown = page.locator("#candidates tbody tr").count()
    assert shown < total  # a page on screen, more in the result
    with page.expect_download() as info:
        page.get_by_role("link", name="Excel").click()
    path = tmp_path / "candidates.xlsx"
    info.value.save_as(path)
    ws = load_workbook(path)["Report"]
    assert ws.max_row == 1 + total
