"""``iscg report`` and ``iscg query``: the canned queries and reports from the command line.

Registered into the `iscg` Typer app by ``iscg_graph.cli.main`` (``register(app)``); like cli.py, this
module prints. Both commands read a private in-memory copy of the built store (its N-Quads
snapshot), so they are safe next to a running service. They share one path (`_run`: list, check the
format, parse the parameters, run, write, exit codes); a `_Command` holds only what differs.

    iscg report                                     # list the reports
    iscg report theme-coverage --format xlsx -o coverage.xlsx
    iscg report sector-overlap-detail -p sector_a=ITU-T -p sector_b=ITU-D --format csv
    iscg query                                      # list every canned query with its parameters
    iscg query theme-dossier -p theme=resolution-areas/27 --format csv
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, get_args

import typer
from rich.console import Console
from rich.table import Table

from ..errors import ISCGError, ParameterError
from ..query.catalog import DEFAULT_BASE_IRI, ParamSpec, QueryCatalog, load_catalog
from ..query.engine import InProcessEngine
from ..query.reports import report_specs, run_report
from ..rdf.store import EmbeddedStore
from ..render.table import TableFormat, render, table_format

__all__ = ["register"]

out = Console()
err = Console(stderr=True)

QUERY_FORMATS = {
    "json": "application/sparql-results+json",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "xml": "application/sparql-results+xml",
}


@dataclass(frozen=True)
class _Output:
    data: bytes
    default_path: Path | None = None  # where it goes without --output (None: stdout)
    note: str = ""  # said on stderr once written


Listing = Iterator[tuple[str, str, Sequence[ParamSpec]]]  # name, what it answers, its parameters
# (catalogue, name, parameters, format, store, base IRI) -> what to write
Producer = Callable[[QueryCatalog, str, dict[str, str], str, Path, str], _Output]


@dataclass(frozen=True)
class _Command:
    """What tells `iscg report` from `iscg query`; everything else is `_run`'s."""

    noun: str
    title: str  # of the listing
    about: str  # the listing's second column
    formats: tuple[str, ...]
    listing: Callable[[QueryCatalog], Listing]
    produce: Producer


def _report(catalog: QueryCatalog, name: str, params: dict[str, str], fmt: str, store: Path,
            base: str) -> _Output:
    db = EmbeddedStore.open_snapshot(store)
    result = run_report(InProcessEngine(db), catalog, name, params, db.meta, base_iri=base)
    data = render(result.table, result.columns, table_format(fmt), title=result.report.title,
                  computed_from=result.computed_from.items(), name=name).body
    return _Output(data, Path(f"{name}.xlsx") if fmt == "xlsx" else None,
                   f"{len(result.table.rows)} rows · data version {result.computed_from.data_version}")


def _query(catalog: QueryCatalog, name: str, params: dict[str, str], fmt: str, store: Path,
           base: str) -> _Output:
    spec = catalog[name]
    substitutions = spec.bind(params, base)
    db = EmbeddedStore.open_snapshot(store)
    result = InProcessEngine(db).run(spec.text, media_type=QUERY_FORMATS[fmt], substitutions=substitutions)
    return _Output(result.body)


REPORT = _Command("report", "Reports", "reports", get_args(TableFormat),
                  lambda catalog: ((r.name, r.question, r.query.params) for r in report_specs(catalog)),
                  _report)
QUERY = _Command("query", "Canned queries", "summary", tuple(QUERY_FORMATS),
                 lambda catalog: ((n, spec.summary, spec.params) for n, spec in catalog.items()),
                 _query)


def _run(command: _Command, name: str | None, pairs: list[str], fmt: str, output: Path | None,
         store: Path, queries: Path | None, base: str) -> None:
    """List the command's queries (no name), or run one and write it. A `ParameterError` exits 2,
    any other library error 1, each with one line on stderr."""
    try:
        catalog = load_catalog(queries)
        if not name:
            _list(command, catalog)
            return
        if fmt not in command.formats:
            raise ParameterError("format", f"use one of {', '.join(command.formats)}; got {fmt!r}")
        produced = command.produce(catalog, name, _params(pairs), fmt, store, base)
    except ISCGError as exc:
        err.print(f"[red]{command.noun} failed:[/red] {exc}")
        raise typer.Exit(2 if isinstance(exc, ParameterError) else 1) from None
    _write(produced.data, output or produced.default_path)
    if produced.note:
        err.print(produced.note)


def _params(pairs: list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise ParameterError(pair, "write parameters as --param name=value")
        values[name.strip()] = value
    return values


def _write(data: bytes, output: Path | None) -> None:
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        output.write_bytes(data)
        err.print(f"wrote {len(data)} bytes to {output}")


def _list(command: _Command, catalog: QueryCatalog) -> None:
    table = Table(title=command.title, header_style="bold")
    table.add_column("name")
    table.add_column(command.about, overflow="fold")
    table.add_column("parameters", overflow="fold")
    for name, about, params in command.listing(catalog):
        shown = ", ".join(f"{p.name}{'*' if p.required else ''} ({p.type})" for p in params)
        table.add_row(name, about, shown)
    out.print(table)
    out.print("* required; pass values with --param name=value")


ParamOption = Annotated[list[str] | None, typer.Option("--param", "-p", help="name=value (repeatable).")]
StoreOption = Annotated[Path, typer.Option("--store", help="Built store directory.")]
# the public base IRI parameter values are read under: the service's ISCG_BASE_IRI by default
BaseOption = Annotated[str, typer.Option("--base", envvar="ISCG_BASE_IRI", help="Public base IRI")]
QueriesOption = Annotated[
    Path | None, typer.Option("--queries", help="Folder of .rq files (default: the repository's).")
]


def register(app: typer.Typer) -> None:
    @app.command("report")
    def report_command(
        name: Annotated[str | None, typer.Argument(help="Report name; omit to list the reports.")] = None,
        param: ParamOption = None,
        fmt: Annotated[str, typer.Option("--format", "-f", help="csv | xlsx | html | json")] = "csv",
        output: Annotated[
            Path | None, typer.Option("--output", "-o", help="Write here (xlsx: NAME.xlsx).")
        ] = None,
        store: StoreOption = Path("var/store"),
        queries: QueriesOption = None,
        base: BaseOption = DEFAULT_BASE_IRI,
    ) -> None:
        """A report for policy staff: labelled table as CSV, formatted XLSX, HTML or JSON."""
        _run(REPORT, name, param or [], fmt, output, store, queries, base)

    @app.command("query")
    def query_command(
        name: Annotated[str | None, typer.Argument(help="Canned query name; omit to list them.")] = None,
        param: ParamOption = None,
        fmt: Annotated[
            str, typer.Option("--format", "-f", help="json | csv | tsv | xml (SPARQL results)")
        ] = "json",
        output: Annotated[
            Path | None, typer.Option("--output", "-o", help="Write here, not to stdout.")
        ] = None,
        store: StoreOption = Path("var/store"),
        queries: QueriesOption = None,
        base: BaseOption = DEFAULT_BASE_IRI,
    ) -> None:
        """Run a canned query with typed parameters; prints SPARQL results."""
        _run(QUERY, name, param or [], fmt, output, store, queries, base)
