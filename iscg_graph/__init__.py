"""ISCG knowledge graph: the library behind the `iscg` CLI and the web service.

The names below are the public API; everything else is an implementation detail.
"""

from .build import BuildResult, build, load_sources
from .engine import EngineResult, InProcessEngine, QueryEngine
from .errors import (
    DanglingKeyError,
    ISCGError,
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
from .evaluate import evaluate
from .overlap import CandidateSummary, precompute
from .queries import ParamSpec, QueryCatalog, QuerySpec, load_catalog
from .reports import ReportResult, run_report
from .review import Decision, ReviewOutcome, record_decision, sssom_tsv
from .stats import Stats
from .stats import compute as compute_stats
from .store import EmbeddedStore, Store, StoreMeta
from .tables import Tables, load_tables
from .validation import ValidationReport, ValidationResult, validate
from .workers import ProcessPoolEngine

__all__ = [
    "BuildResult",
    "CandidateSummary",
    "DanglingKeyError",
    "Decision",
    "EmbeddedStore",
    "EngineResult",
    "ISCGError",
    "InProcessEngine",
    "ParamSpec",
    "ParameterError",
    "ProcessPoolEngine",
    "QueryCatalog",
    "QueryEngine",
    "QueryError",
    "QueryRefused",
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
