"""The release form on /releases (editors): name, date and description; creates exactly what
``iscg release create NAME --title DESCRIPTION --date DATE`` creates (`create_release` on the
served store), then shows the new release. A name already taken is a 409 saying so (releases are
never replaced); an unusable name or date a 422 naming the field.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from iscg_graph.build.releases import create_release, list_releases
from iscg_graph.errors import ReleaseError

from ..auth import WriteDenied, check_csrf, release_form_context, require_writer
from ..form_messages import say
from ..i18n.messages import N_
from ..release_engines import release_root
from ..templating import templates

__all__ = ["router"]

router = APIRouter(tags=["releases"])
_GIVE_NAME = N_("give the release a name, e.g. after-iscg-2021-09")
_NAME_RULE = N_("the name %(name)s is not allowed: use 1-64 letters, digits, '.', '_' or '-', starting with "
                "a letter or digit")


def _form(request: Request, status: int, errors: dict[str, list[str]], **values: str) -> Response:
    settings = request.app.state.settings
    found = list_releases(release_root(settings))
    return templates.TemplateResponse(request, "releases/index.html", {
        "releases": list(reversed(found)), "active": "dataset", "errors": errors, "form": values,
        **release_form_context(request)}, status_code=status)


@router.post("/releases", response_class=HTMLResponse, include_in_schema=False,
             summary="Publish the current data as a release (editors; form)")
def create_release_form(
    request: Request,
    name: Annotated[str, Form(max_length=200)] = "",
    date: Annotated[str, Form(max_length=40)] = "",
    description: Annotated[str, Form(max_length=500)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    try:
        require_writer(request, "editor")
    except WriteDenied as exc:
        return Response(exc.message, status_code=exc.status, headers=exc.headers(), media_type="text/plain")
    check_csrf(request, csrf_token)
    values = {"name": name, "date": date, "description": description}
    name, description = name.strip(), " ".join(description.split())
    if not name:
        return _form(request, 422, {"name": [say(request, _GIVE_NAME)]}, **values)
    if not description:
        return _form(request, 422, {"description": [say(request, N_(
            "say what the release stands for, e.g. After ISCG meeting, 1 September 2021"))]}, **values)
    settings = request.app.state.settings
    try:
        made = create_release(settings.store_path, release_root(settings), name, title=description,
                              on=date.strip() or None, base=settings.base_iri)
    except ReleaseError as exc:
        message = str(exc)
        field = "date" if "release date" in message else "name"
        status = 409 if "already exists" in message else 422
        if status == 409:
            message = say(request, N_("a release named %(name)s already exists; releases are never replaced"),
                          name=repr(name))
        elif field == "date":
            message = say(request, N_("release date %(date)s is not an ISO date (YYYY-MM-DD)"),
                          date=repr(date.strip()[:40]))
        else:
            message = say(request, _NAME_RULE, name=repr(name[:80]))
        return _form(request, status, {field: [message]}, **values)
    return RedirectResponse(f"/releases/{made.name}", status_code=303)
