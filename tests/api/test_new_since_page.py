"""The must-show of the new study periods: importing the Questions of a new study period proposes
continuations and carried-over mappings as candidates, and the "new since" report lists the overlaps
that came with them. End to end on the real data without six of its latest Questions
(tests/new_period_data.py): release, `iscg import` preview, commit, then /reports/new-since (page,
CSV, Excel; by study period and by release), in words only."""

from __future__ import annotations

import csv
import io
import re
import shutil
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from test_words_everywhere import offences
from typer.testing import CliRunner

from api.main import create_app
from api.settings import Settings
from iscg_graph.cli.main import app as cli

Q72_NEW = "ITU-D Q7/2 (2022-2025)"
Q35 = "ITU-T Q3/5 (2022-2024)"


@pytest.fixture(scope="module")
def walked(new_period, tmp_path_factory) -> Iterator[tuple[TestClient, dict[str, str]]]:  # type: ignore[no-untyped-def]
    store, table = new_period
    root = tmp_path_factory.mktemp("walk")
    copy, releases = root / "store", root / "releases"
    shutil.copytree(store.resolve(), copy)
    file = root / "questions-2025.csv"
    file.write_bytes(table)
    runner = CliRunner(env={"COLUMNS": "400"})
    out: dict[str, str] = {}
    made = runner.invoke(cli, ["release", "create", "before-wtdc", "--date", "2022-05-31",
                               "--store", str(copy), "--releases", str(releases)])
    assert made.exit_code == 0, made.output
    args = ["import", str(file), "--author", "ISCG secretariat", "--comment", "WTDC-22 and WTSA-24 Questions",
            "--store", str(copy), "--new-period"]
    preview = runner.invoke(cli, args)
    assert preview.exit_code == 0, preview.output
    out["preview"] = preview.output
    done = runner.invoke(cli, [*args, "--commit", "--accept-continuations"])
    assert done.exit_code == 0, done.output
    out["commit"] = done.output
    settings = Settings(store_path=copy, releases_path=releases, environment="test", query_workers=1,
                        budget_seconds_per_minute=0, query_timeout=30)
    with TestClient(create_app(settings)) as client:
        yield client, out


def _rows(page: str, table_id: str) -> list[str]:
    body = page.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", r)).strip() for r in body.split("<tr>")[2:]]


def test_import_proposes_then_the_report_lists_what_came_with_the_new_questions(walked) -> None:  # type: ignore[no-untyped-def]
    client, out = walked
    # the preview proposes each continuation with its score and alternatives, and what would carry over
    assert "6 Question(s) to add" in out["preview"]
    assert "ITU-D Q5/2 (2018-2021)" in out["preview"]  # Q3/1 (2022-2025) continues it, from another group
    assert "to confirm" in out["preview"] and "carry over?" in out["preview"]
    assert "if its continuation is confirmed" in out["preview"]
    assert "6 continuation(s)" in out["commit"] and "carry-over proposal(s)" in out["commit"]

    page = client.get("/reports/new-since", params={"since_period": "2018-2021"})
    assert page.status_code == 200, page.text
    recorded = _rows(page.text, "new-recorded")
    carried = [r for r in recorded if Q72_NEW in r and Q35 in r]
    assert carried and "carry over? from:" in carried[0] and "proposed" in carried[0]
    candidates = _rows(page.text, "new-candidates")
    assert candidates and any("ITU-D Q3/2 (2022-2025)" in r and "/17 " in r for r in candidates)
    # no carried-over pair is offered again as an unrecorded candidate
    assert not any(Q72_NEW in r and Q35 in r for r in candidates)

    by_release = client.get("/reports/new-since", params={"release": "before-wtdc"})
    assert by_release.status_code == 200
    assert any(Q72_NEW in r and Q35 in r for r in _rows(by_release.text, "new-recorded"))
    # the release held the 2022-2025 Questions that were not imported: they are not new since it
    assert not any("ITU-D Q1/1 (2022-2025)" in r for r in _rows(by_release.text, "new-recorded"))
    assert any("ITU-D Q1/1 (2022-2025)" in r for r in recorded)


def test_the_downloads_hold_both_tables(walked) -> None:  # type: ignore[no-untyped-def]
    client, _out = walked
    params = {"release": "before-wtdc", "min_score": "0.2"}
    page = client.get("/reports/new-since", params=params).text
    shown = len(_rows(page, "new-candidates")) + len(_rows(page, "new-recorded"))
    r = client.get("/reports/new-since.csv", params=params)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    header = rows[0]
    assert header[:3] == ["What", "Score", "One side"]
    data = [row for row in rows[1:] if row and row[0] in ("candidate overlap", "recorded mapping or link")]
    assert len(data) == shown
    x = client.get("/reports/new-since.xlsx", params=params)
    assert x.status_code == 200
    ws = load_workbook(io.BytesIO(x.content)).active
    values = [c for row in ws.iter_rows(values_only=True) for c in row if c]
    assert any(isinstance(v, str) and "carry over? from:" in v for v in values)


def test_bad_choices_are_named_and_both_choices_combine(walked) -> None:  # type: ignore[no-untyped-def]
    client, _out = walked
    bad = client.get("/reports/new-since", params={"since_period": "2018"})
    assert bad.status_code == 422 and "since_period" in bad.text
    assert client.get("/reports/new-since", params={"release": "no-such-release"}).status_code == 404
    assert client.get("/reports/new-since.csv", params={"min_score": "2"}).status_code == 422
    form = client.get("/reports/new-since")  # the form alone
    assert form.status_code == 200 and 'id="new-recorded"' not in form.text
    # a release and a period together: new by either, so at least what each finds alone
    count = {}
    for name, params in (("period", {"since_period": "2022-2024"}), ("release", {"release": "before-wtdc"}),
                         ("both", {"since_period": "2022-2024", "release": "before-wtdc"})):
        body = client.get("/reports/new-since.csv", params=params).content.decode("utf-8-sig")
        rows = csv.DictReader(io.StringIO(body))
        count[name] = {(r["What"], r["One side"], r["Other side"], r["Why"]) for r in rows if r["Other side"]}
    assert count["both"] == count["period"] | count["release"]
    assert count["period"] - count["release"] and count["release"] - count["period"]
    # a download with no choice holds everything
    everything = client.get("/reports/new-since.csv")
    assert everything.status_code == 200 and len(everything.text.splitlines()) > 100


@pytest.mark.parametrize("lang", ["en", "ar", "fr"])
def test_the_page_shows_words_not_identifiers(walked, lang: str) -> None:  # type: ignore[no-untyped-def]
    client, _out = walked
    for params in ({"since_period": "2018-2021"}, {"release": "before-wtdc"}, {}):
        page = client.get("/reports/new-since", params={**params, "lang": lang})
        assert page.status_code == 200
        assert offences(page.text) == [], offences(page.text)[:5]
