"""``iscg import FILE``: check an ISCG mapping table (CSV or XLSX) against the graph, as a preview.

    iscg import table.xlsx --author "ISCG secretariat" --comment "after ISCG, 1 September 2021" \\
        --period ITU-D=2022-2025 --period ITU-T=2022-2024

A cell that matches several items (no study period given, a Resolution number of several
conferences) is reported with its choices; ``--choose CELL=CHOICE`` (or ``--choices FILE``, one
such line each) picks one, checked against the choices offered for that cell.

Every problem is printed as (sheet, row, column, value, message) and the command exits 1 if there
is any; otherwise it prints what the import would add, keep and retire. Nothing is written unless
``--commit`` is given: then the additions go through the curation write path as one validated,
atomic change (author, comment, file name and hash in the journal); a SHACL violation the import
would cause is reported on the cell it came from, and nothing is written. Retirements are listed,
never applied by an import. The store must not be open in a running service (one writer).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from ..build.pipeline import DEFAULT_STORE
from ..errors import ISCGError
from ..imports.choices import Picks, check_choices, parse_choose
from ..imports.data_tables import FORMATS, detect_format
from ..imports.mapping_table import Preview, preview_mapping_table, template_choices
from ..imports.new_period import is_questions_table, preview_questions
from ..imports.upload import Problem, Sheet, read_table
from ..imports.workbooks import error_workbook, template
from ..rdf.store import EmbeddedStore
from ..vocab import DEFAULT_BASE
from . import new_period
from .problems import print_problems
from .targets import LocalTarget, RemoteTarget, Target, remote_engine

__all__ = ["register"]

out = Console()
err = Console(stderr=True)
_PERIOD = re.compile(r"(ITU-[RTD])=(\d{4}-\d{4})", re.I)


def _periods(values: list[str]) -> dict[str, str]:
    periods: dict[str, str] = {}
    for value in values:
        m = _PERIOD.fullmatch(value.strip())
        if not m:
            raise typer.BadParameter(f"{value!r}: write SECTOR=PERIOD, e.g. ITU-D=2022-2025",
                                     param_hint="--period")
        periods[m[1].upper()] = m[2]
    return periods


def _print(preview: Preview, name: str) -> None:
    if preview.problems:
        print_problems(preview.problems, name)
        for a in preview.ambiguities:
            err.print(f"cell {a.cell} ({a.text}): choose with one of "
                      + " | ".join(f'--choose "{a.cell}={c.token}"' for c in a.choices), soft_wrap=True)
        return
    out.print(f"{name}: {len(preview.add)} to add, {len(preview.unchanged)} already recorded, "
              f"{len(preview.retire)} recorded but no longer listed (to retire)")
    t = Table(header_style="bold")
    for col in ("change", "row", "column", "item", "related item"):
        t.add_column(col, overflow="fold")
    for pair in preview.add:
        t.add_row("add", str(pair.row), pair.column, pair.subject.label, pair.object.label)
    for mapping, s, o in preview.retire:
        t.add_row("retire", "", "", s, f"{o} ({mapping})")
    if preview.add or preview.retire:
        out.print(t)


def _picks(choose: list[str], choices_file: Path | None) -> Picks:
    lines = list(choose)
    if choices_file is not None:
        try:
            text = choices_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise typer.BadParameter(f"cannot read {choices_file}: {exc}", param_hint="--choices") from None
        lines += [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    try:
        return parse_choose(lines)
    except ISCGError as exc:
        raise typer.BadParameter(str(exc), param_hint="--choose") from None


def _commit(preview: Preview, target: Target, data: bytes, name: str, author: str, comment: str,
            base: str) -> None:
    from ..imports.commit import ImportFailed, commit_preview

    if not preview.add:
        out.print("nothing to add: every pair is already recorded; nothing written")
        return
    try:
        path = target.write_path(base)
        record = commit_preview(preview, path, data=data, file_name=name, author=author, comment=comment,
                                base=base)
    except ImportFailed as exc:
        untraced = [Problem("", 0, "", "", f"would break the shapes: {v.message}")
                    for v in exc.report.violations]
        _print(Preview(problems=exc.problems or untraced), name)
        raise typer.Exit(1) from None
    except ISCGError as exc:
        err.print(f"[red]not written:[/red] {exc}")
        raise typer.Exit(1) from None
    if record is None:
        out.print("nothing changed; nothing written")
    else:
        out.print(f"committed as one change: {len(preview.add)} mapping(s) added ({record.iri})")


def _questions(sheets: list[Sheet], target: Target, data: bytes, name: str, author: str, comment: str,
               base: str, commit: bool, accept: bool, errors_xlsx: Path | None) -> None:
    db = target.snapshot()
    preview = preview_questions(sheets, db, base=base)
    new_period.print_preview(preview, db, name, accept)
    if not preview.ok:
        if errors_xlsx is not None:
            errors_xlsx.write_bytes(error_workbook(sheets, preview.problems))
        raise typer.Exit(1)
    if commit:
        del db
        new_period.commit(preview, target, data, name, author, comment, base, accept)


def register(app: typer.Typer) -> None:
    @app.command("import-template")
    def template_command(
        output: Annotated[Path, typer.Argument(help="Where to write the .xlsx template.")],
        period: Annotated[list[str] | None, typer.Option(
            "--period", help="Offer the items of this period per Sector: ITU-D=2022-2025 (repeat).")] = None,
        store: Annotated[Path, typer.Option("--store", help="Store directory.")] = DEFAULT_STORE,
        format: Annotated[str, typer.Option(
            "--format", help=f"mapping-table, or a data table: {', '.join(FORMATS)}.")] = "mapping-table",
        base: Annotated[str, typer.Option("--base", envvar="ISCG_BASE_IRI",
                                          help="Public base IRI.")] = DEFAULT_BASE,
    ) -> None:
        """A table template: drop-down lists of the graph's items, a filled example row."""
        if format != "mapping-table" and format not in FORMATS:
            raise typer.BadParameter(f"{format!r}: one of mapping-table, {', '.join(FORMATS)}",
                                     param_hint="--format")
        periods = _periods(period or [])
        try:
            snapshot = EmbeddedStore.open_snapshot(store)
            if format == "mapping-table":
                body = template(template_choices(snapshot, periods))
            else:
                from ..imports.data_templates import data_template

                body = data_template(format, snapshot, base)
        except ISCGError as exc:
            err.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(1) from None
        output.write_bytes(body)
        out.print(f"template -> {output}")

    @app.command("import")
    def import_command(
        file: Annotated[Path, typer.Argument(help="A mapping table or a data table: .csv or .xlsx.")],
        author: Annotated[str, typer.Option("--author", help="Who makes the change.")],
        comment: Annotated[str, typer.Option("--comment", help="Why (kept with the change).")],
        period: Annotated[list[str] | None, typer.Option(
            "--period", help="The table's study period per Sector: ITU-D=2022-2025 (repeat).")] = None,
        commit: Annotated[bool, typer.Option("--commit", help="Write the additions as one change.")] = False,
        store: Annotated[Path, typer.Option("--store", help="Store directory.")] = DEFAULT_STORE,
        max_bytes: Annotated[int, typer.Option("--max-bytes", help="Refuse larger files.")] = 5_000_000,
        base: Annotated[str, typer.Option("--base", envvar="ISCG_BASE_IRI",
                                          help="Public base IRI.")] = DEFAULT_BASE,
        errors_xlsx: Annotated[Path | None, typer.Option(
            "--errors-xlsx", help="On problems, write the table here, bad cells highlighted.")] = None,
        format: Annotated[str | None, typer.Option(
            "--format", help=f"The table's format (default: from its header row): mapping-table, "
                             f"{', '.join(FORMATS)}.")] = None,
        choose: Annotated[list[str] | None, typer.Option(
            "--choose", help='For a cell that matches several items, the one meant: '
                             'CELL=CHOICE, e.g. A3="ITU-D Q7/2 2014-2017" (repeat).')] = None,
        choices_file: Annotated[Path | None, typer.Option(
            "--choices", help="A file of CELL=CHOICE lines (# comments), as --choose.")] = None,
        new_period: Annotated[bool, typer.Option(
            "--new-period", help="A Questions table of a new study period: propose what each Question "
                                 "continues and what that carries over (cli/new_period.py).")] = False,
        accept_continuations: Annotated[bool, typer.Option(
            "--accept-continuations",
            help="With --new-period: write the continuations proposed from the titles.")] = False,
        remote: Annotated[bool, typer.Option(
            "--remote", help="Check against, and commit to, the remote SPARQL store instead of --store "
                             "(--remote-query-url / --remote-update-url, as iscg build --remote).")] = False,
        remote_query_url: Annotated[str | None, typer.Option(envvar="ISCG_REMOTE_QUERY_URL")] = None,
        remote_update_url: Annotated[str | None, typer.Option(envvar="ISCG_REMOTE_UPDATE_URL")] = None,
        remote_kind: Annotated[str, typer.Option(envvar="ISCG_REMOTE_KIND",
                                                 help="oxigraph | virtuoso | generic")] = "generic",
        remote_user: Annotated[str | None, typer.Option(envvar="ISCG_REMOTE_USER")] = None,
        remote_password: Annotated[str | None, typer.Option(envvar="ISCG_REMOTE_PASSWORD")] = None,
        remote_cache_dir: Annotated[Path | None, typer.Option(
            envvar="ISCG_REMOTE_CACHE_DIR",
            help="Where to keep the copy of the remote store's generation (default: a temporary "
                 "folder).")] = None,
    ) -> None:
        """Check a table against the graph: every problem by sheet/row/column, else a preview."""
        if format is not None and format != "mapping-table" and format not in FORMATS:
            raise typer.BadParameter(f"{format!r}: one of mapping-table, {', '.join(FORMATS)}",
                                     param_hint="--format")
        if not author.strip() or not comment.strip():
            raise typer.BadParameter("--author and --comment must not be empty")
        periods = _periods(period or [])
        wanted = _picks(choose or [], choices_file)
        try:
            data = file.read_bytes()
        except OSError as exc:
            err.print(f"[red]error:[/red] cannot read {file}: {exc.strerror}")
            raise typer.Exit(1) from None
        target: Target = LocalTarget(store)
        if remote:
            target = RemoteTarget(remote_engine(remote_query_url, remote_update_url, remote_kind, remote_user,
                                                remote_password, base), remote_cache_dir)
        try:
            _import(file, data, target, author=author, comment=comment, periods=periods, wanted=wanted,
                    commit=commit, max_bytes=max_bytes, base=base, errors_xlsx=errors_xlsx, format=format,
                    new_period=new_period, accept_continuations=accept_continuations)
        finally:
            target.close()


