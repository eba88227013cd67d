"""Curated writes on a remote store: two service replicas on one real `oxigraph serve`, and the same
on one real Virtuoso 7 (every test runs on both servers; the module's fixture is parametrised).

A write through replica A is validated as on the embedded store, sent as one guarded update, seen at
once through A and within 10 s through B; a SHACL-invalid one is refused with 422 and the server's
dataset (hashed from a query of every quad) is unchanged; a review decision, the Graph Store
Protocol, `/changes`, revert, the refusals of a shared server's other graphs, and a rebuild with
`iscg build --remote` that keeps the history.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import httpx
import pytest
from liveserver import ServerProcess

from iscg_graph.build.remote_load import load_build
from iscg_graph.curation.accounts import LocalAccounts
from iscg_graph.query.remote import RemoteConfig, RemoteEngine
from iscg_graph.vocab import DEFAULT_BASE

from .conftest import oxigraph_config
from .servers import oxigraph_server, virtuoso_server
from .test_service_on_oxigraph import remote_env

pytestmark = [pytest.mark.server, pytest.mark.slow]

ISCG = str(Path(sys.executable).parent / "iscg")
ID = f"{DEFAULT_BASE}id/"
Q417 = f"{ID}question/itu-t/2017-2020/4-17"
Q32 = f"{ID}question/itu-d/2018-2021/3-2"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SG = "https://w3id.org/iscg/ontology#studyGroup"
SUBJECT = "https://w3id.org/iscg/ontology#subject"
COUNTER = "https://w3id.org/iscg/ontology#lastRegisterNumber"
PASSWORD = "correct horse battery"
REVIEW_TOKEN = "remote-review-token-for-tests"
VIRTUOSO_SYSTEM = ("http://www.openlinksw.com/schemas/virtrdf#", "http://www.w3.org/ns/ldp#",
                   "http://www.w3.org/2002/07/owl#", "http://localhost:8890/")


def start_server(kind: str, folder: Path) -> tuple[ServerProcess, str, RemoteEngine, dict[str, str]]:
    """A real server of ``kind`` loaded with nothing yet: (process, root URL, engine, replica settings)."""
    if kind == "oxigraph":
        server, root = oxigraph_server(folder)
        return server, root, RemoteEngine(oxigraph_config(root)), remote_env(root)
    server, root = virtuoso_server(folder)
    endpoint = f"{root}/sparql"  # Virtuoso: queries and updates on one endpoint
    engine = RemoteEngine(RemoteConfig(endpoint, endpoint, kind="virtuoso", poll_interval=0.0, timeout=120.0))
    return server, root, engine, {"ISCG_REMOTE_QUERY_URL": endpoint, "ISCG_REMOTE_UPDATE_URL": endpoint,
                                  "ISCG_REMOTE_KIND": "virtuoso", "ISCG_REMOTE_POLL_INTERVAL": "0.5"}


@dataclass
class Setup:
    root: str
    env: dict[str, str]  # the ISCG_REMOTE_* settings of a replica on this server
    engine: RemoteEngine
    a: str
    b: str
    editor: str
    admin: str
    folder: Path


def call(base: str, path: str, *, method: str = "GET", body: bytes | None = None,
         headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(base + path, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=120) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def update(base: str, text: str, token: str, comment: str = "") -> tuple[int, bytes]:
    form = urllib.parse.urlencode({"update": text, "comment": comment}).encode()
    return call(base, "/sparql", method="POST", body=form, headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/x-www-form-urlencoded"})


def ask(base: str, query: str) -> bool:
    status, body = call(base, "/sparql?" + urllib.parse.urlencode({"query": query}),
                        headers={"Accept": "application/sparql-results+json"})
    assert status == 200, body[:300]
    return bool(json.loads(body)["boolean"])


def remote_hash(engine: RemoteEngine) -> str:
    """Every quad of the server (all graphs, its bookkeeping included), hashed; on Virtuoso, less
    its own system graphs (its schema, WebDAV and service description, never written by this
    service, and holding blank nodes in a form no SPARQL results parser reads)."""
    skip = " || ".join(f'STRSTARTS(STR(?g), "{prefix}")' for prefix in VIRTUOSO_SYSTEM)
    where = f"GRAPH ?g {{ ?s ?p ?o }} FILTER(!({skip}))" if engine.config.kind == "virtuoso" \
        else "GRAPH ?g { ?s ?p ?o }"
    rows = engine.select(f"SELECT ?g ?s ?p ?o WHERE {{ {where} }}", timeout=300)
    lines = sorted(f"{r['s']} {r['p']} {r['o']} {r['g']}" for r in rows)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


WAIT = 60.0
"""How long a replica may take to show a write before a test fails (seconds; it returns as soon as
it does): the fresh-clone run on 2 shared cores once took over 10 s."""
T = TypeVar("T")


def within(seconds: float, check: Callable[[], bool]) -> float:
    began = time.monotonic()
    while time.monotonic() - began < seconds:
        if check():
            return time.monotonic() - began
        time.sleep(0.2)
    raise AssertionError(f"not seen within {seconds} s")


def once_served(read: Callable[[], T], status: Callable[[T], int]) -> T:
    """``read()`` again until its status is not 503 (a replica's first candidate index loading)."""
    seen: list[T] = []

    def served() -> bool:
        seen[:] = [read()]
        return status(seen[0]) != 503

    within(WAIT, served)
    return seen[0]


@pytest.fixture(scope="module", params=["oxigraph", "virtuoso"])
def setup(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, built_store: Path,
          live_service: Callable[..., str]) -> Iterator[Setup]:
    kind = request.param
    folder = tmp_path_factory.mktemp(f"remote-writes-{kind}")
    server, root, engine, remote = start_server(kind, folder)
    try:
        load_build(Path(os.path.realpath(built_store)), engine, base=DEFAULT_BASE,
                   strategy="transaction" if kind == "oxigraph" else "staged")
        accounts = LocalAccounts(folder / "accounts.sqlite")
        accounts.add_user("admin", PASSWORD, "admin")
        accounts.add_user("ed", PASSWORD, "editor")
        admin, _ = accounts.create_token("admin")
        editor, _ = accounts.create_token("ed")
        env = {**remote, "ISCG_ACCOUNTS_PATH": str(folder / "accounts.sqlite"),
               "ISCG_REVIEW_TOKEN": REVIEW_TOKEN, "ISCG_BUDGET_SECONDS_PER_MINUTE": "0"}
        for name in ("a", "b"):
            (folder / name).mkdir()
        a, b = (live_service(folder / name / "store", **env) for name in ("a", "b"))
        yield Setup(root, remote, engine, a, b, editor, admin, folder)
    finally:
        server.stop()


def test_a_write_through_one_replica_is_seen_through_the_other(setup: Setup) -> None:
    label = "Remote write test label"
    probe = f'ASK {{ <{Q417}> <{LABEL}> "{label}"@fr }}'
    assert not ask(setup.a, probe) and not ask(setup.b, probe)  # both serve (and cache) the old answer
    status, body = update(setup.a, f'INSERT DATA {{ GRAPH <{DEFAULT_BASE}graph/questions> '
                                   f'{{ <{Q417}> <{LABEL}> "{label}"@fr }} }}', setup.editor,
                          "French label, from the remote-write test")
    assert status == 200, body[:500]
    change = json.loads(body)
    assert change["added"] == 1 and change["removed"] == 0
    assert ask(setup.a, probe)  # this replica: at once, past its result cache
    assert setup.engine.select(f"SELECT ?x WHERE {{ GRAPH ?g {{ <{Q417}> <{LABEL}> ?x FILTER(str(?x) = "
                               f'"{label}") }} }}')  # on the server itself
    within(WAIT, lambda: ask(setup.b, probe))  # the other replica, by the store's generation
    for base in (setup.a, setup.b):  # the history, with author and comment, on both
        listed = within(WAIT, lambda base=base: any(  # type: ignore[misc]
            c["id"] == change["change"] for c in _changes(base)))
        assert listed >= 0
        found = next(c for c in _changes(base) if c["id"] == change["change"])
        assert found["author"] == "ed" and found["comment"] == "French label, from the remote-write test"
    page_path = Q417.removeprefix(DEFAULT_BASE.rstrip("/"))
    status, page = call(setup.b, page_path, headers={"Accept": "text/turtle"})
    assert status == 200 and label.encode() in page


def _changes(base: str) -> list[dict[str, object]]:
    status, body = call(base, "/changes", headers={"Accept": "application/json"})
    assert status == 200, body[:300]
    data = json.loads(body)
    return list(data["changes"] if isinstance(data, dict) else data)


def test_an_invalid_update_is_422_and_the_server_is_unchanged(setup: Setup) -> None:
    before = remote_hash(setup.engine)
    status, body = update(setup.a, f"DELETE WHERE {{ GRAPH ?g {{ <{Q32}> <{SG}> ?sg }} }}", setup.editor)
    assert status == 422, body[:500]
    report = json.loads(body)
    assert any(v["focus_node"] == Q32 for v in report["violations"])
    assert remote_hash(setup.engine) == before


def test_a_direct_update_post_and_the_roles(setup: Setup) -> None:
    """``application/sparql-update`` in the body; anonymous callers get 401 and nothing is sent."""
    text = (f'DELETE DATA {{ GRAPH <{DEFAULT_BASE}graph/questions> '
            f'{{ <{Q417}> <{LABEL}> "Remote write test label"@fr }} }}')
    before = remote_hash(setup.engine)
    status, _ = call(setup.b, "/sparql", method="POST", body=text.encode(),
                     headers={"Content-Type": "application/sparql-update"})
    assert status == 401 and remote_hash(setup.engine) == before
    status, body = call(setup.b, "/sparql?comment=direct", method="POST", body=text.encode(), headers={
        "Content-Type": "application/sparql-update", "Authorization": f"Bearer {setup.editor}"})
    assert status == 200, body[:500]
    assert json.loads(body)["removed"] == 1
    probe = f'ASK {{ <{Q417}> <{LABEL}> "Remote write test label"@fr }}'
    assert not ask(setup.b, probe)
    within(WAIT, lambda: not ask(setup.a, probe))
    status, body = update(setup.a, f"LOAD <http://127.0.0.1:9/x.ttl> INTO GRAPH <{DEFAULT_BASE}graph/x>",
                          setup.editor)
    assert status == 403 and b"LOAD" in body


def test_graph_store_protocol_on_the_remote_store(setup: Setup) -> None:
    graph = f"{DEFAULT_BASE}graph/upload/remote-test"
    auth = {"Authorization": f"Bearer {setup.editor}", "Content-Type": "text/turtle"}
    path = "/store?" + urllib.parse.urlencode({"graph": graph})
    turtle = f'<{ID}note/remote-test> <{LABEL}> "a note written through the Graph Store Protocol"@en .'
    status, body = call(setup.a, path, method="PUT", body=turtle.encode(), headers=auth)
    assert status == 201, body[:500]
    more = f'<{ID}note/remote-test> <{LABEL}> "and a second label"@en .'
    assert call(setup.b, path, method="POST", body=more.encode(), headers=auth)[0] in (200, 204)
    rows = setup.engine.select(f"SELECT ?l WHERE {{ GRAPH <{graph}> {{ ?s <{LABEL}> ?l }} }}")
    assert len(rows) == 2  # B wrote on top of A's write (it followed, or its guard made it retry)
    status, got = call(setup.b, path, headers={"Accept": "application/n-triples"})
    assert status == 200 and b"second label" in got
    assert call(setup.a, path, method="DELETE", headers=auth)[0] in (200, 204)
    assert not setup.engine.select(f"SELECT ?s WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    # another graph on the shared server, or its default graph: not this service's to write
    before = remote_hash(setup.engine)
    other = "/store?" + urllib.parse.urlencode({"graph": "http://example.org/not-ours"})
    status, body = call(setup.a, other, method="PUT", body=turtle.encode(), headers=auth)
    assert status == 403 and b"not one of this service's graphs" in body
    status, body = call(setup.a, "/store?default", method="POST", body=turtle.encode(), headers=auth)
    assert status == 403 and b"default graph" in body
    assert remote_hash(setup.engine) == before


def test_a_review_and_its_revert_on_the_remote_store(setup: Setup) -> None:
    body = {"left": Q32, "right": Q417, "decision": "accept", "relation": "overlap",
            "reviewer": "Ana Reviewer", "comment": "Both study securing networks (remote test)."}
    headers = {"Authorization": f"Bearer {REVIEW_TOKEN}", "Content-Type": "application/json"}
    status, answer = call(setup.a, "/api/candidates/review", method="POST", body=json.dumps(body).encode(),
                          headers=headers)
    assert status == 201, answer[:500]
    mapping = json.loads(answer)["mapping"]
    probe = f"ASK {{ GRAPH <{DEFAULT_BASE}graph/reviews> {{ <{mapping}> ?p ?o }} }}"
    assert ask(setup.a, probe)
    within(WAIT, lambda: ask(setup.b, probe))
    review = next(c for c in _changes(setup.a) if c["kind"] == "review")
    assert review["author"] == "Ana Reviewer"
    status, answer = call(setup.b, f"/changes/{review['id']}/revert", method="POST",
                          body=urllib.parse.urlencode({"comment": "undone by the remote test"}).encode(),
                          headers={"Authorization": f"Bearer {setup.admin}",
                                   "Content-Type": "application/x-www-form-urlencoded",
                                   "Accept": "application/json"})
    assert status in (200, 201, 303), answer[:500]
    within(WAIT, lambda: not ask(setup.a, probe) and not ask(setup.b, probe))


def test_two_replicas_never_mint_the_same_register_number(setup: Setup,
                                                          live_service: Callable[..., str]) -> None:
    """Replica C follows the store only once an hour: it decides on a copy older than A's decision,
    so its first attempt (numbered on that copy) is refused by the generation guard and computed
    again, number included, on the new generation: two records, two numbers, one counter."""
    (setup.folder / "mint").mkdir()  # its own folder: another test of this module starts one in "c"
    env = {**setup.env, "ISCG_REVIEW_TOKEN": REVIEW_TOKEN, "ISCG_BUDGET_SECONDS_PER_MINUTE": "0",
           "ISCG_REMOTE_POLL_INTERVAL": "3600"}
    c = live_service(setup.folder / "mint" / "store", **env)
    status, listed = once_served(lambda: call(setup.a, "/api/candidates?kind=question&limit=20"),
                                 lambda answer: answer[0])
    assert status == 200, listed[:300]
    pairs = [(x["left"]["iri"], x["right"]["iri"]) for x in json.loads(listed)["candidates"]][-2:]
    assert len(pairs) == 2
    headers = {"Authorization": f"Bearer {REVIEW_TOKEN}", "Content-Type": "application/json"}
    minted = []
    for replica, (left, right) in zip((setup.a, c), pairs, strict=True):
        body = {"left": left, "right": right, "decision": "reject", "reviewer": "Rita Replica"}
        status, answer = call(replica, "/api/candidates/review", method="POST",
                              body=json.dumps(body).encode(), headers=headers)
        assert status == 201, answer[:500]
        minted.append(json.loads(answer)["mapping"])
    assert minted[0] != minted[1]
    reviews = f"{DEFAULT_BASE}graph/reviews"
    rows = setup.engine.select(f"SELECT ?m ?s WHERE {{ GRAPH <{reviews}> {{ ?m <{SUBJECT}> ?s "
                               f"VALUES ?m {{ <{minted[0]}> <{minted[1]}> }} }} }}")
    assert sorted(r["m"].value for r in rows) == sorted(minted)  # one item pair each, not merged
    counter = setup.engine.select(f"SELECT ?n WHERE {{ GRAPH <{reviews}> {{ <{reviews}> <{COUNTER}> ?n }} }}")
    assert [int(r["n"].value) for r in counter] == [int(minted[1].rsplit("R", 1)[1])]


def _text(html: str) -> str:
    """A page's main text (what a failed form says), for an assertion message."""
    main = html.partition("<main")[2] or html
    return " ".join(re.sub(r"<[^>]+>", " ", main).split())[:1500]


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, html[:300]
    return found.group(1)


def test_the_web_forms_on_the_remote_store(setup: Setup) -> None:
    """An editor logs in on replica A, edits a title and decides on two candidates at once."""
    q = f"{ID}question/itu-t/2017-2020/5-17"
    with httpx.Client(base_url=setup.a, timeout=120) as client:
        login = client.get("/login")
        r = client.post("/login", data={"name": "ed", "password": PASSWORD, "csrf_token": _csrf(login.text),
                                         "next": "/account"})
        assert r.status_code == 303, r.text[:300]
        form = client.get("/curate/item", params={"iri": q})
        assert form.status_code == 200
        r = client.post("/curate/item", data={"iri": q, "action": "title", "title": "Title edited remotely",
                                              "comment": "remote form test", "csrf_token": _csrf(form.text)})
        assert r.status_code == 303, r.text[:500]
        # the edit moved the store to a new generation, whose candidate index loads in the background
        # while the previous one answers (api/candidate_index.py); 503 only before a replica's first
        report = once_served(lambda: client.get("/reports/candidates", params={"kind": "question"}),
                             lambda response: response.status_code)
        assert report.status_code == 200, _text(report.text)
        pairs = re.findall(r'name="pair" value="([^"]+)"', report.text)
        assert len(pairs) >= 2, _text(report.text)
        r = client.post("/curate/candidates", data={
            "pair": pairs[:2], "decision": "reject", "comment": "not the same work (remote test)",
            "csrf_token": _csrf(report.text), "next": "/reports/candidates?kind=question"})
        assert r.status_code == 303, _text(r.text)

        def gone() -> bool:
            after = client.get("/reports/candidates", params={"kind": "question"})
            return after.status_code == 200 and not set(pairs[:2]) & set(
                re.findall(r'name="pair" value="([^"]+)"', after.text))

        within(WAIT, gone)
    page = q.removeprefix(DEFAULT_BASE.rstrip("/"))
    for base in (setup.a, setup.b):
        within(WAIT, lambda base=base: b"Title edited remotely" in call(  # type: ignore[misc]
            base, page, headers={"Accept": "text/turtle"})[1])
    kinds = [c["kind"] for c in _changes(setup.a)[:3]]
    assert kinds == ["review", "review", "form"]


def test_history_survives_a_rebuild_with_iscg_build_remote(setup: Setup) -> None:
    label = "Kept across a remote rebuild"
    status, body = update(setup.b, f'INSERT DATA {{ GRAPH <{DEFAULT_BASE}graph/questions> '
                                   f'{{ <{Q32}> <{LABEL}> "{label}"@es }} }}', setup.editor, "kept")
    assert status == 200, body[:500]
    number = json.loads(body)["change"]
    env = {**setup.env, "PATH": str(Path(sys.executable).parent), "HOME": str(setup.folder)}
    done = subprocess.run([ISCG, "build", "--store", str(setup.folder / "rebuilt" / "store"), "--remote"],
                          capture_output=True, text=True, env=env, timeout=600, check=False)
    assert done.returncode == 0, done.stderr + done.stdout
    assert "replayed" in done.stdout, done.stdout
    probe = f'ASK {{ <{Q32}> <{LABEL}> "{label}"@es }}'
    assert setup.engine.select(f"SELECT ?c WHERE {{ GRAPH <{DEFAULT_BASE}graph/changes> "
                               f"{{ ?c ?p ?o FILTER(?c = <{ID}change/{number}>) }} }}")
    for base in (setup.a, setup.b):
        within(WAIT, lambda base=base: ask(base, probe) and any(  # type: ignore[misc]
            c["id"] == number for c in _changes(base)))


def test_no_update_endpoint_refuses_writes(setup: Setup, live_service: Callable[..., str]) -> None:
    (setup.folder / "c").mkdir()
    env = {"ISCG_REMOTE_QUERY_URL": setup.env["ISCG_REMOTE_QUERY_URL"],
           "ISCG_REMOTE_KIND": setup.env["ISCG_REMOTE_KIND"],
           "ISCG_ACCOUNTS_PATH": str(setup.folder / "accounts.sqlite")}
    c = live_service(setup.folder / "c" / "store", **env)
    before = remote_hash(setup.engine)
    status, body = update(c, f'INSERT DATA {{ GRAPH <{DEFAULT_BASE}graph/questions> '
                             f'{{ <{Q32}> <{LABEL}> "x"@de }} }}', setup.editor)
    assert status == 403 and b"ISCG_REMOTE_UPDATE_URL" in body
    assert remote_hash(setup.engine) == before
