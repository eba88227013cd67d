"""The `iscg` command: build, validate, stats (+ report, query, candidates, evaluate).

This module is the only place in the library that prints.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from ..build.pipeline import DEFAULT_DATA, DEFAULT_STORE
from ..build.pipeline import build as run_build
from ..errors import ISCGError, SourceError, StoreError, ValidationFailed
from ..rdf.store import EmbeddedStore
from ..vocab import DEFAULT_BASE

app = typer.Typer(
    help="ISCG knowledge graph: build, validate, query, analyse, report.",
    no_args_is_help=True,
    add_completion=False,
)
out = Console()
err = Console(stderr=True)

StoreOption = Annotated[Path, typer.Option("--store", help="Store directory (a link swapped by each build).")]


def _results_table(results, origins: dict[str, str] | None = None, title: str = "") -> Table:  # type: ignore[no-untyped-def]
    """Focus node, path, message, constraint (and the source file, when known) of each result."""
    columns = ["severity", "focus node", "path", "message", "constraint"] + (["source"] if origins else [])
    table = Table(title=title, show_lines=False, header_style="bold")
    for col in columns:
        table.add_column(col, overflow="fold")
    for r in results:
        focus = str(r.focus_node)
        row = [
            r.severity,
            focus,
            str(r.result_path or ""),
            str(r.message or ""),
            str(r.constraint_component).rsplit("#", 1)[-1],
        ]
        if origins:
            row.append(origins.get(focus, ""))
        table.add_row(*row)
    return table


@app.command()
def build(
    store: StoreOption = DEFAULT_STORE,
    data: Annotated[Path, typer.Option("--data", help="Folder of source tables.")] = DEFAULT_DATA,
    base: Annotated[str, typer.Option("--base", envvar="ISCG_BASE_IRI",
                                      help="Public base IRI (the service's ISCG_BASE_IRI).")] = DEFAULT_BASE,
    remote: Annotated[bool, typer.Option("--remote", help="Then load the build into the remote SPARQL store "
                                         "(--remote-query-url / --remote-update-url).")] = False,
    remote_query_url: Annotated[str | None, typer.Option(envvar="ISCG_REMOTE_QUERY_URL")] = None,
    remote_update_url: Annotated[str | None, typer.Option(envvar="ISCG_REMOTE_UPDATE_URL")] = None,
    remote_gsp_url: Annotated[str | None, typer.Option(
        envvar="ISCG_REMOTE_GSP_URL", help="Graph Store Protocol endpoint: given, the build is loaded "
                                           "through it in large chunks (staged, then one switch).")] = None,
    remote_kind: Annotated[str, typer.Option(envvar="ISCG_REMOTE_KIND",
                                             help="oxigraph | virtuoso | generic")] = "generic",
    remote_user: Annotated[str | None, typer.Option(envvar="ISCG_REMOTE_USER")] = None,
    remote_password: Annotated[str | None, typer.Option(envvar="ISCG_REMOTE_PASSWORD")] = None,
) -> None:
    """Validate ontology + data against the shapes, then load them into the store (atomically);
    with --remote, then into the remote SPARQL store (readers see the old or the new build)."""
    with Progress(
        TextColumn("{task.description:<14}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total or 1)
            bar.update(tasks[stage], completed=done, total=total or 1)

        try:
            result = run_build(store, data, progress=progress, base=base)
        except ValidationFailed as exc:
            bar.stop()
            violations = exc.report.violations
            err.print(
                _results_table(
                    violations, exc.origins, title=f"{len(violations)} violation(s): store not changed"
                )
            )
            raise typer.Exit(1) from None
        except ISCGError as exc:
            bar.stop()
            err.print(f"[red]build failed:[/red] {exc}")
            raise typer.Exit(1) from None
    meta = result.meta
    out.print(
        f"built [bold]{meta.triples}[/bold] triples in {len(meta.graphs)} graphs, data version "
        f"[bold]{meta.data_version}[/bold], {result.warnings} warning(s) -> {result.store_path}"
    )
    replay = result.replay
    if replay is not None and replay.total:  # changes made through the service (issue 13)
        out.print(f"changes made through the service: {len(replay.applied)} replayed, "
                  f"{len(replay.already)} already in the tables, {len(replay.conflicts)} no longer apply")
        for number, reason in replay.conflicts:
            err.print(f"[yellow]change {number} not replayed:[/yellow] {reason} (see /changes/{number})")
    if remote:
        _load_remote(result.build_dir, base, remote_query_url, remote_update_url, remote_kind,
                     remote_user, remote_password, remote_gsp_url)


def _replay_remote(build_dir: Path, engine: object) -> None:
    """Replay onto the build the changes written through the service on the remote store (its
    journal), as `iscg build` does with the local store's; again if the store's generation moved
    meanwhile (a write through a replica), so that only the load request's own run is left open."""
    from ..build.remote_load import fetch_journal
    from ..curation.replay import ReplayReport, replay_from
    from ..query.remote import RemoteEngine
    from ..rdf.store import EmbeddedStore

    assert isinstance(engine, RemoteEngine)
    total = ReplayReport()
    store = EmbeddedStore.open_writable(build_dir)
    try:
        for _ in range(5):
            seen = engine.read_generation()
            report = replay_from(fetch_journal(engine), store)
            total.applied += report.applied
            total.already += report.already
            total.conflicts += report.conflicts
            if engine.read_generation() == seen:
                break
    finally:
        store.inner.flush()
        del store
    if total.total:
        out.print(f"changes made through the service on the remote store: {len(total.applied)} replayed, "
                  f"{len(total.already)} already in the tables, {len(total.conflicts)} no longer apply")
        for number, reason in sorted(total.conflicts):
            err.print(f"[yellow]change {number} not replayed:[/yellow] {reason} (see /changes/{number})")


