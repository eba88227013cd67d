"""The messages the editor forms write in Python come in the person's language (the gettext
catalogues of api/i18n): the import page's refusals, the release form's and the mapping form's
field errors, and SHACL violations worded per kind of constraint, English kept and said so where
the shapes' own rule has no such wording."""

from __future__ import annotations

import html
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.form_messages import CONSTRAINTS, shape_message
from api.i18n import LANGUAGES, LanguageMiddleware, gettext
from api.routers import account, curate, imports, release_form
from api.settings import Settings
from iscg_graph.curation.accounts import LocalAccounts
from iscg_graph.rdf.store import EmbeddedStore

PW = "correct horse battery"


@pytest.fixture
def client(built_store: Path, tmp_path: Path) -> Iterator[TestClient]:
    copy = tmp_path / "store"
    shutil.copytree(built_store.resolve(), copy, ignore=shutil.ignore_patterns("LOCK", "*.lease*"))
    accounts = LocalAccounts(tmp_path / "accounts.sqlite")
    accounts.add_user("admin", PW, "admin")
    accounts.add_user("erin", PW, "editor")
    store = EmbeddedStore.open_writable(copy)
    app = FastAPI()
    app.state.settings = Settings(store_path=copy, accounts_path=tmp_path / "accounts.sqlite")
    app.state.store = store
    for module in (account, imports, release_form, curate):
        app.include_router(module.router)
    app.add_middleware(LanguageMiddleware)
    c = TestClient(app, base_url="https://testserver")
    token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text).group(1)  # type: ignore[union-attr]
    r = c.post("/login", data={"name": "erin", "password": PW, "csrf_token": token, "next": "/curate/import"},
               follow_redirects=False)
    assert r.status_code == 303, r.text
    yield c
    del store


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]


def test_the_import_page_refuses_in_french(client: TestClient) -> None:
    csrf = _csrf(client.get("/curate/import").text)
    fr = {"Accept-Language": "fr-CH, fr;q=0.9, en;q=0.5"}
    r = client.post("/curate/import", data={"csrf_token": csrf, "format": "nonsense"}, headers=fr,
                    files={"file": ("t.csv", b"a,b\n1,2\n", "text/csv")})
    assert r.status_code == 422
    assert "format inconnu &#39;nonsense&#39; : l&#39;un de mapping-table" in r.text
    r = client.post("/curate/import?lang=es", data={"csrf_token": csrf, "period_itu_d": "2022"},
                    files={"file": ("t.csv", b"a,b\n1,2\n", "text/csv")})
    assert r.status_code == 422 and "&#39;2022&#39; no es un periodo de estudios como 2022-2025" in r.text
    # ?lang= is remembered (a cookie), and outranks Accept-Language from then on
    nowhere, form = "/curate/import/" + "0" * 64, {"csrf_token": csrf, "comment": "x"}
    confirm = client.post(nowhere, data=form, headers=fr)
    assert confirm.status_code == 404 and "ninguno de sus archivos subidos tiene este hash" in confirm.text
    confirm = client.post(nowhere + "?lang=fr", data=form)
    assert confirm.status_code == 404
    assert "aucun de vos téléversements n&#39;a cette empreinte" in confirm.text
    english = client.post(nowhere + "?lang=en", data=form)
    assert "no upload of yours with this hash" in english.text


def test_the_release_and_mapping_forms_name_the_field_in_french(client: TestClient) -> None:
    csrf = _csrf(client.get("/curate/import").text)
    fr = {"Accept-Language": "fr"}
    r = client.post("/releases", data={"csrf_token": csrf, "name": "", "description": "x"}, headers=fr)
    assert r.status_code == 422
    assert "donnez un nom à la version publiée, par exemple after-iscg-2021-09" in r.text
    r = client.post("/releases", data={"csrf_token": csrf, "name": "a/../b", "description": "x"}, headers=fr)
    assert r.status_code == 422 and "le nom &#39;a/../b&#39; n&#39;est pas autorisé" in r.text
    r = client.post("/curate/mapping?lang=fr", data={"csrf_token": csrf, "relation": "likes"})
    assert r.status_code == 422
    assert r.text.count("choisissez un élément dans la liste") == 2
    assert "dites pourquoi : c&#39;est enregistré avec la modification" in r.text
    assert "choisissez une relation : " in r.text


