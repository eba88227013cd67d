"""Nothing written through the service is lost by a rebuild: the journal is replayed on the new build.

`iscg build` makes a new store from ``data/``; `replay_journal` then copies the journal graph of the
store being replaced into it and re-applies every recorded change, oldest first:

- ``applied``: its removed quads were all there and are removed, its added quads are added;
- ``already``: the new build already says what the change said (e.g. after `iscg export` wrote it
  back to the tables, or a review decision carried over): nothing to do;
- ``conflict``: some quad it removed is gone, or it wrote blank nodes that cannot be matched, or the
  result breaks a shape: not applied, and *reported* (change number and reason) — never dropped
  silently; the change stays in the journal, so it can be redone by hand.

All applicable changes are committed in one transaction after one validation; if that validation
fails the changes are validated one at a time to find (and report) the ones that break a shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from ..rdf.store import EmbeddedStore
from .history import CHANGES_GRAPH, ChangeRecord, changes
from .patch import Patch, diff, update_text
from .writes import Validator, to_rdflib

__all__ = ["ReplayReport", "replay_journal"]


@dataclass
class ReplayReport:
    applied: list[int] = field(default_factory=list)
    already: list[int] = field(default_factory=list)
    conflicts: list[tuple[int, str]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.applied) + len(self.already) + len(self.conflicts)


def _has_bnodes(patch: Patch) -> bool:
    quads = (*patch.removed, *patch.added)
    return any(isinstance(t, ox.BlankNode) for q in quads for t in (q.subject, q.object))


def _classify(work: ox.Store, record: ChangeRecord) -> tuple[str, str]:
    patch = record.patch
    if _has_bnodes(patch):
        return "conflict", "it wrote blank nodes, which cannot be matched in a new build"
    missing = [q for q in patch.removed if q not in work]
    absent = [q for q in patch.added if q not in work]
    if not absent and not [q for q in patch.removed if q in work]:
        return "already", ""
    if missing:
        return "conflict", f"{len(missing)} of the statements it removed are not in the new build"
    return "apply", ""


def _apply(work: ox.Store, record: ChangeRecord) -> None:
    patch = record.patch
    for q in patch.removed:
        work.remove(q)
    work.extend(patch.added)


def _conforms(validate: Validator, work: ox.Store, known: frozenset[tuple[str, str, str, str]]) -> bool:
    report = validate(to_rdflib(work))
    return all(r.key in known for r in getattr(report, "violations", ()))


def replay_journal(old_store_dir: Path, new_store: EmbeddedStore, *,
                   validate: Validator | None = None) -> ReplayReport:
    """Copy the journal of the build at ``old_store_dir`` into ``new_store`` and replay it there."""
    report = ReplayReport()
    if not (Path(old_store_dir) / "snapshot.nq").is_file():
        return report
    old = EmbeddedStore.open_snapshot(old_store_dir)
    journal = list(old.inner.quads_for_pattern(None, None, None, ox.NamedNode(CHANGES_GRAPH)))
    if not journal:
        return report
    if validate is None:
        from ..rdf.validation import validate as shacl

        validate = shacl
    records = sorted(changes(old.inner), key=lambda r: r.number)
    before = [q for q in new_store.inner if q.graph_name != ox.NamedNode(CHANGES_GRAPH)]
    work = ox.Store()
    work.extend(before)
    known = frozenset(r.key for r in getattr(validate(to_rdflib(work)), "violations", ()))
    to_apply: list[ChangeRecord] = []
    for record in records:
        verdict, reason = _classify(work, record)
        if verdict == "already":
            report.already.append(record.number)
        elif verdict == "conflict":
            report.conflicts.append((record.number, reason))
        else:
            _apply(work, record)
            to_apply.append(record)
    if to_apply and not _conforms(validate, work, known):
        work = ox.Store()  # find the changes that break a shape, one at a time
        work.extend(before)
        for record in to_apply:
            trial = ox.Store()
            trial.extend(work)
            _apply(trial, record)
            if _conforms(validate, trial, known):
                work = trial
            else:
                to_apply = [r for r in to_apply if r is not record]
                report.conflicts.append((record.number, "it breaks a shape on the new build"))
    report.applied = [r.number for r in to_apply]
    new_store.apply_update(update_text(diff(before, work), work, journal))
    report.conflicts.sort()
    return report


