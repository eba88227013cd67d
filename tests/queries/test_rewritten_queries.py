"""Canned queries rewritten for their plan only (no derived data) give the same answers as the texts
they replaced (kept in tests/fixtures/plain_queries/rewritten/), on the real data and on the 10k
benchmark graph: the same rows, in the same sequence of ORDER BY keys.

new-since: each item's study period notation and start year are looked up by two two-step paths
instead of one OPTIONAL of three patterns (which Oxigraph joined by hash over every item with a
period, docs/notes/scale.md); the same whenever an item has at most one study period with one
notation and one start year, which the shapes require.

annex-duplicate-areas: each theme's area is its derived wording key (``dv:wordingKey``, the MIN of
its exact-match closure's entries in the normal form the previous text computed twice per theme in
the query, docs/notes/scale.md §41), so the themes are joined to the areas on several lists by that
statement (the previous text joined by no key, docs/notes/scale.md §36); a theme with no English
entry in its closure has no key, where the previous text gave it the area "" that no list row has.
The "§" of the list label is a language-tagged constant (CONCAT of mixed tags is a plain string, as
before).

sector-overlap-detail: every pattern of a row is joined from the area's derived key (``dv:areaKey``,
by which its pages are read), the item's labels before its study periods, its study periods through
that key, its kinds by ``OPTIONAL``s each reached through that key (Oxigraph evaluated each
``OPTIONAL`` over every item, then joined), one Sector pattern filtered to the two sides instead of
a ``UNION`` (docs/notes/scale.md §38).

question-duplicate-candidates: the single-theme branch's two OPTIONAL look-ups of the study periods'
notations carry that branch's `dv:openAt` gate too (Oxigraph built their hash tables, every
notation, before reading the gated rows: half the default answer at 1M); the same rows, since the
gate's one statement matches whenever the branch has rows at all.

sector-overlap-matrix: each part paired with itself is dropped before the study-period tests
(`?sector_a != ?sector_b`: every row of the pairs has two parts with different codes), and each
row's unit and label are computed after the `OPTIONAL`, for the rows of the six pairs only
(docs/notes/scale.md §40). Its list of areas is a
`GROUP_CONCAT` in evaluation order, compared as a set of parts.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from iscg_graph.query.catalog import QueryCatalog, parse_query_file
from iscg_graph.query.engine import InProcessEngine
from iscg_graph.query.reports import run_select

REPO = Path(__file__).resolve().parents[2]
PLAIN = REPO / "tests" / "fixtures" / "plain_queries" / "rewritten"
PARAMS: dict[str, list[dict[str, str]]] = {
    "annex-duplicate-areas": [{}],
    "new-since": [{}, {"since_period": "2018-2021"}, {"since_period": "2017-2020"},
                  {"since_period": "2022-2025"}],
    "sector-overlap-detail": [
        {"sector_a": a, "sector_b": b, **extra}
        for a, b in (("ITU-R", "ITU-T"), ("ITU-T", "ITU-D"), ("GS", "ITU-R"), ("ITU-D", "ITU-D"))
        for extra in ({}, {"count": "items"}, {"study_period": "2022-2025"},
                      {"study_period": "2017-2020", "count": "items"})],
    "question-duplicate-candidates": [{}, {"min_score": "0.1"}, {"min_score": "0.1", "sector_a": "ITU-T"},
                                      {"sector_a": "ITU-R", "sector_b": "ITU-T"},
                                      {"study_period": "2018-2021"},
                                      {"min_score": "0.1", "study_period": "2018-2021"}],
    "sector-overlap-matrix": [{}, {"count": "items"}, {"study_period": "2017-2020"},
                              {"study_period": "2022-2025", "count": "items"},
                              {"study_period": "1990-1993"}],
}
ORDER_KEYS = {"new-since": ("aLabel", "bLabel", "link"),
              "annex-duplicate-areas": ("lists", "areaName", "section"),
              "sector-overlap-detail": ("themeLabel", "sideLabel", "kind", "itemLabel"),
              "question-duplicate-candidates": ("score", "points", "qaLabel", "qbLabel"),
              "sector-overlap-matrix": ("sector_aCode", "sector_bCode")}
JOINED = {"themeLabels": "; "}  # concatenated in evaluation order: compared as sets of parts


def _answers(engine: InProcessEngine, spec, params: dict[str, str]) -> list[tuple]:  # type: ignore[no-untyped-def]
    table = run_select(engine, spec, params)
    return [tuple((name, _text(name, None if row.get(name) is None else row[name].value),
                   type(row.get(name)).__name__) for name in table.variables) for row in table.rows]


def _text(name: str, text: str | None) -> str | None:
    if text is None or name not in JOINED:
        return text
    return JOINED[name].join(sorted(text.split(JOINED[name])))


def _same(engine: InProcessEngine, catalog: QueryCatalog, name: str, params: dict[str, str]) -> int:
    plain = _answers(engine, parse_query_file(PLAIN / f"{name}.rq"), params)
    rewritten = _answers(engine, catalog[name], params)
    keys = ORDER_KEYS[name]

    def key(row: tuple) -> tuple:  # type: ignore[type-arg]
        cells = {n: text for n, text, _kind in row}
        return tuple(cells[k] for k in keys)

    assert [key(r) for r in rewritten] == [key(r) for r in plain], f"{name} {params}: order"
    assert sorted(rewritten, key=repr) == sorted(plain, key=repr), f"{name} {params}: {len(plain)} rows"
    return len(plain)


def test_the_kept_texts_are_the_replaced_queries(catalog: QueryCatalog) -> None:
    assert sorted(p.stem for p in PLAIN.glob("*.rq")) == sorted(PARAMS)
    for name in PARAMS:
        plain = parse_query_file(PLAIN / f"{name}.rq")
        assert [p.name for p in plain.params] == [p.name for p in catalog[name].params]
        assert plain.columns == catalog[name].columns
        assert plain.text != catalog[name].text


@pytest.mark.parametrize("name", sorted(PARAMS))
def test_same_answers_on_the_real_data(real_engine, catalog, name) -> None:  # type: ignore[no-untyped-def]
    counts = [_same(real_engine, catalog, name, params) for params in PARAMS[name]]
    assert counts[0] > 0, "the comparison is vacuous on the real data"


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(PARAMS))
def test_same_answers_on_the_10k_bench_graph(bench_10k, catalog, name) -> None:  # type: ignore[no-untyped-def]
    counts = [_same(bench_10k, catalog, name, params) for params in PARAMS[name]]
    assert counts[0] > 0 and (len(counts) == 1 or any(counts[1:])), name
