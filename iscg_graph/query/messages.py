"""What the worker pool and its worker processes say to each other: frozen dataclasses, pickled.

Parent → worker: a `QueryRequest` (`iscg_graph.query.interface`), `Reload`, or None (stop).
Worker → parent: `Ready` (after loading the store), `LoadFailed`, `Answer` followed by the body as
raw bytes (not pickled: results can be large), or `Failure`, which the parent turns back into the
library's typed error with `Failure.error`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..errors import QueryError, QuerySyntaxError, ResultTooLarge
from ..rdf.store import DataKey
from .interface import ResultKind

__all__ = ["Answer", "Failure", "LoadFailed", "Ready", "Reload"]


@dataclass(frozen=True)
class Reload:
    """Load the store's snapshot again (the data changed)."""


@dataclass(frozen=True)
class Ready:
    generation: DataKey
    graphs: frozenset[str]


@dataclass(frozen=True)
class LoadFailed:
    reason: str


@dataclass(frozen=True)
class Answer:
    """The result's description; its body follows as one bytes message."""

    media_type: str
    kind: ResultKind
    rows: int | None


@dataclass(frozen=True)
class Failure:
    kind: Literal["syntax", "too-large", "query"]
    message: str
    line: int | None = None
    column: int | None = None

    @classmethod
    def of(cls, exc: Exception) -> Failure:
        if isinstance(exc, QuerySyntaxError):
            return cls("syntax", exc.message, exc.line, exc.column)
        if isinstance(exc, ResultTooLarge):
            return cls("too-large", str(exc))
        if isinstance(exc, QueryError):
            return cls("query", str(exc))
        return cls("query", f"{type(exc).__name__}: {exc}")  # evaluation errors, bad substitutions

    def error(self) -> QueryError:
        if self.kind == "syntax":
            return QuerySyntaxError(self.message, self.line, self.column)
        if self.kind == "too-large":
            return ResultTooLarge(self.message)
        return QueryError(self.message)
