"""A page read bucket by bucket: the answer split by the values of one parameter, in the order of the
answer's first sort key, so a first page evaluates the rows of its first bucket, not the whole answer.

Oxigraph evaluates and sorts every solution before a ``LIMIT`` (docs/notes/scale.md §18, §22): a
page of ``questions-without-resolution`` at 1M cost its 48,758 rows whatever the page. Its order
starts with the Sector's label, and its ``sector`` parameter binds the Sector: the answer is the
answers for each Sector, one after another in the order of their labels. A query says so in its
header::

    #+ pages_by:
    #+   param: sector
    #+   values: >
    #+     SELECT ?value ?key WHERE { ?value a iscg:Sector ; rdfs:label ?key . FILTER(LANG(?key) = "en") }
    #+     ORDER BY ?key

``values`` (under the query's own ``PREFIX`` declarations) lists every value the parameter's
variable takes in the answer with the value of the answer's first sort key for it, in that key's
order (ascending). What the header asserts, and tests check on the real data and at 10k for each
query that declares it: a row of the answer with the variable bound to a value is a row of the
answer with the parameter bound to it, and its first sort key is that value's key. Then the answer
is the concatenation of the buckets' answers, each in the query's order, and a page is cut from
them with ``LIMIT``/``OFFSET`` per bucket; an earlier bucket is counted (no sort, nothing
serialised) only when the page starts after it.

A bucket can also be a variable of the query that is no parameter (``var`` instead of ``param``):
sector-overlap-detail's rows by area are ordered by the area's label, and ``dv:areaKey`` (the first
characters of that label, derived) splits them into buckets in that order. Its ``values`` SELECT is
given the caller's substitutions (it may list nothing, e.g. when the rows are ordered otherwise: then
the whole query is paged), and each bucket's value is written into the bucket's texts
(`query.splice`), so the store starts from it rather than meeting it last (docs/notes/scale.md §38).

The walk is used only when it is safe on the data at hand: each value listed once, with one key,
every key different (two values with the same key would interleave their rows), and the parameter
not given by the caller (then the answer is one bucket already). Otherwise the caller pages the
whole query as before. Standard SPARQL throughout: the same texts run on a remote store.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from .catalog import QuerySpec
from .interface import QueryEngine
from .page_texts import count_text, page_text, prologue
from .safety import tokens
from .splice import splice

__all__ = ["Bucketed", "bucket_values", "bucketed", "run_bucketed_page"]

JSON = "application/sparql-results+json"


@dataclass(frozen=True)
class Bucketed:
    """Rows of one page cut from the buckets, with the answer's variables."""

    variables: list[str]
    bindings: list[dict[str, Any]]  # at most ``limit + 1``: one more says a page follows


def _term(binding: Mapping[str, str]) -> str | None:
    """An IRI (or, for a ``var`` bucket, a plain literal) binding of the SPARQL JSON results as an
    N-Triples term (a substitution)."""
    if binding.get("type") == "uri":
        return f"<{binding['value']}>"
    if binding.get("type") == "literal" and "xml:lang" not in binding and "datatype" not in binding:
        return str(ox.Literal(binding["value"]))
    return None


def bucketed(spec: QuerySpec, substitutions: Mapping[str, str]) -> bool:
    """Whether a page of ``spec`` with ``substitutions`` is read by bucket (if the walk is safe)."""
    if spec.pages_by is None:
        return False
    return "var" in spec.pages_by or spec.pages_by["param"] not in substitutions


def bucket_values(engine: QueryEngine, spec: QuerySpec, substitutions: Mapping[str, str] | None = None, *,
                  timeout: float | None = None) -> list[str] | None:
    """The bucket's values in the order of the answer's first sort key, as N-Triples terms, or
    None when the walk would not be safe on this data (a value twice or without a key, two values
    with one key, a value that is neither an IRI nor, for a ``var`` bucket, a plain literal). A
    ``var`` bucket's values are asked with those of ``substitutions`` (the caller's parameters) that
    its SELECT names (pyoxigraph binds projected variables only: it projects them)."""
    assert spec.pages_by is not None
    text = prologue(spec.text) + spec.pages_by["values"]
    used = {tok.text[1:] for tok in tokens(spec.pages_by["values"]) if tok.kind == "var"}
    given = {k: v for k, v in (substitutions or {}).items() if k.lstrip("?$") in used}
    if "var" not in spec.pages_by:
        given = {}
    body = json.loads(engine.run(text, media_type=JSON, substitutions=given or None, timeout=timeout).body)
    values: list[str] = []
    keys: list[tuple[str, ...]] = []
    for row in body.get("results", {}).get("bindings", []):
        value = _term(row.get("value", {}))
        key = row.get("key")
        if value is None or key is None or (value.startswith('"') and "var" not in spec.pages_by):
            return None
        values.append(value)
        keys.append(tuple(sorted((k, str(v)) for k, v in key.items())))  # type: ignore[misc]
    if len(set(values)) != len(values) or len(set(keys)) != len(keys):
        return None
    return values


def _bindings(engine: QueryEngine, text: str, substitutions: Mapping[str, str],
              timeout: float | None) -> tuple[list[str], list[dict[str, Any]]]:
    body = json.loads(engine.run(text, media_type=JSON, substitutions=substitutions, timeout=timeout).body)
    return body.get("head", {}).get("vars", []), body.get("results", {}).get("bindings", [])


def run_bucketed_page(engine: QueryEngine, spec: QuerySpec, substitutions: Mapping[str, str],
                      limit: int, offset: int, *, timeout: float | None = None) -> Bucketed | None:
    """Rows ``offset`` to ``offset + limit`` (one more than a page: the caller asks ``limit + 1``) of
    the answer with ``substitutions``, bucket by bucket, or None when the query declares no buckets,
    the caller bound the bucket parameter, or `bucket_values` finds the walk unsafe (or, for a
    ``var`` bucket, lists no value)."""
    if spec.pages_by is None or not bucketed(spec, substitutions):
        return None
    values = bucket_values(engine, spec, substitutions, timeout=timeout)
    if not values:
        return None
    var = spec.pages_by.get("var")

    def bucket(value: str) -> tuple[str, dict[str, str]]:
        """The query's text and substitutions for one bucket."""
        if var is not None:  # the value written into the text: the store starts from it
            return splice(spec.text, {var: value}), dict(substitutions)
        return spec.text, {**substitutions, spec.pages_by["param"]: value}  # type: ignore[index]

    variables: list[str] = []
    rows: list[dict[str, Any]] = []
    skip = offset
    for value in values:
        text, bound = bucket(value)
        if skip:
            pattern = spec.count_where if var is None else None  # the pattern knows no spliced key
            counted = _bindings(engine, count_text(text, bound, pattern=pattern), bound, timeout)[1]
            in_bucket = sum(int(b["rows"]["value"]) for b in counted if "rows" in b)
            if in_bucket <= skip:
                skip -= in_bucket
                continue
        variables, got = _bindings(engine, page_text(text, limit - len(rows), skip), bound, timeout)
        skip = 0
        rows.extend(got)
        if len(rows) >= limit:
            break
    if not variables:  # every bucket skipped (a page past the end): the head of one evaluation
        text, bound = bucket(values[0])
        variables = _bindings(engine, page_text(text, 1, 0), bound, timeout)[0]
    return Bucketed(variables, rows[:limit])
