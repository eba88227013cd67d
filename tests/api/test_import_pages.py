"""The import page for editors: upload, problems by sheet/row/column with the highlighted error
workbook, preview, confirmation of exactly the previewed file (kept server-side by its hash), the
change in /changes; hostile files refused with a 4xx naming why; templates of every format."""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook

from api.routers import account, changes, imports
from api.settings import Settings
from iscg_graph.curation.accounts import LocalAccounts
from iscg_graph.curation.history import changes as journal
from iscg_graph.imports.uploads import UPLOAD_FORMATS
from iscg_graph.rdf.store import EmbeddedStore

PW = "correct horse battery"
HEADER = ["ITU-D Question", "ITU-R", "ITU-T", "Resolutions", "Notes"]
GOOD = ["Q7/2", " WP 1C* ", "", "WTSA Res. 72", "complements"]
BAD = [["Q99/2", "", "", "", ""], ["Q7/2, Q6/2", "", "", "", ""], ["Q6/2", "", "Q 3-5", "", ""]]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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


@pytest.fixture
def env(built_store: Path, tmp_path: Path) -> Iterator[tuple[TestClient, EmbeddedStore]]:
    copy = tmp_path / "store"
    shutil.copytree(built_store.resolve(), copy, ignore=shutil.ignore_patterns("LOCK", "*.lease*"))
    accounts = LocalAccounts(tmp_path / "accounts.sqlite")
    for name, role in (("admin", "admin"), ("erin", "editor"), ("ed", "editor"), ("rita", "reviewer")):
        accounts.add_user(name, PW, role)
    store = EmbeddedStore.open_writable(copy)
    app = FastAPI()
    app.state.settings = Settings(store_path=copy, accounts_path=tmp_path / "accounts.sqlite")
    app.state.store = store
    for module in (changes, account, imports):
        app.include_router(module.router)
    yield TestClient(app, base_url="https://testserver"), store
    del store


def _login(client: TestClient, name: str) -> str:
    page = client.get("/login")
    token = _csrf(page.text)
    form = {"name": name, "password": PW, "csrf_token": token, "next": "/curate/import"}
    r = client.post("/login", data=form, follow_redirects=False)
    assert r.status_code == 303, r.text
    return _csrf(client.get("/curate/import").text)


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]


def _upload(client: TestClient, csrf: str, data: bytes, name: str = "table.xlsx", **form: str):  # type: ignore[no-untyped-def]
    return client.post("/curate/import", data={"csrf_token": csrf, **form},
                       files={"file": (name, data, XLSX)})


