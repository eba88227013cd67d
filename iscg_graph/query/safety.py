"""What a SPARQL request asks for, found before it runs: its form, update operations, outbound IRIs.

pyoxigraph fetches ``SERVICE`` endpoints (and ``LOAD`` sources in updates) itself, and that cannot be
hooked from Python, so a public endpoint must refuse them *before* execution. This module scans the
request text with a small SPARQL lexer (strings, IRIs, comments and prefixed names are single
tokens, so a keyword inside ``"…SERVICE…"`` or ``ex:service`` is not mistaken for one) and reports:

- the query form (``SELECT``/``ASK``/``CONSTRUCT``/``DESCRIBE``) or the update operation;
- every ``SERVICE`` target, every ``FROM`` / ``FROM NAMED`` IRI (prefixed names resolved).

`check_dataset` then applies the policy: no update, no ``SERVICE`` unless allow-listed, and every
dataset IRI (``FROM``, ``FROM NAMED``, protocol ``default-graph-uri`` / ``named-graph-uri``) must
name a graph of the store or be allow-listed. Nothing is ever fetched for a dataset IRI.
The lexer does not validate: the real parser runs afterwards and reports syntax errors.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal, NamedTuple
from urllib.parse import urljoin

from ..errors import QueryRefused

QueryForm = Literal["SELECT", "ASK", "CONSTRUCT", "DESCRIBE"]
QUERY_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})
UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
)

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\r\n]*)
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
               |"(?:[^"\\\r\n]|\\.)*"|'(?:[^'\\\r\n]|\\.)*')
  | (?P<var>[?$][\w\u00B7\u0300-\u036F\u203F-\u2040]+)
  | (?P<bnode>_:[\w.\-]*)
  | (?P<pname>(?:[^\W\d][\w.\-]*)?:(?:[\w:%\-]|\\.|\.(?=[\w:%\-]))*)
  | (?P<word>[^\W\d]\w*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


class Token(NamedTuple):  # a tuple: made once per token of every new query text, so made cheaply
    kind: str
    text: str
    offset: int


@dataclass
class RequestAnalysis:
    """What the text asks for. ``service`` holds None for a ``SERVICE ?variable``."""

    form: QueryForm | None = None
    update: str | None = None  # the first update keyword, when the text is an update
    base: str | None = None
    prefixes: dict[str, str] = field(default_factory=dict)
    service: list[str | None] = field(default_factory=list)
    from_graphs: list[str] = field(default_factory=list)
    from_named: list[str] = field(default_factory=list)


def tokens(text: str) -> Iterator[Token]:
    """Significant tokens (no whitespace, no comments)."""
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind in ("ws", "comment"):
            continue
        yield Token(kind, match.group(), match.start())


def token_list(text: str) -> tuple[Token, ...]:
    """`tokens` as a tuple, remembered for short texts (the safety scan and the light-query proof
    both read a new query's tokens)."""
    return _token_list_cached(text) if len(text) <= 4096 else tuple(tokens(text))


@lru_cache(maxsize=64)
def _token_list_cached(text: str) -> tuple[Token, ...]:
    return tuple(tokens(text))


def analyse(text: str) -> RequestAnalysis:
    """The request's form, update keyword and outbound IRIs (short texts cached: treat as read-only)."""
    return _analyse_cached(text) if len(text) <= 4096 else _analyse(text)


@lru_cache(maxsize=512)
def _analyse_cached(text: str) -> RequestAnalysis:
    return _analyse(text)


def _analyse(text: str) -> RequestAnalysis:
    out = RequestAnalysis()
    toks = token_list(text)
    i = 0
    # prologue
    while i < len(toks) and toks[i].kind == "word" and toks[i].text.upper() in ("BASE", "PREFIX"):
        if toks[i].text.upper() == "BASE" and i + 1 < len(toks) and toks[i + 1].kind == "iri":
            out.base = _resolve(toks[i + 1].text[1:-1], out.base)
            i += 2
        elif (toks[i].text.upper() == "PREFIX" and i + 2 < len(toks) and toks[i + 1].kind == "pname"
              and toks[i + 2].kind == "iri"):
            out.prefixes[toks[i + 1].text.rstrip(":")] = _resolve(toks[i + 2].text[1:-1], out.base)
            i += 3
        else:
            break
    if i < len(toks) and toks[i].kind == "word":
        head = toks[i].text.upper()
        if head in QUERY_FORMS:
            out.form = head  # type: ignore[assignment]
        elif head in UPDATE_KEYWORDS:
            out.update = head
    # the whole text: SERVICE, FROM [NAMED], and update keywords after a query (``…; INSERT``)
    for j in range(i, len(toks)):
        tok = toks[j]
        if tok.kind != "word":
            continue
        word = tok.text.upper()
        if word == "SERVICE":
            k = j + 1
            if k < len(toks) and toks[k].kind == "word" and toks[k].text.upper() == "SILENT":
                k += 1
            out.service.append(_iri_at(toks, k, out))
        elif word == "FROM":
            k = j + 1
            named = k < len(toks) and toks[k].kind == "word" and toks[k].text.upper() == "NAMED"
            target = _iri_at(toks, k + 1 if named else k, out)
            (out.from_named if named else out.from_graphs).append(target or "")
        elif word in UPDATE_KEYWORDS and out.update is None and _follows_separator(toks, j):
            out.update = word
    return out


def _follows_separator(toks: Sequence[Token], j: int) -> bool:
    """An update keyword starts an operation only at the start or after ``;``."""
    return j == 0 or (toks[j - 1].kind == "other" and toks[j - 1].text == ";")


def _iri_at(toks: Sequence[Token], k: int, analysis: RequestAnalysis) -> str | None:
    if k >= len(toks):
        return None
    tok = toks[k]
    if tok.kind == "iri":
        return _resolve(tok.text[1:-1], analysis.base)
    if tok.kind == "pname":
        prefix, _, local = tok.text.partition(":")
        if prefix in analysis.prefixes:
            return analysis.prefixes[prefix] + re.sub(r"\\(.)", r"\1", local)
    return None  # a variable, or something the parser will reject


def _resolve(iri: str, base: str | None) -> str:
    return urljoin(base, iri) if base else iri


def is_allowed(iri: str, allowed: Iterable[str]) -> bool:
    """Exact match, or prefix match for allow-list entries ending in ``/`` or ``#``."""
    for entry in allowed:
        if iri == entry or (entry.endswith(("/", "#")) and iri.startswith(entry)):
            return True
    return False


def check_request(
    analysis: RequestAnalysis,
    *,
    store_graphs: Collection[str],
    allowed: Sequence[str] = (),
    default_graph_uris: Sequence[str] = (),
    named_graph_uris: Sequence[str] = (),
) -> None:
    """Raise `QueryRefused` when the request would write or reach outside the store."""
    if analysis.update is not None:
        raise QueryRefused(f"this endpoint is read-only: {analysis.update} (SPARQL Update) is not accepted")
    for target in analysis.service:
        if target is None:
            raise QueryRefused("SERVICE with a variable or unresolvable endpoint is not allowed")
        if not is_allowed(target, allowed):
            raise QueryRefused(f"SERVICE <{target}> is not allowed: queries may not call other endpoints")
    for source, iris in (
        ("FROM", analysis.from_graphs),
        ("FROM NAMED", analysis.from_named),
        ("default-graph-uri", default_graph_uris),
        ("named-graph-uri", named_graph_uris),
    ):
        for iri in iris:
            if not iri:
                raise QueryRefused(f"{source} needs an IRI")
            if iri not in store_graphs and not is_allowed(iri, allowed):
                raise QueryRefused(
                    f"{source} <{iri}> is not a graph of this store; nothing is fetched from outside "
                    f"(graphs: GET /sparql for the service description)"
                )
