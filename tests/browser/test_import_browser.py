"""An editor's import in Debian's headless Chromium, against a live server on the real data.

Log in, upload a mapping table with one good and three bad rows (an unknown Question, two items in
the one-item cell, a malformed notation): the page lists the three problems by sheet, row and
column, and the downloaded error workbook has exactly those cells highlighted. Upload the corrected
file: the preview counts what it adds; confirm: the change is the one change in /changes. Then an
editor publishes a release with the form on /releases, and a second one under the same name is
refused with the reason next to the field.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from iscg_graph.build.pipeline import build
from iscg_graph.curation.accounts import LocalAccounts, accounts_path

pytestmark = pytest.mark.browser
PASSWORD = "editor password 1"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER = ["ITU-D Question", "ITU-R", "ITU-T", "Resolutions", "Notes"]
GOOD = ["Q7/2", "WP 1C", "", "WTSA Res. 72", "EMF"]
BAD = [["Q99/2", "", "", "", ""], ["Q7/2, Q6/2", "", "", "", ""], ["Q6/2", "", "Q 3-5", "", ""]]


def workbook(rows: list[list[str]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "ITU-D"
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, live_service: Callable[..., str]) -> str:
    work = tmp_path_factory.mktemp("import-browser")
    build(work / "store")
    accounts = LocalAccounts(accounts_path(work / "store"))
    accounts.add_user("admin", "admin password 12", "admin")
    accounts.add_user("erin", PASSWORD, "editor")
    return live_service(work / "store")


@pytest.fixture()
def page(browser_page, server: str):  # type: ignore[no-untyped-def]
    pg = browser_page(server, timeout_ms=90_000, accept_downloads=True)
    yield pg
    assert pg.outside_requests == [], f"fetched from outside the service: {pg.outside_requests}"
    assert pg.page_errors == [], f"script errors: {pg.page_errors}"


def _login(page, server: str, next_path: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server}/login?next={next_path}")
    page.get_by_label("Name").fill("erin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**{next_path}")


def _upload(page, data: bytes, comment: str = "") -> None:  # type: ignore[no-untyped-def]
    page.set_input_files("#file", files=[{"name": "iscg-table.xlsx", "mimeType": XLSX, "buffer": data}])
    page.select_option("#period-ITU-D", "2014-2017")
    if comment:
        page.fill("#comment", comment)
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_load_state()


def test_editor_fixes_a_mapping_table_and_imports_it(page, server: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _login(page, server, "/curate/import")
    _upload(page, workbook([GOOD, *BAD]))
    page.locator("table.import-problems").wait_for()
    rows = [[c.inner_text().strip() for c in r.locator("td").all()]
            for r in page.locator("table.import-problems tbody tr").all()]
    assert [r[:3] for r in rows] == [["ITU-D", "3", "ITU-D Question"], ["ITU-D", "4", "ITU-D Question"],
                                     ["ITU-D", "5", "ITU-T"]]
    assert "unknown item" in rows[0][4] and "one ITU-D item per row" in rows[1][4]
    assert "nothing was written" in page.locator("#problems-title").inner_text()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the table with the bad cells highlighted (XLSX)").click()
    saved = tmp_path / "problems.xlsx"
    download.value.save_as(saved)
    wb = load_workbook(saved)
    ws = wb["ITU-D"]
    red = {c.coordinate for row in ws.iter_rows() for c in row if c.fill.fgColor.rgb.endswith("F4B6B6")}
    assert red == {"A3", "A4", "C5"}
    assert [c.value for c in wb["Problems"]["C"][1:]] == ["ITU-D Question", "ITU-D Question", "ITU-T"]

    _upload(page, workbook([GOOD, ["Q6/2", "", "SG 13", "", ""]]), comment="after the ISCG meeting")
    page.locator("table.import-preview").wait_for()
    assert page.locator('[data-count="add"]').inner_text() == "1"
    added = page.locator("table.import-preview tbody tr").first.inner_text()
    assert "Q6/2" in added and "SG13" in added
    page.get_by_role("button", name="Confirm the import").click()
    page.wait_for_url("**/changes/1")
    page.goto(f"{server}/changes")
    changes = page.locator("table.changes tbody tr")
    assert changes.count() == 1
    assert "after the ISCG meeting" in changes.first.inner_text() and "erin" in changes.first.inner_text()


def test_editor_publishes_a_release_and_a_duplicate_name_is_refused(page, server: str) -> None:  # type: ignore[no-untyped-def]
    _login(page, server, "/releases")
    page.get_by_label("Name (letters, digits, '.', '_', '-')").fill("after-iscg-2021-09")
    page.get_by_label("Date").fill("2021-09-01")
    page.get_by_label("Description").fill("After ISCG meeting, 1 September 2021")
    page.get_by_role("button", name="Publish the release").click()
    page.wait_for_url("**/releases/after-iscg-2021-09")
    assert "After ISCG meeting, 1 September 2021" in page.content()
    page.goto(f"{server}/releases")
    assert page.locator('a[href="/releases/after-iscg-2021-09"]').count() >= 1
    page.get_by_label("Name (letters, digits, '.', '_', '-')").fill("after-iscg-2021-09")
    page.get_by_label("Description").fill("the same name again")
    page.get_by_role("button", name="Publish the release").click()
    page.wait_for_load_state()
    assert "already exists" in page.locator("#release-name-errors").inner_text()


def test_editor_chooses_the_item_meant_in_an_ambiguous_cell(page, server: str) -> None:  # type: ignore[no-untyped-def]
    _login(page, server, "/curate/import")
    # no study period given: Q6/2 is the Question of three periods
    page.set_input_files("#file", files=[{"name": "no-period.xlsx", "mimeType": XLSX,
                                          "buffer": workbook([["Q6/2", "", "SG 13", "", ""]])}])
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_load_state()
    choice = page.locator('select[data-cell="A2"]')
    choice.wait_for()
    labels = [o.inner_text() for o in choice.locator("option").all()]
    assert "ITU-D Q6/2 (2018-2021): ICTs and the environment" in labels
    assert not any("://" in label for label in labels)
    choice.select_option(label="ITU-D Q6/2 (2018-2021): ICTs and the environment")
    if page.locator('select[data-cell="C2"]').count():
        page.locator('select[data-cell="C2"]').select_option(index=0)  # left unchosen: settled by A2
    page.get_by_role("button", name="Check again with these choices").click()
    page.wait_for_load_state()
    page.locator("table.import-preview").wait_for()
    assert "ITU-D Q6/2 2018-2021" in page.locator("section.import-picks").inner_text()
    assert page.locator('[data-count="add"]').inner_text() == "1"
    added = page.locator("table.import-preview tbody tr").first.inner_text()
    assert "Q6/2 (2018-2021)" in added and "SG13 (2017-2020)" in added
    page.fill("#confirm-comment", "the 2018-2021 Question, as chosen")
    page.get_by_role("button", name="Confirm the import").click()
    page.wait_for_url("**/changes/*")
    assert "the 2018-2021 Question, as chosen" in page.locator("main").inner_text()
