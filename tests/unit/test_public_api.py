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
    tree = ast.parse((PACKAGE / "__init__.py").read_text())
    imported = {
        alias.asname or alias.name
        for node in tree.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert imported == set(iscg_graph.__all__)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_library_never_imports_the_service_nor_reads_the_environment() -> None:
    modules = sorted(PACKAGE.rglob("*.py"))
    assert len(modules) >= 20
    for module in modules:
        imports = _imports(module)
        assert not any(n == "api" or n.startswith("api.") for n in imports), module
        text = module.read_text()
        # settings come from callers; handing the environment on to a child process is fine
        assert "os.environ[" not in text and "environ.get(" not in text and "getenv(" not in text, module
        if module.name != "cli.py" and not module.name.startswith("cli_"):
            assert "print(" not in text, f"{module} prints; only the CLI may"