def _load_remote(build_dir: Path, base: str, query_url: str | None, update_url: str | None, kind: str,
                 user: str | None, password: str | None, gsp_url: str | None = None) -> None:
    from ..build.remote_load import Strategy, load_build
    from .targets import remote_engine

    try:
        engine = remote_engine(query_url, update_url, kind, user, password, base, gsp_url=gsp_url)
    except typer.BadParameter as exc:
        err.print(f"[red]{exc.param_hint}:[/red] {exc.message}")
        raise typer.Exit(2) from None
    try:
        _replay_remote(build_dir, engine)
    except ISCGError as exc:
        err.print(f"[red]cannot replay the remote store's changes:[/red] {exc} (nothing loaded)")
        raise typer.Exit(1) from None
    # Oxigraph runs one update request as one transaction; other servers: staged, then switched; with
    # a Graph Store Protocol URL, staged through it in large chunks (build/remote_load.py)
    strategy: Strategy = "gsp" if gsp_url else "transaction" if kind == "oxigraph" else "staged"
    try:
        loaded = load_build(build_dir, engine, base=base, strategy=strategy)
    except ISCGError as exc:
        err.print(f"[red]remote load failed:[/red] {exc} (the remote store still serves the previous build)")
        raise typer.Exit(1) from None
    out.print(f"loaded {loaded.triples} triples in {loaded.graphs} graphs into {query_url} "
              f"({loaded.strategy}, {loaded.requests} request(s)), generation {loaded.generation}")


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="RDF files: .ttl .nt .nq .trig .jsonld .rdf")],
    warnings: Annotated[
        bool, typer.Option("--warnings/--no-warnings", help="Also list sh:Warning results.")
    ] = True,
) -> None:
    """Validate RDF files against the shapes (each file on its own). Exit 1 on any violation."""
    from ..rdf.rdfio import read_graph
    from ..rdf.validation import validate as run_validation

    failed = unreadable = False
    for path in files:
        try:
            graph = read_graph(path)
        except SourceError as exc:
            err.print(f"[red]error:[/red] {exc}")
            unreadable = True
            continue
        report = run_validation(graph)
        shown = report.results if warnings else report.violations
        status = "[green]conforms[/green]" if report.conforms else "[red]does not conform[/red]"
        out.print(
            f"{path}: {status} ({len(report.violations)} violation(s), {len(report.warnings)} warning(s))"
        )
        if shown:
            out.print(_results_table(shown))
        failed |= not report.conforms
    if unreadable:
        raise typer.Exit(2)
    if failed:
        raise typer.Exit(1)


@app.command()
def stats(store: StoreOption = DEFAULT_STORE) -> None:
    """Counts per class, per Sector, per source, and the confirmed share."""
    from ..build.stats import compute

    try:
        s = compute(EmbeddedStore.open_snapshot(store))
    except StoreError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None
    out.print(f"data version [bold]{s.data_version}[/bold], built {s.built_at}, {s.triples} triples")

    t = Table(title="Resources per class", header_style="bold")
    for col in ("class", "count", "with source", "confirmed", "confirmed share"):
        t.add_column(col, justify="left" if col == "class" else "right")
    for c in s.classes:
        t.add_row(c.name, str(c.total), str(c.sourced), str(c.confirmed), f"{c.confirmed_share:.0%}")
    out.print(t)

    sectors = sorted({x.sector for x in s.sectors})
    classes = sorted({x.class_name for x in s.sectors})
    t = Table(title="Resources per Sector", header_style="bold")
    t.add_column("class")
    for sector in sectors:
        t.add_column(sector, justify="right")
    counts = {(x.sector, x.class_name): x.total for x in s.sectors}
    for cls in classes:
        t.add_row(cls, *(str(counts.get((sector, cls), "")) for sector in sectors))
    out.print(t)

    t = Table(title="Theme schemes", header_style="bold")
    for col in ("§", "scheme", "concepts"):
        t.add_column(col)
    for sc in s.schemes:
        t.add_row(sc.notation, sc.label, str(sc.concepts))
    out.print(t)

    t = Table(title="Sources (named graphs)", header_style="bold")
    for col in ("graph", "triples", "subjects"):
        t.add_column(col)
    for g in s.graphs:
        t.add_row(g.graph, str(g.triples), str(g.subjects))
    out.print(t)


def _register_extensions() -> None:
    """Commands owned by other modules (reports, candidates) register themselves here."""
    for name in ("reports", "candidates", "curation", "releases", "imports"):
        try:
            module = importlib.import_module(f"{__package__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__package__}.{name}":
                raise
            continue
        module.register(app)


_register_extensions()
