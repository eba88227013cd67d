"""queries/checks/*-violation.rq: no rows on the real data; each one fires on a fixture that breaks it."""

from __future__ import annotations

import pytest

from iscg_graph.query.catalog import DEFAULT_QUERIES_DIR, parse_query_file

CHECKS = sorted((DEFAULT_QUERIES_DIR / "checks").glob("*-violation.rq"))
ID = "https://w3id.org/iscg/id/"

# what each check must report on tests/fixtures/queries/checks-broken.trig
EXPECTED_FOCUS = {
    "mapping-within-one-part-violation": ("mapping", ID + "mapping/M9001"),
    "question-sector-mismatch-violation": ("question", ID + "question/itu-d/2018-2021/6-2"),
    "theme-link-target-violation": ("theme", ID + "sector/itu-d"),
    "latest-version-foreign-violation": ("resolution", ID + "resolution/pp/130"),
    "report-label-missing-violation": ("item", ID + "theme/resolution-areas/99"),
}


def test_every_check_has_a_broken_fixture() -> None:
    assert len(CHECKS) == 5
    assert {p.stem for p in CHECKS} == set(EXPECTED_FOCUS)


@pytest.mark.parametrize("path", CHECKS, ids=lambda p: p.stem)
def test_check_fires_on_broken_data(path, broken_store) -> None:  # type: ignore[no-untyped-def]
    rows = broken_store.select(parse_query_file(path).text)
    var, focus = EXPECTED_FOCUS[path.stem]
    assert [r[var].value for r in rows] == [focus]


@pytest.mark.parametrize("path", CHECKS, ids=lambda p: p.stem)
def test_check_is_clean_on_the_fixture_and_the_real_data(path, mini_store, real_data_store) -> None:  # type: ignore[no-untyped-def]
    text = parse_query_file(path).text
    assert mini_store.select(text) == []
    assert real_data_store.select(text) == [], f"{path.stem} found problems in data/"
