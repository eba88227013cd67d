"""The six official languages of the Union and how one is chosen for a request.

Order of precedence: an explicit ``?lang=`` (which the middleware then remembers in a cookie), the
visitor's cookie, the ``Accept-Language`` header, English. A tag is reduced to its base language
(``fr-CH`` → ``fr``; ``zh-Hans-CN`` → ``zh``); a language the interface is not translated into is
skipped, never an error (``?lang=`` is also the label language of linked-data pages, where any tag
is allowed).
"""

from __future__ import annotations

from iscg_graph.render.conneg import preferred_languages

# Arabic, Chinese, English, French, Russian, Spanish: the order the Union lists them in
LANGUAGES: tuple[str, ...] = ("ar", "zh", "en", "fr", "ru", "es")
DEFAULT = "en"
RTL = frozenset({"ar"})
COOKIE = "iscg_lang"
# each language's name in itself, for the language switch
NAMES: dict[str, str] = {
    "ar": "العربية", "zh": "中文", "en": "English", "fr": "Français", "ru": "Русский", "es": "Español",
}


def supported(tag: str | None) -> str | None:
    """The interface language for a language tag, or None when the interface does not have it."""
    if not tag:
        return None
    base = tag.strip().lower().replace("_", "-").split("-")[0]
    return base if base in LANGUAGES else None


def negotiate(query: str | None, cookie: str | None, accept_language: str | None) -> str:
    """The interface language of a request (see the module's docstring for the precedence)."""
    for candidate in (query, cookie):
        chosen = supported(candidate)
        if chosen:
            return chosen
    for tag in preferred_languages(accept_language, default=DEFAULT):
        chosen = supported(tag)
        if chosen:
            return chosen
    return DEFAULT


def direction(language: str) -> str:
    """``rtl`` for a right-to-left language, else ``ltr``."""
    return "rtl" if language in RTL else "ltr"
