"""What every curation form does around its change (`api.routers.curate`): the role and the CSRF
token checked, a comment required (the reason recorded with the change), the change committed by
the one write path, and each refusal shown on the form — the SHACL messages next to the field
concerned, a bad request as a general message — or, once done, the recorded change.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from iscg_graph.curation.accounts import Principal
from iscg_graph.curation.history import ChangeRecord
from iscg_graph.errors import DecisionConflict, DecisionInvalid, ValidationFailed

from .auth import WriteDenied, check_csrf, csrf_token, principal, require_writer
from .form_messages import say, shape_message
from .i18n.messages import N_
from .templating import templates
from .writes import WRITE_ERRORS, report_json

__all__ = ["Errors", "FormWrite", "Outcome", "denied", "flat", "problem_page"]

_SAY_WHY = N_("say why: it is recorded with the change")
_NOTHING = N_("nothing changed")
Errors = dict[str, list[str]]
Outcome = tuple[ChangeRecord | None, Errors]  # the change recorded (None: nothing changed), problems


def problem_page(request: Request, title: str, problems: list[str], back: str, status: int) -> Response:
    return templates.TemplateResponse(request, "curation/problems.html", {
        "title": title, "problems": problems, "back": back, "who": principal(request),
        "csrf": csrf_token(request)}, status_code=status)


def denied(request: Request, exc: WriteDenied) -> Response:
    """A page asked for: to the log-in form; a write: 401/403, saying why."""
    if exc.status == 401 and request.method == "GET":
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    response = problem_page(request, "Not allowed", [exc.message], "/login", exc.status)
    response.headers.update(exc.headers())
    return response


def _field_errors(request: Request, exc: ValidationFailed, fields: Mapping[str, str]) -> Errors:
    """Each SHACL message (in the person's language) under the form field whose property path ends
    as ``fields`` says."""
    found: Errors = {}
    for v in report_json(exc)["violations"]:
        path = v["path"] or ""
        name = next((f for end, f in fields.items() if path.endswith(end)), "general")
        found.setdefault(name, []).append(shape_message(request, v))
    return found


@dataclass
class FormWrite:
    """One form's submission: who may send it, how it shows problems (``render(status, errors)``)
    and which field each property path belongs to."""

    role: str
    render: Callable[[int, Errors], Response]
    fields: Mapping[str, str] = field(default_factory=dict)
    done: Callable[[ChangeRecord | None], Response] | None = None

    def submit(self, request: Request, csrf: str, comment: str, apply: Callable[[Principal], Outcome],
               errors: Errors | None = None) -> Response:
        try:
            who = require_writer(request, self.role)
        except WriteDenied as exc:
            return denied(request, exc)
        check_csrf(request, csrf)
        found = {name: list(messages) for name, messages in (errors or {}).items() if messages}
        if not comment.strip():
            found.setdefault("comment", []).insert(0, say(request, _SAY_WHY))
        if found:
            return self.render(422, found)
        try:
            record, problems = apply(who)
        except ValidationFailed as exc:
            return self.render(422, _field_errors(request, exc, self.fields))
        except (DecisionInvalid, DecisionConflict) as exc:
            text = str(exc)
            name = next((f for f in ("left", "right") if text.startswith(f)), "general")
            return self.render(422, {name: [text.split(": ", 1)[-1]]})
        except WRITE_ERRORS as exc:
            return self.render(400, {"general": [str(getattr(exc, "message", exc))]})
        if problems:
            return self.render(422, problems)
        if self.done is not None:
            return self.done(record)
        if record is None:
            return self.render(200, {"general": [say(request, _NOTHING)]})
        return RedirectResponse(f"/changes/{record.number}", status_code=303)


def flat(errors: Errors) -> list[str]:
    return [message for messages in errors.values() for message in messages]

