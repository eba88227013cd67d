"""`iscg_graph.__all__` is the public API: every name exists, and the rules of the layering hold."""

from __future__ import annotations

import ast
from pathlib import Path

import iscg_graph

PACKAGE = Path(iscg_graph.__file__).resolve().parent


def test_all_names_exist_and_are_sorted() -> None:
    assert iscg_graph.__all__ == sorted(iscg_graph.__all__, key=str)
    missing = [name for name in iscg_graph.__all__ if not hasattr(iscg_graph, name)]
    assert missing == []
    assert len(iscg_graph.__all__) >= 40


def test_every_public_import_is_listed() -> None:
    """The names are imported on first use (``_EXPORTS``) and, for the type checker, under
    ``TYPE_CHECKING``: both name exactly ``__all__``, each from the same module and attribute."""
    tree = ast.parse((PACKAGE / "__init__.py").read_text())
    typed = {
        alias.asname or alias.name: ("." + (node.module or ""), alias.name)
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.level == 1
        for alias in node.names
    }
    assert set(typed) == set(iscg_graph.__all__)
    assert typed == iscg_graph._EXPORTS


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _reads_environment(path: Path) -> list[str]:
    """Every ``environ`` / ``getenv`` / ``environb`` the module names, however it was imported."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "environb", "getenv", "getenvb"):
            found.append(f"line {node.lineno}: .{node.attr}")
        elif isinstance(node, ast.Name) and node.id in ("environ", "environb", "getenv", "getenvb"):
            found.append(f"line {node.lineno}: {node.id}")
        elif isinstance(node, ast.ImportFrom) and node.module == "os":
            found += [f"line {node.lineno}: from os import {a.name}" for a in node.names
                      if a.name in ("environ", "environb", "getenv", "getenvb")]
    return found


def test_the_environment_check_sees_every_spelling(tmp_path: Path) -> None:
    for text in ("import os\nos.environ['X']", "import os\nos.getenv('X')",
                 "from os import environ\nenviron.get('X')", "from os import getenv as g\n"):
        module = tmp_path / "m.py"
        module.write_text(text)
        assert _reads_environment(module), text
    module.write_text("import os\nos.path.join('a', 'b')\n")
    assert _reads_environment(module) == []


def test_library_never_imports_the_service_nor_reads_the_environment() -> None:
    modules = sorted(PACKAGE.rglob("*.py"))
    assert len(modules) >= 40
    for module in modules:
        imports = _imports(module)
        assert not any(n == "api" or n.startswith("api.") for n in imports), module
        # settings come from callers (api/settings.py reads the environment, once)
        assert _reads_environment(module) == [], module
        if "cli" not in module.relative_to(PACKAGE).parts:
            assert "print(" not in module.read_text(), f"{module} prints; only the CLI may"
