"""Who is asking: a bearer token, a session cookie, or nobody (a reader).

- ``Authorization: Bearer iscg_…`` for other systems (tokens: `iscg token create`);
- a signed session cookie for the web pages (itsdangerous, HttpOnly, SameSite=Lax, Secure unless
  served over plain HTTP in development), holding the account name and the session's CSRF token;
  the account's current role is looked up on every request, so a demotion takes effect at once.

Every form carries the CSRF token (`csrf_token`); `check_csrf` refuses a form post without the
session's token (a cross-site post has the cookie but not the token). Bearer requests carry no
cookie and need no CSRF token.

The identity provider is `iscg_graph.curation.accounts.Authenticator`; `LocalAccounts` is the one
used unless another is put on ``app.state.authenticator`` (e.g. single sign-on).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from fastapi import HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from iscg_graph.curation.accounts import ANONYMOUS, Authenticator, LocalAccounts, Principal, accounts_path

from .settings import Settings

__all__ = ["SESSION_COOKIE", "WriteDenied", "authenticator", "check_csrf", "csrf_token", "denied_page",
           "end_session", "principal", "require", "require_writer", "start_session"]

SESSION_COOKIE = "iscg_session"
_SALT = "iscg-session"


@dataclass
class WriteDenied(Exception):
    status: int
    message: str

    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": 'Bearer realm="iscg"'} if self.status == 401 else {}


def _settings(request: Request) -> Settings:
    return request.app.state.settings


def authenticator(request: Request) -> Authenticator:
    state = request.app.state
    found = getattr(state, "authenticator", None)
    if found is None:
        settings = _settings(request)
        path = settings.accounts_path or accounts_path(settings.store_path)
        found = state.authenticator = LocalAccounts(path)
    return found  # type: ignore[no-any-return]


def _serializer(request: Request) -> URLSafeTimedSerializer:
    state = request.app.state
    found = getattr(state, "session_serializer", None)
    if found is None:
        secret = _settings(request).session_secret
        key = secret.get_secret_value() if secret is not None else secrets.token_urlsafe(32)
        found = state.session_serializer = URLSafeTimedSerializer(key, salt=_SALT)
    return found  # type: ignore[no-any-return]


def _session(request: Request) -> dict[str, str] | None:
    raw = request.cookies.get(SESSION_COOKIE)
    if not raw:
        return None
    try:
        data = _serializer(request).loads(raw, max_age=_settings(request).session_max_age)
    except BadSignature:
        return None
    return data if isinstance(data, dict) else None


def principal(request: Request) -> Principal:
    """The caller (cached on the request)."""
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    auth = authenticator(request)
    found: Principal = ANONYMOUS
    header = request.headers.get("authorization", "")
    scheme, _, credentials = header.partition(" ")
    if header and scheme.lower() == "bearer":
        found = auth.authenticate_token(credentials.strip()) or ANONYMOUS
        request.state.bearer_failed = found is ANONYMOUS
    else:
        session = _session(request)
        if session and "u" in session:
            found = auth.principal(str(session["u"])) or ANONYMOUS
    request.state.principal = found
    return found


def require(request: Request, role: str) -> Principal:
    """The caller if they have ``role`` (401 if anonymous, 403 if their role is lower)."""
    who = principal(request)
    if not who.authenticated:
        bad = getattr(request.state, "bearer_failed", False)
        raise WriteDenied(401, "the bearer token is unknown, expired or revoked" if bad else
                          f"log in or send 'Authorization: Bearer <token>': this needs the {role} role")
    if not who.can(role):
        raise WriteDenied(403, f"{who.name} has the {who.role} role; this needs {role}")
    return who


def require_writer(request: Request, role: str = "editor") -> Principal:
    """As `require`, and the service must accept writes at all."""
    settings = _settings(request)
    if settings.read_only:
        raise WriteDenied(403, "this service is read-only (ISCG_READ_ONLY): every write is refused")
    if settings.remote_query_url and not settings.remote_update_url:
        raise WriteDenied(403, "this service reads a remote store without an update endpoint "
                               "(ISCG_REMOTE_UPDATE_URL unset): every write is refused")
    if not authenticator(request).writing_enabled():
        raise WriteDenied(403, "writing is off: this service is read-only until an admin account "
                               "exists (iscg user add NAME --role admin)")
    return require(request, role)


def csrf_token(request: Request) -> str:
    session = _session(request)
    return str(session.get("csrf", "")) if session else ""


def check_csrf(request: Request, submitted: str | None) -> None:
    expected = csrf_token(request)
    if not expected or not submitted or not secrets.compare_digest(expected, submitted):
        raise HTTPException(403, "the form's CSRF token is missing or does not match this session; "
                                 "reload the page and submit it again")


def start_session(request: Request, response: Response, who: Principal) -> None:
    value = _serializer(request).dumps({"u": who.name, "csrf": secrets.token_urlsafe(24)})
    secure = request.url.scheme == "https" or _settings(request).environment == "production"
    response.set_cookie(SESSION_COOKIE, value, max_age=_settings(request).session_max_age, httponly=True,
                        samesite="lax", secure=secure, path="/")


def end_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")


def denied_page(request: Request, exc: WriteDenied) -> Response:
    """A refused editor page: a visitor not logged in is sent to log in (GET), else the refusal."""
    if exc.status == 401 and request.method == "GET":
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    return Response(exc.message, status_code=exc.status, headers=exc.headers(), media_type="text/plain")


def raise_http(exc: WriteDenied) -> HTTPException:
    return HTTPException(exc.status, exc.message, headers=exc.headers())


def review_context(request: Request) -> dict[str, object]:
    """What a page needs to show the reviewers' form: the caller, whether they may review, CSRF."""
    who = principal(request)
    return {"who": who, "can_review": who.can("reviewer") and who.via == "password",
            "csrf": csrf_token(request), "here": str(request.url.path) + (
                f"?{request.url.query}" if request.url.query else "")}


def release_form_context(request: Request) -> dict[str, object]:
    """What /releases needs to show editors the release form: the caller, whether they may, CSRF."""
    who = principal(request)
    return {"who": who, "can_release": who.can("editor") and who.via == "password"
            and not _settings(request).read_only, "csrf": csrf_token(request)}
