"""The release form on /releases: editors only, with CSRF; it creates exactly what `iscg release
create` creates; a duplicate name is a 409 saying so, a bad name or date a 422 naming the field."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from release_data import make_build, nquads
from typer.testing import CliRunner

from api.main import create_app
from api.settings import Settings
from iscg_graph.build.release_diff import canonical_quads
from iscg_graph.build.releases import list_releases, releases_dir
from iscg_graph.cli.main import app as cli
from iscg_graph.curation.accounts import LocalAccounts

PW = "correct horse battery"


@pytest.fixture()
def site(tmp_path: Path) -> Iterator[tuple[TestClient, Path]]:
    link = tmp_path / "var" / "store"
    make_build(link, 1, nquads())
    accounts = LocalAccounts(tmp_path / "accounts.sqlite")
    accounts.add_user("admin", "admin password 12", "admin")
    accounts.add_user("erin", PW, "editor")
    accounts.add_user("rita", PW, "reviewer")
    settings = Settings(environment="test", store_path=link, query_workers=1, reload_interval=0,
                        accounts_path=tmp_path / "accounts.sqlite")
    with TestClient(create_app(settings), base_url="https://testserver") as client:
        yield client, link


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]


def _login(client: TestClient, name: str) -> str:
    form = {"name": name, "password": PW, "csrf_token": _csrf(client.get("/login").text), "next": "/releases"}
    assert client.post("/login", data=form, follow_redirects=False).status_code == 303
    return _csrf(client.get("/account").text)


def test_an_editor_publishes_what_the_command_would(site: tuple[TestClient, Path], tmp_path: Path) -> None:
    client, link = site
    assert "Publish the release" not in client.get("/releases").text  # not signed in: no form
    anonymous = client.post("/releases", data={"name": "r1", "description": "x"})
    assert anonymous.status_code == 401 and list_releases(releases_dir(link)) == []
    csrf = _login(client, "erin")
    assert "Publish the release" in client.get("/releases").text
    assert client.post("/releases", data={"name": "r1", "description": "x"}).status_code == 403  # no CSRF
    form = {"name": "after-iscg-2021-09", "date": "2021-09-01",
            "description": "After ISCG meeting, 1 September 2021", "csrf_token": csrf}
    made = client.post("/releases", data=form, follow_redirects=False)
    assert made.status_code == 303 and made.headers["location"] == "/releases/after-iscg-2021-09"
    assert "After ISCG meeting, 1 September 2021" in client.get("/releases/after-iscg-2021-09").text
    # the command, on a copy of the same build, makes the same release (but for its creation time)
    other = tmp_path / "cli-releases"
    got = CliRunner().invoke(cli, ["release", "create", "after-iscg-2021-09", "--title",
                                   "After ISCG meeting, 1 September 2021", "--date", "2021-09-01",
                                   "--store", str(link), "--releases", str(other)])
    assert got.exit_code == 0, got.output
    web, cmd = releases_dir(link) / "after-iscg-2021-09", other / "after-iscg-2021-09"
    assert sorted(p.relative_to(web).as_posix() for p in web.rglob("*")) == sorted(
        p.relative_to(cmd).as_posix() for p in cmd.rglob("*"))
    # the same data (blank nodes get fresh labels in every snapshot)
    snapshots = [canonical_quads((d / "snapshot.nq").read_bytes()) for d in (web, cmd)]
    assert snapshots[0] == snapshots[1]
    a, b = (json.loads((d / "release.json").read_text()) for d in (web, cmd))
    assert {k: v for k, v in a.items() if k != "created"} == {k: v for k, v in b.items() if k != "created"}

    twice = client.post("/releases", data=form)
    assert twice.status_code == 409 and "already exists" in twice.text
    bad_name = client.post("/releases", data={**form, "name": "../etc"})
    assert bad_name.status_code == 422 and "is not allowed" in bad_name.text
    bad_date = client.post("/releases", data={**form, "name": "r2", "date": "1 Sept 2021"})
    assert bad_date.status_code == 422 and "not an ISO date" in bad_date.text
    assert client.post("/releases", data={**form, "name": "r3", "description": " "}).status_code == 422
    assert [r.name for r in list_releases(releases_dir(link))] == ["after-iscg-2021-09"]


def test_reviewers_cannot_publish(site: tuple[TestClient, Path]) -> None:
    client, link = site
    csrf = _login(client, "rita")
    assert "Publish the release" not in client.get("/releases").text
    refused = client.post("/releases", data={"name": "r1", "description": "x", "csrf_token": csrf})
    assert refused.status_code == 403 and list_releases(releases_dir(link)) == []
