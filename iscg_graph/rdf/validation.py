"""SHACL validation of the ISCG data: shapes/ + ontology/ -> a typed ValidationReport.

The data graph (or every named graph of a Dataset, merged) is validated together with the ontology
triples (ontology/iscg.ttl), with no inference: `sh:targetClass` and `sh:class` then reach subclasses
through the ontology's `rdfs:subClassOf` triples, as SHACL's "SHACL instance" definition says.

Two engines give the same results on every shape fixture (tests/shapes/test_fixtures.py):
- ``"pyshacl"``: the reference implementation;
- ``"turbo"``: pyshacl-turbo (a Rust engine with pySHACL's API), the default when installed.

Results are sorted, so a report is deterministic. Nothing here prints or reads the environment.
"""

from __future__ import annotations

import enum
import importlib.util
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, cast

from rdflib import Dataset, Graph, Node, URIRef
from rdflib import Literal as RDFLiteral
from rdflib.graph import ConjunctiveGraph
from rdflib.namespace import RDF, SH

from ..errors import SourceError

__all__ = [
    "DEFAULT_ONTOLOGY",
    "DEFAULT_SHAPES_DIR",
    "Engine",
    "Severity",
    "ValidationReport",
    "ValidationResult",
    "available_engines",
    "default_engine",
    "load_data",
    "load_ontology",
    "load_shapes",
    "shapes_graph",
    "validate",
    "validate_triples",
]

_REPO = Path(__file__).resolve().parents[2]
DEFAULT_SHAPES_DIR = _REPO / "shapes"
DEFAULT_ONTOLOGY = _REPO / "ontology" / "iscg.ttl"

Engine = Literal["pyshacl", "turbo"]

_FORMATS = {
    ".ttl": "turtle",
    ".nt": "nt",
    ".nq": "nquads",
    ".trig": "trig",
    ".jsonld": "json-ld",
    ".rdf": "xml",
    ".owl": "xml",
    ".xml": "xml",
}


class Severity(enum.StrEnum):
    """sh:resultSeverity, by its local name."""

    VIOLATION = "Violation"
    WARNING = "Warning"
    INFO = "Info"


