"""`iscg user add`, `iscg token create|revoke|list`: accounts beside the store, tokens printed once."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from iscg_graph.cli.main import app
from iscg_graph.curation.accounts import LocalAccounts, accounts_path

runner = CliRunner()


def test_user_add_token_create_and_revoke(tmp_path: Path) -> None:
    store = tmp_path / "store"
    r = runner.invoke(app, ["user", "add", "alice", "--role", "editor", "--store", str(store)],
                      input="a long enough password\n")
    assert r.exit_code == 0, r.output
    accounts = LocalAccounts(accounts_path(store))
    assert [(u.name, u.role) for u in accounts.users()] == [("alice", "editor")]
    assert accounts.authenticate_password("alice", "a long enough password") is not None

    r = runner.invoke(app, ["token", "create", "alice", "--store", str(store)])
    assert r.exit_code == 0, r.output
    token = r.output.strip()
    assert token.startswith("iscg_") and "\n" not in token  # only the token
    who = accounts.authenticate_token(token)
    assert who is not None and (who.name, who.role, who.via) == ("alice", "editor", "token")
    # stored hashed: the secret is nowhere in the database file
    assert token.split("_", 2)[2].encode() not in accounts_path(store).read_bytes()

    r = runner.invoke(app, ["token", "revoke", token.split("_")[1], "--store", str(store)])
    assert r.exit_code == 0, r.output
    assert accounts.authenticate_token(token) is None
    assert "revoked" in runner.invoke(app, ["token", "list", "--store", str(store)]).output


def test_bad_role_and_short_password_are_refused(tmp_path: Path) -> None:
    store = tmp_path / "store"
    r = runner.invoke(app, ["user", "add", "bob", "--role", "wizard", "--store", str(store)],
                      input="a long enough password\n")
    assert r.exit_code == 1 and "unknown role" in r.output
    r = runner.invoke(app, ["user", "add", "bob", "--store", str(store)], input="short\n")
    assert r.exit_code == 1 and "12 characters" in r.output
