"""The journal and the pages: /changes (HTML, JSON, Atom), History on resource pages, revert by an
admin, log-in with CSRF, my account and tokens, reviewers' decisions and editors' forms."""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.routers import account, candidates, changes, curate, resources
from api.routers import store as store_router
from api.settings import Settings
from iscg_graph.build.pipeline import write_store
from iscg_graph.curation.accounts import LocalAccounts
from iscg_graph.curation.history import changes as journal
from iscg_graph.rdf.store import EmbeddedStore

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "candidates" / "mini.trig"
ID = "https://w3id.org/iscg/id/"
Q32 = ID + "question/itu-d/2018-2021/3-2"
Q417 = ID + "question/itu-t/2017-2020/4-17"
PW = "correct horse battery"
REVIEWS = ox.NamedNode("https://w3id.org/iscg/graph/reviews")


def _hash(store: EmbeddedStore) -> str:
    lines = sorted(f"{q.subject} {q.predicate} {q.object} {q.graph_name}" for q in store.inner
                   if q.graph_name != ox.NamedNode("https://w3id.org/iscg/graph/changes"))
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


@pytest.fixture
def env(tmp_path: Path) -> Iterator[tuple[TestClient, EmbeddedStore, dict[str, str]]]:
    mem = ox.Store()
    mem.load(path=str(FIXTURE), format=ox.RdfFormat.TRIG)
    store = write_store(tmp_path / "build", mem.dump(format=ox.RdfFormat.N_QUADS) or b"", "test")
    accounts = LocalAccounts(tmp_path / "accounts.sqlite")
    tokens = {}
    for role in ("admin", "editor", "reviewer"):
        accounts.add_user(role, PW, role)
        tokens[role], _ = accounts.create_token(role)
    app = FastAPI()
    app.state.settings = Settings(store_path=tmp_path / "build", accounts_path=tmp_path / "accounts.sqlite")
    app.state.store = store
    for module in (store_router, changes, account, curate, candidates, resources):
        app.include_router(module.router)
    yield TestClient(app, base_url="https://testserver"), store, tokens
    del store


def _login(client: TestClient, name: str) -> None:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    r = client.post("/login", data={"name": name, "password": PW, "csrf_token": token, "next": "/account"},
                    follow_redirects=False)
    assert r.status_code == 303, r.text


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]


def _put_label(client: TestClient, token: str) -> None:
    body = f'<{Q32}> <http://www.w3.org/2004/02/skos/core#altLabel> "cyber"@en .'.encode()
    r = client.post("/store", params={"graph": "https://w3id.org/iscg/graph/itu-d", "comment": "TDAG alias"},
                    content=body, headers={"Authorization": f"Bearer {token}", "Content-Type": "text/turtle"})
    assert r.status_code == 200, r.text


def test_changes_listed_as_html_json_atom_and_on_the_resource_page(env) -> None:
    client, store, tokens = env
    _put_label(client, tokens["editor"])
    body = client.get("/changes", params={"format": "json"}).json()
    [c] = body["changes"]
    assert (c["id"], c["author"], c["comment"], c["added"]) == (1, "editor", "TDAG alias", 1)
    assert "TDAG alias" in client.get("/changes").text
    feed = ET.fromstring(client.get("/changes", headers={"Accept": "application/atom+xml"}).content)
    entries = feed.findall("{http://www.w3.org/2005/Atom}entry")
    assert len(entries) == 1 and entries[0].findtext("{http://www.w3.org/2005/Atom}id") == c["iri"]
    patch = client.get("/changes/1", params={"format": "patch"}).text
    assert patch.startswith("TX .") and '"cyber"@en' in patch
    assert client.get("/changes/99", params={"format": "json"}).status_code == 404
    page = client.get("/id/question/itu-d/2018-2021/3-2", headers={"Accept": "text/html"}).text
    history = page.split('class="history"')[1].split("</section>")[0]
    assert "TDAG alias" in history and "editor" in history and 'href="/changes/1"' in history


