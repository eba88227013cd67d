"""Pages read bucket by bucket (`iscg_graph.query.bucket_pages`) are the pages of the whole answer:
the same rows in the same order, for every offset (bucket edges too), with the same totals, on the
real data and on the 10k bench graph; a first page asks its first bucket only; an unsafe bucket list
(two values with one key) falls back to the whole query; a wrong ``pages_by`` header is refused. A
bucket that is no parameter (sector-overlap-detail's area key) pages the same, its values written
into the texts."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from iscg_graph.errors import QueryError
from iscg_graph.query.bucket_pages import bucket_values, run_bucketed_page
from iscg_graph.query.catalog import QueryCatalog, QuerySpec, parse_query_file
from iscg_graph.query.engine import InProcessEngine
from iscg_graph.query.interface import EngineResult
from iscg_graph.query.paging import PageRequest, count_rows, run_counted_page, run_page
from iscg_graph.query.splice import splice

REPO = Path(__file__).resolve().parents[2]
JSON = "application/sparql-results+json"
PARAMS: dict[str, list[dict[str, str]]] = {
    "questions-without-resolution": [{}, {"study_period": "2022-2025"}],
    "sector-overlap-detail": [{"sector_a": "ITU-R", "sector_b": "ITU-T"},
                              {"sector_a": "ITU-T", "sector_b": "ITU-D", "study_period": "2022-2025"}],
}
BENCH_PARAMS = {"questions-without-resolution": {}, "sector-overlap-detail": {"sector_a": "ITU-R",
                                                                          "sector_b": "ITU-T"}}


def _bucketed(catalog: QueryCatalog) -> list[str]:
    return sorted(name for name in catalog if catalog[name].pages_by)


def _whole(engine: InProcessEngine, spec: QuerySpec, params: Mapping[str, str]) -> list[dict]:
    body = engine.run(spec.text, media_type=JSON, substitutions=spec.bind(params)).body
    return json.loads(body)["results"]["bindings"]


def _bucket_sizes(engine: InProcessEngine, spec: QuerySpec, params: Mapping[str, str]) -> list[int]:
    assert spec.pages_by is not None
    values = bucket_values(engine, spec, spec.bind(params))
    assert values, "the bucket walk is not safe on this data"
    sizes = []
    for value in values:
        if "var" in spec.pages_by:  # written into the text
            text, bound = splice(spec.text, {spec.pages_by["var"]: value}), spec.bind(params)
        else:
            text, bound = spec.text, {**spec.bind(params), spec.pages_by["param"]: value}
        body = engine.run(text, media_type=JSON, substitutions=bound).body
        sizes.append(len(json.loads(body)["results"]["bindings"]))
    return sizes


def _check_pages(engine: InProcessEngine, spec: QuerySpec, params: Mapping[str, str]) -> int:
    whole = _whole(engine, spec, params)
    sizes = _bucket_sizes(engine, spec, params)
    assert sum(sizes) == len(whole)
    assert sum(1 for s in sizes if s) >= 2, "the data should fill two buckets at least"
    edges = [sum(sizes[:i]) for i in range(1, len(sizes))]
    near = sorted(set(edges))
    near = near[:3] + near[len(near) // 2:len(near) // 2 + 1] + near[-1:]  # a page past many buckets too
    offsets = sorted({0, 1, *near, *(e - 1 for e in near if e), *(e + 1 for e in near),
                      len(whole) - 1, len(whole), len(whole) + 3})
    for limit in (1, 7, max(1, len(whole) // 3), len(whole) + 1):
        for offset in offsets:
            if offset < 0:
                continue
            page = run_page(engine, spec, params, PageRequest(limit, offset))
            assert page.results["results"]["bindings"] == whole[offset:offset + limit], (limit, offset)
            assert page.more == (offset + limit < len(whole)), (limit, offset)
            assert page.results["head"]["vars"] == json.loads(engine.run(
                spec.text, media_type=JSON, substitutions=spec.bind(params)).body)["head"]["vars"]
    counted = run_counted_page(engine, spec, params, PageRequest(5, edges[0] if edges else 0))
    assert counted.total == len(whole) == count_rows(engine, spec, params)
    start = edges[0] if edges else 0
    assert counted.page.results["results"]["bindings"] == whole[start:start + 5]
    return len(whole)


def test_the_bucketed_queries(catalog: QueryCatalog) -> None:
    assert _bucketed(catalog) == sorted(PARAMS) == sorted(BENCH_PARAMS)


@pytest.mark.parametrize(("name", "params"), [(n, p) for n in sorted(PARAMS) for p in PARAMS[n]])
def test_bucketed_pages_are_the_pages_of_the_whole_answer(
    real_engine: InProcessEngine, catalog: QueryCatalog, name: str, params: dict[str, str]
) -> None:
    assert _check_pages(real_engine, catalog[name], params) > 0, name


def test_counting_list_items_pages_the_whole_query(real_engine: InProcessEngine,
                                                  catalog: QueryCatalog) -> None:
    """sector-overlap-detail's rows by list entry are ordered by the entry's label, not the area's:
    its buckets list no value then, and the page is the whole query's."""
    spec = catalog["sector-overlap-detail"]
    params = {"sector_a": "ITU-R", "sector_b": "ITU-T", "count": "items"}
    assert bucket_values(real_engine, spec, spec.bind(params)) == []
    assert bucket_values(real_engine, spec, spec.bind({**params, "count": "areas"}))
    whole = _whole(real_engine, spec, params)
    assert len(whole) > 12
    recording = Recording(real_engine)
    page = run_page(recording, spec, params, PageRequest(5, 7))  # type: ignore[arg-type]
    assert page.results["results"]["bindings"] == whole[7:12]
    assert len(recording.calls) == 2  # the values, then the whole query


