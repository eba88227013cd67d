"""Web forms for reviewers and editors: decide on candidate overlaps (several rows at once), edit a
Question's title, retire an item. Every form needs a session, its CSRF token and a comment (the
reason recorded with the change); every change goes through the one write path, so it is
validated (SHACL messages shown next to the form), atomic and in the history.
"""

from __future__ import annotations

from datetime import date as Date
from typing import Annotated, Any

import pyoxigraph as ox
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

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
from iscg_graph.errors import ISCGError, ValidationFailed
from iscg_graph.overlap.review import RELATIONS, Decision, DecisionConflict, DecisionInvalid
from iscg_graph.rdf.store import EmbeddedStore
from iscg_graph.vocab import JUSTIFICATIONS, RELATION_KINDS, STATUSES

from ..auth import WriteDenied, check_csrf, csrf_token, principal, require_writer
from ..candidate_refresh import index_lock, record_in_index, refresh_index
from ..templating import templates
from ..writes import WRITE_ERRORS, author, record_review, report_json, write_path

router = APIRouter(tags=["curation"])


def _safe_next(target: str) -> str:
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/reports/candidates"
    return target


def _problem_page(request: Request, title: str, problems: list[str], back: str, status: int) -> Response:
    return templates.TemplateResponse(request, "curation/problems.html", {
        "title": title, "problems": problems, "back": back, "who": principal(request),
        "csrf": csrf_token(request)}, status_code=status)


def _denied(request: Request, exc: WriteDenied) -> Response:
    """A page asked for: to the log-in form; a write: 401/403, saying why."""
    if exc.status == 401 and request.method == "GET":
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    response = _problem_page(request, "Not allowed", [exc.message], "/login", exc.status)
    response.headers.update(exc.headers())
    return response


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
    try:
        who = require_writer(request, "reviewer")
    except WriteDenied as exc:
        return _denied(request, exc)
    check_csrf(request, csrf_token)
    back = _safe_next(next)
    if not comment.strip():
        return _problem_page(request, "A comment is required", ["say why (it is recorded with the decision)"],
                             back, 422)
    if decision == "accept" and relation not in RELATIONS:
        return _problem_page(request, "Choose a relation kind",
                             [f"to accept, choose one of: {', '.join(RELATIONS)}"], back, 422)
    problems: list[str] = []
    for value in pair[:200]:
        left, sep, right = value.partition("|")
        if not sep:
            problems.append(f"{value!r} is not a candidate pair")
            continue
        d = Decision(left, right, decision, who.name, relation or None, comment, Date.today())
        try:
            with index_lock:
                outcome, change = record_review(request, d, author(request, who, comment, "review"))
        except (DecisionInvalid, DecisionConflict) as exc:
            problems.append(f"{left} / {right}: {exc}")
        except ValidationFailed as exc:
            problems += [f"{v['focus_node']}: {v['message']}" for v in report_json(exc)["violations"]]
        except ISCGError as exc:
            problems.append(f"{left} / {right}: {exc}")
        else:
            if change is not None:
                record_in_index(request, d, outcome)  # the one pair is flagged: nothing recomputed
    if problems:
        return _problem_page(request, "Some decisions were not recorded", problems, back, 422)
    return RedirectResponse(back, status_code=303)


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
    try:
        require_writer(request, "editor")
    except WriteDenied as exc:
        return _denied(request, exc)
    return _item_form(request, iri, {})


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
    try:
        who = require_writer(request, "editor")
    except WriteDenied as exc:
        return _denied(request, exc)
    check_csrf(request, csrf_token)
    if not comment.strip():
        return _item_form(request, iri, {"errors": {"comment": ["say why: it is recorded with the change"]}},
                          422)
    base = request.app.state.settings.base_iri
    if action not in ("title", "retire", "link-add", "link-remove", "source"):
        return _item_form(request, iri, {"errors": {"general": [f"unknown action {action!r}"]}}, 400)
    if action == "link-add" and not target:
        return _item_form(request, iri, {"errors": {kind or "general": ["pick an item from the list"]}}, 422)

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

    try:
        record = write_path(request).apply(change, author(request, who, comment, "form"))
    except ValidationFailed as exc:
        errors: dict[str, list[str]] = {}
        for v in report_json(exc)["violations"]:
            path = v["path"] or ""
            field = next((name for name, end in (("title", "/title"), ("theme", "#addressesTheme"),
                                                  ("resolution", "#relatedResolution"), ("source", "/source"))
                          if path.endswith(end)), "general")
            errors.setdefault(field, []).append(v["message"])
        return _item_form(request, iri, {"errors": errors}, 422)
    except WRITE_ERRORS as exc:
        return _item_form(request, iri, {"errors": {"general": [str(getattr(exc, "message", exc))]}}, 400)
    if record is None:
        return _item_form(request, iri, {"errors": {"general": ["nothing changed"]}}, 200)
    if action == "retire":
        refresh_index(request)  # a retired item drops out of the candidates
    return RedirectResponse(f"/changes/{record.number}", status_code=303)


def _mapping_form(request: Request, status: int = 200, **context: Any) -> Response:
    values = {"left": "", "right": "", "left_label": "", "right_label": "", "relation": "overlap",
              "comment": "", **context}
    return templates.TemplateResponse(request, "curation/mapping.html", {
        "who": principal(request), "csrf": csrf_token(request), "relations": list(RELATIONS), **values},
        status_code=status)


