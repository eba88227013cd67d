"""A reviewer's path in Debian's headless Chromium, against a live server on the real data.

Log in, pick a candidate overlap on the report, accept it as a duplicate with a comment; the pair
leaves the candidates list, shows as accepted among the recorded pairs and in the mapping register,
and the decision is in /changes with its author and comment. A form post without the CSRF token
(a cross-site forgery) is refused and records nothing.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from iscg_graph.build.pipeline import build
from iscg_graph.curation.accounts import LocalAccounts, accounts_path

pytestmark = pytest.mark.browser
PASSWORD = "reviewer password 1"
COMMENT = "Same scope: agreed at the ISCG meeting"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, live_service: Callable[..., str]) -> str:
    work = tmp_path_factory.mktemp("curation-browser")
    build(work / "store")
    accounts = LocalAccounts(accounts_path(work / "store"))
    accounts.add_user("admin", "admin password 12", "admin")
    accounts.add_user("rita", PASSWORD, "reviewer")
    return live_service(work / "store")


@pytest.fixture()
def page(browser_page, server: str):  # type: ignore[no-untyped-def]
    pg = browser_page(server, timeout_ms=60_000)
    yield pg
    assert pg.outside_requests == [], f"fetched from outside the service: {pg.outside_requests}"
    assert pg.page_errors == [], f"script errors: {pg.page_errors}"


def _pairs(page) -> list[str]:  # type: ignore[no-untyped-def]
    return [c.get_attribute("value") for c in page.locator('input[name="pair"]').all()]


def test_reviewer_accepts_a_candidate_and_forgery_is_refused(page, server: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server}/reports/candidates?kind=question")
    assert page.locator('input[name="pair"]').count() == 0  # not signed in: no review controls
    page.get_by_role("link", name="Log in").first.click()
    page.get_by_label("Name").fill("rita")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/reports/candidates?kind=question")

    before = _pairs(page)
    assert before, "the report offers candidates to decide on"
    chosen = before[0]

    # a forged post (the session cookie goes along, the CSRF token does not) is refused
    forged = page.request.post(f"{server}/curate/candidates", form={
        "pair": chosen, "decision": "accept", "relation": "duplicate", "comment": "forged"})
    assert forged.status == 403
    page.goto(f"{server}/changes")
    assert "forged" not in page.content()

    page.goto(f"{server}/reports/candidates?kind=question")
    page.locator(f'input[name="pair"][value="{chosen}"]').check()
    page.get_by_label("relation kind").select_option("duplicate")
    page.get_by_label("Comment (why; recorded with the decision)").fill(COMMENT)
    page.get_by_role("button", name="Record the decision").click()
    page.wait_for_url("**/reports/candidates?kind=question")
    assert chosen not in _pairs(page)  # left the candidates list

    page.goto(f"{server}/reports/candidates?kind=question&include_recorded=true&limit=1000")
    row = page.locator("#candidates tr", has=page.locator(f'input[value="{chosen}"]'))
    assert "accepted" in row.inner_text().lower()
    left, right = chosen.split("|")
    register = page.request.get(f"{server}/api/mappings.sssom.tsv").text()
    assert any(COMMENT in line and "Duplicate" in line for line in register.splitlines())

    page.goto(f"{server}/changes")
    latest = page.locator("table.changes tbody tr").first.inner_text()
    assert "rita" in latest and COMMENT in latest and "review" in latest
    assert left and right


def test_editor_picks_two_items_by_name_and_records_a_mapping(page, server: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server}/login?next=/curate/mapping")
    page.get_by_label("Name").fill("admin")
    page.get_by_label("Password").fill("admin password 12")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/curate/mapping")
    # an ITU-T Question on security and a Question of another Sector on human exposure to EMF
    for picker, words, wanted in (("#left-pick", "cybersecurity", "ITU-T"),
                                  ("#right-pick", "electromagnetic", "ITU-D")):
        box = page.locator(picker)
        box.fill(words)
        options = page.locator(f"#{picker[1:].replace('-pick', '-options')} option")
        options.first.wait_for(state="attached")
        texts = [o.get_attribute("value") or "" for o in options.all()]
        choice = next(t for t in texts if wanted in t and "Question" in t)
        box.fill(choice)  # what choosing from the list does
    left = page.locator('input[name="left"]').input_value()
    right = page.locator('input[name="right"]').input_value()
    assert left.startswith("https://w3id.org/iscg/id/") and right.startswith("https://w3id.org/iscg/id/")
    page.get_by_label("Relation").select_option("complementary")
    page.get_by_label("Why? (recorded with the change)").fill("picked by name")
    with page.expect_navigation():
        page.get_by_role("button", name="Record the mapping").click()
    assert "/changes/" in page.url, page.locator("p.error").all_inner_texts()
    assert "picked by name" in page.content() and "admin" in page.content()
