"""Web forms for reviewers and editors: decide on candidate overlaps (several rows at once), edit an
item (title, theme and Resolution links, source, retire), record a mapping, edit a mapping record.
Each handler says only what its form changes and how it shows problems; the rest — role, CSRF
token, required comment, the one write path (validated, atomic, in the history), the SHACL
messages next to their fields — is `api.curation_forms.FormWrite`.
"""

from __future__ import annotations

from datetime import date as Date
from typing import Annotated, Any

import pyoxigraph as ox
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from iscg_graph.curation.accounts import Principal
from iscg_graph.curation.edits import (
    LINKS,
    RETIRED_NOTE,
    add_link,
    current_title,
    links,
    remove_link,
    retire,
    set_source,
    set_title,
    sources,
)
from iscg_graph.curation.mapping_edits import CONFIDENCES, edit_mapping, mapping_record
from iscg_graph.curation.theme_links import add_theme_link, remove_theme_link
from iscg_graph.errors import ISCGError, ValidationFailed, WriteRefused
from iscg_graph.overlap.review import RELATIONS, Decision, DecisionInvalid
from iscg_graph.rdf.store import EmbeddedStore
from iscg_graph.vocab import JUSTIFICATIONS, RELATION_KINDS, STATUSES

from ..auth import WriteDenied, csrf_token, principal, require_writer
from ..candidate_refresh import index_lock, record_in_index, refresh_index
from ..curation_forms import Errors, FormWrite, Outcome, denied, flat, problem_page
from ..form_messages import say, shape_message
from ..i18n.messages import N_
from ..templating import templates
from ..writes import author, record_review, report_json, write_path

router = APIRouter(tags=["curation"])
_PICK = N_("pick an item from the list")
_TO_ACCEPT = N_("to accept, choose one of: %(relations)s")
_UNKNOWN_ACTION = N_("unknown action %(action)s")
_CHOOSE_RELATION = N_("choose a relation: %(relations)s")
_NOT_A_PAIR = N_("%(value)s is not a candidate pair")
_CHOOSE_ONE_OF = N_("choose one of: %(choices)s")
_NO_SUCH_RECORD = N_("No such mapping record")
_NOT_A_RECORD = N_("%(iri)s is not a mapping record (M0001… or R0001…) of the register")


def _safe_next(target: str) -> str:
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/reports/candidates"
    return target


def _guarded(request: Request, role: str) -> Response | None:
    """The log-in page or a refusal for a GET of a form, None if the role may use it."""
    try:
        require_writer(request, role)
    except WriteDenied as exc:
        return denied(request, exc)
    return None


_REVIEW_TITLES = {"comment": "A comment is required", "relation": "Choose a relation kind"}


@router.post("/curate/candidates", include_in_schema=False, response_class=HTMLResponse,
             summary="Accept or reject one or more candidate overlaps (reviewers; form)")
def review_candidates(
    request: Request,
    pair: Annotated[list[str], Form()],
    decision: Annotated[str, Form(pattern="^(accept|reject)$")],
    comment: Annotated[str, Form(max_length=5000)],
    csrf_token: Annotated[str, Form()] = "",
    relation: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/reports/candidates",
) -> Response:
    back = _safe_next(next)

    def render(status: int, errors: Errors) -> Response:
        titles = [t for f, t in _REVIEW_TITLES.items() if f in errors] or ["Some decisions were not recorded"]
        return problem_page(request, titles[0], flat(errors), back, status)

    def apply(who: Principal) -> Outcome:
        problems: list[str] = []
        for value in pair[:200]:
            left, sep, right = value.partition("|")
            if not sep:
                problems.append(say(request, _NOT_A_PAIR, value=repr(value)))
                continue
            d = Decision(left, right, decision, who.name, relation or None, comment, Date.today())
            try:
                with index_lock:
                    outcome, change = record_review(request, d, author(request, who, comment, "review"))
            except ValidationFailed as exc:
                problems += [f"{v['focus_node']}: {shape_message(request, v)}"
                             for v in report_json(exc)["violations"]]
            except ISCGError as exc:  # DecisionInvalid, DecisionConflict and the write path's refusals
                problems.append(f"{left} / {right}: {exc}")
            else:
                if change is not None:
                    record_in_index(request, d, outcome)  # the one pair is flagged: nothing recomputed
        return None, {"general": problems} if problems else {}

    checks = {"relation": [say(request, _TO_ACCEPT, relations=", ".join(RELATIONS))]
              if decision == "accept" and relation not in RELATIONS else []}
    form = FormWrite("reviewer", render, done=lambda _: RedirectResponse(back, status_code=303))
    return form.submit(request, csrf_token, comment, apply, checks)