class Recording:
    """An engine that notes the substitutions of every query it runs."""

    def __init__(self, engine: InProcessEngine):
        self.engine = engine
        self.calls: list[tuple[str, dict[str, str]]] = []

    def run(self, sparql: str, **kwargs: Any) -> EngineResult:
        self.calls.append((sparql, dict(kwargs.get("substitutions") or {})))
        return self.engine.run(sparql, **kwargs)


def test_a_first_page_asks_its_first_bucket_only(real_engine: InProcessEngine, catalog: QueryCatalog) -> None:
    spec = catalog["questions-without-resolution"]
    values = bucket_values(real_engine, spec)
    assert values
    first = next(v for v, n in zip(values, _bucket_sizes(real_engine, spec, {}), strict=True) if n >= 3)
    recording = Recording(real_engine)
    page = run_page(recording, spec, {}, PageRequest(2, 0))  # type: ignore[arg-type]
    assert page.rows == 2 and page.more
    runs = [subs for _text, subs in recording.calls if subs]
    assert runs == [{"sector": first}], "one evaluation, of the first Sector with rows"
    # a caller who gives the Sector gets the plain page (one bucket already)
    recording.calls.clear()
    run_page(recording, spec, {"sector": "ITU-T"}, PageRequest(2, 0))  # type: ignore[arg-type]
    assert len(recording.calls) == 1


def test_two_values_with_one_key_fall_back_to_the_whole_query(
    real_engine: InProcessEngine, catalog: QueryCatalog
) -> None:
    spec = catalog["questions-without-resolution"]
    assert spec.pages_by is not None
    same_key = replace(spec, pages_by={**spec.pages_by, "values": (
        'SELECT ?value ?key WHERE { ?value a iscg:Sector . BIND("same" AS ?key) } ORDER BY ?key')})
    assert run_bucketed_page(real_engine, same_key, spec.bind({}), 5, 0) is None
    whole = _whole(real_engine, spec, {})
    page = run_page(real_engine, same_key, {}, PageRequest(5, 3))
    assert page.results["results"]["bindings"] == whole[3:8]


class Spliced:
    """A remote store's way: no substitutions, the terms written into the texts (`query.splice`)."""

    def __init__(self, engine: InProcessEngine):
        self.engine = engine

    def run(self, sparql: str, *, media_type: str, substitutions: Mapping[str, str] | None = None,
            timeout: float | None = None) -> EngineResult:
        text = splice(sparql, dict(substitutions or {}))
        return self.engine.run(text, media_type=media_type, timeout=timeout)


@pytest.mark.parametrize("name", sorted(PARAMS))
def test_the_spliced_texts_page_the_same(real_engine: InProcessEngine, catalog: QueryCatalog,
                                         name: str) -> None:
    spec, params = catalog[name], PARAMS[name][0]
    whole = _whole(real_engine, spec, params)
    edge = _bucket_sizes(real_engine, spec, params)[0]
    for limit, offset in ((3, 0), (4, max(0, edge - 2)), (5, edge + 1)):
        page = run_page(Spliced(real_engine), spec, params, PageRequest(limit, offset))  # type: ignore[arg-type]
        assert page.results["results"]["bindings"] == whole[offset:offset + limit]


@pytest.mark.parametrize(("pages_by", "message"), [
    ("param: nowhere\n#+   values: SELECT ?value ?key WHERE { ?value ?p ?key }", "not a parameter"),
    ("param: sector\n#+   values: SELECT ?value WHERE {", "not valid SPARQL"),
    ("param: sector", "exactly 'param' and 'values'"),
    ("var: sector\n#+   values: SELECT ?value ?key WHERE { ?value ?p ?key }", "is a parameter"),
    ("var: nowhere\n#+   values: SELECT ?value ?key WHERE { ?value ?p ?key }", "not a variable"),
])
def test_a_wrong_pages_by_header_is_refused(tmp_path: Path, pages_by: str, message: str) -> None:
    text = (REPO / "queries" / "questions-without-resolution.rq").read_text("utf-8")
    start = text.index("#+ pages_by:")
    end = text.index("#+ columns:")
    path = tmp_path / "q.rq"
    path.write_text(text[:start] + "#+ pages_by:\n#+   " + pages_by + "\n" + text[end:], "utf-8")
    with pytest.raises(QueryError, match=message):
        parse_query_file(path)


@pytest.mark.slow
def test_bucketed_pages_on_the_10k_bench_graph(bench_10k: InProcessEngine, catalog: QueryCatalog) -> None:
    for name in _bucketed(catalog):
        assert _check_pages(bench_10k, catalog[name], BENCH_PARAMS[name]) > 100, name
