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

Replaying is idempotent: a change whose record the new store's journal already has is skipped, so
the same journal can be replayed again later. That is how no write is lost around a rebuild (see
docs/notes/curation.md): each build notes the build it replayed from (`PREDECESSOR`), and the
service, when it opens or switches to a build, catches up from the build it served before and from
that chain of predecessors (`catch_up`), under the old build's write lock, before serving it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from ..rdf.entailment import find_entailment_graph
from ..rdf.store import EmbeddedStore
from .closures import reentail_all as _reentail
from .history import CHANGES_GRAPH, ChangeRecord, changes
from .patch import Patch, diff, update_text
from .writes import Validator, to_rdflib

__all__ = ["PREDECESSOR", "ReplayReport", "catch_up", "predecessors", "replay_for_build", "replay_from",
           "replay_journal"]

PREDECESSOR = "replayed-from"  # file in a build directory: the name of the build it replayed from


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


def _conforms(validate: Validator, work: ox.Store, known: frozenset[tuple[str, str, str, str]],
              entailment: str | None = None) -> bool:
    if entailment is not None:  # the RDFS closure follows the replayed changes, as on every write
        _reentail(work, entailment)
    report = validate(to_rdflib(work))
    return all(r.key in known for r in getattr(report, "violations", ()))


def replay_journal(old_store_dir: Path, new_store: EmbeddedStore, *,
                   validate: Validator | None = None) -> ReplayReport:
    """Copy the journal of the build at ``old_store_dir`` into ``new_store`` and replay it there."""
    if not (Path(old_store_dir) / "snapshot.nq").is_file():
        return ReplayReport()
    return replay_from(EmbeddedStore.open_snapshot(old_store_dir).inner, new_store, validate=validate)


def predecessors(build_dir: Path) -> list[Path]:
    """The builds ``build_dir`` replayed from, nearest first, as far as they still exist."""
    found: list[Path] = []
    current = Path(build_dir)
    while (marker := current / PREDECESSOR).is_file():
        previous = current.parent / marker.read_text(encoding="utf-8").strip()
        if previous in found or previous == Path(build_dir) or not (previous / "snapshot.nq").is_file():
            break
        found.append(previous)
        current = previous
    return found


def replay_for_build(new_store: EmbeddedStore, build_dir: Path, served: Path, *,
                     validate: Validator | None = None) -> ReplayReport:
    """What `iscg build` does: replay the journal of the build served now (and of the builds it
    replayed from, for a write made there after its replay and before a switch that never came),
    then note ``served`` as the predecessor of ``build_dir``, whose writes after this replay the
    service catches up when it switches to (or restarts on) ``build_dir``."""
    report = catch_up(new_store, [served, *predecessors(served)], validate=validate)
    (Path(build_dir) / PREDECESSOR).write_text(served.name + "\n", encoding="utf-8")
    return report


def catch_up(new_store: EmbeddedStore, sources: Sequence[Path | ox.Store], *,
             validate: Validator | None = None) -> ReplayReport:
    """Replay onto ``new_store`` every change the ``sources`` (build directories or open stores)
    recorded that its journal lacks; snapshot and meta are rewritten when anything was copied."""
    total = ReplayReport()
    for source in sources:
        if isinstance(source, ox.Store):
            report = replay_from(source, new_store, validate=validate)
        else:
            report = replay_journal(source, new_store, validate=validate)
        total.applied += report.applied
        total.already += report.already
        total.conflicts += report.conflicts
    total.conflicts.sort()
    return total


def replay_from(old: ox.Store, new_store: EmbeddedStore, *,
                validate: Validator | None = None) -> ReplayReport:
    """Replay the changes journalled in ``old`` that ``new_store``'s journal does not have yet."""
    report = ReplayReport()
    graph = ox.NamedNode(CHANGES_GRAPH)
    have = {q.subject for q in new_store.inner.quads_for_pattern(None, None, None, graph)}
    journal = [q for q in old.quads_for_pattern(None, None, None, graph) if q.subject not in have]
    if not journal:
        return report
    if validate is None:
        from ..rdf.validation import validate as shacl

        validate = shacl
    missing = {q.subject for q in journal}
    records = sorted((r for r in changes(old) if ox.NamedNode(r.iri) in missing), key=lambda r: r.number)
    before = [q for q in new_store.inner if q.graph_name != ox.NamedNode(CHANGES_GRAPH)]
    entailment = find_entailment_graph(new_store.graphs())
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
    if to_apply and not _conforms(validate, work, known, entailment):
        work = ox.Store()  # find the changes that break a shape, one at a time
        work.extend(before)
        for record in to_apply:
            trial = ox.Store()
            trial.extend(work)
            _apply(trial, record)
            if _conforms(validate, trial, known, entailment):
                work = trial
            else:
                to_apply = [r for r in to_apply if r is not record]
                report.conflicts.append((record.number, "it breaks a shape on the new build"))
    report.applied = [r.number for r in to_apply]
    new_store.apply_update(update_text(diff(before, work), work, journal))
    report.conflicts.sort()
    return report


