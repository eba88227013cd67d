"""Canned queries rewritten for their plan keep that plan on Oxigraph: its `--explain` output, on an
on-disk store of the real data, has the keyed join the rewrite was for.

annex-duplicate-areas (docs/notes/scale.md §36, §41): each theme's area is its derived wording key
(``dv:wordingKey``), a statement, so the themes are joined to the areas on several lists by
``?area`` and no theme's exact-match closure is walked; the previous text (kept in
tests/fixtures/plain_queries/rewritten/) computed the area in the query (a closure per theme) and gave
a join with no key, checked too so that the test can tell the plans apart. The store holds the
derived graph a build adds.

sector-overlap-matrix (§40): a part paired with itself is dropped before the study-period tests, so
the statistics of its evaluation show fewer look-ups of an incidence node's study periods or undated
work (its two `EXISTS`, evaluated per row) than the previous text's.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from iscg_graph.query.catalog import load_catalog, parse_query_file

from .servers import OXIGRAPH, missing, run

REPO = Path(__file__).resolve().parents[2]
PLAIN = REPO / "tests" / "fixtures" / "plain_queries" / "rewritten"


@pytest.fixture(scope="module")
def real_store(tmp_path_factory: pytest.TempPathFactory, built_store: Path) -> tuple[str, Path]:
    """The `oxigraph` command and a folder with an on-disk store of the real build (its snapshot:
    the data, the entailment and the derived graph)."""
    from iscg_graph.rdf.store import SNAPSHOT

    binary = str(OXIGRAPH) if OXIGRAPH.exists() else shutil.which("oxigraph")
    if binary is None:
        missing("the `oxigraph` command is not installed (pip install oxigraph)")
    folder = tmp_path_factory.mktemp("plans")
    loaded = run([str(binary), "load", "--location", str(folder / "store"),
                  "--file", str(built_store / SNAPSHOT)])
    assert loaded.returncode == 0, loaded.stderr
    return str(binary), folder


def _plan(real_store: tuple[str, Path], text: str, *, stats: bool = False) -> tuple[str, int]:
    """The explanation of ``text`` on the store (with evaluation statistics if ``stats``), and its
    number of result lines."""
    binary, folder = real_store
    (folder / "q.rq").write_text(text, encoding="utf-8")
    done = run([binary, "query", "--location", str(folder / "store"), "--union-default-graph",
                "--query-file", str(folder / "q.rq"), "--results-file", str(folder / "out.tsv"),
                "--explain-file", str(folder / "plan.txt"), *(["--stats"] if stats else [])])
    assert done.returncode == 0, done.stderr
    lines = (folder / "out.tsv").read_text(encoding="utf-8").splitlines()
    return (folder / "plan.txt").read_text(encoding="utf-8"), len(lines) - 1


def test_annex_duplicate_areas_joins_by_area(real_store: tuple[str, Path]) -> None:
    plan, rows = _plan(real_store, load_catalog()["annex-duplicate-areas"].text)
    assert rows > 0, "the plan was read on an empty answer"
    assert re.search(r"(Left)?Join\(HashBuild\w+, keys = \?area[,)]", plan), "no join keyed by ?area"
    assert "keys = )" not in plan, "a join with no key is back in the plan"
    assert not re.search(r"\)\* \?", plan), "a theme's exact-match closure is walked again"

    previous, previous_rows = _plan(real_store, parse_query_file(PLAIN / "annex-duplicate-areas.rq").text)
    assert previous_rows == rows
    assert "keys = )" in previous and "keys = ?area" not in previous
    assert re.search(r"\)\* \?", previous)  # how the plan writes a closure: the check above can fail


_PERIOD_LOOKUPS = re.compile(r'QuadPattern\(\?inc[AB] <[^>]*(?:derived#period> \?period[AB]|#type> '
                             r'<https://w3id\.org/iscg/derived#IncludesUndatedWork>)\)", '
                             r'number of results: (\d+)')


def _period_lookups(real_store: tuple[str, Path], text: str) -> list[int]:
    plan, rows = _plan(real_store, text, stats=True)
    assert rows == 6, "the matrix has a row per pair of the four parts"
    return [int(n) for n in _PERIOD_LOOKUPS.findall(plan)]


def test_sector_overlap_matrix_tests_fewer_periods(real_store: tuple[str, Path]) -> None:
    now = _period_lookups(real_store, load_catalog()["sector-overlap-matrix"].text)
    previous = _period_lookups(real_store, parse_query_file(PLAIN / "sector-overlap-matrix.rq").text)
    assert sum(previous) > 0, "the comparison is vacuous: no period was looked up"
    assert sum(now) < sum(previous), (now, previous)
