"""No import cycle among the modules of iscg_graph (nor among those of api).

A cycle hides through a lazy import (one inside a function) just as well as through a module-level
one, and it makes the modules involved one unit in fact: none can be read, tested or split without
the others. So every ``import`` and ``from … import`` statement counts, wherever it is, except those
under ``if TYPE_CHECKING:`` (annotations only, never executed). The import-linter contracts in
pyproject.toml keep the packages layered but cannot say "no cycle among siblings"; this does, for
modules at every depth, by looking for strongly connected components of the import graph.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = "iscg_graph"
REPO = Path(__file__).resolve().parents[2]
ROOT = REPO / PACKAGE


def _module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement of ``tree`` but those in the body of an ``if TYPE_CHECKING:``."""
    found: list[ast.Import | ast.ImportFrom] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append(node)
            return
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def import_graph(root: Path = ROOT) -> dict[str, set[str]]:
    """Module -> the modules of the package it imports (the deepest module each statement names:
    ``from .a import b`` is ``a.b`` when ``b`` is a module, else ``a``)."""
    paths = {_module_name(p, root): p for p in sorted(root.rglob("*.py"))}
    graph: dict[str, set[str]] = {name: set() for name in paths}
    for name, path in paths.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in _imports(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                if node.level:
                    base = package.split(".")
                    base = base[: len(base) - node.level + 1]
                    module = ".".join([*base, *([node.module] if node.module else [])])
                else:
                    module = node.module or ""
                targets = [f"{module}.{a.name}" if f"{module}.{a.name}" in paths else module
                           for a in node.names]
            for target in targets:
                while target and target not in paths:  # ``import a.b.c`` of a name, not a module
                    target = target.rpartition(".")[0]
                if target and target != name:
                    graph[name].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


@pytest.mark.parametrize("package", [PACKAGE, "api"])
def test_the_package_has_no_import_cycle(package: str) -> None:
    graph = import_graph(REPO / package)
    assert len(graph) > 50, "the walk found too few modules to mean anything"
    assert cycles(graph) == []


def test_a_lazy_import_closing_a_circle_is_a_cycle(tmp_path: Path) -> None:
    package = tmp_path / PACKAGE
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("")
    (package / "sub" / "a.py").write_text("from . import b\n")
    (package / "sub" / "b.py").write_text("from .c import X\n")
    (package / "sub" / "c.py").write_text("def f():\n    from ..sub.a import Y\n")
    (package / "d.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .e import Z\n")
    (package / "e.py").write_text("import iscg_graph.d\n")
    graph = import_graph(package)
    assert graph[f"{PACKAGE}.sub.a"] == {f"{PACKAGE}.sub.b"}
    assert graph[f"{PACKAGE}.sub.c"] == {f"{PACKAGE}.sub.a"}
    assert graph[f"{PACKAGE}.d"] == set()  # annotations only
    assert cycles(graph) == [[f"{PACKAGE}.sub.a", f"{PACKAGE}.sub.b", f"{PACKAGE}.sub.c"]]
