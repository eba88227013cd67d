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

from .catalog import QuerySpec
from .interface import QueryEngine
from .page_texts import count_text, page_text, prologue

__all__ = ["Bucketed", "bucket_values", "run_bucketed_page"]

JSON = "application/sparql-results+json"


@dataclass(frozen=True)
class Bucketed:
    """Rows of one page cut from the buckets, with the answer's variables."""

    variables: list[str]
    bindings: list[dict[str, Any]]  # at most ``limit + 1``: one more says a page follows


def _term(binding: Mapping[str, str]) -> str | None:
    """An IRI binding of the SPARQL JSON results as an N-Triples term (a substitution)."""
    if binding.get("type") != "uri":
        return None
    return f"<{binding['value']}>"


def bucket_values(engine: QueryEngine, spec: QuerySpec, *,
                  timeout: float | None = None) -> list[str] | None:
    """The parameter's values in the order of the answer's first sort key, as N-Triples terms, or
    None when the walk would not be safe on this data (a value twice or without a key, two values
    with one key, a value that is not an IRI)."""
    assert spec.pages_by is not None
    text = prologue(spec.text) + spec.pages_by["values"]
    body = json.loads(engine.run(text, media_type=JSON, timeout=timeout).body)
    values: list[str] = []
    keys: list[tuple[str, ...]] = []
    for row in body.get("results", {}).get("bindings", []):
        value = _term(row.get("value", {}))
        key = row.get("key")
        if value is None or key is None:
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
    the caller bound the bucket parameter, or `bucket_values` finds the walk unsafe."""
    if spec.pages_by is None or spec.pages_by["param"] in substitutions:
        return None
    values = bucket_values(engine, spec, timeout=timeout)
    if not values:
        return None
    param = spec.pages_by["param"]
    variables: list[str] = []
    rows: list[dict[str, Any]] = []
    skip = offset
    for value in values:
        bound = {**substitutions, param: value}
        if skip:
            text = count_text(spec.text, bound, pattern=spec.count_where)
            counted = _bindings(engine, text, bound, timeout)[1]
            in_bucket = sum(int(b["rows"]["value"]) for b in counted if "rows" in b)
            if in_bucket <= skip:
                skip -= in_bucket
                continue
        variables, got = _bindings(engine, page_text(spec.text, limit - len(rows), skip), bound, timeout)
        skip = 0
        rows.extend(got)
        if len(rows) >= limit:
            break
    if not variables:  # every bucket skipped (a page past the end): the head of one evaluation
        variables = _bindings(engine, page_text(spec.text, 1, 0), {**substitutions, param: values[0]},
                              timeout)[0]
    return Bucketed(variables, rows[:limit])
