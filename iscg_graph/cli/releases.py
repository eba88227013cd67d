"""``iscg release create|list|diff``: dated, immutable snapshots of the build and what changed.

    iscg release create after-iscg-2021-09 --title "After ISCG meeting, 1 September 2021" --date 2021-09-01
    iscg release list
    iscg release diff after-iscg-2021-09 current --format html -o changes.html

Releases live in ``releases/`` beside the store link (``--releases`` to choose another folder).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from ..build import diff_formats
from ..build.pipeline import DEFAULT_STORE
from ..build.release_diff import diff_paths, to_patch
from ..build.releases import CURRENT, create_release, list_releases, open_release, releases_dir
from ..errors import ISCGError
from ..vocab import DEFAULT_BASE

__all__ = ["register"]

out = Console()
err = Console(stderr=True)

StoreOption = Annotated[Path, typer.Option("--store", help="Store directory (a link swapped by each build).")]
ReleasesOption = Annotated[
    Path | None, typer.Option("--releases", help="Releases folder (default: releases/ beside the store).")
]
BaseOption = Annotated[str, typer.Option("--base", envvar="ISCG_BASE_IRI", help="Public base IRI.")]
FORMATS = ("html", "csv", "xlsx", "patch")


def _fail(exc: Exception) -> typer.Exit:
    err.print(f"[red]error:[/red] {exc}")
    return typer.Exit(1)


def register(app: typer.Typer) -> None:
    release = typer.Typer(help="Releases: immutable, dated snapshots of the build, and their diffs.",
                          no_args_is_help=True)
    app.add_typer(release, name="release")

    @release.command("create")
    def create(
        name: Annotated[str, typer.Argument(help="Release name: letters, digits, '.', '_', '-'.")],
        title: Annotated[str | None, typer.Option("--title", help="What it stands for.")] = None,
        on: Annotated[str | None,
                      typer.Option("--date", help="Its date, YYYY-MM-DD (default: today).")] = None,
        store: StoreOption = DEFAULT_STORE,
        releases: ReleasesOption = None,
        base: BaseOption = DEFAULT_BASE,
    ) -> None:
        """Snapshot the current build as release NAME (never replaces an existing one)."""
        try:
            made = create_release(store, releases or releases_dir(store), name, title=title, on=on, base=base)
        except ISCGError as exc:
            raise _fail(exc) from None
        after = f", after {made.previous}" if made.previous else ""
        out.print(f"release [bold]{made.name}[/bold] ({made.date}{after}): {made.triples} triples, "
                  f"{made.entities} entities -> {made.path}")

    @release.command("list")
    def list_command(store: StoreOption = DEFAULT_STORE, releases: ReleasesOption = None) -> None:
        """The releases, oldest first."""
        try:
            found = list_releases(releases or releases_dir(store))
        except ISCGError as exc:
            raise _fail(exc) from None
        table = Table(header_style="bold")
        for col in ("name", "date", "title", "triples", "entities", "previous", "created"):
            table.add_column(col)
        for r in found:
            table.add_row(r.name, r.date, r.title, str(r.triples), str(r.entities), r.previous or "",
                          r.created)
        out.print(table if found else "no releases yet (`iscg release create NAME`)")

    @release.command("diff")
    def diff_command(
        a: Annotated[str, typer.Argument(help="The earlier release.")],
        b: Annotated[str, typer.Argument(help=f"The later release, or {CURRENT!r} for the live data.")],
        fmt: Annotated[str, typer.Option("--format", "-f", help=" | ".join(FORMATS))] = "html",
        output: Annotated[Path | None,
                          typer.Option("--output", "-o", help="Write here (xlsx: required).")] = None,
        store: StoreOption = DEFAULT_STORE,
        releases: ReleasesOption = None,
        base: BaseOption = DEFAULT_BASE,
    ) -> None:
        """Items added, retired and changed from A to B (per class), or the RDF Patch from A to B."""
        if fmt not in FORMATS:
            raise _fail(ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}"))
        if fmt == "xlsx" and output is None:
            raise _fail(ValueError("--format xlsx needs --output FILE.xlsx"))
        root = releases or releases_dir(store)
        try:
            paths = [store if x == CURRENT else open_release(root, x).path for x in (a, b)]
            d = diff_paths(paths[0], paths[1], base=base, before_name=a, after_name=b)
        except ISCGError as exc:
            raise _fail(exc) from None
        if fmt == "xlsx":
            assert output is not None
            output.write_bytes(diff_formats.to_xlsx(d))
            err.print(f"{len(d.items)} item(s) changed -> {output}")
            return
        text = {"html": lambda: diff_formats.to_html(d), "csv": lambda: diff_formats.to_csv(d),
                "patch": lambda: to_patch(d)}[fmt]()
        if output is not None:
            output.write_text(text, "utf-8")
            err.print(f"{len(d.items)} item(s) changed -> {output}")
        else:
            sys.stdout.write(text)
