"""Accounts, roles and API tokens in an embedded SQLite database beside the store.

Roles, each including the ones before it: ``reader`` (everyone, also anonymous), ``reviewer``
(decides on candidate overlaps), ``editor`` (changes data), ``admin`` (manages accounts).
Passwords are hashed with argon2id (argon2-cffi); API tokens are random 256-bit secrets shown once
and stored as their SHA-256 (a token is not a password: it has full entropy, so a fast hash suffices
and lookups stay O(1)), each with a role no higher than its owner's, an expiry, and revocable.

`Authenticator` is the one small interface the service depends on: `LocalAccounts` implements it
here; a single sign-on (OIDC) implementation can replace it without touching the routes.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..errors import AccountError

__all__ = [
    "ANONYMOUS",
    "Authenticator",
    "LocalAccounts",
    "Principal",
    "ROLES",
    "TokenInfo",
    "UserInfo",
    "accounts_path",
    "role_at_least",
]

ROLES = ("reader", "reviewer", "editor", "admin")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
_TOKEN = re.compile(r"^iscg_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS tokens (
    id TEXT PRIMARY KEY,
    user_name TEXT NOT NULL REFERENCES users(name),
    secret_sha256 TEXT NOT NULL,
    role TEXT NOT NULL,
    label TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT
);
"""


def role_at_least(role: str, needed: str) -> bool:
    return ROLES.index(role) >= ROLES.index(needed)


@dataclass(frozen=True)
class Principal:
    """Who is asking: a name, a role and how they proved it (``anonymous``, ``password``, ``token``)."""

    name: str
    role: str
    via: str = "anonymous"

    @property
    def authenticated(self) -> bool:
        return self.via != "anonymous"

    def can(self, needed: str) -> bool:
        return role_at_least(self.role, needed)


ANONYMOUS = Principal("anonymous", "reader", "anonymous")


@dataclass(frozen=True)
class UserInfo:
    name: str
    role: str
    created_at: str
    disabled: bool


@dataclass(frozen=True)
class TokenInfo:
    id: str
    user: str
    role: str
    label: str
    created_at: str
    expires_at: str
    revoked_at: str | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None and self.expires_at > _now()


class Authenticator(Protocol):
    """What the service asks of an identity provider."""

    def authenticate_password(self, name: str, password: str) -> Principal | None: ...

    def authenticate_token(self, token: str) -> Principal | None: ...

    def principal(self, name: str) -> Principal | None:
        """The current role of a known, enabled account (sessions are re-checked on each request)."""
        ...

    def writing_enabled(self) -> bool:
        """Writes need at least one admin account."""
        ...


def accounts_path(store_path: Path) -> Path:
    """``var/store`` -> ``var/store.accounts.sqlite``: beside the store link, so rebuilds keep it."""
    return store_path.with_name(store_path.name + ".accounts.sqlite")


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}: one of {', '.join(ROLES)}")
    return role


