"""The interface's words for the browser's scripts, from the same gettext catalogues as the pages.

The scripts (``api/static/workbench/*.js``, ``api/static/curation/*.js``) mark their words with
``_("…")``, as the templates do; ``make i18n`` extracts them (``babel.cfg``, Babel's JavaScript
extractor). ``script_messages(lang)`` gives, for one language, the translation of each message the
scripts use: pages embed it, and ``/i18n/<lang>.json`` serves it. No second translation system.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel.messages.extract import extract_javascript

from .catalogs import translations
from .languages import DEFAULT, LANGUAGES

STATIC = Path(__file__).resolve().parent.parent / "static"
SCRIPT_FOLDERS = ("workbench", "curation")  # the project's own scripts (not the vendored YASGUI)
KEYWORDS = {"_": None}


@cache
def script_ids() -> tuple[str, ...]:
    """Every message the project's scripts mark with ``_("…")``, in file order, no repeats."""
    seen: dict[str, None] = {}
    for folder in SCRIPT_FOLDERS:
        for path in sorted((STATIC / folder).glob("*.js")):
            with path.open("rb") as fp:
                for _line, _func, message, _comments in extract_javascript(fp, KEYWORDS, [], {}):
                    text = message if isinstance(message, str) else message[0]
                    if text:
                        seen.setdefault(text, None)
    return tuple(seen)


@cache
def script_messages(language: str) -> dict[str, str]:
    """message -> its translation in `language` (English: empty, the scripts show the message)."""
    if language == DEFAULT or language not in LANGUAGES:
        return {}
    catalogue = translations(language)
    return {m: catalogue.gettext(m) for m in script_ids()}