def _import(file: Path, data: bytes, target: Target, *, author: str, comment: str, periods: dict[str, str],
            wanted: Picks, commit: bool, max_bytes: int, base: str, errors_xlsx: Path | None,
            format: str | None, new_period: bool, accept_continuations: bool) -> None:
    try:
        sheets = read_table(data, file.name, max_bytes=max_bytes)
        if new_period or accept_continuations:  # the Questions of a new study period
            if not is_questions_table(sheets):
                raise typer.BadParameter("--new-period needs a Questions table (sector, study_period, "
                                         "study_group, notation, title …)", param_hint="FILE")
            _questions(sheets, target, data, file.name, author, comment, base, commit,
                       accept_continuations, errors_xlsx)
            return
        if format != "mapping-table" and (format or any(detect_format(s.header) for s in sheets)):
            from .import_tables import run_data_table

            if wanted:
                raise typer.BadParameter("only a mapping table has ambiguous cells to choose for",
                                         param_hint="--choose")
            run_data_table(sheets, target, data=data, name=file.name, author=author, comment=comment,
                           base=base, format=format, commit=commit, errors_xlsx=errors_xlsx)
            return
        snapshot = target.snapshot()
        picks = check_choices(lambda accepted: preview_mapping_table(
            sheets, snapshot, periods=periods, picks=accepted).ambiguities, wanted) if wanted else ()
        preview = preview_mapping_table(sheets, snapshot, periods=periods, picks=picks)
    except ISCGError as exc:
        err.print(f"[red]refused:[/red] {exc}")
        raise typer.Exit(1) from None
    _print(preview, file.name)
    if not preview.ok:
        if errors_xlsx is not None:
            errors_xlsx.write_bytes(error_workbook(sheets, preview.problems))
            err.print(f"the table, {len(preview.problems)} problem(s) highlighted -> {errors_xlsx}")
        raise typer.Exit(1)
    if commit:
        _commit(preview, target, data, file.name, author, comment, base)