@dataclass(frozen=True)
class ValidationResult:
    """One sh:ValidationResult. Terms are rdflib terms; `result_path` is None for node-level results."""

    focus_node: Node
    result_path: Node | None
    message: str
    severity: Severity
    constraint_component: URIRef
    source_shape: Node
    value: Node | None = None

    @property
    def key(self) -> tuple[str, str, str, str]:
        """(focus, path, component, severity) as strings: what the fixtures and engine tests compare."""
        path = "" if self.result_path is None else str(self.result_path)
        return (str(self.focus_node), path, str(self.constraint_component), str(self.severity))


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of a validation: `conforms` is True when there is no sh:Violation."""

    conforms: bool
    results: tuple[ValidationResult, ...]
    engine: str = "pyshacl"

    @property
    def violations(self) -> tuple[ValidationResult, ...]:
        return tuple(r for r in self.results if r.severity is Severity.VIOLATION)

    @property
    def warnings(self) -> tuple[ValidationResult, ...]:
        return tuple(r for r in self.results if r.severity is Severity.WARNING)


def available_engines() -> tuple[Engine, ...]:
    """The engines importable here: pyshacl always, turbo when pyshacl-turbo is installed."""
    if importlib.util.find_spec("pyshacl_turbo") is not None:
        return ("pyshacl", "turbo")
    return ("pyshacl",)


def default_engine() -> Engine:
    """turbo when installed (proven identical on the fixtures), else the reference pyshacl."""
    return "turbo" if "turbo" in available_engines() else "pyshacl"


def _parse(path: Path, graph: Graph) -> None:
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise SourceError(f"unknown RDF file type {path.suffix!r}", path=str(path))
    try:
        graph.parse(path, format=fmt)
    except FileNotFoundError as exc:
        raise SourceError("file not found", path=str(path)) from exc
    except Exception as exc:  # rdflib raises many parser-specific types
        raise SourceError(f"cannot parse as {fmt}: {exc}", path=str(path)) from exc


@lru_cache(maxsize=8)
def _load_shapes_cached(shapes_dir: str) -> Graph:
    files = sorted(Path(shapes_dir).glob("*.ttl"))
    if not files:
        raise SourceError("no *.ttl shapes files", path=shapes_dir)
    graph = Graph()
    for file in files:
        _parse(file, graph)
    return graph


def load_shapes(shapes_dir: str | Path | None = None) -> Graph:
    """All shapes/*.ttl merged into one graph, cached per folder. Treat it as read-only."""
    return _load_shapes_cached(str(Path(shapes_dir or DEFAULT_SHAPES_DIR).resolve()))


def shapes_graph(shapes_dir: str | Path | None = None) -> Graph:
    """A fresh, modifiable copy of the shapes graph."""
    copy = Graph()
    copy += load_shapes(shapes_dir)
    return copy


@lru_cache(maxsize=8)
def _load_ontology_cached(path: str) -> Graph:
    graph = Graph()
    _parse(Path(path), graph)
    return graph


def load_ontology(path: str | Path | None = None) -> Graph:
    """The ontology graph, cached per file. Treat it as read-only."""
    return _load_ontology_cached(str(Path(path or DEFAULT_ONTOLOGY).resolve()))


def load_data(paths: Iterable[str | Path]) -> Graph:
    """Parse RDF files (by extension; quads are merged into one graph). Raises SourceError."""
    graph = Graph()
    count = 0
    for path in paths:
        count += 1
        path = Path(path)
        if path.suffix.lower() in (".nq", ".trig"):
            dataset = Dataset()
            _parse(path, dataset)
            graph += _merged(dataset)
        else:
            _parse(path, graph)
    if count == 0:
        raise SourceError("no data files given")
    return graph


def _merged(data: Graph) -> Graph:
    """A Dataset/ConjunctiveGraph's named graphs (and default graph) as one plain Graph."""
    if isinstance(data, ConjunctiveGraph):  # Dataset is a subclass
        merged = Graph()
        for s, p, o, _ in data.quads((None, None, None, None)):
            merged.add((s, p, o))
        return merged
    return data


@lru_cache(maxsize=8)
def _turbo_program(shapes_dir: str) -> Any:
    import pyshacl_turbo

    return pyshacl_turbo.compile_shapes(_load_shapes_cached(shapes_dir))


def validate(
    data: Graph | Dataset,
    *,
    shapes_dir: str | Path | None = None,
    ontology: str | Path | Graph | None = None,
    engine: Engine | None = None,
    in_place: bool = False,
    focus_nodes: Iterable[URIRef] | None = None,
) -> ValidationReport:
    """Validate `data` (all named graphs of a Dataset merged) against shapes/ with the ontology.

    `engine` None picks `default_engine()`. ``in_place``: validate a plain Graph without copying it
    (pyshacl adds the ontology's triples to it; turbo leaves it as it is). Raises SourceError when
    shapes or ontology cannot be read and ValueError for an unknown or unavailable engine.
    ``focus_nodes``: only the results of those focus nodes (each still validated against every
    shape that targets it; see `shape_reach`).
    """
    focus = sorted(set(focus_nodes), key=str) if focus_nodes is not None else None
    if focus == []:
        return ValidationReport(conforms=True, results=(), engine=engine or default_engine())
    engine = _engine(engine)
    shapes_key = str(Path(shapes_dir or DEFAULT_SHAPES_DIR).resolve())
    shapes = _load_shapes_cached(shapes_key)
    ont = ontology if isinstance(ontology, Graph) else load_ontology(ontology)

    if in_place and not isinstance(data, ConjunctiveGraph):
        # the caller's graph (no copy: the curation write path keeps one graph of the dataset and
        # patches it between writes); pyshacl gets the ontology added to it, turbo the ontology
        # encoded once beside it (`turbo_input`)
        combined = data
    else:
        combined = Graph()
        combined += _merged(data)
    return _run(combined, engine, shapes_key, shapes, ont, focus)


def validate_triples(triples: Collection[tuple[Node, Node, Node]], *, focus_nodes: Iterable[URIRef],
                     engine: Engine | None = None) -> ValidationReport:
    """`validate` (the project's shapes and ontology, in place) of the plain graph holding
    ``triples``, given as a set: the turbo engine's input is built from them directly
    (`turbo_input`), no rdflib graph built (for a focus validation's few hundred triples: a
    ``Graph.add`` per triple and a namespace manager saved). The reference engine gets the graph."""
    focus = sorted(set(focus_nodes), key=str)
    if not focus:
        return ValidationReport(conforms=True, results=(), engine=engine or default_engine())
    engine = _engine(engine)
    shapes_key = str(DEFAULT_SHAPES_DIR.resolve())
    data: Graph | Collection[tuple[Node, Node, Node]] = triples
    if engine != "turbo":
        data = Graph()
        for triple in triples:
            data.add(triple)
    return _run(data, engine, shapes_key, _load_shapes_cached(shapes_key), load_ontology(None), focus)


def _engine(engine: Engine | None) -> Engine:
    engine = engine or default_engine()
    if engine not in ("pyshacl", "turbo"):
        raise ValueError(f"unknown SHACL engine {engine!r}; use 'pyshacl' or 'turbo'")
    if engine not in available_engines():
        raise ValueError("SHACL engine 'turbo' needs the pyshacl-turbo package")
    return engine


def _run(data: Graph | Collection[tuple[Node, Node, Node]], engine: Engine, shapes_key: str, shapes: Graph,
         ont: Graph, focus: list[URIRef] | None) -> ValidationReport:
    """One engine run on ``data`` (a graph; for turbo also a set of triples) with ``ont``."""
    if engine == "turbo":
        from .turbo_input import engine_input

        _, report_graph, _ = _turbo_program(shapes_key).validate(
            engine_input(data, ont), allow_warnings=True, allow_infos=True, focus_nodes=focus
        )
    else:
        if not isinstance(data, Graph):
            raise TypeError("the pyshacl engine validates an rdflib graph")
        data += ont
        import pyshacl

        from .sparql_parser import PARSING

        with PARSING:  # (it parses the shapes' SPARQL constraints with rdflib's parser)
            _, report_graph, _ = pyshacl.validate(
                data,
                shacl_graph=shapes,
                inference="none",
                allow_warnings=True,
                allow_infos=True,
                abort_on_first=False,
                meta_shacl=False,
                advanced=False,
                inplace=True,
                focus_nodes=cast(list[URIRef | str] | None, focus),
            )
    results = _results(cast(Graph, report_graph))
    conforms = not any(r.severity is Severity.VIOLATION for r in results)
    return ValidationReport(conforms=conforms, results=results, engine=engine)


def _one(graph: Graph, subject: Node, predicate: URIRef) -> Node | None:
    values = sorted(graph.objects(subject, predicate), key=str)
    return values[0] if values else None


def _message(graph: Graph, result: Node) -> str:
    messages = [m for m in graph.objects(result, SH.resultMessage) if isinstance(m, RDFLiteral)]
    english = sorted(str(m) for m in messages if m.language in (None, "en"))
    if english:
        return english[0]
    return sorted(str(m) for m in messages)[0] if messages else ""


def _results(report: Graph) -> tuple[ValidationResult, ...]:
    out = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        severity_iri = _one(report, result, SH.resultSeverity)
        severity = Severity(str(severity_iri).rsplit("#", 1)[-1]) if severity_iri else Severity.VIOLATION
        focus = _one(report, result, SH.focusNode)
        component = _one(report, result, SH.sourceConstraintComponent)
        shape = _one(report, result, SH.sourceShape)
        if focus is None or component is None or shape is None:
            raise ValueError(f"SHACL report result {result} lacks focus node, component or shape")
        out.append(
            ValidationResult(
                focus_node=focus,
                result_path=_one(report, result, SH.resultPath),
                message=_message(report, result),
                severity=severity,
                constraint_component=cast(URIRef, component),
                source_shape=shape,
                value=_one(report, result, SH.value),
            )
        )
    return tuple(sorted(out, key=lambda r: (r.key, str(r.source_shape), r.message, str(r.value))))
