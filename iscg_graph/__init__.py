"""ISCG knowledge graph: the library behind the `iscg` CLI and the web service.

The names below are the public API; everything else is an implementation detail.
"""

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
