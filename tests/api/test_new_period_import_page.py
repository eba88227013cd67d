"""The import page's "Questions of a new study period": the preview lists each new Question with the
proposed continuation, its score, the alternatives and an accept checkbox per row; the confirmation
commits exactly the previewed file with the rows the editor accepted (and nothing else), as one
change. On the real data without six of its latest Questions (tests/new_period_data.py)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.routers import account, changes, imports, new_period_import
from api.settings import Settings
from iscg_graph.curation.accounts import LocalAccounts
from iscg_graph.rdf.store import EmbeddedStore

PW = "correct horse battery"
ID = "https://w3id.org/iscg/id/question/"
CONTINUES = ox.NamedNode("https://w3id.org/iscg/ontology#continues")


@pytest.fixture
def env(new_period, tmp_path: Path) -> Iterator[tuple[TestClient, EmbeddedStore, bytes]]:  # type: ignore[no-untyped-def]
    built, table = new_period
    copy = tmp_path / "store"
    shutil.copytree(built.resolve(), copy, ignore=shutil.ignore_patterns("LOCK", "*.lease*"))
    accounts = LocalAccounts(tmp_path / "accounts.sqlite")
    accounts.add_user("admin", PW, "admin")
    accounts.add_user("erin", PW, "editor")
    accounts.add_user("rita", PW, "reviewer")
    store = EmbeddedStore.open_writable(copy)
    app = FastAPI()
    app.state.settings = Settings(store_path=copy, accounts_path=tmp_path / "accounts.sqlite")
    app.state.store = store
    for module in (changes, account, imports, new_period_import):
        app.include_router(module.router)
    yield TestClient(app, base_url="https://testserver"), store, table
    del store


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]


def _login(client: TestClient, name: str) -> str:
    token = _csrf(client.get("/login").text)
    r = client.post("/login", data={"name": name, "password": PW, "csrf_token": token, "next": "/"},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    return token


def _rows(html: str) -> dict[str, tuple[str, str]]:
    """Question -> (the row's text, its accept checkbox value) of the continuations table."""
    body = html.split('id="continuations"', 1)[1].split("</table>", 1)[0]
    out = {}
    for tr in body.split("<tr>")[2:]:
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", tr)).strip()
        box = re.search(r'name="accept" value="(\d+)"', tr)
        question = re.search(r"<td>[^<]*</td><td>([^<]*)</td>", tr).group(1)  # type: ignore[union-attr]
        out[question] = (text, box.group(1) if box else "")
    return out


def _continues(store: EmbeddedStore, iri: str) -> list[str]:
    return [q.object.value for q in store.quads(ox.NamedNode(iri), CONTINUES, None, None)]


def test_preview_then_only_the_accepted_continuations_are_committed(env) -> None:  # type: ignore[no-untyped-def]
    client, store, table = env
    assert client.get("/curate/new-period", follow_redirects=False).status_code == 303  # to the log-in form
    _login(client, "erin")
    form_page = client.get("/curate/new-period")
    assert form_page.status_code == 200
    csrf = _csrf(form_page.text)
    assert 'href="/curate/new-period"' in client.get("/curate/import").text  # offered on the import page
    r = client.post("/curate/new-period", data={"csrf_token": csrf, "comment": "WTDC-22 Questions"},
                    files={"file": ("questions-2025.csv", table, "text/csv")})
    assert r.status_code == 200, r.text
    rows = _rows(r.text)
    assert len(rows) == 6 and all(box for _text, box in rows.values())  # six proposals, each to accept
    q31_text, q31_row = rows["ITU-D Q3/1 (2022-2025)"]
    # what it continues, how, the score and the alternatives with theirs
    assert "ITU-D Q5/2 (2018-2021)" in q31_text and "proposed from the titles" in q31_text
    assert " 0.93 " in q31_text  # its score (title similarity 0.93, docs/notes/new-periods.md)
    assert re.search(r"ITU-D Q\d+/[12] \(2018-2021\): [^;]+ \(0\.\d\d\)", q31_text)  # alternatives, scored
    assert 'id="carry-over"' in r.text and "checked" not in r.text  # nothing accepted before the editor does
    digest = re.search(r'action="/curate/new-period/([0-9a-f]{64})"', r.text).group(1)  # type: ignore[union-attr]
    key = re.search(r'name="key" value="([0-9a-f]+)"', r.text).group(1)  # type: ignore[union-attr]
    # the table import's routes do not take a new period's upload (each page finds only its own kind)
    assert client.get(f"/curate/import/{digest}/errors.xlsx").status_code == 404
    confirm = client.post(f"/curate/import/{digest}", data={"csrf_token": csrf, "comment": "x"})
    assert confirm.status_code == 404

    form = {"csrf_token": csrf, "comment": "WTDC-22 Questions", "key": key}
    # a row without a proposal cannot be accepted; a stale preview is shown again, nothing written
    bad = client.post(f"/curate/new-period/{digest}", data={**form, "accept": "999"})
    assert bad.status_code == 422 and "999" in bad.text
    stale = client.post(f"/curate/new-period/{digest}", data={**form, "key": "0" * 16, "accept": q31_row})
    assert stale.status_code == 409 and "changed since your preview" in stale.text.replace("\n", " ")
    assert not _continues(store, ID + "itu-d/2022-2025/3-1")

    done = client.post(f"/curate/new-period/{digest}", data={**form, "accept": q31_row},
                       follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].startswith("/changes/")
    # the accepted row continues what the preview showed; the others were added without a continuation
    assert _continues(store, ID + "itu-d/2022-2025/3-1") == [ID + "itu-d/2018-2021/5-2"]
    assert _continues(store, ID + "itu-d/2022-2025/7-2") == []
    assert list(store.quads(ox.NamedNode(ID + "itu-d/2022-2025/7-2"), None, None, None))
    # the upload was used up: confirming it again finds nothing
    again = client.post(f"/curate/new-period/{digest}", data={**form, "accept": q31_row})
    assert again.status_code == 404


def test_only_editors_and_bad_uploads_are_named(env) -> None:  # type: ignore[no-untyped-def]
    client, _store, _table = env
    csrf = _login(client, "rita")  # reviewers do not import
    assert client.get("/curate/new-period").status_code == 403
    r = client.post("/curate/new-period", data={"csrf_token": csrf},
                    files={"file": ("q.csv", b"a,b\n", "text/csv")})
    assert r.status_code == 403
    client.cookies.clear()
    _login(client, "erin")
    csrf = _csrf(client.get("/curate/new-period").text)
    empty = client.post("/curate/new-period", data={"csrf_token": csrf})
    assert empty.status_code == 422 and "choose a file" in empty.text
    huge = client.post("/curate/new-period", data={"csrf_token": csrf},
                       files={"file": ("q.csv", b"x" * 5_200_000, "text/csv")})
    # refused before the form is read, in the catalogue's words (translated), like the table import's
    assert huge.status_code == 413 and "the upload is over the limit of 5000000 bytes" in huge.text
    odd = client.post("/curate/new-period", data={"csrf_token": csrf},
                      files={"file": ("q.csv", b"sector,notation\nITU-D,Q1/1\n", "text/csv")})
    assert odd.status_code == 422 and "import-problems" in odd.text
