"""``iscg report`` and ``iscg query``: the canned queries and reports from the command line.

Registered into the `iscg` Typer app by ``iscg_graph.cli.main`` (``register(app)``); like cli.py, this
module prints. Both commands read a private in-memory copy of the built store (its N-Quads
snapshot), so they are safe next to a running service.

    iscg report                                     # list the reports
    iscg report theme-coverage --format xlsx -o coverage.xlsx
    iscg report sector-overlap-detail -p sector_a=ITU-T -p sector_b=ITU-D --format csv
    iscg query                                      # list every canned query with its parameters
    iscg query theme-dossier -p theme=resolution-areas/27 --format csv
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from ..errors import ISCGError, ParameterError
from ..query.catalog import DEFAULT_BASE_IRI, QueryCatalog, load_catalog
from ..query.engine import InProcessEngine
from ..query.reports import report_specs, run_report
from ..rdf.store import EmbeddedStore
from ..render.table import render, table_format

__all__ = ["register"]

out = Console()
err = Console(stderr=True)

QUERY_FORMATS = {
    "json": "application/sparql-results+json",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "xml": "application/sparql-results+xml",
}


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


def _list(catalog: QueryCatalog, reports_only: bool) -> None:
    table = Table(title="Reports" if reports_only else "Canned queries", header_style="bold")
    table.add_column("name")
    table.add_column("reports" if reports_only else "summary", overflow="fold")
    table.add_column("parameters", overflow="fold")
    if reports_only:
        for r in report_specs(catalog):
            params = ", ".join(f"{p.name}{'*' if p.required else ''} ({p.type})" for p in r.query.params)
            table.add_row(r.name, r.question, params)
    else:
        for name, spec in catalog.items():
            params = ", ".join(f"{p.name}{'*' if p.required else ''} ({p.type})" for p in spec.params)
            table.add_row(name, spec.summary, params)
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
        try:
            catalog = load_catalog(queries)
            if not name:
                _list(catalog, reports_only=True)
                return
            if fmt not in ("csv", "xlsx", "html", "json"):
                raise ParameterError("format", f"use csv, xlsx, html or json; got {fmt!r}")
            db = EmbeddedStore.open_snapshot(store)
            result = run_report(InProcessEngine(db), catalog, name, _params(param or []), db.meta,
                                base_iri=base)
        except ISCGError as exc:
            err.print(f"[red]report failed:[/red] {exc}")
            raise typer.Exit(2 if isinstance(exc, ParameterError) else 1) from None
        title = result.report.title
        about = result.computed_from.items()
        data = render(result.table, result.columns, table_format(fmt), title=title, computed_from=about,
                      name=name).body
        if fmt == "xlsx":
            output = output or Path(f"{name}.xlsx")
        _write(data, output)
        err.print(f"{len(result.table.rows)} rows · data version {result.computed_from.data_version}")

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
        try:
            catalog = load_catalog(queries)
            if not name:
                _list(catalog, reports_only=False)
                return
            if fmt not in QUERY_FORMATS:
                raise ParameterError("format", f"use one of {', '.join(QUERY_FORMATS)}; got {fmt!r}")
            spec = catalog[name]
            substitutions = spec.bind(_params(param or []), base)
            db = EmbeddedStore.open_snapshot(store)
            result = InProcessEngine(db).run(
                spec.text, media_type=QUERY_FORMATS[fmt], substitutions=substitutions
            )
        except ISCGError as exc:
            err.print(f"[red]query failed:[/red] {exc}")
            raise typer.Exit(2 if isinstance(exc, ParameterError) else 1) from None
        _write(result.body, output)
