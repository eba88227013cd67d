"""No dead links within the dataset: every IRI under the public base that occurs anywhere in the
real data (subject, predicate, object or graph name) dereferences on this service.

The store is the one `iscg build` makes from data/ (the session fixture `built_store`), served by
the real app with its lifespan (so `/sparql`, which the data names as the SPARQL endpoint, is up).
Fragment IRIs (`…/ontology#Question`, `…/dataset#sparql`) dereference to their document.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import Settings

BASE = "https://w3id.org/iscg/"


@pytest.fixture(scope="module")
def client(built_store: Path) -> Iterator[TestClient]:
    app = create_app(Settings(store_path=built_store, environment="test", query_workers=1))
    with TestClient(app) as c:
        yield c


def iris_in_data(client: TestClient) -> set[str]:
    store = client.app.state.store  # type: ignore[attr-defined]
    found: set[str] = set()
    for q in store.quads(None, None, None, None):
        for term in (q.subject, q.predicate, q.object, q.graph_name):
            if isinstance(term, ox.NamedNode) and term.value.startswith(BASE):
                found.add(term.value)
    return found


def test_every_iri_in_the_data_dereferences(client: TestClient) -> None:
    iris = iris_in_data(client)
    documents = sorted({"/" + iri[len(BASE) :].split("#", 1)[0] for iri in iris})
    kinds = {d.split("/")[1] for d in documents if d.count("/") >= 1}
    # the real data names resources of many kinds; a tiny count means the build found nothing
    assert len(iris) > 1000, f"only {len(iris)} IRIs under the base in the built store"
    assert {"id", "ontology", "graph", "dataset", "dumps"} <= kinds, kinds
    dead = []
    for path in documents:
        r = client.get(path, headers={"Accept": "application/n-triples, */*;q=0.1"})
        if r.status_code != 200:
            dead.append(f"{r.status_code} {path}")
    assert not dead, f"{len(dead)} of {len(documents)} documents do not dereference: {dead[:20]}"


def test_every_resource_page_has_a_label_heading(client: TestClient) -> None:
    """Each `/id/…` page renders, and its heading is a label, not the IRI itself."""
    iris = sorted(i for i in iris_in_data(client) if i.startswith(BASE + "id/"))
    assert len(iris) > 1000
    bare = []
    for iri in iris[::10]:  # every tenth resource: all kinds, a bounded run time
        r = client.get("/" + iri[len(BASE) :], headers={"Accept": "text/html"})
        assert r.status_code == 200, iri
        heading = r.text.split("<h1", 1)[1].split("</h1>", 1)[0]
        if BASE in heading:
            bare.append(iri)
    assert not bare, f"pages titled with a bare IRI: {bare[:10]}"


FORMATS = {
    "text/html": None,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}


def test_every_kind_of_real_resource_in_every_format(client: TestClient) -> None:
    """One resource of each `id/<kind>/` in the real data, negotiated in all five formats."""
    first: dict[str, str] = {}
    for iri in sorted(i for i in iris_in_data(client) if i.startswith(BASE + "id/")):
        first.setdefault(iri[len(BASE) :].split("/")[1], iri)
    expected = {
        "sector",
        "study-period",
        "study-group",
        "question",
        "conference",
        "resolution",
        "body",
        "scheme",
        "theme",
        "mapping",
        "document",
    }
    assert expected <= set(first), sorted(set(first))
    for kind, iri in sorted(first.items()):
        path = "/" + iri[len(BASE) :]
        for media_type, fmt in FORMATS.items():
            r = client.get(path, headers={"Accept": media_type})
            assert r.status_code == 200, (kind, media_type)
            assert r.headers["content-type"].split(";")[0] == media_type, (kind, media_type)
            if fmt is not None:
                subjects = {q.subject for q in ox.parse(r.content, format=fmt)}
                assert ox.NamedNode(iri) in subjects, (kind, media_type)


def test_every_referenced_resource_is_described(client: TestClient) -> None:
    """A link to `{base}id/…` leads to a description, not only to the statements pointing at it."""
    store = client.app.state.store  # type: ignore[attr-defined]
    described = {
        q.subject.value for q in store.quads(None, None, None, None) if isinstance(q.subject, ox.NamedNode)
    }
    referenced = {
        q.object.value
        for q in store.quads(None, None, None, None)
        if isinstance(q.object, ox.NamedNode) and q.object.value.startswith(BASE + "id/")
    }
    assert len(referenced) > 500
    assert sorted(referenced - described) == []
