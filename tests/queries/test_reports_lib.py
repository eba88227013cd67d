"""iscg_graph.query.reports: report specs, computed-from, chart data."""

from __future__ import annotations

from iscg_graph.query.reports import bars, choices, heatmap, report_specs, run_report
from iscg_graph.rdf.store import StoreMeta


def test_report_specs_are_ordered_and_plain(catalog) -> None:  # type: ignore[no-untyped-def]
    specs = report_specs(catalog)
    assert len(specs) == 12
    assert specs[0].name == "sector-overlap-matrix"
    assert [s.order for s in specs] == sorted(s.order for s in specs)
    assert all("list-" not in s.name for s in specs)


def test_run_report_states_what_it_was_computed_from(mini_engine, catalog) -> None:  # type: ignore[no-untyped-def]
    meta = StoreMeta(data_version="abc123", built_at="2026-11-24T00:00:00Z")
    result = run_report(mini_engine, catalog, "question-duplicate-candidates", {"sector_a": "ITU-T"}, meta)
    assert dict(result.computed_from.items()) == {
        "Data version": "abc123",
        "Data built at": "2026-11-24T00:00:00Z",
        "Query": "question-duplicate-candidates",
        "Parameters": "sector_a: ITU-T; min_score: 0.2",
    }
    names = [c.name for c in result.columns]
    assert "sector_a" not in names and "qa" not in names and "qaLabel" in names


def test_heatmap_from_the_matrix(mini_engine, catalog) -> None:  # type: ignore[no-untyped-def]
    result = run_report(mini_engine, catalog, "sector-overlap-matrix", {}, StoreMeta())
    heat = heatmap(result.table, result.report.chart)  # type: ignore[arg-type]
    assert heat.labels == ["GS", "ITU-D", "ITU-R", "ITU-T"]
    d, t = heat.labels.index("ITU-D"), heat.labels.index("ITU-T")
    assert heat.cells[d][t] == heat.cells[t][d] == 3
    assert heat.maximum == 3
    assert "sector_aCode" not in [c.name for c in result.columns]


def test_bars_from_coverage(mini_engine, catalog) -> None:  # type: ignore[no-untyped-def]
    result = run_report(mini_engine, catalog, "theme-coverage", {}, StoreMeta())
    data = bars(result.table, result.report.chart)  # type: ignore[arg-type]
    assert [b.label for b in data] == [
        "Climate Change",
        "Confidence & (cyber) Security, including National incident response teams",
        "Electromagnetic fields (EMF)",
    ]
    assert data[0].value == 3 and data[0].series == {"studyGroups": 2, "questions": 2, "resolutions": 2}
    assert data[0].length == 6


def test_choices_offer_labels(mini_engine, catalog) -> None:  # type: ignore[no-untyped-def]
    options = choices(mini_engine, catalog, "list-themes")
    assert ("https://w3id.org/iscg/id/theme/resolution-areas/27", "§1.4 27. Climate Change") in options
    assert len(options) == 10
