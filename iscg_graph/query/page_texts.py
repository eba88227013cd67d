"""The texts of a page and of a count, made from a canned SELECT by its tokens (`safety.tokens`):
its solution modifiers, its prologue, its own ``ORDER BY``. `paging` runs them; `bucket_pages`
builds its bucket texts from them."""

from __future__ import annotations

from collections.abc import Iterable

from .safety import Token, tokens

__all__ = ["count_text", "page_text", "pageable", "prologue"]

_CLAUSE_ENDS = {"limit", "offset", "values"}


def _after_last_group(text: str) -> list[Token]:
    """The tokens after the last ``}`` at depth 0: the solution modifiers."""
    depth = 0
    tail: list[Token] = []
    for tok in tokens(text):
        if tok.text == "{":
            depth += 1
        elif tok.text == "}":
            depth -= 1
            if depth == 0:
                tail = []
        elif depth == 0:
            tail.append(tok)
    return tail


def _top_level_tail(text: str) -> list[str]:
    """The lower-cased solution modifiers."""
    return [tok.text.lower() for tok in _after_last_group(text)]


def pageable(text: str) -> bool:
    """Whether `page_text` can page the query: it has a top-level ``ORDER BY`` and no ``LIMIT``,
    ``OFFSET`` or final ``VALUES`` of its own."""
    tail = _top_level_tail(text)
    return "order" in tail and not (_CLAUSE_ENDS & set(tail))


def page_text(text: str, limit: int, offset: int) -> str:
    """The query with ``LIMIT``/``OFFSET`` after its own solution modifiers (a `ValueError` if it
    already limits its rows or ends with ``VALUES``: no canned query does)."""
    tail = _top_level_tail(text)
    if _CLAUSE_ENDS & set(tail):
        raise ValueError("the query already has LIMIT, OFFSET or a final VALUES clause")
    if "order" not in tail:
        raise ValueError("a paged query needs an ORDER BY, or its pages are not stable")
    suffix = f"\nLIMIT {int(limit)}" + (f" OFFSET {int(offset)}" if offset else "")
    return text.rstrip() + "\n" + suffix.lstrip("\n")


def _prologue_end(text: str) -> int:
    """Where the query form (``SELECT``) starts, after ``BASE``/``PREFIX`` declarations."""
    for tok in tokens(text):
        if tok.text.lower() == "select":
            return tok.offset
    raise ValueError("not a SELECT query")


def prologue(text: str) -> str:
    """The query's ``BASE``/``PREFIX`` declarations (the text before its ``SELECT``)."""
    return text[:_prologue_end(text)]


def _top_level_order(text: str) -> int | None:
    """Where the query's own ``ORDER BY`` starts (after the last ``}`` at depth 0), if it has one."""
    orders = [tok.offset for tok in _after_last_group(text) if tok.text.lower() == "order"]
    return orders[-1] if orders else None


def count_text(text: str, bound: Iterable[str], *, var: str = "rows", pattern: str | None = None) -> str:
    """``SELECT (COUNT(*) AS ?rows)`` over the query as a sub-select, without its ``ORDER BY``
    (which changes nothing to a count, and which the store does not drop by itself: sorting 48,758
    rows was 40% of a count at 1M). ``bound`` names the substituted variables. ``pattern``, a query's
    ``count_where`` (`catalog`), is counted instead of the query: a group graph pattern with one
    solution per row of the answer, without the look-ups that only fill the row's columns."""
    start = _prologue_end(text)
    names = [b.lstrip("?$") for b in bound]
    projected = " ".join(f"?{n}" for n in names)
    group = f"\nGROUP BY {projected}" if names else ""
    tail = _CLAUSE_ENDS & set(_top_level_tail(text))
    order = None if tail else _top_level_order(text)  # a LIMIT after it would make the order count
    inner = text[start:order].rstrip() if pattern is None else pattern.strip()
    return f"{text[:start]}SELECT {projected} (COUNT(*) AS ?{var}) WHERE {{\n{inner}\n}}{group}\n"
