"""A page with its total in one evaluation (`run_counted_page`, docs/notes/scale.md §18) shows exactly
what the page and the count asked apart show: the same rows in the same order, the same total, the
same "more" flag, for every canned query on the real data, with the answer read whole and with the
fallback (an answer longer than the one-pass bound); report pages are the slices of the whole report."""

from __future__ import annotations

import json
from typing import Any

import pytest

from iscg_graph.errors import ResultTooLarge
from iscg_graph.query.catalog import QueryCatalog
from iscg_graph.query.engine import InProcessEngine
from iscg_graph.query.paging import PageRequest, count_rows, run_counted_page, run_page
from iscg_graph.query.report_pages import run_report_page
from iscg_graph.query.reports import run_report
from iscg_graph.rdf.store import StoreMeta

JSON = "application/sparql-results+json"
REQUIRED = {  # as in test_paging.py
    "sector-overlap-detail": {"sector_a": "ITU-D", "sector_b": "ITU-T"},
    "study-group-neighbours": {"study_group": "itu-t/2017-2020/sg17"},
}
# GROUP_CONCAT joins a group's values in no order SPARQL fixes (the plan changes with a LIMIT)
UNORDERED = {("question-duplicate-candidates", "evidence"): " | "}


def _comparable(name: str, rows: list[dict]) -> list[dict]:
    out = []
    for row in rows:
        row = dict(row)
        for (query, column), separator in UNORDERED.items():
            if query == name and column in row:
                row[column] = {**row[column], "value": sorted(row[column]["value"].split(separator))}
        out.append(row)
    return out