@router.get("/curate/mapping", response_class=HTMLResponse,
             include_in_schema=False, summary="Form: record a mapping (editors)")
def mapping_form(request: Request) -> Response:
    try:
        require_writer(request, "editor")
    except WriteDenied as exc:
        return _denied(request, exc)
    return _mapping_form(request)


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
    try:
        who = require_writer(request, "editor")
    except WriteDenied as exc:
        return _denied(request, exc)
    check_csrf(request, csrf_token)
    keep = {"left": left, "right": right, "relation": relation, "comment": comment}
    errors: dict[str, list[str]] = {}
    if not left:
        errors["left"] = ["pick an item from the list"]
    if not right:
        errors["right"] = ["pick an item from the list"]
    if not comment.strip():
        errors["comment"] = ["say why: it is recorded with the change"]
    if relation not in RELATIONS:
        errors["general"] = [f"choose a relation: {', '.join(RELATIONS)}"]
    if errors:
        return _mapping_form(request, 422, errors=errors, **keep)
    try:
        with index_lock:
            decision = Decision(left, right, "accept", who.name, relation, comment, Date.today())
            outcome, record = record_review(request, decision, author(request, who, comment, "form"))
    except (DecisionInvalid, DecisionConflict) as exc:
        text = str(exc)
        field = next((f for f in ("left", "right") if text.startswith(f)), "general")
        return _mapping_form(request, 422, errors={field: [text.split(": ", 1)[-1]]}, **keep)
    except ValidationFailed as exc:
        messages = [v["message"] for v in report_json(exc)["violations"]]
        return _mapping_form(request, 422, errors={"general": messages}, **keep)
    if record is not None:
        record_in_index(request, decision, outcome)  # the one pair is flagged: nothing recomputed
    if record is None:
        return _mapping_form(request, 200, errors={"general": ["nothing changed"]}, **keep)
    return RedirectResponse(f"/changes/{record.number}", status_code=303)


_MAPPING_FIELDS = (("relation_kind", "Relation kind", RELATION_KINDS),
                   ("justification", "Justification (how it was found)", JUSTIFICATIONS),
                   ("confidence", "Confidence", CONFIDENCES), ("status", "Status", STATUSES))
_MAPPING_PATHS = {"#relationKind": "relation_kind", "/mapping_justification": "justification",
                  "#confidence": "confidence", "#status": "status"}


def _edit_mapping_form(request: Request, iri: str, status: int = 200, values: dict[str, str] | None = None,
                       **context: Any) -> Response:
    record = mapping_record(request.app.state.store.inner, iri)
    if record is None:
        return _problem_page(request, "No such mapping record",
                             [f"{iri} is not a mapping record (M0001… or R0001…) of the register"],
                             "/reports", 404)
    current = {name: getattr(record, name) for name, _, _ in _MAPPING_FIELDS}
    return templates.TemplateResponse(request, "curation/edit_mapping.html", {
        "who": principal(request), "csrf": csrf_token(request), "record": record, "fields": _MAPPING_FIELDS,
        "values": {**current, **(values or {})}, "comment": "", **context}, status_code=status)


@router.get("/curate/mapping/edit", response_class=HTMLResponse,
            include_in_schema=False, summary="Form: edit a mapping record (editors)")
def edit_mapping_form(request: Request, iri: str) -> Response:
    try:
        require_writer(request, "editor")
    except WriteDenied as exc:
        return _denied(request, exc)
    return _edit_mapping_form(request, iri)


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
    try:
        who = require_writer(request, "editor")
    except WriteDenied as exc:
        return _denied(request, exc)
    check_csrf(request, csrf_token)
    values = {"relation_kind": relation_kind, "justification": justification, "confidence": confidence,
              "status": status}
    errors = {name: [f"choose one of: {', '.join(choices)}"] for name, _, choices in _MAPPING_FIELDS
              if values[name] not in choices}
    if not comment.strip():
        errors["comment"] = ["say why: it is recorded with the change"]
    if errors:
        return _edit_mapping_form(request, iri, 422, values, errors=errors, comment=comment)

    def change(work: ox.Store) -> None:
        edit_mapping(work, iri, **values)

    try:
        record = write_path(request).apply(change, author(request, who, comment, "form"))
    except ValidationFailed as exc:
        found: dict[str, list[str]] = {}
        for v in report_json(exc)["violations"]:
            path = v["path"] or ""
            field = next((f for end, f in _MAPPING_PATHS.items() if path.endswith(end)), "general")
            found.setdefault(field, []).append(v["message"])
        return _edit_mapping_form(request, iri, 422, values, errors=found, comment=comment)
    except WRITE_ERRORS as exc:
        return _edit_mapping_form(request, iri, 400, values, comment=comment,
                                  errors={"general": [str(getattr(exc, "message", exc))]})
    if record is None:
        return _edit_mapping_form(request, iri, 200, values, errors={"general": ["nothing changed"]})
    refresh_index(request)  # a decision's status decides whether its pair is still a candidate
    return RedirectResponse(f"/changes/{record.number}", status_code=303)