def test_shape_violations_are_worded_per_constraint_in_every_language() -> None:
    class Asking:  # a connection whose interface language the middleware chose
        def __init__(self, language: str) -> None:
            self.scope = {"state": {"ui_lang": language}}

    required = {"message": "an item needs an rdfs:label", "constraint": "MinCountConstraintComponent"}
    rule = {"message": "a mapping's subject and object are of two Sectors",
            "constraint": "SPARQLConstraintComponent"}
    assert shape_message(Asking("en"), required) == "an item needs an rdfs:label"  # type: ignore[arg-type]
    assert shape_message(Asking("fr"), required) == "Une valeur est obligatoire ici."  # type: ignore[arg-type]
    assert shape_message(Asking("fr"), rule) == (  # type: ignore[arg-type]
        "a mapping's subject and object are of two Sectors (en anglais)")
    for language in LANGUAGES:
        if language == "en":
            continue
        for sentence in CONSTRAINTS.values():
            assert gettext(language, sentence) != sentence, (language, sentence)


def test_the_problems_of_a_table_in_french(client: TestClient) -> None:
    csrf = _csrf(client.get("/curate/import").text)
    table = b"ITU-D Question,ITU-R,ITU-T,Notes\nQ99/2,,,\nQ6/2,,=HYPERLINK(1),\nQ6/2,,,again\n"
    r = client.post("/curate/import?lang=fr", data={"csrf_token": csrf, "period_itu_d": "2014-2017"},
                    files={"file": ("t.csv", table, "text/csv")})
    assert r.status_code == 422
    cells = r"<tr><td>[^<]*</td><td>(\d+)</td><td>[^<]*</td><td><bdi>[^<]*</bdi></td><td>([^<]*)</td>"
    rows = re.findall(cells, r.text)
    got = {int(n): html.unescape(m) for n, m in rows}
    assert got[2].startswith("Q99/2 : élément inconnu : aucun Q99/2 de ITU-D pour 2014-2017"), got
    assert got[3] == "ressemble à une formule de tableur : les formules ne sont pas acceptées"
    assert got[4] == "ligne en double : Q6/2 figure déjà à la ligne 3"


def test_the_mapping_record_form_refuses_in_french(client: TestClient) -> None:
    base = "https://w3id.org/iscg/id/"
    q32, q417 = base + "question/itu-d/2018-2021/3-2", base + "question/itu-t/2017-2020/4-17"
    csrf = _csrf(client.get("/curate/mapping").text)
    r = client.post("/curate/mapping", data={"left": q32, "right": q417, "relation": "complementary",
                                             "comment": "ISCG table 2", "csrf_token": csrf},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    inner = client.app.state.store.inner  # type: ignore[attr-defined]
    iri = next(q.subject.value for q in inner.quads_for_pattern(None, None, None, None)
               if "/id/mapping/R" in q.subject.value)
    edit = {"iri": iri, "relation_kind": "Duplicate", "justification": "LexicalMatching",
            "confidence": "Unconfirmed", "status": "Maybe", "comment": "non", "csrf_token": csrf}
    r = client.post("/curate/mapping/edit?lang=fr", data=edit)
    assert r.status_code == 422
    errors = html.unescape(r.text.split('id="status-errors"')[1].split("</span>")[0])
    assert "choisissez l'une des valeurs : " in errors and "Rejected" in errors
    assert "choose one of" not in r.text
    missing = client.get("/curate/mapping/edit", params={"iri": q32, "lang": "fr"})
    assert missing.status_code == 404
    assert "Enregistrement de correspondance introuvable" in missing.text
    assert "n&#39;est pas un enregistrement de correspondance" in missing.text
