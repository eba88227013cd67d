"""The library's exceptions: one small tree, so callers can catch by concern.

ISCGError
├── NotAcceptable          no representation we offer matches the client's Accept header
├── SourceError            a source table or RDF file cannot be read (file, line, column)
│   └── DanglingKeyError   a table cell refers to an item no table defines
├── ValidationFailed       SHACL violations; carries the report (a ShapeReport, e.g. rdf.validation's)
│   └── ImportFailed       an imported table would break the shapes; its problems name the cells
├── StoreError             the store cannot be opened, read or written
│   ├── StoreNotBuilt      no built store at the given path
│   └── NotReady           the store or an index derived from it is still being prepared (retry)
├── SearchError            a search request is unusable (empty or too long text, bad limit)
├── ReviewError            a review decision cannot be recorded
│   ├── DecisionInvalid    the decision breaks a rule (its problems listed)
│   └── DecisionConflict   another decision on the same pair is already recorded
├── CurationError          a change through the service cannot be made (issue 13)
│   ├── AccountError       an account or token operation is invalid (unknown user, weak password…)
│   ├── WriteRefused       the write is not allowed here (read-only service, protected graph, LOAD)
│   ├── UnsafeInput        an RDF body is refused before or while parsing (size, entities, remote context)
│   ├── ChangeConflict     a recorded change no longer applies (revert, replay after a rebuild)
│   └── RemoteWriteFailed  the remote store did not take a write (no update endpoint, refused, unreachable)
├── ReleaseError           a release name, date or folder that cannot be used
│   └── UnknownRelease     no release of that name
├── PatchError             an RDF Patch line that cannot be read or applied
├── OverlayUnsupported     internal: a change the write overlay cannot make at its cost (redone on a copy)
├── UploadRefused          an uploaded table is refused as a whole (size, type, macros, bomb)
├── ChoiceRefused          a choice for an ambiguous mapping-table cell that is not one offered
├── NotationError          a cell names an item in no notation understood (Q3/17, WP 5D, Res. 191…)
├── OptionError            a service parameter with a value it does not accept (entailment=…)
├── LabelRequestError      ``labels=`` names no usable language tag
└── QueryError             a query cannot be prepared or run
    ├── QuerySyntaxError   the SPARQL text does not parse (message, line, column)
    ├── QueryRefused       the query asks for something not allowed (SERVICE, LOAD, update…)
    ├── QueryTooDeep       the query nests brackets past the limit (refused before parsing)
    ├── QueryTimeout       the query ran past its time limit and was stopped
    ├── EngineUnavailable  no engine could take the query now (busy, starting, crashed): retry later
    ├── ResultTooLarge     the result has more rows than the configured limit
    ├── ServerLacksFeature the remote SPARQL server answers this canned query wrongly: refused, naming why
    ├── UnknownQuery       no canned query has that name
    └── ParameterError     a canned-query parameter is missing, unknown or ill-typed
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol


class ShapeViolation(Protocol):
    """What a caller reads of one SHACL result (`rdf.validation.ValidationResult` is one): the terms
    are rdflib nodes, typed here only as far as `str()` needs, so this module imports nothing."""

    @property
    def focus_node(self) -> object: ...
    @property
    def result_path(self) -> object | None: ...
    @property
    def message(self) -> str: ...
    @property
    def severity(self) -> str: ...
    @property
    def constraint_component(self) -> object: ...
    @property
    def value(self) -> object | None: ...


class ShapeReport(Protocol):
    """What `ValidationFailed` carries (`rdf.validation.ValidationReport` is one)."""

    @property
    def conforms(self) -> bool: ...
    @property
    def violations(self) -> Sequence[ShapeViolation]: ...


class ISCGError(Exception):
    """Base of every error the library raises on purpose."""


class NotAcceptable(ISCGError, ValueError):
    """No representation matches the Accept header (the message quotes at most 120 characters of it)."""

    def __init__(self, accept: str, offered: Sequence[str]):
        quoted = accept if len(accept) <= 120 else f"{accept[:120]}… ({len(accept)} characters)"
        self.offered = tuple(offered)
        super().__init__(f"cannot serve any of {quoted!r}; available: {', '.join(offered)}")


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

    def __init__(self, report: ShapeReport, origins: dict[str, str] | None = None):
        self.report = report
        self.origins = origins or {}
        super().__init__(f"{len(report.violations)} SHACL violation(s)")


class ImportFailed(ValidationFailed):
    """The import would break the shapes; ``problems`` name the cells (sheet, row, column, value)."""

    def __init__(self, failed: ValidationFailed, problems: list[Any]):
        super().__init__(failed.report, failed.origins)
        self.problems = problems


class SearchError(ISCGError, ValueError):
    """The search request is unusable (empty or too long query, bad limit)."""


class ReviewError(ISCGError):
    pass


class DecisionInvalid(ReviewError):
    def __init__(self, message: str, problems: tuple[str, ...] = ()):
        super().__init__(message)
        self.problems = problems


class DecisionConflict(ReviewError):
    pass


class StoreError(ISCGError):
    pass


class StoreNotBuilt(StoreError):
    pass


class NotReady(StoreError):
    """Something derived from the store (e.g. the candidate index) is still being prepared."""


class CurationError(ISCGError):
    pass


class AccountError(CurationError):
    pass


class WriteRefused(CurationError):
    pass


class UnsafeInput(CurationError):
    """``status`` is the HTTP status that fits (413 too large, 415 unsupported type, 400 otherwise)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


class ChangeConflict(CurationError):
    pass


class RemoteWriteFailed(CurationError):
    """The remote SPARQL store did not take a write, or cannot say whether it did (answered 503)."""


class ReleaseError(ISCGError):
    """A release name, date or folder that cannot be used (the message says which and why)."""


class UnknownRelease(ReleaseError):
    """No release of that name."""


class PatchError(ISCGError):
    """An RDF Patch line that cannot be read or applied."""


class OverlayUnsupported(ISCGError):
    """Internal signal of the write path (`curation.overlay`): the change asks for something the
    overlay cannot do at the cost of the change (a query, clearing a graph, iterating the store…);
    the write is computed again on a working copy of the dataset. Never leaves `WritePath`."""


class UploadRefused(ISCGError, ValueError):
    """The file is refused as a whole (the message says why)."""


class ChoiceRefused(ISCGError, ValueError):
    """A choice for an ambiguous mapping-table cell that is not one of the choices offered for it."""


class NotationError(ISCGError, ValueError):
    """A reference that is not one of the understood notations."""


class OptionError(ISCGError, ValueError):
    """A service parameter with a value it does not accept (the message says which and why)."""


class LabelRequestError(ISCGError, ValueError):
    """``labels=`` names no usable language tag."""


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


class EngineUnavailable(QueryError):
    """No worker (or remote store) could take the query in time, or it died: retry later."""


class ResultTooLarge(QueryError):
    pass


class ServerLacksFeature(QueryError):
    """A canned query the configured SPARQL server is known to answer wrongly (query/portability.py)."""

    def __init__(self, kind: str, query: str, feature: str):
        self.kind, self.query, self.feature = kind, query, feature
        super().__init__(f"the canned query {query!r} is not available on this service's SPARQL server "
                         f"({kind}): the server lacks {feature}")


class UnknownQuery(QueryError):
    pass


@dataclass
class ParameterError(QueryError):
    name: str
    message: str

    def __str__(self) -> str:
        return f"parameter {self.name!r}: {self.message}"
