"""One page of a canned SELECT, asked of the store in SPARQL rather than cut from the whole answer.

A canned query ends with its ``ORDER BY`` (a test holds every file to it), so a page is the same text
followed by ``LIMIT n OFFSET m``: standard SPARQL that runs on the embedded store and on a remote
one, and the store stops serialising (and, where it can, sorting) past the page. The query's own
order decides which rows a page holds; ``order_is_total`` (used by the tests) checks that the order
has no ties on the data, so pages read one after another give the whole answer, each row once.

Asking one more row than the page (``limit + 1``) tells whether another page follows without
counting. The count itself (``count_text``) wraps the query as a sub-select; it costs an evaluation
without the sort and serialisation, so the API gives it only on request. A page with its total
(``run_counted_page``: the report pages, ``total=true``) is one evaluation when the whole answer has
at most ``ONE_PASS_ROWS`` rows: the rows come back once (``LIMIT ONE_PASS_ROWS + 1``), the total is
their number and the page their slice; a longer answer gets the count and the page as two queries.
At 1M the count took as long as the page itself (docs/notes/scale.md §18). A query whose header
gives a cheap count (``count_where``) has its page read alone (``limit + 1`` rows) and is counted
only when the page does not end the answer: serialising and parsing up to 10,001 rows to learn the
total cost more than that count (docs/notes/scale.md §42).

Parameters still arrive as pyoxigraph substitutions, never in the text: a substituted variable must
be in the top-level projection, so the count query projects (and groups by) every parameter the
caller binds; each is bound to one term, so there is one group.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from ..errors import ResultTooLarge
from .bucket_pages import bucketed, run_bucketed_page
from .catalog import DEFAULT_BASE_IRI, QuerySpec
from .interface import QueryEngine
from .page_texts import count_text, page_text, pageable, prologue

__all__ = [
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "ONE_PASS_ROWS",
    "CountedPage",
    "Page",
    "PageRequest",
    "count_rows",
    "count_text",
    "page_text",
    "pageable",
    "prologue",
    "run_counted_page",
    "run_page",
]

JSON = "application/sparql-results+json"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

DEFAULT_LIMIT = 1000
MAX_LIMIT = 10000
# the longest answer a page with its total reads whole (once) rather than counting it apart (twice):
# past some ten thousand rows, serialising and reading them costs more than the count (at 1M, 48,758
# rows of questions-without-resolution cost more than its count without the sort)
ONE_PASS_ROWS = 10_000


@dataclass(frozen=True)
class PageRequest:
    limit: int = DEFAULT_LIMIT
    offset: int = 0


@dataclass(frozen=True)
class Page:
    """One page of a SELECT's answer as SPARQL JSON results (``results`` holds at most ``limit``
    bindings) and whether rows follow it."""

    results: dict[str, Any]
    request: PageRequest
    more: bool

    @property
    def rows(self) -> int:
        return len(self.results["results"]["bindings"])


def run_page(
    engine: QueryEngine,
    spec: QuerySpec,
    params: Mapping[str, str | None],
    page: PageRequest,
    *,
    base_iri: str = DEFAULT_BASE_IRI,
    timeout: float | None = None,
) -> Page:
    """Bind (`ParameterError` if a value is wrong) and ask the store for one page, plus one row to
    know whether another page follows. A query `page_text` cannot page (no ``ORDER BY``, or its own
    ``LIMIT``: none of the shipped ones, a test holds them to it) is run whole and cut here."""
    substitutions = spec.bind(params, base_iri)
    if spec.pages_by is not None:  # the answer split by a parameter's values (`bucket_pages`)

        cut = run_bucketed_page(engine, spec, substitutions, page.limit + 1, page.offset, timeout=timeout)
        if cut is not None:
            more = len(cut.bindings) > page.limit
            body = {"head": {"vars": cut.variables}, "results": {"bindings": cut.bindings[: page.limit]}}
            return Page(body, page, more)
    in_store = pageable(spec.text)
    text = page_text(spec.text, page.limit + 1, page.offset) if in_store else spec.text
    result = engine.run(text, media_type=JSON, substitutions=substitutions, timeout=timeout)
    body = json.loads(result.body)
    bindings = body.get("results", {}).get("bindings", [])
    if not in_store:
        bindings = bindings[page.offset : page.offset + page.limit + 1]
    more = len(bindings) > page.limit
    body.setdefault("results", {})["bindings"] = bindings[: page.limit]
    return Page(body, page, more)


def count_rows(
    engine: QueryEngine,
    spec: QuerySpec,
    params: Mapping[str, str | None],
    *,
    base_iri: str = DEFAULT_BASE_IRI,
    timeout: float | None = None,
) -> int:
    """How many rows the whole answer has (counted by the store, nothing serialised but the number;
    the query's ``count_where`` pattern when its header gives one, `page_texts.count_text`)."""
    substitutions = spec.bind(params, base_iri)
    text = count_text(spec.text, substitutions, pattern=spec.count_where)
    result = engine.run(text, media_type=JSON, substitutions=substitutions, timeout=timeout)
    bindings = json.loads(result.body).get("results", {}).get("bindings", [])
    return sum(int(b["rows"]["value"]) for b in bindings if "rows" in b)


@dataclass(frozen=True)
class CountedPage:
    """A page and the number of rows of the whole answer."""

    page: Page
    total: int


def _binding(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> dict[str, str]:
    """A term as a binding of the SPARQL JSON results format (as the store serialises it)."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        if term.language:
            return {"type": "literal", "value": term.value, "xml:lang": term.language}
        if term.datatype.value == XSD_STRING:
            return {"type": "literal", "value": term.value}
        return {"type": "literal", "value": term.value, "datatype": term.datatype.value}
    raise ValueError("a triple term in a canned query's answer")  # no canned query projects one


def _cut(body: bytes, page: PageRequest) -> CountedPage | None:
    """The page's rows and the number of rows of a whole SPARQL JSON answer (None if the body is not
    one pyoxigraph reads: a remote store's own dialect; the caller then counts apart)."""
    end = page.offset + page.limit
    bindings: list[dict[str, Any]] = []
    total = 0
    try:
        solutions = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        if not isinstance(solutions, ox.QuerySolutions):
            return None
        names = [v.value for v in solutions.variables]
        for total, solution in enumerate(solutions, start=1):  # noqa: B007  (total is read after)
            if page.offset < total <= end:
                bindings.append({n: _binding(solution[n]) for n in names if solution[n] is not None})
    except (SyntaxError, ValueError):
        return None
    body_out = {"head": {"vars": names}, "results": {"bindings": bindings}}
    return CountedPage(Page(body_out, page, total > end), total)


def run_counted_page(
    engine: QueryEngine,
    spec: QuerySpec,
    params: Mapping[str, str | None],
    page: PageRequest,
    *,
    base_iri: str = DEFAULT_BASE_IRI,
    timeout: float | None = None,
    one_pass_rows: int = ONE_PASS_ROWS,
) -> CountedPage:
    """One page and the total. A query with a cheap count (its header's ``count_where``) or read by
    bucket (`bucket_pages`) is asked for its page alone, and counted only when the page does not show
    where the answer ends (`_page_then_count`). Any other query `page_text` can page is asked for its
    first ``one_pass_rows + 1`` rows in order: if the answer ends there, its length is the total and
    the page is cut from it, one evaluation instead of two. A longer answer is counted apart, and a
    page within those first rows is cut from them (not asked again). Otherwise (a page past them, a
    body the engine refuses as too large or pyoxigraph cannot read, a query that cannot be paged) the
    count and the page are asked apart."""
    substitutions = spec.bind(params, base_iri)
    # reading a long answer's first 10,001 rows only to learn that it is long costs their sort (a
    # query read by bucket sorts none) or their serialising and parsing (a query with a count pattern:
    # at 1M resolution-overlap's pass cost more than its count and its page together)
    if spec.count_where is not None or bucketed(spec, substitutions):
        return _page_then_count(engine, spec, params, page, base_iri=base_iri, timeout=timeout)
    if pageable(spec.text):
        text = page_text(spec.text, one_pass_rows + 1, 0)
        try:
            result = engine.run(text, media_type=JSON, substitutions=substitutions, timeout=timeout)
        except ResultTooLarge:
            result = None
        cut = _cut(result.body, page) if result is not None else None
        if cut is not None and cut.total <= one_pass_rows:
            return cut
        if cut is not None and page.offset + page.limit <= one_pass_rows:
            # a longer answer: its first rows in order are read already, and hold this page and the
            # row after it (``more``); only the total is asked apart
            return CountedPage(cut.page, count_rows(engine, spec, params, base_iri=base_iri, timeout=timeout))
    total = count_rows(engine, spec, params, base_iri=base_iri, timeout=timeout)
    return CountedPage(run_page(engine, spec, params, page, base_iri=base_iri, timeout=timeout), total)


def _page_then_count(
    engine: QueryEngine,
    spec: QuerySpec,
    params: Mapping[str, str | None],
    page: PageRequest,
    *,
    base_iri: str,
    timeout: float | None,
) -> CountedPage:
    """The page (``limit + 1`` rows), and the count only if it is needed: a page with rows and none
    after it, or a first page with none, ends the answer, so the total is its offset and rows (a
    short answer stays one evaluation)."""
    got = run_page(engine, spec, params, page, base_iri=base_iri, timeout=timeout)
    if not got.more and (got.rows or page.offset == 0):
        return CountedPage(got, page.offset + got.rows)
    return CountedPage(got, count_rows(engine, spec, params, base_iri=base_iri, timeout=timeout))
