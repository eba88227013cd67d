"""The gettext catalogues of the interface: ``api/locale/<lang>/LC_MESSAGES/messages.po``.

The ``.po`` files are the source (committed, edited by translators); ``make i18n`` extracts,
updates and compiles them to ``.mo``. At start-up a language's ``.mo`` is used when it is at least
as new as its ``.po``, otherwise the ``.po`` is compiled in memory, so a fresh checkout and a
freshly edited catalogue both show their translations without a build step.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from .languages import DEFAULT, LANGUAGES

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "messages"


def _load(language: str) -> NullTranslations:
    folder = LOCALE_DIR / language / "LC_MESSAGES"
    po, mo = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as fp:
            return Translations(fp, domain=DOMAIN)
    if not po.exists():
        return NullTranslations()
    with po.open("rb") as fp:
        catalog = read_po(fp, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


@cache
def translations(language: str) -> NullTranslations:
    """The catalogue of one interface language (English and unknown languages: the msgids as they are)."""
    if language == DEFAULT or language not in LANGUAGES:
        return NullTranslations()
    return _load(language)


def gettext(language: str, message: str) -> str:
    if not message:
        return message
    return translations(language).gettext(message)


def ngettext(language: str, singular: str, plural: str, n: int) -> str:
    return translations(language).ngettext(singular, plural, n)
