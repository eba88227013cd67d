"""Pages asked of the store (LIMIT/OFFSET in SPARQL) read one after another give the whole answer,
in the query's order, for every canned query on the real data; the count matches; the query text
is the file's plus only the page clause."""

from __future__ import annotations

import json

import pytest

from iscg_graph.query.catalog import QueryCatalog
from iscg_graph.query.engine import InProcessEngine
from iscg_graph.query.paging import (
    PageRequest,
    count_rows,
    count_text,
    page_text,
    run_page,
)

JSON = "application/sparql-results+json"
REQUIRED = {
    "sector-overlap-detail": {"sector_a": "ITU-D", "sector_b": "ITU-T"},
    "study-group-neighbours": {"study_group": "itu-t/2017-2020/sg17"},
}
# GROUP_CONCAT joins a group's values in no order SPARQL fixes: the store may join them in another
# order when the plan changes (as it does with a LIMIT). The row and its parts are the same.
UNORDERED = {("question-duplicate-candidates", "evidence"): " | "}


def _comparable(name: str, rows: list[dict]) -> list[dict]:
    out = []
    for row in rows:
        row = dict(row)
        for (query, column), separator in UNORDERED.items():
            if query == name and column in row:
                parts = sorted(row[column]["value"].split(separator))
                row[column] = {**row[column], "value": separator.join(parts)}
        out.append(row)
    return out


def _full(engine: InProcessEngine, catalog: QueryCatalog, name: str) -> list[dict]:
    spec = catalog[name]
    params = REQUIRED.get(name, {})
    body = engine.run(spec.text, media_type=JSON, substitutions=spec.bind(params)).body
    return json.loads(body)["results"]["bindings"]


def _names(catalog: QueryCatalog) -> list[str]:
    return sorted(catalog)


def test_every_canned_query_pages_to_its_whole_answer(
    real_engine: InProcessEngine, catalog: QueryCatalog
) -> None:
    checked = 0
    for name in _names(catalog):
        spec = catalog[name]
        params = REQUIRED.get(name, {})
        full = _full(real_engine, catalog, name)
        limit = max(1, len(full) // 3)  # at least three pages when there are three rows
        got: list[dict] = []
        offset = 0
        while True:
            page = run_page(real_engine, spec, params, PageRequest(limit, offset))
            got.extend(page.results["results"]["bindings"])
            assert page.rows <= limit
            if not page.more:
                break
            assert page.rows == limit, name
            offset += limit
        assert _comparable(name, got) == _comparable(name, full), f"{name}: pages differ from the answer"
        assert count_rows(real_engine, spec, params) == len(full), name
        checked += 1 if full else 0
    assert checked >= 10  # the real data answers most of them with rows


def test_a_page_past_the_end_is_empty_and_has_no_more(
    real_engine: InProcessEngine, catalog: QueryCatalog
) -> None:
    spec = catalog["theme-coverage"]
    n = count_rows(real_engine, spec, {})
    assert n > 2
    last = run_page(real_engine, spec, {}, PageRequest(2, n - 2))
    assert last.rows == 2 and not last.more
    beyond = run_page(real_engine, spec, {}, PageRequest(5, n + 10))
    assert beyond.rows == 0 and not beyond.more


def test_the_order_of_every_paged_query_has_no_ties_on_the_real_data(
    real_engine: InProcessEngine, catalog: QueryCatalog
) -> None:
    """Rows that tie on every ORDER BY key could swap between two page requests: no canned query
    returns two identical rows, and its order keys are shown columns, so distinct rows differ."""
    for name in _names(catalog):
        rows = _full(real_engine, catalog, name)
        seen = {json.dumps(r, sort_keys=True) for r in rows}
        assert len(seen) == len(rows), f"{name} returns duplicate rows"


def test_page_text_appends_only_the_page_clause(catalog: QueryCatalog) -> None:
    for spec in catalog.values():
        text = page_text(spec.text, 11, 22)
        assert text.startswith(spec.text.rstrip())
        assert text[len(spec.text.rstrip()):].split() == ["LIMIT", "11", "OFFSET", "22"]
    assert page_text("SELECT * { ?s ?p ?o } ORDER BY ?s", 5, 0).endswith("LIMIT 5")


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * { ?s ?p ?o } ORDER BY ?s LIMIT 3",
        "SELECT * { ?s ?p ?o } ORDER BY ?s OFFSET 3",
        "SELECT * { ?s ?p ?o } ORDER BY ?s VALUES ?s { <a:b> }",
        "SELECT * { ?s ?p ?o }",
    ],
)
def test_page_text_refuses_what_it_cannot_page_honestly(text: str) -> None:
    with pytest.raises(ValueError):
        page_text(text, 5, 0)


def test_a_limit_inside_a_sub_select_is_not_the_query_s() -> None:
    text = "SELECT * { { SELECT ?s { ?s ?p ?o } LIMIT 3 } } ORDER BY ?s"
    assert page_text(text, 5, 0).endswith("LIMIT 5")


def test_count_text_keeps_the_prologue_and_projects_the_bound_variables() -> None:
    text = "PREFIX ex: <http://example.org/>\nSELECT ?s ?x { ?s ex:p ?x } ORDER BY ?s"
    out = count_text(text, {"x": '"1"'})
    assert out.startswith("PREFIX ex: <http://example.org/>\nSELECT ?x (COUNT(*) AS ?rows) WHERE {")
    assert out.rstrip().endswith("GROUP BY ?x")


def test_every_shipped_canned_query_is_paged_by_the_store(catalog: QueryCatalog) -> None:
    """No canned query falls back to being run whole and cut in Python."""
    from iscg_graph.query.paging import pageable

    assert [name for name, spec in catalog.items() if not pageable(spec.text)] == []


def test_page_and_count_texts_keep_their_answer_when_spliced_for_a_remote_store(
    real_engine: InProcessEngine, catalog: QueryCatalog
) -> None:
    """A remote store takes no substitutions: the texts get the terms written in (query.splice). The
    count and a page must answer the same as with substitutions."""
    from iscg_graph.query.splice import splice

    for name in _names(catalog):
        spec = catalog[name]
        subs = spec.bind(REQUIRED.get(name, {}))
        for text in (count_text(spec.text, subs), page_text(spec.text, 5, 3)):
            bound = json.loads(real_engine.run(text, media_type=JSON, substitutions=subs).body)
            spliced = json.loads(real_engine.run(splice(text, subs), media_type=JSON).body)
            assert _comparable(name, spliced["results"]["bindings"]) == _comparable(
                name, bound["results"]["bindings"]
            ), name
