"""Messages the editor forms write in Python (the import page, the release form, the item and
mapping forms), in the language of the person's interface: the same gettext catalogues as the
pages and the JSON error bodies (api/i18n), marked with ``N_`` so ``make i18n`` extracts them.

``say(request, N_("… %(name)s …"), name=…)`` translates, then fills in the specifics (names,
values, limits stay as written). ``problem_message`` gives an import problem in the person's
language when the library wrote it from templates (unknown item, ambiguous match, duplicate row,
formula …). ``shape_message`` words a SHACL violation next to a field: in English the shape's own
``sh:message``; in another language a plain sentence per kind of constraint (a value is required,
too many values, not one of the allowed values …); a constraint with no such sentence (a SPARQL
rule of our shapes) keeps the shape's English message and says it is English.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import HTTPConnection

from . import i18n
from .i18n.messages import N_

__all__ = ["CONSTRAINTS", "problem_message", "say", "shape_message"]

# SHACL constraint component (local name) -> the plain sentence shown in the person's language
CONSTRAINTS: dict[str, str] = {
    "MinCountConstraintComponent": N_("A value is required here."),
    "MaxCountConstraintComponent": N_("Too many values: fewer are allowed here."),
    "DatatypeConstraintComponent": N_("This value is not of the expected type (text, number or date)."),
    "PatternConstraintComponent": N_("This value is not written in the expected form."),
    "MinLengthConstraintComponent": N_("This value is too short."),
    "MaxLengthConstraintComponent": N_("This value is too long."),
    "InConstraintComponent": N_("This value is not one of the allowed values."),
    "ClassConstraintComponent": N_("This item is not of the expected kind."),
    "NodeKindConstraintComponent": N_("This value is not of the expected kind (a link or a text)."),
    "UniqueLangConstraintComponent": N_("A text is given more than once in the same language."),
    "HasValueConstraintComponent": N_("A required value is missing."),
}


def say(connection: HTTPConnection | None, msgid: str, /, **params: Any) -> str:
    """``msgid`` (English) in the request's interface language, ``params`` filled in."""
    text = i18n.gettext(i18n.ui_language(connection), msgid)
    return text % params if params else text


def problem_message(connection: HTTPConnection | None, problem: Any) -> str:
    """An import problem (`iscg_graph.imports.upload.Problem`) in the request's language: its
    templates translated and filled in; a problem without templates keeps its English message."""
    parts = getattr(problem, "parts", ())
    if not parts:
        return str(problem.message)
    language = i18n.ui_language(connection)
    return "".join(i18n.gettext(language, text) % dict(values) for text, values in parts)


def shape_message(connection: HTTPConnection | None, violation: dict[str, Any]) -> str:
    """One violation (as `api.writes.report_json` gives it) worded for a person."""
    english = str(violation.get("message") or violation.get("constraint") or "")
    language = i18n.ui_language(connection)
    if language == i18n.DEFAULT:
        return english
    sentence = CONSTRAINTS.get(str(violation.get("constraint") or ""))
    if sentence is not None:
        return i18n.gettext(language, sentence)
    return say(connection, N_("%(text)s (in English)"), text=english)