def test_admin_reverts_a_change_as_a_new_change(env) -> None:
    client, store, tokens = env
    before = _hash(store)
    _put_label(client, tokens["editor"])
    assert _hash(store) != before
    h = {"Authorization": f"Bearer {tokens['editor']}"}
    assert client.post("/changes/1/revert", data={"comment": "no"}, headers=h).status_code == 403
    h = {"Authorization": f"Bearer {tokens['admin']}"}
    assert client.post("/changes/1/revert", data={"comment": " "}, headers=h).status_code == 400
    r = client.post("/changes/1/revert", data={"comment": "alias not agreed"}, headers=h)
    assert r.status_code == 201, r.text
    assert r.json()["reverts"].endswith("/id/change/1") and r.json()["kind"] == "revert"
    assert _hash(store) == before
    assert [c.number for c in journal(store.inner)] == [2, 1]
    assert client.post("/changes/1/revert", data={"comment": "again"}, headers=h).status_code == 409


def test_login_session_account_and_csrf(env) -> None:
    client, store, tokens = env
    assert client.get("/account", follow_redirects=False).status_code == 303  # to /login
    page = client.get("/login")
    r = client.post("/login", data={"name": "editor", "password": PW, "csrf_token": "forged"})
    assert r.status_code == 403
    r = client.post("/login", data={"name": "editor", "password": "wrong password!",
                                    "csrf_token": _csrf(page.text)})
    assert r.status_code == 401 and "wrong password" in r.text
    _login(client, "editor")
    cookie = next(c for c in client.cookies.jar if c.name == "iscg_session")
    assert cookie.secure and cookie.has_nonstandard_attr("HttpOnly")
    page = client.get("/account")
    assert page.status_code == 200 and "editor" in page.text
    assert client.post("/account/tokens", data={"label": "x"}).status_code == 403  # no CSRF token
    r = client.post("/account/tokens", data={"label": "ci", "csrf_token": _csrf(page.text)})
    secret = re.search(r'<pre id="new-token">([^<]+)</pre>', r.text).group(1)  # type: ignore[union-attr]
    assert LocalAccounts(client.app.state.settings.accounts_path).authenticate_token(secret) is not None
    assert client.get("/admin/accounts").status_code == 403
    r = client.post("/logout", data={"csrf_token": _csrf(page.text)}, follow_redirects=False)
    assert r.status_code == 303
    assert client.get("/account", follow_redirects=False).status_code == 303


def test_reviewer_decides_on_two_candidates_at_once(env) -> None:
    client, store, tokens = env
    _login(client, "reviewer")
    report = client.get("/reports/candidates", params={"kind": "question"})
    pairs = re.findall(r'name="pair" value="([^"]+)"', report.text)
    assert len(pairs) >= 2
    decide = {"pair": pairs[:2], "decision": "accept", "relation": "overlap", "comment": "same topic"}
    r = client.post("/curate/candidates", data=decide, follow_redirects=False)
    assert r.status_code == 403  # no CSRF token
    decide |= {"csrf_token": _csrf(report.text), "next": "/reports/candidates?kind=question"}
    r = client.post("/curate/candidates", data=decide, follow_redirects=False)
    assert r.status_code == 303, r.text
    assert len({q.subject for q in store.inner.quads_for_pattern(None, None, None, REVIEWS)}) >= 2
    assert [c.kind for c in journal(store.inner)] == ["review", "review"]
    after = client.get("/reports/candidates", params={"kind": "question"}).text
    assert not set(pairs[:2]) & set(re.findall(r'name="pair" value="([^"]+)"', after))