def test_bad_rows_then_preview_then_exactly_the_previewed_file_committed(env) -> None:  # type: ignore[no-untyped-def]
    client, store = env
    assert client.get("/curate/import", follow_redirects=False).status_code == 303  # to the log-in form
    csrf = _login(client, "erin")
    before = len(store)
    bad = _upload(client, csrf, workbook([GOOD, *BAD]), period_itu_d="2014-2017")
    assert bad.status_code == 422
    cells = re.findall(r"<tr><td>([^<]*)</td><td>(\d+)</td><td>([^<]*)</td>", bad.text)
    assert cells == [("ITU-D", "3", "ITU-D Question"), ("ITU-D", "4", "ITU-D Question"),
                     ("ITU-D", "5", "ITU-T")]
    link = re.search(r'href="(/curate/import/[0-9a-f]{64}/errors\.xlsx)"', bad.text).group(1)  # type: ignore[union-attr]
    report = client.get(link)
    assert report.status_code == 200 and report.headers["content-type"] == XLSX
    ws = load_workbook(io.BytesIO(report.content))["ITU-D"]
    red = {c.coordinate for row in ws.iter_rows() for c in row if c.fill.fgColor.rgb.endswith("F4B6B6")}
    assert red == {"A3", "A4", "C5"}
    assert len(store) == before and journal(store.inner) == []

    good = workbook([GOOD, ["Q6/2", "", "SG 13", "", ""]])
    preview = _upload(client, csrf, good, period_itu_d="2014-2017", comment="after the ISCG meeting")
    assert preview.status_code == 200
    assert re.search(r'data-count="add">1<', preview.text) and "Confirm the import" in preview.text
    digest = re.search(r'action="/curate/import/([0-9a-f]{64})"', preview.text).group(1)  # type: ignore[union-attr]
    # another editor cannot confirm it: the upload is erin's
    other = TestClient(client.app, base_url="https://testserver")
    other_csrf = _login(other, "ed")
    confirm = f"/curate/import/{digest}"
    assert other.post(confirm, data={"csrf_token": other_csrf, "comment": "x"}).status_code == 404
    assert client.post(confirm, data={"comment": "x"}).status_code == 403  # no CSRF token
    done = client.post(confirm, data={"csrf_token": csrf, "comment": "after the ISCG meeting"},
                       follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/changes/1"
    records = journal(store.inner)
    assert len(records) == 1 and records[0].author == "erin" and digest in records[0].comment
    assert records[0].origin.startswith(f"POST /curate/import/{digest}")
    assert f"table.xlsx sha256:{digest}" in records[0].origin
    assert "after the ISCG meeting" in client.get("/changes").text
    # confirmed once: the upload is gone; the same file again has nothing to write
    assert client.post(confirm, data={"csrf_token": csrf, "comment": "again"}).status_code == 404
    again = _upload(client, csrf, good, period_itu_d="2014-2017")
    assert again.status_code == 200 and "Nothing to write" in again.text
    assert 'data-count="add">0<' in again.text


def test_hostile_or_wrong_uploads_get_a_4xx_naming_why(env) -> None:  # type: ignore[no-untyped-def]
    client, store = env
    csrf = _login(client, "erin")
    assert _upload(client, csrf, workbook([GOOD]), name="t.xlsm").status_code == 415
    assert "only .csv and .xlsx" in _upload(client, csrf, workbook([GOOD]), name="t.xlsm").text
    assert _upload(client, csrf, b"x" * (imports.MAX_BYTES + 1), name="big.csv").status_code == 413
    huge = _upload(client, csrf, b"x" * (imports.MAX_BYTES + 200_000), name="huge.csv")
    assert huge.status_code == 413 and "over the limit" in huge.text  # refused before the form is parsed
    assert client.post("/curate/import", data={"csrf_token": csrf}).status_code == 422  # no file
    assert _upload(client, csrf, b"not a zip", name="t.xlsx").status_code == 415
    wrong = _upload(client, csrf, workbook([GOOD]), format="nonsense")
    assert wrong.status_code == 422 and "unknown format" in wrong.text
    period = _upload(client, csrf, workbook([GOOD]), period_itu_d="2014")
    assert period.status_code == 422 and "not a study period" in period.text
    assert client.get("/curate/import/" + "0" * 64 + "/errors.xlsx").status_code == 404
    rita = TestClient(client.app, base_url="https://testserver")
    page = rita.get("/login")
    rita.post("/login", data={"name": "rita", "password": PW, "csrf_token": _csrf(page.text), "next": "/"})
    assert rita.get("/curate/import").status_code == 403  # reviewers do not import
    assert journal(store.inner) == []


def test_a_data_table_through_the_page_and_every_template(env) -> None:  # type: ignore[no-untyped-def]
    client, store = env
    csrf = _login(client, "erin")
    header = ("sector,study_period,study_group,notation,official_number,title,continues,related_resolutions,"
              "source,confidence,notes\n")
    row = ("ITU-T,2017-2020,SG2,Q99/2,,Numbering for a new service,,,"
           "https://www.itu.int/en/ITU-T/studygroups/2017-2020/02/Pages/q1.aspx,confirmed,\n")
    preview = _upload(client, csrf, (header + row).encode(), name="questions.csv")
    assert preview.status_code == 200 and "<code>questions</code>" in preview.text
    digest = re.search(r'action="/curate/import/([0-9a-f]{64})"', preview.text).group(1)  # type: ignore[union-attr]
    done = client.post(f"/curate/import/{digest}", data={"csrf_token": csrf, "comment": "new Question"},
                       follow_redirects=False)
    assert done.status_code == 303
    assert "Numbering for a new service" in journal(store.inner)[0].patch_text
    for fmt in UPLOAD_FORMATS:
        got = client.get(f"/curate/import/templates/{fmt}.xlsx")
        assert got.status_code == 200 and got.headers["content-type"] == XLSX, fmt
        wb = load_workbook(io.BytesIO(got.content))
        assert wb.worksheets[0].data_validations.dataValidation, fmt
    assert client.get("/curate/import/templates/other.xlsx").status_code == 404


def _choices(html: str) -> dict[str, list[tuple[str, str]]]:
    """Each ambiguity's select on the page: cell -> [(value, label)]."""
    found: dict[str, list[tuple[str, str]]] = {}
    select = r'<select id="choose-\d+" name="choose" data-cell="([A-Z]+\d+)">(.*?)</select>'
    for cell, body in re.findall(select, html, re.S):
        found[cell] = [(html_unescape(v), html_unescape(t))
                       for v, t in re.findall(r'<option value="([^"]+)">([^<]*)</option>', body)]
    return found


def html_unescape(text: str) -> str:
    import html

    return html.unescape(text)


def test_ambiguous_cells_are_chosen_on_the_page_checked_and_committed_as_chosen(env) -> None:  # type: ignore[no-untyped-def]
    client, store = env
    csrf = _login(client, "erin")
    data = workbook([["Q6/2", "", "SG 13", "", ""]])  # no study period: Q6/2 of three periods
    first = _upload(client, csrf, data, comment="after the ISCG meeting")
    assert first.status_code == 422
    offered = _choices(first.text)
    assert [label for _v, label in offered["A2"]] == [
        "ITU-D Q6/2 (2014-2017): ICT and climate change", "ITU-D Q6/2 (2018-2021): ICTs and the environment",
        "ITU-D Q6/2 (2022-2025): ICTs for the environment"]
    assert "https://w3id.org" not in first.text.split("<h2>", 2)[1]  # choices by label, never IRIs
    digest = re.search(r'action="/curate/import/([0-9a-f]{64})/choose"', first.text).group(1)  # type: ignore[union-attr]
    choose = f"/curate/import/{digest}/choose"
    # a choice that was not offered for the cell is refused, naming the cell; nothing is kept
    for bad in ("A2=ITU-D Q6/2 2010-2014", "C9=ITU-T SG13 2017-2020", "A2=ITU-D Q7/2 2014-2017", "A2"):
        refused = client.post(choose, data={"csrf_token": csrf, "choose": [bad]})
        assert refused.status_code == 422, bad
        assert "Your choice was not accepted:" in refused.text
        why = "cell C9 has no ambiguous" if "C9" in bad else "A2" if "=" in bad else "CELL=CHOICE"
        assert why in refused.text
    assert client.post(choose, data={"choose": ["A2=ITU-D Q6/2 2014-2017"]}).status_code == 403
    picked = client.post(choose, data={"csrf_token": csrf, "comment": "after the ISCG meeting",
                                       "choose": ["A2=ITU-D Q6/2 2014-2017", ""]})
    assert picked.status_code == 200, picked.text
    assert "Your choices for ambiguous cells" in picked.text and "ITU-D Q6/2 2014-2017" in picked.text
    assert re.search(r'data-count="add">1<', picked.text)
    key = re.search(r'name="choices" value="([0-9a-f]{16})"', picked.text).group(1)  # type: ignore[union-attr]
    confirm = f"/curate/import/{digest}"
    # a confirmation of the preview before the choices is not this preview
    stale = client.post(confirm, data={"csrf_token": csrf, "comment": "x", "choices": ""})
    assert stale.status_code == 409 and journal(store.inner) == []
    form = {"csrf_token": csrf, "comment": "after the ISCG meeting", "choices": key}
    done = client.post(confirm, data=form, follow_redirects=False)
    assert done.status_code == 303, done.text
    rows = store.select(
        "SELECT ?m WHERE { ?m <https://w3id.org/iscg/ontology#subject> "
        "<https://w3id.org/iscg/id/question/itu-d/2014-2017/6-2> ; <https://w3id.org/iscg/ontology#object> "
        "<https://w3id.org/iscg/id/study-group/itu-t/2017-2020/sg13> }")
    assert len(rows) == 1 and len(journal(store.inner)) == 1
