"""Local accounts: argon2 password hashes, hashed tokens with role, expiry and revocation."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from iscg_graph.curation.accounts import LocalAccounts
from iscg_graph.errors import AccountError

PW = "a long enough password"


@pytest.fixture
def accounts(tmp_path: Path) -> LocalAccounts:
    return LocalAccounts(tmp_path / "a.sqlite")


def test_password_is_argon2_hashed_and_checked(accounts: LocalAccounts) -> None:
    accounts.add_user("ann", PW, "reviewer")
    with sqlite3.connect(accounts.path) as con:
        [(stored,)] = con.execute("SELECT password_hash FROM users").fetchall()
    assert stored.startswith("$argon2id$") and PW not in stored
    assert accounts.authenticate_password("ann", PW) is not None
    assert accounts.authenticate_password("ann", PW + "x") is None
    assert accounts.authenticate_password("nobody", PW) is None


def test_writing_needs_an_enabled_admin(accounts: LocalAccounts) -> None:
    assert not accounts.writing_enabled()
    accounts.add_user("ed", PW, "editor")
    assert not accounts.writing_enabled()
    accounts.add_user("root", PW, "admin")
    assert accounts.writing_enabled()
    accounts.set_disabled("root", True)
    assert not accounts.writing_enabled()


def test_token_role_never_above_owner(accounts: LocalAccounts) -> None:
    accounts.add_user("ed", PW, "editor")
    with pytest.raises(AccountError, match="higher role"):
        accounts.create_token("ed", role="admin")
    token, info = accounts.create_token("ed", role="reviewer")
    assert info.role == "reviewer"
    assert accounts.authenticate_token(token).role == "reviewer"  # type: ignore[union-attr]
    accounts.set_role("ed", "reader")  # demoting the owner demotes the token
    assert accounts.authenticate_token(token).role == "reader"  # type: ignore[union-attr]
    accounts.set_disabled("ed", True)
    assert accounts.authenticate_token(token) is None


def test_expired_and_forged_tokens_fail(accounts: LocalAccounts) -> None:
    accounts.add_user("ed", PW, "editor")
    token, info = accounts.create_token("ed")
    with sqlite3.connect(accounts.path) as con:
        con.execute("UPDATE tokens SET expires_at = '2000-01-01T00:00:00Z'")
    assert accounts.authenticate_token(token) is None
    assert not accounts.tokens()[0].active
    forged = token[:-4] + "AAAA"
    assert accounts.authenticate_token(forged) is None
    assert accounts.authenticate_token("not a token") is None


def test_production_needs_a_session_secret() -> None:
    from pydantic import ValidationError

    from api.settings import Settings

    with pytest.raises(ValidationError, match="ISCG_SESSION_SECRET"):
        Settings(environment="production")
    assert Settings(environment="production", session_secret="s" * 32).session_secret is not None
