"""ISCG knowledge graph: the library behind the `iscg` CLI and the web service."""

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
from .store import EmbeddedStore, Store, StoreMeta

__all__ = [
    "DanglingKeyError",
    "EmbeddedStore",
    "ISCGError",
    "ParameterError",
    "QueryError",
    "QueryRefused",
    "QuerySyntaxError",
    "QueryTimeout",
    "ResultTooLarge",
    "SourceError",
    "Store",
    "StoreError",
    "StoreMeta",
    "StoreNotBuilt",
    "UnknownQuery",
    "ValidationFailed",
]
