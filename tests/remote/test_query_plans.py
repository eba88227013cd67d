"""Canned queries rewritten for their plan keep that plan on Oxigraph: its `--explain` output, on an
on-disk store of the real data, has the keyed join the rewrite was for.

annex-duplicate-areas (docs/notes/scale.md §36): each theme's area is `COALESCE(?k, "")` over the
sub-select's `MIN`, so the per-theme areas are joined to the areas on several lists by ``?area`` (a
left join then ``BOUND``, the form Virtuoso 7 compiles); the previous text (kept in
tests/fixtures/plain_queries/rewritten/) gave a join with no key, checked too so that the test can
tell the two plans apart.
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
def real_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    from iscg_graph.build.pipeline import canonical_nquads, load_sources

    binary = str(OXIGRAPH) if OXIGRAPH.exists() else shutil.which("oxigraph")
    if binary is None:
        missing("the `oxigraph` command is not installed (pip install oxigraph)")
    folder = tmp_path_factory.mktemp("plans")
    dataset, _origins = load_sources()
    (folder / "real.nq").write_bytes(canonical_nquads(dataset))
    loaded = run([str(binary), "load", "--location", str(folder / "store"),
                  "--file", str(folder / "real.nq")])
    assert loaded.returncode == 0, loaded.stderr
    return str(binary), folder


def _plan(real_store: tuple[str, Path], text: str) -> tuple[str, int]:
    """The explanation of ``text`` on the store, and its number of result lines."""
    binary, folder = real_store
    (folder / "q.rq").write_text(text, encoding="utf-8")
    done = run([binary, "query", "--location", str(folder / "store"), "--union-default-graph",
                "--query-file", str(folder / "q.rq"), "--results-file", str(folder / "out.tsv"),
                "--explain-file", str(folder / "plan.txt")])
    assert done.returncode == 0, done.stderr
    lines = (folder / "out.tsv").read_text(encoding="utf-8").splitlines()
    return (folder / "plan.txt").read_text(encoding="utf-8"), len(lines) - 1


def test_annex_duplicate_areas_joins_by_area(real_store: tuple[str, Path]) -> None:
    plan, rows = _plan(real_store, load_catalog()["annex-duplicate-areas"].text)
    assert rows > 0, "the plan was read on an empty answer"
    assert re.search(r"(Left)?Join\(HashBuild\w+, keys = \?area[,)]", plan), "no join keyed by ?area"
    assert "keys = )" not in plan, "a join with no key is back in the plan"

    previous, previous_rows = _plan(real_store, parse_query_file(PLAIN / "annex-duplicate-areas.rq").text)
    assert previous_rows == rows
    assert "keys = )" in previous and "keys = ?area" not in previous
