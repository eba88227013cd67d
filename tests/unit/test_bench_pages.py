"""bench/pages.py: the first-page routes a bench run times, all of them or those of chosen queries."""

from __future__ import annotations

import sys
from pathlib import Path
from types import ModuleType

import pytest

from iscg_graph.query.catalog import load_catalog

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture(scope="module")
def pages() -> ModuleType:
    sys.path.insert(0, str(BENCH))
    try:
        import pages
    finally:
        sys.path.remove(str(BENCH))
    return pages


def test_every_canned_query_has_its_api_page_and_every_report_its_report_page(pages: ModuleType) -> None:
    catalog = load_catalog()
    paths = pages.page_paths({})
    api, report = f"{pages.PREFIX}api:", f"{pages.PREFIX}report:"
    assert {k for k in paths if k.startswith(api)} == {api + n for n in catalog}
    assert {k for k in paths if k.startswith(report)} == {report + n for n in catalog if catalog[n].report}


def test_only_the_chosen_queries_and_their_values(pages: ModuleType) -> None:
    api, report = f"{pages.PREFIX}api:", f"{pages.PREFIX}report:"
    paths = pages.page_paths({"sector-overlap-detail": {"sector_a": "ITU-R", "sector_b": "ITU-T"}},
                             only={"sector-overlap-detail", "list-themes"})
    assert set(paths) == {api + "sector-overlap-detail", report + "sector-overlap-detail",
                          api + "list-themes"}
    assert paths[report + "sector-overlap-detail"] == (
        "/reports/sector-overlap-detail?sector_a=ITU-R&sector_b=ITU-T")
    assert paths[api + "list-themes"].startswith("/api/queries/list-themes?limit=")
