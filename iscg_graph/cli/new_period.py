"""``iscg import QUESTIONS.csv --new-period``: the Questions of a new study period, what each continues,
and what that would carry over (the Questions table's header, as in ``data/questions/``).

The preview lists every new Question with the Question it continues: from the ``continues`` column,
or *proposed* by title similarity with its score and the alternatives. A proposal is written only
when the editor confirms it (``--accept-continuations``, or ``yes`` in an ``accept_continuation``
column); the earlier Question's theme links and mappings then become Proposed "carry over?"
records for review, never facts.
"""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from ..errors import ISCGError
from ..imports.commit import ImportFailed
from ..imports.new_period import PeriodPreview, carried_over, commit_questions
from ..imports.upload import Problem
from ..overlap.scoring import precompute
from ..rdf.store import EmbeddedStore
from .problems import print_problems
from .targets import Target

__all__ = ["print_preview", "commit"]

_HOW = {"table": "continues column", "proposed": "proposed from the titles", "none": "none found"}
out = Console()
err = Console(stderr=True)


def print_preview(preview: PeriodPreview, store: EmbeddedStore, name: str, accept: bool) -> None:
    if preview.problems:
        print_problems(preview.problems, name)
        return
    proposals = preview.proposals
    out.print(f"{name}: {len(preview.add)} Question(s) to add, {len(preview.unchanged)} already in the "
              f"graph; {len(proposals)} continuation(s) proposed from the titles")
    t = Table(header_style="bold")
    for col in ("row", "Question", "continues", "how", "score", "alternatives (score)"):
        t.add_column(col, overflow="fold")
    confirmed = {c.row for c in preview.confirmed(accept)}
    for c in preview.continuations:
        how = _HOW[c.basis]
        if c.basis == "proposed":
            how += ": accepted" if c.row in confirmed else ": to confirm"
        alternatives = "; ".join(f"{e.label} ({s:.2f})" for e, s in c.alternatives)
        t.add_row(str(c.row), c.notation, c.earlier.label if c.earlier else "", how,
                  f"{c.score:.2f}" if c.earlier else "", alternatives)
    out.print(t)
    if any(c.row not in confirmed for c in proposals):
        out.print("proposals are written only when confirmed: --accept-continuations, or yes in an "
                  "accept_continuation column")
    # what each continuation would carry over, also for the proposals still to confirm
    carry = carried_over(preview, store, accept_all=True)
    if carry:
        c_t = Table(title="carry over? (written as Proposed records for review)", header_style="bold")
        for col in ("row", "new Question", "with", "from the record", "written"):
            c_t.add_column(col, overflow="fold")
        names = {q.iri: f"{q.sector} {q.notation} ({q.period})" for q in preview.add}
        for co in carry:
            c_t.add_row(str(co.row), names.get(co.question, co.question), co.other_label,
                        co.derived_label or co.derived_from,
                        "yes" if co.row in confirmed else "if its continuation is confirmed")
        out.print(c_t)


def commit(preview: PeriodPreview, target: Target, data: bytes, name: str, author: str, comment: str,
           base: str, accept: bool) -> None:
    if not preview.add:
        out.print("nothing to add: every Question is already in the graph; nothing written")
        return
    try:
        path = target.write_path(base)
        record, carry = commit_questions(preview, path, data=data, file_name=name, author=author,
                                         comment=comment, base=base, accept_continuations=accept)
    except ImportFailed as exc:
        print_problems(exc.problems or [Problem("", 0, "", "", f"would break the shapes: {v.message}")
                                   for v in exc.report.violations], name)
        raise typer.Exit(1) from None
    except ISCGError as exc:
        err.print(f"[red]not written:[/red] {exc}")
        raise typer.Exit(1) from None
    if record is None:
        out.print("nothing changed; nothing written")
    else:
        out.print(f"committed as one change ({record.iri}): {len(preview.add)} Question(s), "
                  f"{len(preview.confirmed(accept))} continuation(s), {len(carry)} carry-over proposal(s)")
        if target.remote:  # each replica recomputes the candidates of the generation it follows
            out.print("the service's replicas recompute the candidate overlaps when they follow this change")
            return
        # the new Questions join candidate discovery now, so "new since" lists their overlaps
        db = path.store
        precompute(db, db.path)
        out.print("candidate overlaps recomputed")