def _item_form(request: Request, iri: str, context: dict[str, Any], status: int = 200) -> Response:
    store: EmbeddedStore = request.app.state.store
    title = current_title(store.inner, iri)
    linked = {kind: links(store.inner, iri, kind) for kind in LINKS}
    return templates.TemplateResponse(request, "curation/edit_item.html", {
        "iri": iri, "title": title, "who": principal(request), "csrf": csrf_token(request),
        "links": linked, "sources": sources(store.inner, iri),
        "retired_note": RETIRED_NOTE, **context}, status_code=status)


@router.get("/curate/item", response_class=HTMLResponse,
             include_in_schema=False, summary="Edit form for one item (editors)")
def edit_item_form(request: Request, iri: str) -> Response:
    return _guarded(request, "editor") or _item_form(request, iri, {})


_ITEM_FIELDS = {"/title": "title", "#addressesTheme": "theme", "#relatedResolution": "resolution",
                "/source": "source"}
_ITEM_ACTIONS = ("title", "retire", "link-add", "link-remove", "source")


@router.post("/curate/item", response_class=HTMLResponse,
             include_in_schema=False, summary="Edit a title or retire an item (editors)")
def edit_item(
    request: Request,
    iri: Annotated[str, Form(max_length=2000)],
    action: Annotated[str, Form(max_length=20)],
    comment: Annotated[str, Form(max_length=5000)] = "",
    csrf_token: Annotated[str, Form()] = "",
    title: Annotated[str, Form(max_length=2000)] = "",
    kind: Annotated[str, Form(max_length=20)] = "",
    target: Annotated[str, Form(max_length=2000)] = "",
    source: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    base = request.app.state.settings.base_iri

    def apply(who: Principal) -> Outcome:
        if action not in _ITEM_ACTIONS:
            raise WriteRefused(say(request, _UNKNOWN_ACTION, action=repr(action)))

        def change(work: ox.Store) -> None:
            if action == "title":
                set_title(work, iri, title)
            elif action == "retire":
                retire(work, iri, base)
            elif action == "link-add" and kind == "theme":  # with its record, as a table row makes it
                add_theme_link(work, iri, target, curator=who.name, justification=comment, on=Date.today(),
                               base=base)
            elif action == "link-add":
                add_link(work, iri, kind, target)
            elif action == "link-remove" and kind == "theme":
                remove_theme_link(work, iri, target, base=base)
            elif action == "link-remove":
                remove_link(work, iri, kind, target)
            else:
                set_source(work, iri, source)

        record = write_path(request).apply(change, author(request, who, comment, "form"))
        if record is not None and action == "retire":
            refresh_index(request)  # a retired item drops out of the candidates
        return record, {}

    unpicked = action == "link-add" and not target
    checks = {kind or "general": [say(request, _PICK)] if unpicked else []}
    form = FormWrite("editor", lambda status, errors: _item_form(request, iri, {"errors": errors}, status),
                     _ITEM_FIELDS)
    return form.submit(request, csrf_token, comment, apply, checks)


def _mapping_form(request: Request, status: int = 200, **context: Any) -> Response:
    values = {"left": "", "right": "", "left_label": "", "right_label": "", "relation": "overlap",
              "comment": "", **context}
    return templates.TemplateResponse(request, "curation/mapping.html", {
        "who": principal(request), "csrf": csrf_token(request), "relations": list(RELATIONS), **values},
        status_code=status)


@router.get("/curate/mapping", response_class=HTMLResponse,
             include_in_schema=False, summary="Form: record a mapping (editors)")
def mapping_form(request: Request) -> Response:
    return _guarded(request, "editor") or _mapping_form(request)


@router.post("/curate/mapping", response_class=HTMLResponse,
             include_in_schema=False, summary="Record a mapping (editors; form)")
def add_mapping(
    request: Request,
    left: Annotated[str, Form(max_length=2000)] = "",
    right: Annotated[str, Form(max_length=2000)] = "",
    relation: Annotated[str, Form()] = "overlap",
    comment: Annotated[str, Form(max_length=5000)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    keep = {"left": left, "right": right, "relation": relation, "comment": comment}

    def render(status: int, errors: Errors) -> Response:
        return _mapping_form(request, status, errors=errors, **keep)

    def apply(who: Principal) -> Outcome:
        with index_lock:
            decision = Decision(left, right, "accept", who.name, relation, comment, Date.today())
            try:
                outcome, record = record_review(request, decision, author(request, who, comment, "form"))
            except DecisionInvalid as exc:
                if exc.problems:  # the shapes' messages
                    return None, {"general": [p.split(": ", 1)[-1] for p in exc.problems]}
                raise
        if record is not None:
            record_in_index(request, decision, outcome)  # the one pair is flagged: nothing recomputed
        return record, {}

    checks = {"left": [say(request, _PICK)] if not left else [],
              "right": [say(request, _PICK)] if not right else [],
              "general": [say(request, _CHOOSE_RELATION, relations=", ".join(RELATIONS))]
              if relation not in RELATIONS else []}
    return FormWrite("editor", render).submit(request, csrf_token, comment, apply, checks)


_MAPPING_FIELDS = (("relation_kind", "Relation kind", RELATION_KINDS),
                   ("justification", "Justification (how it was found)", JUSTIFICATIONS),
                   ("confidence", "Confidence", CONFIDENCES), ("status", "Status", STATUSES))
_MAPPING_PATHS = {"#relationKind": "relation_kind", "/mapping_justification": "justification",
                  "#confidence": "confidence", "#status": "status"}


def _edit_mapping_form(request: Request, iri: str, status: int = 200, values: dict[str, str] | None = None,
                       **context: Any) -> Response:
    record = mapping_record(request.app.state.store.inner, iri)
    if record is None:
        return problem_page(request, _NO_SUCH_RECORD, [say(request, _NOT_A_RECORD, iri=iri)], "/reports", 404)
    current = {name: getattr(record, name) for name, _, _ in _MAPPING_FIELDS}
    return templates.TemplateResponse(request, "curation/edit_mapping.html", {
        "who": principal(request), "csrf": csrf_token(request), "record": record, "fields": _MAPPING_FIELDS,
        "values": {**current, **(values or {})}, "comment": "", **context}, status_code=status)


@router.get("/curate/mapping/edit", response_class=HTMLResponse,
            include_in_schema=False, summary="Form: edit a mapping record (editors)")
def edit_mapping_form(request: Request, iri: str) -> Response:
    return _guarded(request, "editor") or _edit_mapping_form(request, iri)


@router.post("/curate/mapping/edit", response_class=HTMLResponse,
             include_in_schema=False, summary="Edit a mapping record (editors; form)")
def edit_mapping_record(
    request: Request,
    iri: Annotated[str, Form(max_length=2000)],
    relation_kind: Annotated[str, Form(max_length=40)] = "",
    justification: Annotated[str, Form(max_length=80)] = "",
    confidence: Annotated[str, Form(max_length=20)] = "",
    status: Annotated[str, Form(max_length=20)] = "",
    comment: Annotated[str, Form(max_length=5000)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    values = {"relation_kind": relation_kind, "justification": justification, "confidence": confidence,
              "status": status}

    def apply(who: Principal) -> Outcome:
        record = write_path(request).apply(lambda work: edit_mapping(work, iri, **values),
                                           author(request, who, comment, "form"))
        if record is not None:
            refresh_index(request)  # a decision's status decides whether its pair is still a candidate
        return record, {}

    checks = {name: [say(request, _CHOOSE_ONE_OF, choices=", ".join(choices))]
              if values[name] not in choices else [] for name, _, choices in _MAPPING_FIELDS}
    form = FormWrite("editor", lambda code, errors: _edit_mapping_form(
        request, iri, code, values, errors=errors, comment=comment), _MAPPING_PATHS)
    return form.submit(request, csrf_token, comment, apply, checks)
