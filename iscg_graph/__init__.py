"""ISCG knowledge graph: the library behind the `iscg` CLI and the web service.

The names below are the public API; everything else is an implementation detail.

Every name is imported on first use (PEP 562 ``__getattr__``), not when the package is: the service,
its query workers and the CLI import submodules of this package, and the whole API at once pulls in
rdflib, pyshacl, scipy and openpyxl, seconds of start-up that answering a query does not need
(docs/notes/scale.md §18). ``from iscg_graph import build`` works as before.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

_EXPORTS: dict[str, tuple[str, str]] = {
    "BaseEngine": (".query.interface", "BaseEngine"),
    "BuildResult": (".build.pipeline", "BuildResult"),
    "CandidateSummary": (".overlap.scoring", "CandidateSummary"),
    "DanglingKeyError": (".errors", "DanglingKeyError"),
    "Decision": (".overlap.review", "Decision"),
    "EmbeddedStore": (".rdf.store", "EmbeddedStore"),
    "EngineResult": (".query.engine", "EngineResult"),
    "EngineUnavailable": (".errors", "EngineUnavailable"),
    "ISCGError": (".errors", "ISCGError"),
    "InProcessEngine": (".query.engine", "InProcessEngine"),
    "NotAcceptable": (".errors", "NotAcceptable"),
    "NotReady": (".errors", "NotReady"),
    "ParamSpec": (".query.catalog", "ParamSpec"),
    "ParameterError": (".errors", "ParameterError"),
    "ProcessPoolEngine": (".query.workers", "ProcessPoolEngine"),
    "QueryCatalog": (".query.catalog", "QueryCatalog"),
    "QueryEngine": (".query.engine", "QueryEngine"),
    "QueryError": (".errors", "QueryError"),
    "QueryRefused": (".errors", "QueryRefused"),
    "QueryRequest": (".query.interface", "QueryRequest"),
    "QuerySpec": (".query.catalog", "QuerySpec"),
    "QuerySyntaxError": (".errors", "QuerySyntaxError"),
    "QueryTimeout": (".errors", "QueryTimeout"),
    "ReportResult": (".query.reports", "ReportResult"),
    "ResultTooLarge": (".errors", "ResultTooLarge"),
    "ReviewOutcome": (".overlap.review", "ReviewOutcome"),
    "SourceError": (".errors", "SourceError"),
    "Stats": (".build.stats", "Stats"),
    "Store": (".rdf.store", "Store"),
    "StoreError": (".errors", "StoreError"),
    "StoreMeta": (".rdf.store", "StoreMeta"),
    "StoreNotBuilt": (".errors", "StoreNotBuilt"),
    "Tables": (".build.tables", "Tables"),
    "UnknownQuery": (".errors", "UnknownQuery"),
    "ValidationFailed": (".errors", "ValidationFailed"),
    "ValidationReport": (".rdf.validation", "ValidationReport"),
    "ValidationResult": (".rdf.validation", "ValidationResult"),
    "build": (".build.pipeline", "build"),
    "build_engine": (".query.compose", "build_engine"),
    "compute_stats": (".build.stats", "compute"),
    "evaluate": (".overlap.evaluate", "evaluate"),
    "load_catalog": (".query.catalog", "load_catalog"),
    "load_sources": (".build.pipeline", "load_sources"),
    "load_tables": (".build.tables", "load_tables"),
    "precompute": (".overlap.scoring", "precompute"),
    "record_decision": (".overlap.review", "record_decision"),
    "run_report": (".query.reports", "run_report"),
    "sssom_tsv": (".overlap.review", "sssom_tsv"),
    "validate": (".rdf.validation", "validate"),
}


def __getattr__(name: str) -> Any:
    try:
        module, attr = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'iscg_graph' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module, __name__), attr)
    globals()[name] = value  # the next look-up is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


class _Package(types.ModuleType):
    """``iscg_graph.build`` is the build function, as when this module imported it eagerly; the
    subpackage of the same name is in ``sys.modules`` (the import system's attempt to record it
    here, when it is first imported, is ignored)."""

    @property
    def build(self) -> Any:
        from .build.pipeline import build

        return build

    @build.setter
    def build(self, _subpackage: object) -> None:
        pass


sys.modules[__name__].__class__ = _Package


if TYPE_CHECKING:  # the names as the type checker and editors see them
    from .build.pipeline import BuildResult, build, load_sources
    from .build.stats import Stats
    from .build.stats import compute as compute_stats
    from .build.tables import Tables, load_tables
    from .errors import (
        DanglingKeyError,
        EngineUnavailable,
        ISCGError,
        NotAcceptable,
        NotReady,
        ParameterError,
        QueryError,
        QueryRefused,
        QuerySyntaxError,
        QueryTimeout,
        ResultTooLarge,
        SourceError,
        StoreError,
        StoreNotBuilt,
        UnknownQuery,
        ValidationFailed,
    )
    from .overlap.evaluate import evaluate
    from .overlap.review import Decision, ReviewOutcome, record_decision, sssom_tsv
    from .overlap.scoring import CandidateSummary, precompute
    from .query.catalog import ParamSpec, QueryCatalog, QuerySpec, load_catalog
    from .query.compose import build_engine
    from .query.engine import EngineResult, InProcessEngine, QueryEngine
    from .query.interface import BaseEngine, QueryRequest
    from .query.reports import ReportResult, run_report
    from .query.workers import ProcessPoolEngine
    from .rdf.store import EmbeddedStore, Store, StoreMeta
    from .rdf.validation import ValidationReport, ValidationResult, validate

__all__ = [
    "BaseEngine",
    "BuildResult",
    "CandidateSummary",
    "DanglingKeyError",
    "Decision",
    "EmbeddedStore",
    "EngineResult",
    "EngineUnavailable",
    "ISCGError",
    "InProcessEngine",
    "NotAcceptable",
    "NotReady",
    "ParamSpec",
    "ParameterError",
    "ProcessPoolEngine",
    "QueryCatalog",
    "QueryEngine",
    "QueryError",
    "QueryRefused",
    "QueryRequest",
    "QuerySpec",
    "QuerySyntaxError",
    "QueryTimeout",
    "ReportResult",
    "ResultTooLarge",
    "ReviewOutcome",
    "SourceError",
    "Stats",
    "Store",
    "StoreError",
    "StoreMeta",
    "StoreNotBuilt",
    "Tables",
    "UnknownQuery",
    "ValidationFailed",
    "ValidationReport",
    "ValidationResult",
    "build",
    "build_engine",
    "compute_stats",
    "evaluate",
    "load_catalog",
    "load_sources",
    "load_tables",
    "precompute",
    "record_decision",
    "run_report",
    "sssom_tsv",
    "validate",
]
