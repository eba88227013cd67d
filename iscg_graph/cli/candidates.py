"""`iscg candidates …` and `iscg evaluate`: discovered overlaps on the command line.

Registered on the main `iscg` app by `iscg_graph.cli.main` (this module prints, like cli.py).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date as Date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from ..errors import ISCGError
from ..rdf.store import EmbeddedStore
from ..vocab import DEFAULT_BASE

# the public base IRI reviews are minted under: the service's setting, ISCG_BASE_IRI, by default
BaseOption = Annotated[str, typer.Option("--base", envvar="ISCG_BASE_IRI", help="Public base IRI")]

out = Console()
err = Console(stderr=True)

DEFAULT_STORE = Path("var/store")


def _index(store: Path):  # type: ignore[no-untyped-def]
    from ..overlap.index import CandidateIndex
    from ..overlap.scoring import build_candidates

    try:
        return CandidateIndex.load(store)
    except FileNotFoundError:
        err.print(f"[yellow]no candidates.json in {store}: computing in memory[/yellow]")
        doc = build_candidates(EmbeddedStore.open_snapshot(store))
        doc["data_version"] = EmbeddedStore.open_snapshot(store).meta.data_version
        return CandidateIndex(doc)


def candidates_list(
    kind: Annotated[str, typer.Option("--kind", "-k", help="question | resolution | theme")] = "question",
    sector: Annotated[
        str | None, typer.Option("--sector", "-s", help="Sector code (ITU-D) or theme scheme notation (1.4)")
    ] = None,
    item: Annotated[
        str | None, typer.Option("--item", "-i", help="Only candidates involving this item IRI")
    ] = None,
    min_score: Annotated[float, typer.Option("--min-score")] = 0.0,
    limit: Annotated[int, typer.Option("--limit", "-n")] = 20,
    include_recorded: Annotated[
        bool, typer.Option("--include-recorded", help="Also list already-recorded pairs")
    ] = False,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table | json | csv")] = "table",
    store: Annotated[Path, typer.Option("--store")] = DEFAULT_STORE,
) -> None:
    """Candidate overlaps nobody has recorded yet, best first, with their evidence."""
    from ..overlap.index import CSV_COLUMNS

    try:
        page = _index(store).query(
            kind,
            sector=sector,
            item=item,
            min_score=min_score,
            limit=limit,
            include_recorded=include_recorded,
        )
    except ISCGError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None
    if fmt == "json":
        out.print_json(
            json.dumps(
                {"kind": kind, "total": page.total, "candidates": [c.to_json() for c in page.candidates]}
            )
        )
    elif fmt == "csv":
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(c.row() for c in page.candidates)
        typer.echo(buf.getvalue(), nl=False)
    elif fmt == "table":
        t = Table(
            title=f"{kind} candidates ({len(page.candidates)} of {page.total}), data {page.data_version}",
            header_style="bold",
            show_lines=True,
        )
        for col in ("score", "left", "right", "evidence"):
            t.add_column(col, overflow="fold")
        for c in page.candidates:
            flag = f" [{c.status}]" if c.status else ""
            t.add_row(f"{c.score:.3f}{flag}", c.left["label"], c.right["label"], c.explanation())
        out.print(t)
    else:
        err.print(f"[red]error:[/red] --format must be table, json or csv, not {fmt!r}")
        raise typer.Exit(2)


def candidates_precompute(store: Annotated[Path, typer.Option("--store")] = DEFAULT_STORE) -> None:
    """Recompute candidates.json for a built store (the build does this itself)."""
    from ..overlap.scoring import precompute

    try:
        s = EmbeddedStore.open_snapshot(store)
        summary = precompute(s, store)
    except ISCGError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None
    out.print(
        f"{summary.counts} new, {summary.recorded} recorded, in {summary.seconds:.2f} s -> {summary.path}"
    )


def candidates_review(
    left: Annotated[str, typer.Argument(help="IRI of one item")],
    right: Annotated[str, typer.Argument(help="IRI of the other item")],
    decision: Annotated[str, typer.Option("--decision", "-d", help="accept | reject")],
    reviewer: Annotated[str, typer.Option("--reviewer", "-r")],
    relation: Annotated[
        str | None,
        typer.Option("--relation", help="duplicate | overlap | complementary | already-coordinated"),
    ] = None,
    comment: Annotated[str, typer.Option("--comment", "-c")] = "",
    store: Annotated[Path, typer.Option("--store")] = DEFAULT_STORE,
    base: BaseOption = DEFAULT_BASE,
) -> None:
    """Record a review decision in graph/reviews (needs the store not to be open by the service)."""
    from ..overlap.review import Decision, record_decision
    from ..overlap.scoring import precompute

    try:
        s = EmbeddedStore.open_writable(store)
        outcome = record_decision(
            s, Decision(left, right, decision, reviewer, relation, comment, Date.today()), base=base
        )
        precompute(s, store)
    except ISCGError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None
    out.print(f"{outcome.status} as {outcome.relation}: {outcome.mapping}")


def candidates_sssom(
    store: Annotated[Path, typer.Option("--store")] = DEFAULT_STORE,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (default: standard output)")
    ] = None,
    mappings_only: Annotated[
        bool, typer.Option("--mappings-only", help="Only cross-Sector iscg:Mapping records")
    ] = False,
    base: BaseOption = DEFAULT_BASE,
) -> None:
    """Export the whole register of links and mappings (reviews included) as SSSOM TSV."""
    from ..overlap.review import sssom_tsv

    try:
        text = sssom_tsv(EmbeddedStore.open_snapshot(store), base=base, mappings_only=mappings_only)
    except ISCGError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None
    if output:
        output.write_text(text, encoding="utf-8")
        out.print(f"wrote {text.count(chr(10)) - 1} lines to {output}")
    else:
        typer.echo(text, nl=False)


def evaluate_cmd(
    store: Annotated[Path, typer.Option("--store")] = DEFAULT_STORE,
    gold: Annotated[
        Path | None, typer.Option("--gold", help="Theme gold list (default data/gold/theme-equivalences.tsv)")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table | markdown | json")] = "table",
    holdout: Annotated[
        bool,
        typer.Option("--holdout", help="Before/after on held-out lineage pairs (P@25, P@50, R@k) instead"),
    ] = False,
) -> None:
    """Score the detector (precision@k, recall@k, MRR per kind) against published mappings and theme gold."""
    from ..overlap.evaluate import DEFAULT_GOLD, evaluate

    if holdout:
        _holdout(store, fmt)
        return
    try:
        scores = evaluate(EmbeddedStore.open_snapshot(store), gold_themes=gold or DEFAULT_GOLD)
    except ISCGError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None
    cols = ("kind", "variant", "gold pairs", "queries", "P@1", "P@5", "R@5", "R@10", "MRR")
    rows = [
        (
            s.kind,
            s.variant,
            str(s.gold),
            str(s.queries),
            f"{s.precision[1]:.2f}",
            f"{s.precision[5]:.2f}",
            f"{s.recall[5]:.2f}",
            f"{s.recall[10]:.2f}",
            f"{s.mrr:.2f}",
        )
        for s in scores
    ]
    out_of_scope = next((s.out_of_scope for s in scores if s.kind == "question"), 0)
    if fmt == "json":
        out.print_json(json.dumps([{**dict(zip(cols, r, strict=True))} for r in rows]))
    elif fmt == "markdown":
        typer.echo("| " + " | ".join(cols) + " |")
        typer.echo("|" + "---|" * len(cols))
        for r in rows:
            typer.echo("| " + " | ".join(r) + " |")
        typer.echo(
            f"\n{out_of_scope} published mapping(s) join items no candidate kind pairs"
            " (e.g. Question-Resolution)."
        )
    else:
        t = Table(title="Candidate detector against known overlaps", header_style="bold")
        for c in cols:
            t.add_column(c, justify="left" if c in ("kind", "variant") else "right")
        for r in rows:
            t.add_row(*r)
        out.print(t)
        out.print(f"{out_of_scope} published mapping(s) out of scope (e.g. Question-Resolution).")


def _holdout(store: Path, fmt: str) -> None:
    """`iscg evaluate --holdout`: the lineage-aware list against the previous one (overlap.holdout)."""
    from datetime import date

    from ..overlap.holdout import KS, holdout_runs, holdout_scores

    scores = holdout_scores(holdout_runs(EmbeddedStore.open_snapshot(store), date.today()))
    cols: tuple[str, ...] = ("list", "held-out lineage pairs", "rows")
    cols += tuple(f"P@{k}" for k in KS) + tuple(f"distinct P@{k}" for k in KS) + tuple(f"R@{k}" for k in KS)
    rows = [
        (s.variant, str(s.gold), str(s.rows))
        + tuple(f"{s.precision[k]:.2f}" for k in KS)
        + tuple(f"{s.distinct_precision[k]:.2f}" for k in KS)
        + tuple(f"{s.recall[k]:.2f}" for k in KS)
        for s in scores
    ]
    if fmt == "json":
        out.print_json(json.dumps([dict(zip(cols, r, strict=True)) for r in rows]))
    elif fmt == "markdown":
        typer.echo("| " + " | ".join(cols) + " |")
        typer.echo("|" + "---|" * len(cols))
        for r in rows:
            typer.echo("| " + " | ".join(r) + " |")
    else:
        t = Table(title="Held-out lineage pairs: previous list against the lineage view", header_style="bold")
        for c in cols:
            t.add_column(c, justify="left" if c == "list" else "right")
        for r in rows:
            t.add_row(*r)
        out.print(t)


def register(app: typer.Typer) -> None:
    candidates = typer.Typer(
        help="Candidate overlaps nobody has recorded yet, and their review.", no_args_is_help=True
    )
    candidates.command("list")(candidates_list)
    candidates.command("precompute")(candidates_precompute)
    candidates.command("review")(candidates_review)
    candidates.command("sssom")(candidates_sssom)
    app.add_typer(candidates, name="candidates")
    app.command("evaluate")(evaluate_cmd)
