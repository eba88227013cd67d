"""The one Jinja2 template environment of the service (``api/templates``), shared by every page route.

It has Jinja2's i18n extension (``{% trans %}``, ``_()``, ``ngettext``): the gettext callables look
up the language the request was given (``api.i18n``), so one environment serves all six languages.
``ui_lang()``, ``ui_dir()`` and ``ui_languages()`` give the page its ``lang``, ``dir`` and switch.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context

from . import i18n
from .i18n.scripts import script_messages

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"

templates = Jinja2Templates(directory=str(TEMPLATE_DIR))


def _language(context: Context) -> str:
    return i18n.ui_language(context.get("request"))


@pass_context
def _gettext(context: Context, message: str) -> str:
    return i18n.gettext(_language(context), message)


@pass_context
def _ngettext(context: Context, singular: str, plural: str, n: int) -> str:
    return i18n.ngettext(_language(context), singular, plural, n)


@pass_context
def _ui_languages(context: Context) -> list[dict[str, Any]]:
    """The language switch: each language, named in itself, with a link to this page in it."""
    request = context.get("request")
    current = _language(context)
    out = []
    for code in i18n.LANGUAGES:
        href = f"?lang={code}"
        if request is not None:
            url = request.url.include_query_params(lang=code)
            href = f"{url.path}?{url.query}"
        out.append({"code": code, "name": i18n.NAMES[code], "href": href, "current": code == current})
    return out


env = templates.env
env.add_extension("jinja2.ext.i18n")
env.install_gettext_callables(_gettext, _ngettext, newstyle=True)  # type: ignore[attr-defined]
# `{{ value|tr }}`: the translation of a message that lives outside the templates (report titles,
# questions and column names of the canned queries, extracted by api/i18n/extract.py); the result is
# escaped like any value, unlike `_()` whose output Jinja2 marks safe
env.filters["tr"] = pass_context(lambda ctx, message: i18n.gettext(_language(ctx), str(message or "")))
env.globals.update(
    ui_lang=pass_context(_language),
    ui_dir=pass_context(lambda context: i18n.direction(_language(context))),
    ui_languages=_ui_languages,
    # the scripts' words in the page's language, as JSON for a <script type="application/json">
    ui_script_messages=pass_context(lambda context: json.dumps(
        script_messages(_language(context)), ensure_ascii=False).replace("</", "<\\/")),
)