def test_editor_edits_a_title_with_plain_language_errors_and_retires(env) -> None:
    client, store, tokens = env
    _login(client, "editor")
    form = client.get("/curate/item", params={"iri": Q417})
    assert form.status_code == 200
    csrf = _csrf(form.text)
    # commentary inside a title breaks a shape: the message shows next to the title field
    r = client.post("/curate/item", data={"iri": Q417, "action": "title", "csrf_token": csrf,
                                          "title": "Cybersecurity (title not seen)", "comment": "test"})
    assert r.status_code == 422
    assert "editorialNote" in r.text.split('id="title-errors"')[1].split("</span>")[0]
    r = client.post("/curate/item", data={"iri": Q417, "action": "title", "title": "Better title",
                                          "comment": "", "csrf_token": csrf})
    assert r.status_code == 422 and "say why" in r.text
    r = client.post("/curate/item", data={"iri": Q417, "action": "title", "title": "Better title",
                                          "comment": "typo", "csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303
    assert Q417 in client.get("/reports/candidates", params={"kind": "question", "limit": 1000}).text
    r = client.post("/curate/item", data={"iri": Q417, "action": "retire", "comment": "merged into Q5/17",
                                          "csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303
    deprecated = ox.NamedNode("http://www.w3.org/2002/07/owl#deprecated")
    assert any(True for _ in store.inner.quads_for_pattern(ox.NamedNode(Q417), deprecated, None, None))
    # kept (its page still answers) but no longer among the candidates
    assert client.get("/id/question/itu-t/2017-2020/4-17", headers={"Accept": "text/html"}).status_code == 200
    report = client.get("/reports/candidates", params={"kind": "question", "limit": 1000}).text
    assert Q417 not in report
    assert [c.kind for c in journal(store.inner)] == ["form", "form"]


def test_editor_records_a_mapping_with_the_pickers_values(env) -> None:
    client, store, tokens = env
    _login(client, "editor")
    form = client.get("/curate/mapping")
    assert form.status_code == 200 and 'data-picker="left"' in form.text
    assert "/static/curation/picker.js" in form.text
    csrf = _csrf(form.text)
    r = client.post("/curate/mapping", data={"left": "", "right": Q417, "comment": "x", "csrf_token": csrf})
    assert r.status_code == 422 and "pick an item" in r.text.split('id="left-errors"')[1].split("</span>")[0]
    same_sector = ID + "question/itu-t/2017-2020/5-17"
    r = client.post("/curate/mapping", data={"left": Q417, "right": same_sector, "relation": "overlap",
                                             "comment": "x", "csrf_token": csrf})
    assert r.status_code == 422
    r = client.post("/curate/mapping", data={"left": Q32, "right": Q417, "relation": "complementary",
                                             "comment": "ISCG table 2", "csrf_token": csrf},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    [change] = journal(store.inner)
    assert change.kind == "form" and change.comment == "ISCG table 2" and {Q32, Q417} <= set(change.about)


def test_editor_edits_a_mapping_record_validated_with_history(env) -> None:
    client, store, tokens = env
    _login(client, "editor")
    csrf = _csrf(client.get("/curate/mapping").text)
    r = client.post("/curate/mapping", data={"left": Q32, "right": Q417, "relation": "complementary",
                                             "comment": "ISCG table 2", "csrf_token": csrf},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    record = next(q.subject.value for q in store.inner.quads_for_pattern(None, None, None, REVIEWS)
                  if "/id/mapping/R" in q.subject.value)
    page = client.get("/" + record.split("/iscg/", 1)[1], headers={"Accept": "text/html"})
    assert page.status_code == 200 and "Edit this mapping record" in page.text
    assert f"/curate/mapping/edit?iri={quote(record, safe='/')}" in page.text
    form = client.get("/curate/mapping/edit", params={"iri": record})
    assert form.status_code == 200 and '<option value="Complementary" selected>' in form.text
    assert client.get("/curate/mapping/edit", params={"iri": Q32}).status_code == 404  # not a record
    edit = {"iri": record, "relation_kind": "Duplicate", "justification": "LexicalMatching",
            "confidence": "Unconfirmed", "status": "Rejected", "comment": "the TDAG said no",
            "csrf_token": csrf}
    before = _hash(store)
    r = client.post("/curate/mapping/edit", data={**edit, "status": "Maybe"})
    assert r.status_code == 422 and "Rejected" in r.text.split('id="status-errors"')[1].split("</span>")[0]
    r = client.post("/curate/mapping/edit", data={**edit, "comment": " "})
    assert r.status_code == 422 and "say why" in r.text
    r = client.post("/curate/mapping/edit", data={**edit, "csrf_token": "forged"})
    assert r.status_code in (400, 403)
    assert _hash(store) == before
    r = client.post("/curate/mapping/edit", data=edit, follow_redirects=False)
    assert r.status_code == 303, r.text
    node = ox.NamedNode(record)

    def value(predicate: str) -> str:
        quads = store.inner.quads_for_pattern(node, ox.NamedNode(predicate), None, REVIEWS)
        return next(q.object.value for q in quads)

    iscg = "https://w3id.org/iscg/ontology#"
    assert value(iscg + "relationKind") == iscg + "Duplicate" and value(iscg + "status") == iscg + "Rejected"
    assert value(iscg + "confidence") == iscg + "Unconfirmed"
    assert value("https://w3id.org/sssom/predicate_modifier") == "Not"
    assert " — not Duplicate of — " in value("http://www.w3.org/2000/01/rdf-schema#label")
    newest = journal(store.inner)[0]
    assert newest.comment == "the TDAG said no" and record in newest.about and newest.author == "editor"
    form = client.get("/curate/mapping/edit", params={"iri": record})
    assert '<option value="Rejected" selected>' in form.text
    assert client.post("/curate/mapping/edit", data=edit).text.count("nothing changed") == 1


@pytest.mark.parametrize("who", [None, "reviewer"])
def test_every_write_route_refuses_anonymous_and_readers(env, who) -> None:
    client, store, tokens = env
    before = _hash(store)
    headers = {"Authorization": f"Bearer {tokens[who]}"} if who else {}
    form = {"iri": Q417, "action": "retire", "comment": "x", "left": Q32, "right": Q417,
            "relation": "overlap", "pair": f"{Q32}|{Q417}", "decision": "accept", "name": "x",
            "password": "y" * 12, "role": "admin"}
    routes = ["/curate/item", "/curate/mapping", "/curate/mapping/edit", "/changes/1/revert",
              "/admin/accounts", "/account/tokens"]
    if who is None:
        routes.append("/curate/candidates")  # reviewers may decide on candidates (with a CSRF token)
    for route in routes:
        r = client.post(route, data=form, headers=headers, follow_redirects=False)
        assert r.status_code in (401, 403), (route, r.status_code)
        assert r.status_code == (401 if who is None else 403) or route == "/account/tokens", route
    assert _hash(store) == before
    assert LocalAccounts(client.app.state.settings.accounts_path).user("x") is None


def test_editor_adds_and_removes_theme_and_resolution_links_and_sets_the_source(env) -> None:
    client, store, tokens = env
    _login(client, "editor")
    form = client.get("/curate/item", params={"iri": Q417})
    csrf = _csrf(form.text)
    theme = ID + "theme/resolution-areas/27"
    data = {"iri": Q417, "csrf_token": csrf, "comment": "ISCG Annex"}
    r = client.post("/curate/item", data={**data, "action": "link-add", "kind": "theme", "target": theme},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    page = client.get("/curate/item", params={"iri": Q417}).text
    assert theme in page.split('class="links-theme"')[1].split("</section>")[0]
    # a Question is not a theme: the shapes say so, next to the field
    r = client.post("/curate/item", data={**data, "action": "link-add", "kind": "theme", "target": Q32})
    assert r.status_code == 422
    assert r.text.split('id="theme-errors"')[1].split("</span>")[0].strip()
    r = client.post("/curate/item", data={**data, "action": "link-remove", "kind": "theme", "target": theme},
                    follow_redirects=False)
    assert r.status_code == 303
    r = client.post("/curate/item", data={**data, "action": "source",
                                          "source": "https://www.itu.int/en/ITU-T/studygroups/2017-2020/17"},
                    follow_redirects=False)
    assert r.status_code == 303
    r = client.post("/curate/item", data={**data, "action": "source", "source": "not a url"})
    assert r.status_code == 400
    assert [c.kind for c in journal(store.inner)] == ["form"] * 3
