"""The library's exceptions: one small tree, so callers can catch by concern.

ISCGError
├── SourceError            a source table or RDF file cannot be read (file, line, column)
│   └── DanglingKeyError   a table cell refers to an item no table defines
├── ValidationFailed       SHACL violations; carries the ValidationReport
├── StoreError             the store cannot be opened, read or written
│   └── StoreNotBuilt      no built store at the given path
└── QueryError             a query cannot be prepared or run
    ├── QuerySyntaxError   the SPARQL text does not parse (message, line, column)
    ├── QueryRefused       the query asks for something not allowed (SERVICE, LOAD, update…)
    ├── QueryTimeout       the query ran past its time limit and was stopped
    ├── ResultTooLarge     the result has more rows than the configured limit
    ├── UnknownQuery       no canned query has that name
    └── ParameterError     a canned-query parameter is missing, unknown or ill-typed
"""

from __future__ import annotations

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


class QueryTimeout(QueryError):
    pass


class ResultTooLarge(QueryError):
    pass


class UnknownQuery(QueryError):
    pass


@dataclass
class ParameterError(QueryError):
    name: str
    message: str

    def __str__(self) -> str:
        return f"parameter {self.name!r}: {self.message}"
