"""Reports for policy staff: a canned query + plain-language presentation, run to labelled rows.

A canned query is a report when its ``#+`` header has a ``report:`` block::

    #+ report:
    #+   order: 1
    #+   title: Where do the Sectors overlap?
    #+   question: Which themes do two Sectors both work on?
    #+   chart: {kind: heatmap, row: sector_a, column: sector_b, value: themes,
    #+           drilldown: sector-overlap-detail}

`run_report` runs it through a `QueryEngine` (SPARQL JSON), and returns the table, the columns to
show and what it was computed from; `heatmap` and `bars` turn a result into chart data that a
template (or any other renderer) draws.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ..rdf.store import StoreMeta
from ..render.tabular import Column, ResultTable
from .catalog import DEFAULT_BASE_IRI, QueryCatalog, QuerySpec
from .engine import QueryEngine

__all__ = [
    "Bar",
    "ComputedFrom",
    "Heatmap",
    "ReportResult",
    "ReportSpec",
    "bars",
    "choices",
    "heatmap",
    "report_result",
    "report_specs",
    "run_report",
    "run_select",
]

JSON = "application/sparql-results+json"


@dataclass(frozen=True)
class ReportSpec:
    name: str
    title: str
    question: str
    order: int
    chart: Mapping[str, Any] | None
    query: QuerySpec

    @classmethod
    def from_query(cls, spec: QuerySpec) -> ReportSpec:
        meta = dict(spec.report or {})
        return cls(
            name=spec.name,
            title=str(meta.get("title") or spec.summary),
            question=str(meta.get("question") or spec.summary),
            order=int(meta.get("order", 100)),
            chart=meta.get("chart"),
            query=spec,
        )


def report_specs(catalog: QueryCatalog) -> list[ReportSpec]:
    """Every report of a catalog, in the order its headers give."""
    return sorted((ReportSpec.from_query(s) for s in catalog.reports()), key=lambda r: (r.order, r.name))


@dataclass(frozen=True)
class ComputedFrom:
    """What a report was computed from: the data, the query, the parameters."""

    data_version: str
    built_at: str
    query: str
    params: Mapping[str, str] = field(default_factory=dict)
    described: tuple[tuple[str, str], ...] = ()  # (parameter label, chosen value in words)

    def in_words(self, described: Sequence[tuple[str, str]]) -> ComputedFrom:
        """The same statement with the parameters as a person reads them (labels, not keys)."""
        return replace(self, described=tuple(described))

    def items(self) -> list[tuple[str, str]]:
        pairs = self.described or tuple(self.params.items())
        given = "; ".join(f"{k}: {v}" for k, v in pairs) or "none"
        return [
            ("Data version", self.data_version),
            ("Data built at", self.built_at or "unknown"),
            ("Query", self.query),
            ("Parameters", given),
        ]


@dataclass(frozen=True)
class ReportResult:
    report: ReportSpec
    table: ResultTable
    columns: list[Column]
    computed_from: ComputedFrom


def run_select(
    engine: QueryEngine,
    spec: QuerySpec,
    params: Mapping[str, str | None],
    *,
    base_iri: str = DEFAULT_BASE_IRI,
    timeout: float | None = None,
) -> ResultTable:
    """Bind (type-checked, `ParameterError` if not) and run a canned SELECT -> labelled rows."""
    substitutions = spec.bind(params, base_iri)
    result = engine.run(spec.text, media_type=JSON, substitutions=substitutions, timeout=timeout)
    return ResultTable.from_sparql_json(result.body)


def run_report(
    engine: QueryEngine,
    catalog: QueryCatalog,
    name: str,
    params: Mapping[str, str | None],
    meta: StoreMeta,
    *,
    base_iri: str = DEFAULT_BASE_IRI,
    timeout: float | None = None,
) -> ReportResult:
    spec = catalog[name]
    return report_result(spec, run_select(engine, spec, params, base_iri=base_iri, timeout=timeout),
                         params, meta)


def report_result(spec: QuerySpec, table: ResultTable, params: Mapping[str, str | None],
                  meta: StoreMeta) -> ReportResult:
    """A report's table as shown (the whole answer or one page of it): its columns without the
    parameters and the hidden ones, and what it was computed from."""
    hidden = [p.name for p in spec.params] + [str(v) for v in (spec.report or {}).get("hidden", [])]
    columns = table.columns(spec.columns, hide=hidden)
    computed = ComputedFrom(meta.data_version, meta.built_at, spec.name, spec.effective_params(params))
    return ReportResult(ReportSpec.from_query(spec), table, columns, computed)


def choices(
    engine: QueryEngine, catalog: QueryCatalog, query_name: str, *, base_iri: str = DEFAULT_BASE_IRI
) -> list[tuple[str, str]]:
    """(value, label) pairs from a lookup query (``?value``/``?label``) for a form's select box."""
    table = run_select(engine, catalog[query_name], {}, base_iri=base_iri)
    out = []
    for row in table.rows:
        if "value" in row:
            label = row["label"].text if "label" in row else row["value"].value
            out.append((row["value"].value, label))
    return out


# -- charts ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Heatmap:
    """A square matrix: labels along both axes, ``cells[i][j]`` values, and the IRIs of each axis.

    A query may give each pair once (a, b); the matrix is symmetric, so (b, a) gets the same value.
    A cell the query does not give (the diagonal, when pairs are listed once) is None."""

    labels: list[str]
    iris: list[str]
    cells: list[list[int | None]]
    maximum: int


def heatmap(table: ResultTable, chart: Mapping[str, Any]) -> Heatmap:
    row_var, col_var, value_var = chart["row"], chart["column"], chart["value"]
    order: dict[str, str] = {}
    values: dict[tuple[str, str], int] = {}
    for row in table.rows:
        if row_var not in row or col_var not in row:
            continue
        a, b = row[row_var].value, row[col_var].value
        for iri, var in ((a, row_var), (b, col_var)):
            label_cell = row.get(f"{var}Code") or row.get(f"{var}Label")  # short axis labels first
            order.setdefault(iri, label_cell.text if label_cell else iri)
        number = row[value_var].number if value_var in row else 0
        values[(a, b)] = int(number or 0)
        values.setdefault((b, a), int(number or 0))
    iris = list(order)  # the query's order
    cells = [[values.get((a, b)) for b in iris] for a in iris]
    return Heatmap(
        [order[i] for i in iris], iris, cells, max([0, *[v for r in cells for v in r if v is not None]])
    )


@dataclass(frozen=True)
class Bar:
    """One bar: its label and value; ``series`` (if any) split its length into stacked segments."""

    label: str
    value: int
    iri: str | None
    series: dict[str, int]

    @property
    def length(self) -> int:
        return sum(self.series.values()) if self.series else self.value


def bars(table: ResultTable, chart: Mapping[str, Any], *, limit: int = 40) -> list[Bar]:
    """One bar per row with a positive value, largest value first, then longest (stable otherwise)."""
    label_var, value_var = chart["label"], chart["value"]
    series_vars = list(chart.get("series", []))
    out: list[Bar] = []
    for row in table.rows:
        number = row[value_var].number if value_var in row else None
        if not number:
            continue
        label_cell = row.get(f"{label_var}Label") or row.get(label_var)
        iri_cell = row.get(label_var)
        out.append(
            Bar(
                label=label_cell.text if label_cell else "",
                value=int(number),
                iri=iri_cell.value if iri_cell is not None and iri_cell.kind == "uri" else None,
                series={s: int(row[s].number or 0) for s in series_vars if s in row},
            )
        )
    out.sort(key=lambda bar: (-bar.value, -bar.length))
    return out[:limit]
