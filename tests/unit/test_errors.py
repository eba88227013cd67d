"""One exception tree: every exception the library defines lives in errors.py, under ISCGError,
and is drawn in its docstring."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import iscg_graph
from iscg_graph import errors


def _library_modules() -> list[str]:
    return [m.name for m in pkgutil.walk_packages(iscg_graph.__path__, "iscg_graph.")]


def test_every_public_exception_is_defined_in_errors() -> None:
    outside = []
    for name in _library_modules():
        if name == errors.__name__:
            continue
        module = importlib.import_module(name)
        for attr, value in vars(module).items():
            if (inspect.isclass(value) and issubclass(value, BaseException) and value.__module__ == name
                    and not attr.startswith("_")):
                outside.append(f"{name}.{attr}")
    assert outside == []
    assert len(_library_modules()) > 30  # the walk found the library


def test_every_exception_in_errors_is_in_the_tree_and_drawn() -> None:
    classes = [v for v in vars(errors).values()
               if inspect.isclass(v) and issubclass(v, BaseException) and v.__module__ == errors.__name__]
    assert len(classes) >= 20
    doc = errors.__doc__ or ""
    for cls in classes:
        assert issubclass(cls, errors.ISCGError), cls
        assert f"── {cls.__name__} " in doc or cls is errors.ISCGError, f"{cls.__name__} not drawn"


def test_old_import_paths_still_work() -> None:
    from iscg_graph.linked_data.search import SearchError
    from iscg_graph.overlap.review import DecisionConflict, DecisionInvalid, ReviewError
    from iscg_graph.query.workers import EngineUnavailable
    from iscg_graph.render.conneg import NotAcceptable

    old = {NotAcceptable, DecisionConflict, DecisionInvalid, ReviewError, SearchError, EngineUnavailable}
    assert old == {errors.NotAcceptable, errors.DecisionConflict, errors.DecisionInvalid, errors.ReviewError,
                   errors.SearchError, errors.EngineUnavailable}
    refused = errors.NotAcceptable("x/y", ["text/html"])
    assert str(refused) == "cannot serve any of 'x/y'; available: text/html"


def test_errors_imports_nothing_from_the_package() -> None:
    """errors.py sits beneath every layer: an import of the package from it, even a type-only one
    under TYPE_CHECKING, would make a cycle (it once imported rdf.validation for one annotation)."""
    tree = ast.parse(Path(inspect.getfile(errors)).read_text(encoding="utf-8"))
    imports = [n for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom)]
    assert imports, "the walk found the module's imports"
    inside = [ast.unparse(n) for n in imports
              if isinstance(n, ast.ImportFrom) and (n.level > 0 or (n.module or "").startswith("iscg_graph"))
              or isinstance(n, ast.Import) and any(a.name.startswith("iscg_graph") for a in n.names)]
    assert inside == []


def test_a_validation_report_is_what_validation_failed_carries() -> None:
    """The Protocols in errors.py describe rdf.validation's own types (mypy checks it where the
    library raises ValidationFailed; this checks what a caller reads back)."""
    from rdflib import URIRef

    from iscg_graph.rdf.validation import Severity, ValidationReport, ValidationResult

    result = ValidationResult(URIRef("urn:x"), None, "missing", Severity.VIOLATION, URIRef("urn:c"),
                              URIRef("urn:s"))
    report: errors.ShapeReport = ValidationReport(False, (result,))
    failed = errors.ValidationFailed(report, {"urn:x": "table.csv"})
    assert str(failed) == "1 SHACL violation(s)" and failed.report.violations[0].message == "missing"
