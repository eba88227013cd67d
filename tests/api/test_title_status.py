"""A Question (or study group, Resolution) without a confirmed title: its page says so in its own voice.

The store is the shared linked-data fixture plus one ITU-R Question that has a number and no
dct:title (the data leave a title out until a source shows the ITU's wording).
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from ld_fixture import BASE, load_fixture_store

from api.main import create_app
from api.settings import Settings

UNTITLED = "/id/question/itu-r/2023-2027/225-1"
HTML = {"Accept": "text/html"}


def _untitled_question() -> list[ox.Quad]:
    s = ox.NamedNode(BASE + UNTITLED.lstrip("/"))
    g = ox.NamedNode(BASE + "graph/questions")
    iscg = BASE + "ontology#"

    def q(p: str, o: ox.NamedNode | ox.Literal) -> ox.Quad:
        return ox.Quad(s, ox.NamedNode(p), o, g)

    return [
        q("http://www.w3.org/1999/02/22-rdf-syntax-ns#type", ox.NamedNode(iscg + "Question")),
        q(
            "http://www.w3.org/2000/01/rdf-schema#label",
            ox.Literal("Question ITU-R 225/1 (2023-2027)", language="en"),
        ),
        q("http://www.w3.org/2004/02/skos/core#notation", ox.Literal("225/1")),
        q(iscg + "questionNumber", ox.Literal("225")),
    ]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    store = load_fixture_store(Path(tmp_path_factory.mktemp("untitled")))
    store.inner.extend(_untitled_question())
    assert store.path is not None
    app = create_app(Settings(store_path=store.path, environment="test"))
    app.state.store = store
    return TestClient(app)


def test_untitled_question_page_says_title_not_confirmed(client: TestClient) -> None:
    r = client.get(UNTITLED, headers=HTML)
    assert r.status_code == 200
    assert ">Question ITU-R 225/1 (2023-2027)</h1>" in r.text
    assert "Title not confirmed." in r.text


def test_titled_question_page_has_no_such_note(client: TestClient) -> None:
    r = client.get("/id/question/itu-t/2017-2020/4-17", headers=HTML)
    assert r.status_code == 200
    assert "Title not confirmed" not in r.text


def test_untitled_resource_of_another_kind_gets_no_note(client: TestClient) -> None:
    r = client.get("/id/theme/iscg-areas/1.1", headers=HTML)
    assert r.status_code == 200
    assert "Title not confirmed" not in r.text