class LocalAccounts:
    """Local accounts and tokens in one SQLite file (created on first use)."""

    def __init__(self, path: Path, *, hasher: PasswordHasher | None = None):
        self.path = Path(path)
        self._hasher = hasher or PasswordHasher()
        # a fixed hash to verify against when the user does not exist: the same work either way
        self._dummy = self._hasher.hash(secrets.token_urlsafe(16))

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        try:
            con.execute("PRAGMA journal_mode=WAL")
            con.executescript(_SCHEMA)
            yield con
        finally:
            con.close()

    # -- users -----------------------------------------------------------------------------------
    def add_user(self, name: str, password: str, role: str = "reader") -> UserInfo:
        if not _NAME.match(name):
            raise AccountError("a user name is 1-64 letters, digits, '.', '_', '@' or '-'")
        _check_role(role)
        if len(password) < 12:
            raise AccountError("a password needs at least 12 characters")
        created = _now()
        with self._db() as con:
            try:
                con.execute("INSERT INTO users VALUES (?, ?, ?, ?, 0)",
                            (name, role, self._hasher.hash(password), created))
            except sqlite3.IntegrityError as exc:
                raise AccountError(f"user {name!r} already exists") from exc
        return UserInfo(name, role, created, False)

    def set_role(self, name: str, role: str) -> None:
        _check_role(role)
        with self._db() as con:
            if con.execute("UPDATE users SET role = ? WHERE name = ?", (role, name)).rowcount == 0:
                raise AccountError(f"no user {name!r}")

    def set_disabled(self, name: str, disabled: bool) -> None:
        with self._db() as con:
            done = con.execute("UPDATE users SET disabled = ? WHERE name = ?", (int(disabled), name)).rowcount
            if done == 0:
                raise AccountError(f"no user {name!r}")

    def set_password(self, name: str, password: str) -> None:
        if len(password) < 12:
            raise AccountError("a password needs at least 12 characters")
        with self._db() as con:
            done = con.execute("UPDATE users SET password_hash = ? WHERE name = ?",
                               (self._hasher.hash(password), name)).rowcount
            if done == 0:
                raise AccountError(f"no user {name!r}")

    def users(self) -> list[UserInfo]:
        with self._db() as con:
            rows = con.execute("SELECT name, role, created_at, disabled FROM users ORDER BY name").fetchall()
        return [UserInfo(r[0], r[1], r[2], bool(r[3])) for r in rows]

    def user(self, name: str) -> UserInfo | None:
        return next((u for u in self.users() if u.name == name), None)

    # -- tokens ----------------------------------------------------------------------------------
    def create_token(self, user: str, *, role: str | None = None, days: int = 90,
                     label: str = "") -> tuple[str, TokenInfo]:
        """A new token for ``user``: (the secret, shown once; its record). Role defaults to the
        user's and may not exceed it."""
        owner = self.user(user)
        if owner is None or owner.disabled:
            raise AccountError(f"no enabled user {user!r}")
        role = _check_role(role or owner.role)
        if not role_at_least(owner.role, role):
            raise AccountError(f"a token cannot have a higher role ({role}) than its owner ({owner.role})")
        if not 1 <= days <= 3650:
            raise AccountError("a token expires after 1 to 3650 days")
        token_id = secrets.token_hex(6)
        secret = secrets.token_urlsafe(32)
        created = datetime.now(UTC)
        info = TokenInfo(token_id, user, role, label[:200], created.strftime("%Y-%m-%dT%H:%M:%SZ"),
                         (created + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ"), None)
        with self._db() as con:
            con.execute("INSERT INTO tokens VALUES (?, ?, ?, ?, ?, ?, ?, NULL)",
                        (token_id, user, _sha256(secret), role, info.label, info.created_at,
                         info.expires_at))
        return f"iscg_{token_id}_{secret}", info

    def revoke_token(self, token_or_id: str) -> TokenInfo:
        """Revoke by id (as listed) or by the token itself."""
        m = _TOKEN.match(token_or_id)
        token_id = m.group(1) if m else token_or_id
        with self._db() as con:
            done = con.execute("UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                               (_now(), token_id)).rowcount
        found = next((t for t in self.tokens() if t.id == token_id), None)
        if found is None:
            raise AccountError(f"no token {token_id!r}")
        if done == 0 and found.revoked_at is None:  # pragma: no cover - race
            raise AccountError(f"token {token_id!r} was not revoked")
        return found

    def tokens(self, user: str | None = None) -> list[TokenInfo]:
        sql = "SELECT id, user_name, role, label, created_at, expires_at, revoked_at FROM tokens"
        args: tuple[str, ...] = ()
        if user is not None:
            sql += " WHERE user_name = ?"
            args = (user,)
        with self._db() as con:
            rows = con.execute(sql + " ORDER BY created_at, id", args).fetchall()
        return [TokenInfo(*r) for r in rows]

    # -- Authenticator ---------------------------------------------------------------------------
    def authenticate_password(self, name: str, password: str) -> Principal | None:
        with self._db() as con:
            row = con.execute("SELECT role, password_hash, disabled FROM users WHERE name = ?",
                              (name,)).fetchone()
        stored = row[1] if row else self._dummy
        try:
            self._hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return None
        if row is None or row[2]:
            return None
        if self._hasher.check_needs_rehash(stored):
            self.set_password(name, password)
        return Principal(name, row[0], "password")

    def authenticate_token(self, token: str) -> Principal | None:
        m = _TOKEN.match(token)
        if not m:
            return None
        with self._db() as con:
            row = con.execute(
                "SELECT t.secret_sha256, t.role, t.expires_at, t.revoked_at, u.role, u.disabled, u.name "
                "FROM tokens t JOIN users u ON u.name = t.user_name WHERE t.id = ?", (m.group(1),)
            ).fetchone()
        if row is None or not secrets.compare_digest(row[0], _sha256(m.group(2))):
            return None
        if row[3] is not None or row[2] <= _now() or row[5]:
            return None
        # never more than the owner has now (a demoted owner demotes their tokens)
        role = row[1] if role_at_least(row[4], row[1]) else row[4]
        return Principal(row[6], role, "token")

    def principal(self, name: str) -> Principal | None:
        info = self.user(name)
        if info is None or info.disabled:
            return None
        return Principal(info.name, info.role, "password")

    def writing_enabled(self) -> bool:
        if not self.path.exists():
            return False
        with self._db() as con:
            row = con.execute("SELECT 1 FROM users WHERE role = 'admin' AND disabled = 0").fetchone()
            return row is not None


def _sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()
