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
from iscg_graph.render.table_view import natural_key

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

    # every row on one page (the tables page by 50 otherwise)
    page = client.get("/reports/new-since", params={"since_period": "2018-2021", "per_page": "all"})
    assert page.status_code == 200, page.text
    recorded = _rows(page.text, "new-recorded")
    carried = [r for r in recorded if Q72_NEW in r and Q35 in r]
    assert carried and "carry over? from:" in carried[0] and "proposed" in carried[0]
    candidates = _rows(page.text, "new-candidates")
    assert candidates and any("ITU-D Q3/2 (2022-2025)" in r and "/17 " in r for r in candidates)
    # no carried-over pair is offered again as an unrecorded candidate
    assert not any(Q72_NEW in r and Q35 in r for r in candidates)

    by_release = client.get("/reports/new-since", params={"release": "before-wtdc", "per_page": "all"})
    assert by_release.status_code == 200
    assert any(Q72_NEW in r and Q35 in r for r in _rows(by_release.text, "new-recorded"))
    # the release held the 2022-2025 Questions that were not imported: they are not new since it
    assert not any("ITU-D Q1/1 (2022-2025)" in r for r in _rows(by_release.text, "new-recorded"))
    assert any("ITU-D Q1/1 (2022-2025)" in r for r in recorded)


def test_the_downloads_hold_both_tables(walked) -> None:  # type: ignore[no-untyped-def]
    client, _out = walked
    params = {"release": "before-wtdc", "min_score": "0.2"}
    page = client.get("/reports/new-since", params={**params, "per_page": "all"}).text
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


def _csv_rows(client: TestClient, query: str) -> list[dict[str, str]]:
    r = client.get(f"/reports/new-since.csv?{query}")
    assert r.status_code == 200, r.text
    return [row for row in csv.DictReader(io.StringIO(r.content.decode("utf-8-sig")))
            if row.get("What") in ("candidate overlap", "recorded mapping or link")]


def _link(page: str, css_class: str) -> str:
    return re.search(rf'class="{css_class}" href="[^"?]*\?([^"]*)"', page).group(1).replace("&amp;", "&")  # type: ignore[union-attr]


def test_the_tables_sort_filter_and_page_on_the_server(walked) -> None:  # type: ignore[no-untyped-def]
    client, _out = walked
    client.cookies.clear()  # in English, whatever language an earlier test chose
    base = {"since_period": "2018-2021"}
    everything = _csv_rows(client, "since_period=2018-2021")
    recorded_all = [r for r in everything if r["What"] == "recorded mapping or link"]
    assert len(recorded_all) > 25  # enough to need a second page of 25

    # sorted by the first side, descending, 25 a page: the page holds the first 25 of that order
    page = client.get("/reports/new-since", params={**base, "per_page": "25", "rec_sort": "aLabel",
                                                     "rec_dir": "desc"})
    assert page.status_code == 200, page.text
    first = _rows(page.text, "new-recorded")
    assert len(first) == 25
    labels = sorted((r["One side"] for r in recorded_all), key=natural_key, reverse=True)
    assert [r.split(" (")[0] for r in first] == [x.split(" (")[0] for x in labels[:25]]
    pages = -(-len(recorded_all) // 25)
    assert f"Page 1 of {pages}" in page.text and f"Rows 1–25 of {len(recorded_all)}" in page.text
    # the next page continues the same order, and keeps the candidates' own sort untouched
    nxt = re.search(r'id="new-recorded".*?rel="next" href="\?([^"]*)"', page.text, re.S)
    assert nxt is not None
    query = nxt.group(1).replace("&amp;", "&")
    assert "rec_page=2" in query and "rec_sort=aLabel" in query and "cand_page" not in query
    second = _rows(client.get(f"/reports/new-since?{query}").text, "new-recorded")
    assert second and [r.split(" (")[0] for r in second] == [x.split(" (")[0] for x in labels[25:50]]
    # the candidates' table sorts by score, lowest first, on its own parameter
    by_score = client.get("/reports/new-since", params={**base, "cand_sort": "score"})
    low = _rows(by_score.text, "new-candidates")
    scores = [float(r.split(" ", 1)[0]) for r in low]
    assert len(scores) > 1 and scores == sorted(scores)

    # a filter applies to both tables; counts shown; the downloads hold the matching rows, all pages
    word = "Q7/2"
    filtered = client.get("/reports/new-since", params={**base, "q": word, "per_page": "25"})
    assert filtered.status_code == 200
    shown = _rows(filtered.text, "new-recorded") + _rows(filtered.text, "new-candidates")
    assert shown and all(word.lower() in r.lower() for r in shown)
    matching = [r for r in everything if any(word.lower() in v.lower() for v in r.values() if v)]
    assert f'<strong class="matching">{len(matching)}</strong>' in filtered.text
    download = _link(filtered.text, "dl-csv")
    assert "q=Q7%2F2" in download and "page" not in download.replace("per_page", "")
    assert len(_csv_rows(client, download)) == len(matching)
    nothing = client.get("/reports/new-since", params={**base, "q": "no such words anywhere"})
    assert nothing.status_code == 200 and "No row contains" in nothing.text


def test_bad_table_parameters_are_named(walked) -> None:  # type: ignore[no-untyped-def]
    client, _out = walked
    base = {"since_period": "2018-2021"}
    for params, name in (({"rec_sort": "nope"}, "rec_sort"), ({"cand_page": "0"}, "cand_page"),
                         ({"cand_dir": "up"}, "cand_dir"), ({"per_page": "7"}, "per_page")):
        page = client.get("/reports/new-since", params={**base, **params})
        assert page.status_code == 422 and name in page.text, (params, page.status_code)
        assert client.get("/reports/new-since.csv", params={**base, **params}).status_code == 422
