"""Closed choices that come from the data, written into `/openapi.json` when it is asked for.

The routes are declared before any build is open, so some facts a schema needs are only known at
run time: the study periods the data holds, the Sector codes and scheme notations the candidate
index knows, the base IRI of theme and study-group identifiers. `install(app)` wraps the app's
``openapi()`` so the document it serves carries them as enums and patterns, and a fuzzer's valid
request is one the service accepts. The document is re-made when the served build changes.

The schema can be narrower than the service: a canned query also accepts a study period that is
not in the data (any ``YYYY-YYYY`` with the first year first, as the overlap filter's years), but
only the periods of the data are offered; values outside the schema keep their 4xx naming the
parameter.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from copy import deepcopy
from typing import Any

from fastapi import FastAPI

from iscg_graph.overlap.weights import KINDS
from iscg_graph.query.catalog import QueryCatalog

__all__ = ["install", "study_periods"]

_PERIODS = """PREFIX iscg: <https://w3id.org/iscg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?p WHERE { ?period a iscg:StudyPeriod ; skos:notation ?p }"""
_PERIOD = re.compile(r"^([0-9]{4})-([0-9]{4})$")
_CANDIDATE_ROUTES = ("/api/candidates", "/reports/candidates")
_NEW_SINCE_ROUTES = ("/reports/new-since", "/reports/new-since.csv", "/reports/new-since.xlsx")
_SLUG = r"[a-z0-9.-]*[a-z0-9-][a-z0-9.-]*"  # as `QuerySpec.bind` checks: no "." or ".." segment


def study_periods(store: Any) -> list[str]:
    """The study periods of the data, newest first, each one a canned query accepts."""
    found = set()
    for row in store.select(_PERIODS):
        value = str(getattr(row["p"], "value", row["p"]))
        match = _PERIOD.match(value)
        if match and int(match.group(1)) < int(match.group(2)):
            found.add(value)
    return sorted(found, reverse=True)


def _candidate_codes(app: FastAPI) -> list[str] | None:
    """Every code the candidate index filters by (any kind), or None when there is no index to read
    now (a first one being computed, or none and none computed: never computed for a document)."""
    from .candidate_index import index_now

    index = index_now(app)
    if isinstance(index, str):
        return None
    return sorted({code for kind in KINDS for code in index.codes(kind)})


def _strings(schema: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The string schemas of a parameter (itself, or the non-null branch of an optional one)."""
    if schema.get("type") == "string":
        yield schema
    for branch in schema.get("anyOf", ()):
        yield from _strings(branch)


def _parameter(document: dict[str, Any], path: str, name: str) -> dict[str, Any] | None:
    for param in document.get("paths", {}).get(path, {}).get("get", {}).get("parameters", ()):
        if param.get("name") == name and param.get("in") == "query":
            return param.get("schema")  # type: ignore[no-any-return]
    return None


def _fill(document: dict[str, Any], catalog: QueryCatalog, base_iri: str, periods: list[str],
          codes: list[str] | None) -> None:
    for name, spec in catalog.items():
        for p in spec.params:
            schema = _parameter(document, f"/api/queries/{name}", p.name)
            if schema is None:
                continue
            for string in _strings(schema):
                if p.type == "study_period" and periods:
                    string.pop("pattern", None)
                    string["enum"] = periods
                elif p.type in ("theme", "study_group"):  # the part after the prefix, or the whole IRI
                    prefix = re.escape(f"{base_iri}id/{p.type.replace('_', '-')}/")
                    string["pattern"] = f"^({prefix})?{_SLUG}(/{_SLUG})*$"
    # /search answers its form without `q` as HTML, but JSON needs words: a client must send them
    for param in document.get("paths", {}).get("/search", {}).get("get", {}).get("parameters", ()):
        if param.get("name") == "q":
            param["required"] = True
    for path in _NEW_SINCE_ROUTES:  # the study periods of the data, as for the canned queries
        for string in _strings(_parameter(document, path, "since_period") or {}):
            if periods:
                string.pop("pattern", None)
                string["enum"] = periods
    if codes:
        for path in _CANDIDATE_ROUTES:
            schema = _parameter(document, path, "sector")
            for string in _strings(schema or {}):
                string["enum"] = codes


def install(app: FastAPI, catalog: QueryCatalog, base_iri: str) -> None:
    """Serve FastAPI's document with the data's closed choices filled in, re-made per build."""
    plain: Callable[[], dict[str, Any]] = app.openapi
    made: dict[str, Any] = {}

    def openapi() -> dict[str, Any]:
        store = getattr(app.state, "store", None)
        if store is None:  # no build open (before the lifespan): the routes' own schemas
            return plain()
        codes = _candidate_codes(app)
        key = (store.meta.data_version, store.meta.generation, None if codes is None else tuple(codes))
        if made.get("key") != key:
            document = deepcopy(plain())
            _fill(document, catalog, base_iri, study_periods(store), codes)
            made.update(key=key, document=document)
        return made["document"]  # type: ignore[no-any-return]

    app.openapi = openapi  # type: ignore[method-assign]