def _requests(total: int) -> list[PageRequest]:
    size = max(1, total // 3)
    return [PageRequest(size, 0), PageRequest(size, size), PageRequest(size, max(0, total - 1)),
            PageRequest(50, 0), PageRequest(7, total + 3)]


def _rows(name: str, results: dict[str, Any]) -> list[dict]:
    return _comparable(name, results["results"]["bindings"])


# read whole; longer than 40 rows (a page within them cut from them, the total counted); longer than 1
@pytest.mark.parametrize("one_pass_rows", [10_000, 40, 1])
def test_a_counted_page_is_the_page_and_the_count(
    real_engine: InProcessEngine, catalog: QueryCatalog, one_pass_rows: int
) -> None:
    checked = 0
    for name in sorted(catalog):
        spec = catalog[name]
        params = REQUIRED.get(name, {})
        total = count_rows(real_engine, spec, params)
        for request in _requests(total):
            apart = run_page(real_engine, spec, params, request)
            got = run_counted_page(real_engine, spec, params, request, one_pass_rows=one_pass_rows)
            assert got.total == total, name
            assert got.page.more == apart.more, (name, request)
            assert got.page.rows == apart.rows, (name, request)
            assert _rows(name, got.page.results) == _rows(name, apart.results), (name, request)
            assert got.page.results["head"]["vars"] == apart.results["head"]["vars"], name
            checked += got.page.rows
    assert checked > 100


def test_typed_and_tagged_terms_come_back_as_the_store_writes_them(
    real_engine: InProcessEngine, catalog: QueryCatalog
) -> None:
    # theme-coverage has integers, language-tagged labels and IRIs: the binding dicts are the store's own
    spec = catalog["theme-coverage"]
    body = real_engine.run(spec.text, media_type=JSON, substitutions=spec.bind({})).body
    whole = json.loads(body)["results"]["bindings"]
    got = run_counted_page(real_engine, spec, {}, PageRequest(len(whole), 0))
    assert got.page.results["results"]["bindings"] == whole
    kinds = {(b["type"], "datatype" in b, "xml:lang" in b) for row in whole for b in row.values()}
    assert ("uri", False, False) in kinds and ("literal", True, False) in kinds


class _TooLarge:
    """An engine that refuses the one-pass body (a store's size guard) and answers the rest."""

    def __init__(self, inner: InProcessEngine) -> None:
        self.inner, self.refused = inner, 0

    def run(self, sparql: str, **kwargs: Any) -> Any:
        if "LIMIT 10001" in sparql:
            self.refused += 1
            raise ResultTooLarge("too large")
        return self.inner.run(sparql, **kwargs)


def test_a_refused_whole_answer_falls_back_to_the_count(
    real_engine: InProcessEngine, catalog: QueryCatalog
) -> None:
    spec = catalog["theme-coverage"]
    engine = _TooLarge(real_engine)
    got = run_counted_page(engine, spec, {}, PageRequest(3, 2))  # type: ignore[arg-type]
    assert engine.refused == 1
    assert got.total == count_rows(real_engine, spec, {})
    apart = run_page(real_engine, spec, {}, PageRequest(3, 2))
    assert got.page.results["results"]["bindings"] == apart.results["results"]["bindings"]


def _shown(name: str, row: Any) -> dict[str, Any]:
    """A row's cells, but the GROUP_CONCAT whose parts SPARQL joins in no fixed order (as sets)."""
    out = dict(row)
    for (query, column), separator in UNORDERED.items():
        if query == name and column in out:
            out[column] = sorted(str(getattr(out[column], "value", out[column])).split(separator))
    return out


class _Dialect(_TooLarge):
    """A remote store whose whole answer pyoxigraph cannot read (a term type it does not know)."""

    def run(self, sparql: str, **kwargs: Any) -> Any:
        if "LIMIT 10001" in sparql:
            self.refused += 1
            from iscg_graph.query.interface import EngineResult

            body = (b'{"head": {"vars": ["a"]}, '
                    b'"results": {"bindings": [{"a": {"type": "odd", "value": "1"}}]}}')
            return EngineResult(body, JSON, "bindings")
        return self.inner.run(sparql, **kwargs)


def test_an_unreadable_whole_answer_falls_back_to_the_count(
    real_engine: InProcessEngine, catalog: QueryCatalog
) -> None:
    spec = catalog["theme-coverage"]
    engine = _Dialect(real_engine)
    got = run_counted_page(engine, spec, {}, PageRequest(3, 2))  # type: ignore[arg-type]
    assert engine.refused == 1
    assert got.total == count_rows(real_engine, spec, {}) > 3
    assert got.page.rows == 3


def test_every_report_page_is_a_slice_of_the_whole_report(
    real_engine: InProcessEngine, catalog: QueryCatalog
) -> None:
    meta = StoreMeta(data_version="real-data-test", built_at="")
    reports = [n for n in sorted(catalog) if catalog[n].report]
    assert len(reports) >= 8
    for name in reports:
        params = REQUIRED.get(name, {})
        whole = run_report(real_engine, catalog, name, params, meta)
        rows = [_shown(name, r) for r in whole.table.rows]
        per_page = 7
        pages = max(1, -(-len(rows) // per_page))
        for asked in (1, 2, pages, pages + 5):
            got = run_report_page(real_engine, catalog, name, params, meta, page=asked, per_page=per_page)
            shown = min(asked, pages)
            assert (got.total, got.page, got.pages) == (len(rows), shown, pages), name
            want = rows[(shown - 1) * per_page: shown * per_page]
            assert [_shown(name, r) for r in got.result.table.rows] == want, (name, asked)
            assert got.result.columns == whole.columns, name


def test_the_count_leaves_out_the_order_but_not_an_inner_one() -> None:
    from iscg_graph.query.paging import count_text

    text = "PREFIX ex: <http://example.org/>\nSELECT ?s { ?s ex:p ?x } ORDER BY DESC(?x) ?s"
    out = count_text(text, [])
    assert "ORDER BY" not in out and "{ ?s ex:p ?x }" in out
    nested = "SELECT ?s { { SELECT ?s { ?s ?p ?o } ORDER BY ?o LIMIT 3 } } ORDER BY ?s"
    assert count_text(nested, []).count("ORDER BY") == 1  # the sub-select's order decides its rows
    # "order" in a string or an IRI is not the clause
    quoted = 'SELECT ?s { ?s <http://example.org/order> "order by" } ORDER BY ?s'
    assert '"order by"' in count_text(quoted, []) and "ORDER BY ?s" not in count_text(quoted, [])


class _Texts:
    """The real engine, remembering the texts it runs."""

    def __init__(self, inner: InProcessEngine) -> None:
        self.inner = inner
        self.texts: list[str] = []

    def run(self, sparql: str, **kwargs: Any) -> Any:
        self.texts.append(sparql)
        return self.inner.run(sparql, **kwargs)


def test_a_page_within_the_rows_read_once_is_not_asked_again(
    real_engine: InProcessEngine, catalog: QueryCatalog
) -> None:
    spec = catalog["list-study-groups"]  # not read by bucket
    total = count_rows(real_engine, spec, {})
    assert total > 6
    engine = _Texts(real_engine)
    got = run_counted_page(engine, spec, {}, PageRequest(2, 3), one_pass_rows=5)  # type: ignore[arg-type]
    assert got.total == total and got.page.more
    apart = run_page(real_engine, spec, {}, PageRequest(2, 3))
    assert _rows("", got.page.results) == _rows("", apart.results)
    assert [t.rstrip().rsplit("\n", 1)[-1] for t in engine.texts if "COUNT(*)" not in t] == ["LIMIT 6"]
    assert sum("COUNT(*)" in t for t in engine.texts) == 1
    # a page past those rows is asked for itself
    engine.texts.clear()
    run_counted_page(engine, spec, {}, PageRequest(2, 4), one_pass_rows=5)  # type: ignore[arg-type]
    assert [t.rstrip().rsplit("\n", 1)[-1] for t in engine.texts if "COUNT(*)" not in t] == [
        "LIMIT 6", "LIMIT 3 OFFSET 4"]


def test_a_query_with_a_count_pattern_is_counted_first_and_its_page_read_alone(
    real_engine: InProcessEngine, catalog: QueryCatalog
) -> None:
    # resolution-overlap's header gives a count pattern: the total is that count, and the page is
    # asked as limit + 1 rows, never as the first ONE_PASS_ROWS + 1 rows of the whole answer
    spec = catalog["resolution-overlap"]
    assert spec.count_where is not None and spec.pages_by is None
    total = count_rows(real_engine, spec, {})
    assert total > 8
    engine = _Texts(real_engine)
    got = run_counted_page(engine, spec, {}, PageRequest(7, 0))  # type: ignore[arg-type]
    assert got.total == total and got.page.more and got.page.rows == 7
    apart = run_page(real_engine, spec, {}, PageRequest(7, 0))
    assert _rows("", got.page.results) == _rows("", apart.results)
    assert [t.rstrip().rsplit("\n", 1)[-1] for t in engine.texts if "COUNT(*)" not in t] == ["LIMIT 8"]
    counts = [t for t in engine.texts if "COUNT(*)" in t]
    assert len(counts) == 1 and "latestVersion" not in counts[0]


def test_a_short_answer_with_a_count_pattern_is_one_evaluation(
    real_engine: InProcessEngine, catalog: QueryCatalog
) -> None:
    # a page that ends the answer gives the total: no count; a page past the end needs one
    spec = catalog["resolution-overlap"]
    params = {"theme": "resolution-areas/23"}
    total = count_rows(real_engine, spec, params)
    assert 2 < total < 50
    engine = _Texts(real_engine)
    for request in (PageRequest(50, 0), PageRequest(total - 1, 1), PageRequest(total, 0)):
        engine.texts.clear()
        got = run_counted_page(engine, spec, params, request)  # type: ignore[arg-type]
        assert got.total == total and not got.page.more and len(engine.texts) == 1, request
    engine.texts.clear()
    got = run_counted_page(engine, spec, params, PageRequest(5, total + 2))  # type: ignore[arg-type]
    assert got.total == total and got.page.rows == 0 and sum("COUNT(*)" in t for t in engine.texts) == 1
