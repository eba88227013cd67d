"""`iscg user …`, `iscg token …`, `iscg history IRI`, `iscg changes revert N`: curation on the
command line. Registered on the main `iscg` app by `iscg_graph.cli` (this module prints, like cli.py).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from ..curation.accounts import ROLES, LocalAccounts, accounts_path
from ..errors import ISCGError

out = Console()
err = Console(stderr=True)

DEFAULT_STORE = Path("var/store")
StoreOption = Annotated[Path, typer.Option("--store", help="Store link (accounts live beside it).")]

users = typer.Typer(help="Accounts of the curation service (reader, reviewer, editor, admin).",
                    no_args_is_help=True)
tokens = typer.Typer(help="API tokens (Authorization: Bearer) for other systems.", no_args_is_help=True)


def _accounts(store: Path) -> LocalAccounts:
    return LocalAccounts(accounts_path(store))


def _fail(exc: ISCGError) -> None:
    err.print(f"[red]{exc}[/red]")
    raise typer.Exit(1)


def _password(stdin: bool) -> str:
    if stdin or not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = typer.prompt("password", hide_input=True)
    if typer.prompt("again", hide_input=True) != first:
        err.print("[red]the two passwords differ[/red]")
        raise typer.Exit(1)
    return str(first)


@users.command("add")
def user_add(
    name: str,
    role: Annotated[str, typer.Option("--role", help="One of " + ", ".join(ROLES))] = "reader",
    store: StoreOption = DEFAULT_STORE,
    password_stdin: Annotated[bool, typer.Option("--password-stdin",
                                                 help="Read the password from stdin.")] = False,
) -> None:
    """Add an account; the password comes from a prompt (or the first line of stdin)."""
    try:
        info = _accounts(store).add_user(name, _password(password_stdin), role)
    except ISCGError as exc:
        _fail(exc)
    out.print(f"added {info.name} ({info.role})")


@users.command("role")
def user_role(name: str, role: str, store: StoreOption = DEFAULT_STORE) -> None:
    """Change an account's role."""
    try:
        _accounts(store).set_role(name, role)
    except ISCGError as exc:
        _fail(exc)
    out.print(f"{name} is now {role}")


@users.command("disable")
def user_disable(name: str, store: StoreOption = DEFAULT_STORE) -> None:
    """Disable an account (its sessions and tokens stop working at once)."""
    try:
        _accounts(store).set_disabled(name, True)
    except ISCGError as exc:
        _fail(exc)
    out.print(f"{name} is disabled")


@users.command("list")
def user_list(store: StoreOption = DEFAULT_STORE) -> None:
    """The accounts."""
    t = Table("name", "role", "created", "disabled")
    for u in _accounts(store).users():
        t.add_row(u.name, u.role, u.created_at, "yes" if u.disabled else "")
    out.print(t)


@tokens.command("create")
def token_create(
    name: str,
    role: Annotated[str | None, typer.Option("--role", help="At most the owner's role (default).")] = None,
    days: Annotated[int, typer.Option("--days", help="Days until it expires.")] = 90,
    label: Annotated[str, typer.Option("--label", help="What the token is for.")] = "",
    store: StoreOption = DEFAULT_STORE,
) -> None:
    """Create a token for account NAME and print it (only the token, only this once)."""
    try:
        secret, _ = _accounts(store).create_token(name, role=role, days=days, label=label)
    except ISCGError as exc:
        _fail(exc)
    print(secret)  # plain: scripts capture it


@tokens.command("revoke")
def token_revoke(token_or_id: str, store: StoreOption = DEFAULT_STORE) -> None:
    """Revoke a token, given by its id (see `iscg token list`) or the token itself."""
    try:
        info = _accounts(store).revoke_token(token_or_id)
    except ISCGError as exc:
        _fail(exc)
    out.print(f"token {info.id} of {info.user} revoked")


@tokens.command("list")
def token_list(store: StoreOption = DEFAULT_STORE) -> None:
    """Tokens (ids, owners, roles, expiry; never the secrets)."""
    t = Table("id", "user", "role", "label", "expires", "state")
    for tok in _accounts(store).tokens():
        state = "revoked" if tok.revoked_at else ("active" if tok.active else "expired")
        t.add_row(tok.id, tok.user, tok.role, tok.label, tok.expires_at, state)
    out.print(t)


def history(iri: str, store: StoreOption = DEFAULT_STORE) -> None:
    """The recorded changes that touched IRI, newest first (who, when, why, what)."""
    from ..curation.history import changes_about
    from ..rdf.store import EmbeddedStore

    try:
        snapshot = EmbeddedStore.open_snapshot(store)
    except ISCGError as exc:
        _fail(exc)
    found = changes_about(snapshot.inner, iri)
    if not found:
        out.print(f"no recorded change touched {iri}")
        return
    t = Table("change", "when", "who", "kind", "why", "+", "-")
    for c in found:
        t.add_row(str(c.number), c.at, c.author, c.kind, c.comment, str(c.added), str(c.removed))
    out.print(t)


def register(app: typer.Typer) -> None:
    app.add_typer(users, name="user")
    app.add_typer(tokens, name="token")
    app.command("history")(history)
    app.command("export")(export)


def export(
    store: StoreOption = DEFAULT_STORE,
    data: Annotated[Path, typer.Option("--data", help="Folder of source tables to write into.")] = Path(
        "data"),
) -> None:
    """Write curated changes back as rows of the tables in data/ (what fits a cell; the rest is listed)."""
    from ..build.tables import load_tables
    from ..curation.export import export_changes
    from ..rdf.store import EmbeddedStore

    try:
        snapshot = EmbeddedStore.open_snapshot(store)
    except ISCGError as exc:
        _fail(exc)
    report = export_changes(snapshot.inner, data, lambda: load_tables(data).keys)
    for where, iri in report.written:
        out.print(f"wrote {where}  ({iri})")
    out.print(f"{len(report.written)} cell(s) written, {report.unchanged} already up to date")
    for table in report.tables:
        out.print(f"rewrote data/{table} (review decisions, mappings, theme links, retirements)")
    if report.not_exportable:
        err.print(f"[yellow]{len(report.not_exportable)} statement(s) fit no table cell; they stay in the "
                  "journal and are replayed on every build:[/yellow]")
        for number, what in report.not_exportable[:50]:
            err.print(f"  change {number}: {what[:200]}")
