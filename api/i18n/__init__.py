"""The interface in the six official languages of the Union: which language a request gets
(``negotiate``), the gettext catalogues under ``api/locale`` (``catalogs``) and the ASGI middleware
that puts the two together and remembers a visitor's choice in a cookie (``middleware``)."""

from .catalogs import gettext, ngettext, translations
from .languages import COOKIE, DEFAULT, LANGUAGES, NAMES, RTL, direction, negotiate
from .middleware import LanguageMiddleware, ui_language

__all__ = [
    "COOKIE", "DEFAULT", "LANGUAGES", "NAMES", "RTL", "LanguageMiddleware", "direction", "gettext",
    "negotiate", "ngettext", "translations", "ui_language",
]
