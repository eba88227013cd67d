"""Log in / out, "my account" (own tokens), and the admin page for accounts and tokens.

Every form carries a CSRF token: the session's for signed-in pages; for the log-in form (no session
yet) a random value in a short-lived cookie that the form must repeat (double submit).
"""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from iscg_graph.curation.accounts import ROLES, LocalAccounts
from iscg_graph.errors import AccountError

from ..auth import (
    WriteDenied,
    authenticator,
    check_csrf,
    csrf_token,
    end_session,
    principal,
    raise_http,
    require,
    start_session,
)
from ..templating import templates

router = APIRouter(tags=["accounts"])
LOGIN_CSRF = "iscg_login_csrf"


def _local(request: Request) -> LocalAccounts:
    auth = authenticator(request)
    if not isinstance(auth, LocalAccounts):
        raise HTTPException(404, "accounts are managed by the single sign-on provider")
    return auth


def _safe_next(target: str | None) -> str:
    """Only a local path: never an open redirect."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/account"
    return target


def _page(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    context = {"who": principal(request), "csrf": csrf_token(request), **context}
    return templates.TemplateResponse(request, name, context, status_code=status)


@router.get("/login", response_class=HTMLResponse,
             include_in_schema=False, summary="Log-in form")
def login_form(request: Request, next: str | None = None, error: str | None = None) -> Response:
    token = secrets.token_urlsafe(24)
    response = _page(request, "curation/login.html", {"login_csrf": token, "next": _safe_next(next),
                                                      "error": error}, 401 if error else 200)
    response.set_cookie(LOGIN_CSRF, token, max_age=1800, httponly=True, samesite="strict", path="/login")
    return response


@router.post("/login", response_class=HTMLResponse,
             include_in_schema=False, summary="Log in (form)")
def login(request: Request, name: Annotated[str, Form(max_length=64)],
          password: Annotated[str, Form(max_length=1024)], csrf_token: Annotated[str, Form()] = "",
          next: Annotated[str, Form()] = "/account") -> Response:
    expected = request.cookies.get(LOGIN_CSRF, "")
    if not expected or not secrets.compare_digest(expected, csrf_token):
        raise HTTPException(403, "the log-in form's CSRF token is missing or does not match; reload the page")
    who = authenticator(request).authenticate_password(name, password)
    if who is None:
        return login_form(request, next, "unknown name or wrong password")
    response = RedirectResponse(_safe_next(next), status_code=303)
    start_session(request, response, who)
    response.delete_cookie(LOGIN_CSRF, path="/login")
    return response


@router.post("/logout", include_in_schema=False, summary="Log out (form)")
def logout(request: Request, csrf_token: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf_token)
    response = RedirectResponse("/", status_code=303)
    end_session(response)
    return response


def _signed_in(request: Request, role: str = "reader") -> Any:
    try:
        return require(request, role)
    except WriteDenied as exc:
        if exc.status == 401 and request.method == "GET":
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        raise raise_http(exc) from exc


@router.get("/account", response_class=HTMLResponse,
             include_in_schema=False, summary="My account and my tokens")
def account(request: Request) -> Response:
    who = _signed_in(request)
    if isinstance(who, Response):
        return who
    return _page(request, "curation/account.html", {"tokens": _local(request).tokens(who.name)})


@router.post("/account/tokens", response_class=HTMLResponse,
             include_in_schema=False, summary="Create one of my tokens (shown once)")
def create_my_token(request: Request, csrf_token: Annotated[str, Form()] = "",
                    label: Annotated[str, Form(max_length=200)] = "",
                    days: Annotated[int, Form(ge=1, le=3650)] = 90,
                    role: Annotated[str | None, Form()] = None) -> Response:
    who = _signed_in(request)
    if isinstance(who, Response):
        return who
    check_csrf(request, csrf_token)
    accounts = _local(request)
    try:
        secret, _ = accounts.create_token(who.name, role=role or None, days=days, label=label)
    except AccountError as exc:
        return _page(request, "curation/account.html", {"tokens": accounts.tokens(who.name),
                                                        "error": str(exc)}, 400)
    return _page(request, "curation/account.html", {"tokens": accounts.tokens(who.name), "secret": secret})


@router.post("/account/tokens/{token_id}/revoke", include_in_schema=False,
             summary="Revoke one of my tokens (admins: any)")
def revoke_token(request: Request, token_id: str, csrf_token: Annotated[str, Form()] = "") -> Response:
    who = _signed_in(request)
    if isinstance(who, Response):
        return who
    check_csrf(request, csrf_token)
    accounts = _local(request)
    owner = next((t.user for t in accounts.tokens() if t.id == token_id), None)
    if owner is None:
        raise HTTPException(404, f"no token {token_id}")
    if owner != who.name and not who.can("admin"):
        raise HTTPException(403, "only the token's owner or an admin can revoke it")
    accounts.revoke_token(token_id)
    return RedirectResponse("/admin/accounts" if owner != who.name else "/account", status_code=303)


@router.get("/admin/accounts", response_class=HTMLResponse,
             include_in_schema=False, summary="Accounts and tokens (admins)")
def admin_accounts(request: Request) -> Response:
    who = _signed_in(request, "admin")
    if isinstance(who, Response):
        return who
    accounts = _local(request)
    return _page(request, "curation/admin.html", {"users": accounts.users(), "tokens": accounts.tokens(),
                                                  "roles": ROLES})


@router.post("/admin/accounts", response_class=HTMLResponse,
             include_in_schema=False, summary="Add or change an account (admins)")
def admin_change(request: Request, action: Annotated[str, Form(max_length=20)],
                 name: Annotated[str, Form(max_length=64)], csrf_token: Annotated[str, Form()] = "",
                 role: Annotated[str, Form()] = "reader",
                 password: Annotated[str, Form(max_length=1024)] = "") -> Response:
    who = _signed_in(request, "admin")
    if isinstance(who, Response):
        return who
    check_csrf(request, csrf_token)
    accounts = _local(request)
    try:
        if action not in ("add", "role", "disable", "enable"):
            raise AccountError(f"unknown action {action!r}")
        if action == "add":
            accounts.add_user(name, password, role)
        elif action == "role":
            accounts.set_role(name, role)
        else:
            if name == who.name and action == "disable":
                raise AccountError("you cannot disable your own account")
            accounts.set_disabled(name, action == "disable")
    except AccountError as exc:
        return _page(request, "curation/admin.html", {"users": accounts.users(), "tokens": accounts.tokens(),
                                                      "roles": ROLES, "error": str(exc)}, 400)
    return RedirectResponse("/admin/accounts", status_code=303)
