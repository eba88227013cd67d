"""Canned queries: ``queries/*.rq`` files -> `QuerySpec` (metadata, typed parameters), safe binding.

Each file is one operation and stays valid SPARQL: its metadata sits in leading ``#+ `` comment
lines holding YAML (the grlc convention)::

    #+ summary: Themes two Sectors both address
    #+ tags: [overlap]
    #+ params:
    #+   - name: study_period
    #+     type: study_period
    #+     description: only work of study periods overlapping these years

Parameter values are checked against their declared type and handed to the engine as typed RDF
terms (N-Triples strings) for pyoxigraph's ``substitutions``; the query text itself is never
changed. Oxigraph substitutes a variable only when it is projected by the top-level SELECT, so a
query declares each parameter variable in its projection (checked when the file is loaded), and an
optional filter is written ``FILTER(COALESCE(<test on ?param>, true))`` so that it holds when the
parameter is absent (``BOUND(?param)`` must not be used: the optimiser folds it to false).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import yaml

from ..errors import ParameterError, QueryError, UnknownQuery
from ..vocab import DEFAULT_BASE
from .catalog_pages import count_pattern, paging_header

__all__ = [
    "PARAM_TYPES",
    "SECTOR_CODES",
    "DEFAULT_BASE_IRI",
    "DEFAULT_QUERIES_DIR",
    "ParamSpec",
    "QueryCatalog",
    "QuerySpec",
    "load_catalog",
    "parse_query_file",
]

DEFAULT_BASE_IRI = DEFAULT_BASE  # the caller's base when it gives none (one literal, in vocab)
DEFAULT_QUERIES_DIR = Path(__file__).resolve().parents[2] / "queries"
XSD_DECIMAL = "http://www.w3.org/2001/XMLSchema#decimal"
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"

SECTOR_CODES: dict[str, str] = {"ITU-R": "itu-r", "ITU-T": "itu-t", "ITU-D": "itu-d", "GS": "gs"}
SCHEME_SLUGS = ("isctf-topics", "cross-sectoral-groups", "resolution-areas", "iscg-areas", "council-groups")
PARAM_TYPES = (
    "iri",
    "sector",
    "study_period",
    "theme",
    "scheme",
    "study_group",
    "integer",
    "score",
    "string",
)

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$")
# ASCII digits only: ``\d`` also matches Arabic-Indic or full-width digits, which int() accepts but
# the data never holds, so such a value would pass the check and silently match nothing
_PERIOD = re.compile(r"^([0-9]{4})-([0-9]{4})$")
_INTEGER = re.compile(r"^[+-]?[0-9]{1,9}$")
_SLUG_PATH = re.compile(r"^[a-z0-9.-]+(/[a-z0-9.-]+)*$")
_MAX_STRING = 200


@dataclass(frozen=True)
class ParamSpec:
    """One declared parameter of a canned query."""

    name: str
    type: str
    required: bool = False
    default: str | None = None
    description: str = ""
    label: str = ""
    enum: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    choices_query: str | None = None  # a canned query whose ?value/?label rows offer the choices
    empty_label: str = ""  # what a form calls "no value" (default "Any")
    enum_labels: tuple[tuple[str, str], ...] = ()  # (value, words a form shows for it)

    def option_labels(self) -> list[tuple[str, str]]:
        """(value, label) for every allowed value: the declared words, else the value itself."""
        words = dict(self.enum_labels)
        return [(v, words.get(v, v)) for v in self.allowed_values()]

    def allowed_values(self) -> tuple[str, ...]:
        if self.enum:
            return self.enum
        if self.type == "sector":
            return tuple(SECTOR_CODES)
        if self.type == "scheme":
            return SCHEME_SLUGS
        return ()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "type": self.type,
            "required": self.required,
            "default": self.default,
            "description": self.description,
            "label": self.label or self.name.replace("_", " "),
        }
        if self.allowed_values():
            out["allowed_values"] = list(self.allowed_values())
        if self.minimum is not None:
            out["minimum"] = self.minimum
        if self.maximum is not None:
            out["maximum"] = self.maximum
        if self.choices_query:
            out["choices_query"] = self.choices_query
        if self.empty_label:
            out["empty_label"] = self.empty_label
        return out

    # -- checking and typing ----------------------------------------------------------------------
    def to_term(self, raw: str, base_iri: str = DEFAULT_BASE_IRI) -> str:
        """A raw value -> the N-Triples term bound to ``?name``; `ParameterError` if ill-typed."""
        value = raw.strip()
        if value == "":
            raise ParameterError(self.name, "empty value")
        if self.enum and value not in self.enum:
            raise ParameterError(self.name, f"must be one of {', '.join(self.enum)}; got {value!r}")
        method = getattr(self, f"_term_{self.type}")
        term: ox.NamedNode | ox.Literal = method(value, base_iri)
        return str(term)

    def _fail(self, message: str) -> ParameterError:
        return ParameterError(self.name, message)

    def _iri(self, value: str) -> ox.NamedNode:
        if not _IRI.match(value):
            raise self._fail(f"not an absolute IRI: {value!r}")
        try:
            return ox.NamedNode(value)
        except ValueError as exc:
            raise self._fail(f"not an IRI: {exc}") from None

    def _under(self, value: str, base_iri: str, kind: str) -> ox.NamedNode:
        """An IRI under ``{base}id/<kind>/``, given in full or as the part after it."""
        prefix = f"{base_iri}id/{kind}/"
        if value.startswith(prefix):
            rest = value[len(prefix) :]
        elif "://" in value or value.startswith("urn:"):
            raise self._fail(f"not a {kind.replace('-', ' ')} IRI (must start with {prefix}): {value!r}")
        else:
            rest = value
        if not _SLUG_PATH.match(rest) or any(part in (".", "..") for part in rest.split("/")):
            raise self._fail(f"not a {kind.replace('-', ' ')} identifier: {value!r}")
        return ox.NamedNode(prefix + rest)

    def _term_iri(self, value: str, base_iri: str) -> ox.NamedNode:
        return self._iri(value)

    def _term_sector(self, value: str, base_iri: str) -> ox.NamedNode:
        by_iri = {f"{base_iri}id/sector/{slug}": slug for slug in SECTOR_CODES.values()}
        slug = SECTOR_CODES.get(value.upper()) or by_iri.get(value)
        if slug is None:
            raise self._fail(f"unknown Sector {value!r}; use one of {', '.join(SECTOR_CODES)}")
        return ox.NamedNode(f"{base_iri}id/sector/{slug}")

    def _term_study_period(self, value: str, base_iri: str) -> ox.Literal:
        match = _PERIOD.match(value)
        if not match or not int(match.group(1)) < int(match.group(2)):
            raise self._fail("a study period is written YYYY-YYYY in the digits 0-9, the first year first; "
                             f"got {value!r}")
        return ox.Literal(value)

    def _term_theme(self, value: str, base_iri: str) -> ox.NamedNode:
        return self._under(value, base_iri, "theme")

    def _term_scheme(self, value: str, base_iri: str) -> ox.NamedNode:
        node = self._under(value, base_iri, "scheme")
        if node.value.rsplit("/", 1)[-1] not in SCHEME_SLUGS:
            raise self._fail(f"unknown theme scheme {value!r}; use one of {', '.join(SCHEME_SLUGS)}")
        return node

    def _term_study_group(self, value: str, base_iri: str) -> ox.NamedNode:
        return self._under(value, base_iri, "study-group")

    def _term_integer(self, value: str, base_iri: str) -> ox.Literal:
        if not _INTEGER.match(value):
            raise self._fail(f"not an integer written with the digits 0-9: {value!r}")
        number = int(value)
        if self.minimum is not None and number < self.minimum:
            raise self._fail(f"must be at least {self.minimum}; got {number}")
        if self.maximum is not None and number > self.maximum:
            raise self._fail(f"must be at most {self.maximum}; got {number}")
        return ox.Literal(str(number), datatype=ox.NamedNode(XSD_INTEGER))

    def _term_score(self, value: str, base_iri: str) -> ox.Literal:
        """A score on the one scale of reports and candidates: a decimal from 0 to 1."""
        if not re.fullmatch(r"(0|1)(\.\d{1,4})?|\.\d{1,4}", value) or float(value) > 1:
            raise self._fail(f"not a score from 0 to 1 (e.g. 0.3): {value!r}")
        return ox.Literal(f"{float(value):.4f}", datatype=ox.NamedNode(XSD_DECIMAL))

    def _term_string(self, value: str, base_iri: str) -> ox.Literal:
        if len(value) > _MAX_STRING:
            raise self._fail(f"longer than {_MAX_STRING} characters")
        return ox.Literal(value)


@dataclass(frozen=True)
class QuerySpec:
    """One canned query: its text (never altered) and its metadata."""

    name: str
    text: str
    summary: str
    description: str = ""
    tags: tuple[str, ...] = ()
    params: tuple[ParamSpec, ...] = ()
    report: Mapping[str, Any] | None = None  # presentation metadata for reports (see reports.py)
    columns: Mapping[str, str] = field(default_factory=dict)  # variable -> column title
    path: Path | None = None
    pages_by: Mapping[str, str] | None = None  # {"param", "values"}: pages read by bucket (bucket_pages.py)
    count_where: str | None = None  # one solution per row, counted instead of the query (page_texts.py)

    def param(self, name: str) -> ParamSpec:
        for p in self.params:
            if p.name == name:
                return p
        raise ParameterError(name, f"unknown parameter for query {self.name!r}")

    def bind(self, values: Mapping[str, str | None], base_iri: str = DEFAULT_BASE_IRI) -> dict[str, str]:
        """Check raw values, apply defaults: ``{variable: N-Triples term}`` for the engine.

        Unknown names, missing required values and ill-typed values raise `ParameterError`
        naming the parameter.
        """
        known = {p.name for p in self.params}
        for name in values:
            if name not in known:
                allowed = ", ".join(sorted(known)) or "none"
                raise ParameterError(name, f"unknown parameter for query {self.name!r} (allowed: {allowed})")
        subs: dict[str, str] = {}
        for p in self.params:
            raw = values.get(p.name)
            if raw is None or raw.strip() == "":
                raw = p.default
            if raw is None:
                if p.required:
                    raise ParameterError(p.name, "required")
                continue
            subs[p.name] = p.to_term(raw, base_iri)
        return subs

    def effective_params(self, values: Mapping[str, str | None]) -> dict[str, str]:
        """The raw values that apply after defaults (for "computed from" statements)."""
        out: dict[str, str] = {}
        for p in self.params:
            raw = values.get(p.name)
            if raw is None or raw.strip() == "":
                raw = p.default
            if raw is not None:
                out[p.name] = raw.strip()
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "summary": self.summary,
            "description": self.description,
            "tags": list(self.tags),
            "parameters": [p.to_json() for p in self.params],
            "report": bool(self.report),
        }


def _header(text: str) -> str:
    lines = []
    for line in text.splitlines():
        if line.startswith("#+"):
            lines.append(line[3:] if line.startswith("#+ ") else line[2:])
        elif line.strip() == "" and not lines:
            continue
        else:
            break
    return "\n".join(lines)


def _param(raw: Mapping[str, Any], where: str) -> ParamSpec:
    name = str(raw.get("name", ""))
    ptype = str(raw.get("type", ""))
    if not _NAME.match(name):
        raise QueryError(f"{where}: parameter name {name!r} must match {_NAME.pattern}")
    if ptype not in PARAM_TYPES:
        raise QueryError(f"{where}: parameter {name!r} has unknown type {ptype!r}")
    default = raw.get("default")
    return ParamSpec(
        name=name,
        type=ptype,
        required=bool(raw.get("required", False)),
        default=None if default is None else str(default),
        description=str(raw.get("description", "")).strip(),
        label=str(raw.get("label", "")),
        enum=tuple(str(v) for v in raw.get("enum", ()) or ()),
        minimum=raw.get("minimum"),
        maximum=raw.get("maximum"),
        choices_query=raw.get("choices_query"),
        empty_label=str(raw.get("empty_label", "")),
        enum_labels=tuple((str(k), str(v)) for k, v in (raw.get("enum_labels") or {}).items()),
    )


def parse_query_file(path: Path) -> QuerySpec:
    """One ``.rq`` file -> `QuerySpec`; `QueryError` naming the file when the header is wrong."""
    text = path.read_text("utf-8")
    where = str(path)
    try:
        meta = yaml.safe_load(_header(text)) or {}
    except yaml.YAMLError as exc:
        raise QueryError(f"{where}: the #+ header is not YAML: {exc}") from None
    if not isinstance(meta, dict) or not meta.get("summary"):
        raise QueryError(f"{where}: the #+ header needs at least a summary")
    params = tuple(_param(p, where) for p in meta.get("params", []) or [])
    # Parse and run on an empty store with every parameter substituted: a syntax error, or a
    # parameter variable missing from the top-level projection, fails here, at load time.
    probe: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
        ox.Variable(p.name): ox.Literal("probe") for p in params
    }
    try:
        ox.Store().query(text, substitutions=probe)
    except SyntaxError as exc:
        raise QueryError(f"{where}: not valid SPARQL: {exc}") from None
    except (RuntimeError, ValueError) as exc:
        raise QueryError(f"{where}: {exc} (parameters must be projected by the top-level SELECT)") from None
    pages_by = paging_header(meta.get("pages_by"), {p.name for p in params}, text, where)
    count_where = count_pattern(meta.get("count_where"), text, where)
    return QuerySpec(
        name=path.stem,
        text=text,
        summary=str(meta["summary"]).strip(),
        description=str(meta.get("description", "")).strip(),
        tags=tuple(str(t) for t in meta.get("tags", []) or []),
        params=params,
        report=meta.get("report"),
        columns={str(k): str(v) for k, v in (meta.get("columns") or {}).items()},
        path=path,
        pages_by=pages_by,
        count_where=count_where,
    )


class QueryCatalog(Mapping[str, QuerySpec]):
    """The canned queries of a folder, by name (the file stem), in name order."""

    def __init__(self, specs: Mapping[str, QuerySpec]):
        self._specs = dict(sorted(specs.items()))

    def __getitem__(self, name: str) -> QuerySpec:
        try:
            return self._specs[name]
        except KeyError:
            raise UnknownQuery(f"no canned query named {name!r}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._specs)

    def __len__(self) -> int:
        return len(self._specs)

    def reports(self) -> list[QuerySpec]:
        return [spec for spec in self._specs.values() if spec.report]


def load_catalog(folder: Path | None = None) -> QueryCatalog:
    """Every ``*.rq`` directly in *folder* (default: the repository's ``queries/``)."""
    root = folder or DEFAULT_QUERIES_DIR
    if not root.is_dir():
        raise QueryError(f"no queries folder at {root}")
    return QueryCatalog({p.stem: parse_query_file(p) for p in sorted(root.glob("*.rq"))})
