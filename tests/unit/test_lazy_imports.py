"""Start-up imports (docs/notes/scale.md §18): the service and its query workers import only what
answering a query needs. rdflib, pyshacl, scipy and openpyxl are imported by the functions that
build, validate, compute candidates or write workbooks, on first use.

Each check runs in a fresh interpreter (this test process has imported everything already)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

# modules that answering a query does not need, and that cost seconds of start-up together
BUILD_ONLY = ("pyshacl", "scipy", "openpyxl", "pandas")


def _loaded_after(statement: str, watched: tuple[str, ...]) -> list[str]:
    code = (
        "import json, sys\n"
        f"{statement}\n"
        f"print(json.dumps(sorted(m for m in {list(watched)!r} if m in sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         check=True)
    return list(json.loads(out.stdout.strip().splitlines()[-1]))


def test_the_app_module_imports_no_build_only_module() -> None:
    assert _loaded_after("import api.main", BUILD_ONLY) == []


def test_the_worker_module_imports_neither_rdflib_nor_numpy() -> None:
    watched = (*BUILD_ONLY, "rdflib", "numpy", "fastapi")
    assert _loaded_after("import iscg_graph.query.worker_process", watched) == []


def test_the_package_imports_its_public_api_on_first_use() -> None:
    # importing the package (or a submodule: Python imports the package first) costs nothing ...
    assert _loaded_after("import iscg_graph", (*BUILD_ONLY, "rdflib")) == []
    # ... and each public name still resolves, to the object its module defines
    code = (
        "import iscg_graph\n"
        "from iscg_graph.build.pipeline import build\n"
        "from iscg_graph.build.stats import compute\n"
        "assert iscg_graph.build is build and iscg_graph.compute_stats is compute\n"
        "assert sorted(iscg_graph.__all__) == sorted(set(iscg_graph.__all__))\n"
        "missing = [n for n in iscg_graph.__all__ if getattr(iscg_graph, n, None) is None]\n"
        "assert not missing, missing\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_an_unknown_name_is_an_attribute_error() -> None:
    import iscg_graph

    with pytest.raises(AttributeError, match="no_such_name"):
        iscg_graph.no_such_name  # noqa: B018


@pytest.mark.parametrize("module, attr", [
    ("iscg_graph.render.tabular", "to_xlsx"),
    ("iscg_graph.imports.workbooks", "template"),
])
def test_the_workbook_writers_still_write(module: str, attr: str) -> None:
    # openpyxl moved into the functions: they still produce a workbook (a zip file)
    import importlib

    fn = getattr(importlib.import_module(module), attr)
    if attr == "template":
        data = fn({"ITU-R": ["WP 1A"]})
    else:
        from iscg_graph.render.tabular import Column, ResultTable

        table = ResultTable.from_sparql_json(json.dumps(
            {"head": {"vars": ["a"]}, "results": {"bindings": [{"a": {"type": "literal", "value": "x"}}]}}
        ).encode("utf-8"))
        data = fn(table, [Column("a", "A")], title="t")
    assert data[:2] == b"PK"
