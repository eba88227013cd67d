"""The library's exceptions: one small tree, so callers can catch by concern.

Every exception the library raises on purpose is defined here (the modules that raise them
re-export the names they always had: ``iscg_graph.workers.EngineUnavailable`` still works).

ISCGError
├── SourceError            a source table or RDF file cannot be read (file, line, column)
│   └── DanglingKeyError   a table cell refers to an item no table defines
├── ValidationFailed       SHACL violations; carries the ValidationReport
├── StoreError             the store cannot be opened, read or written
│   └── StoreNotBuilt      no built store at the given path
├── QueryError             a query cannot be prepared or run
│   ├── QuerySyntaxError   the SPARQL text does not parse (message, line, column)
│   ├── QueryRefused       the query asks for something not allowed (SERVICE, LOAD, update…)
│   ├── QueryTooDeep       the query nests brackets past the limit (refused before parsing)
│   ├── QueryTimeout       the query ran past its time limit and was stopped
│   ├── ResultTooLarge     the result has more rows than the configured limit
│   ├── EngineUnavailable  no worker could take the query in time, or it died (retry later)
│   ├── UnknownQuery       no canned query has that name
│   └── ParameterError     a canned-query parameter is missing, unknown or ill-typed
├── NotAcceptable          no representation offered matches the Accept header
├── SearchError            a label search request is unusable (empty or too long, bad limit)
└── ReviewError            a review decision on a discovered overlap cannot be recorded
    ├── DecisionInvalid    the decision is ill-formed (carries the problems found)
    └── DecisionConflict   it contradicts a decision already recorded
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from .rdf.validation import ValidationReport


class ISCGError(Exception):
    """Base of every error the library raises on purpose."""


@dataclass
class SourceError(ISCGError):
    message: str
    path: str | None = None
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = self.path or "<input>"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}"


class DanglingKeyError(SourceError):
    """A key in a table points at nothing."""


class ValidationFailed(ISCGError):
    """SHACL violations; ``origins`` maps a focus node IRI to the source file (and row) it came from."""

    def __init__(self, report: ValidationReport, origins: dict[str, str] | None = None):
        self.report = report
        self.origins = origins or {}
        super().__init__(f"{len(report.violations)} SHACL violation(s)")


class StoreError(ISCGError):
    pass


class StoreNotBuilt(StoreError):
    pass


class QueryError(ISCGError):
    pass


@dataclass
class QuerySyntaxError(QueryError):
    message: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        if self.line is not None:
            return f"line {self.line}, column {self.column}: {self.message}"
        return self.message


class QueryRefused(QueryError):
    pass


class QueryTooDeep(QueryError):
    """Refused before any parser runs: deep nesting would exhaust the parser's native stack."""


class QueryTimeout(QueryError):
    pass


class ResultTooLarge(QueryError):
    pass


class EngineUnavailable(QueryError):
    """No worker could take the query in time, or the worker died (retry later)."""


class UnknownQuery(QueryError):
    pass


@dataclass
class ParameterError(QueryError):
    name: str
    message: str

    def __str__(self) -> str:
        return f"parameter {self.name!r}: {self.message}"


class NotAcceptable(ISCGError):
    """No representation matches the Accept header; ``offered`` lists the media types there are."""

    def __init__(self, accept: str, offered: Sequence[str] = ()):
        self.accept = accept
        self.offered = tuple(offered)
        super().__init__(f"cannot serve any of {accept!r}; available: {', '.join(self.offered)}")


class SearchError(ISCGError):
    """The search request is unusable (empty or too long query, bad limit)."""


class ReviewError(ISCGError):
    pass


class DecisionInvalid(ReviewError):
    def __init__(self, message: str, problems: tuple[str, ...] = ()):
        super().__init__(message)
        self.problems = problems


class DecisionConflict(ReviewError):
    pass
