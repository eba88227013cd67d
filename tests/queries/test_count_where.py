"""A query's ``count_where`` (its header: a pattern with one solution per row of the answer, without
the look-ups that only fill the row's columns) counts what the query itself counts: the same total as
the count of the whole query and as the rows of the answer, with and without each parameter, on the
real data and on the 10k benchmark graph (docs/notes/scale.md: the count was most of a report page
of questions-without-resolution at 1M)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from iscg_graph.errors import QueryError
from iscg_graph.query.catalog import QueryCatalog, parse_query_file
from iscg_graph.query.engine import InProcessEngine
from iscg_graph.query.page_texts import count_text
from iscg_graph.query.paging import PageRequest, count_rows, run_counted_page
from iscg_graph.query.reports import run_select

JSON = "application/sparql-results+json"
PARAMS: dict[str, list[dict[str, str]]] = {
    "questions-without-resolution": [
        {}, {"sector": "ITU-T"}, {"sector": "ITU-R"}, {"study_period": "2018-2021"},
        {"study_period": "2022-2025"}, {"study_period": "1990-1991"},
        {"sector": "ITU-D", "study_period": "2018-2021"},
    ],
    # the theme with most pairs on the real data, two with a few, one with none at 10k
    "resolution-overlap": [
        {}, {"theme": "resolution-areas/14"}, {"theme": "resolution-areas/23"},
        {"theme": "resolution-areas/27"},
    ],
    # the parameter sets of its rewritten text's test (tests/queries/test_rewritten_queries.py)
    "sector-overlap-detail": [
        {"sector_a": a, "sector_b": b, **extra}
        for a, b in (("ITU-R", "ITU-T"), ("ITU-T", "ITU-D"), ("GS", "ITU-R"), ("ITU-D", "ITU-D"))
        for extra in ({}, {"count": "items"}, {"study_period": "2022-2025"},
                      {"study_period": "2017-2020", "count": "items"})],
}
# patterns that do not give one solution per row: the check must refuse them
WRONG = {
    "resolution-overlap": [
        # the pairs of every theme, whatever the parameter
        "?pair dv:resolution ?resA ; dv:otherResolution ?resB .",
        # a row per version of the first Resolution, not per pair
        "?pair dv:resolution ?resA ; dv:otherResolution ?resB ; dv:theme ?theme . ?resA iscg:hasVersion ?v .",
    ],
}


def test_the_queries_with_a_count_pattern_are_those_checked(catalog: QueryCatalog) -> None:
    assert sorted(n for n in catalog if catalog[n].count_where) == sorted(PARAMS)


def _query_count(engine: InProcessEngine, spec, params: dict[str, str]) -> int:  # type: ignore[no-untyped-def]
    """The count of the query itself (what `count_rows` asked before the pattern)."""
    bound = spec.bind(params)
    body = engine.run(count_text(spec.text, bound), media_type=JSON, substitutions=bound).body
    return sum(int(b["rows"]["value"]) for b in json.loads(body)["results"]["bindings"])


def _same(engine: InProcessEngine, catalog: QueryCatalog, name: str, params: dict[str, str]) -> int:
    spec = catalog[name]
    rows = len(run_select(engine, spec, params).rows)
    assert count_rows(engine, spec, params) == _query_count(engine, spec, params) == rows, (name, params)
    assert run_counted_page(engine, spec, params, PageRequest(50, 0)).total == rows, (name, params)
    return rows


@pytest.mark.parametrize("name", sorted(PARAMS))
def test_the_pattern_counts_the_rows_on_the_real_data(real_engine, catalog, name) -> None:  # type: ignore[no-untyped-def]
    counts = [_same(real_engine, catalog, name, params) for params in PARAMS[name]]
    assert counts[0] > 0 and 0 < min(c for c in counts if c) < counts[0], counts


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(PARAMS))
def test_the_pattern_counts_the_rows_on_the_10k_bench_graph(bench_10k, catalog, name) -> None:  # type: ignore[no-untyped-def]
    counts = [_same(bench_10k, catalog, name, params) for params in PARAMS[name]]
    assert counts[0] > 0 and any(0 < c < counts[0] for c in counts[1:]), counts


@pytest.mark.parametrize(("name", "pattern"), [(n, p) for n in sorted(WRONG) for p in WRONG[n]])
def test_a_wrong_pattern_fails_the_check(real_engine, catalog, name, pattern) -> None:  # type: ignore[no-untyped-def]
    spec = replace(catalog[name], count_where=pattern)
    with pytest.raises(AssertionError):
        for params in PARAMS[name]:
            _same(real_engine, {name: spec}, name, params)  # type: ignore[arg-type]


def test_the_count_asks_the_pattern_not_the_query(real_engine: InProcessEngine,
                                                   catalog: QueryCatalog) -> None:
    asked: list[str] = []

    class Recording:
        def run(self, sparql: str, **kwargs):  # type: ignore[no-untyped-def]
            asked.append(sparql)
            return real_engine.run(sparql, **kwargs)

    spec = catalog["questions-without-resolution"]
    assert count_rows(Recording(), spec, {}) > 0  # type: ignore[arg-type]
    assert len(asked) == 1 and "SELECT DISTINCT" not in asked[0] and "dv:groupMandates" not in asked[0]


def test_a_count_pattern_that_does_not_parse_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.rq"
    path.write_text("#+ summary: s\n#+ count_where: |\n#+   ?s ?p\n"
                    "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s\n")
    with pytest.raises(QueryError, match="count_where"):
        parse_query_file(path)
