"""One page of a report's table, asked of the store: the rows of the page (``LIMIT``/``OFFSET`` in
SPARQL, `iscg_graph.query.paging`) and the total, in one evaluation when the answer is not too long
(`run_counted_page`), else a ``COUNT`` over the same query beside the page. A page past the end
shows the last page, as the table view does.

Only the query's own order can be paged this way: a report sorted by another column, filtered by
words or drawn as a chart needs every row, and is run whole (`run_report`)."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass

from ..rdf.store import StoreMeta
from ..render.tabular import ResultTable
from .catalog import DEFAULT_BASE_IRI, QueryCatalog
from .interface import QueryEngine
from .paging import PageRequest, run_counted_page
from .reports import ReportResult, report_result

__all__ = ["ReportPage", "run_report_page"]


@dataclass(frozen=True)
class ReportPage:
    result: ReportResult  # its table holds the page's rows only
    total: int  # rows of the whole answer
    page: int  # 1-based, within 1..pages
    pages: int
    per_page: int


def run_report_page(
    engine: QueryEngine,
    catalog: QueryCatalog,
    name: str,
    params: Mapping[str, str | None],
    meta: StoreMeta,
    *,
    page: int,
    per_page: int,
    base_iri: str = DEFAULT_BASE_IRI,
    timeout: float | None = None,
) -> ReportPage:
    spec = catalog[name]
    asked = max(1, page)
    counted = run_counted_page(engine, spec, params, PageRequest(per_page, (asked - 1) * per_page),
                               base_iri=base_iri, timeout=timeout)
    total = counted.total
    pages = max(1, math.ceil(total / per_page))
    page = min(asked, pages)
    if page != asked:  # past the end: the last page, asked again (rare: a stale link)
        counted = run_counted_page(engine, spec, params, PageRequest(per_page, (page - 1) * per_page),
                                   base_iri=base_iri, timeout=timeout)
    got = counted.page
    table = ResultTable.from_sparql_json(json.dumps(got.results).encode("utf-8"))
    return ReportPage(report_result(spec, table, params, meta), total, page, pages, per_page)
