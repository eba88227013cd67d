"""The one write path: every change (SPARQL Update, Graph Store Protocol, forms, revert, replay).

``WritePath.apply(change, author=…)``:

1. lets ``change`` modify the dataset as it would be after the write: an `overlay.Overlay` of the
   store (which records the change, so the cost follows the change, not the data), or, when the
   change needs the whole dataset (a SPARQL Update, clearing a graph; a change of the class
   hierarchy or one that reaches the whole derived graph), an in-memory copy of the dataset
   (without the journal graph, which no write may touch), as every write was computed before;
2. computes the exact `Patch` (quads removed, quads added); nothing to do: nothing recorded;
3. validates the dataset-after against the SHACL shapes: on the focus nodes the change can affect
   (`incremental`), on their neighbourhood read from the store before and the dataset-after
   (`focus_graph`); else (a reach that cannot be bounded, a change to ``rdfs:subClassOf`` or blank
   nodes) the whole dataset, as one rdflib graph kept for that fallback. A violation the dataset
   did not already have raises `ValidationFailed` with those violations, and the store has not
   been touched. A store built by `iscg build` has none, so there every violation refuses the
   write; a store loaded with violations stays writable for changes that do not add any (the
   violations of the current data are remembered per data generation);
4. commits the patch and its journal record (`history`) as ONE SPARQL Update, which Oxigraph applies
   in one RocksDB transaction: all of it or none, also if the process is killed halfway;
5. appends the exact quads to the snapshot's delta log and writes ``meta.json`` (generation + 1),
   so query workers apply them to their copy (`iscg_graph.rdf.snapshot_delta`).

The RDFS closure (`iscg_graph.rdf.entailment`) and then the derived overlap graph
(`iscg_graph.rdf.derived`; only what the change can reach, `iscg_graph.rdf.derived_delta`) are
brought up to date on the dataset-after before step 2, so a write commits its entailed and derived
triples in the same transaction; the journal records only the quads the
change itself wrote (the rest follows from them).

If the process dies between 4 and 5 the snapshot is one change behind the on-disk store: `recover`
(called when the service opens its store) notices it from the per-graph counts (or a delta file
that meta does not name) and rewrites it.

Writes are serialised by a lock: one writer per process, and one process opens a store for writing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import cast

import pyoxigraph as ox
from rdflib import Graph, URIRef

from ..errors import ChangeConflict, OverlayUnsupported, ValidationFailed, WriteRefused
from ..rdf.entailment import find_entailment_graph
from ..rdf.store import DataKey, EmbeddedStore, count_graphs, data_key
from . import incremental
from .closures import rederive as _rederive
from .closures import reentail_all as _reentail
from .focus_graph import Lookups, Views, changed_triples
from .focus_graph import rdf_term as _term
from .history import CHANGES_GRAPH, ChangeRecord, change_iri, change_quads, get_change, next_number
from .overlay import Overlay, reentail
from .patch import Patch, diff, update_text

__all__ = ["Author", "Validator", "WritePath", "recover", "to_rdflib"]

ViolationKey = tuple[str, str, str, str]
Validator = Callable[[Graph], object]
"""Takes the dataset-after (merged into one graph), returns a report with ``conforms``."""
_Changed = tuple[ox.Store, Patch, str | None, str | None]


@dataclass(frozen=True)
class Author:
    """Who writes and why: ``origin`` is the route and client (``POST /sparql from 10.0.0.1``)."""

    name: str
    comment: str = ""
    origin: str = ""
    kind: str = "sparql-update"


def to_rdflib(quads: ox.Store | Iterable[ox.Quad]) -> Graph:
    """Every graph of the store merged into one rdflib graph (what the shapes validate)."""
    g = Graph()
    for q in quads:
        g.add((_term(q.subject), _term(q.predicate), _term(q.object)))  # type: ignore[arg-type]
    return g


def _has_blank_nodes(patch: Patch) -> bool:
    quads = (*patch.removed, *patch.added)
    return any(isinstance(t, ox.BlankNode) for q in quads for t in (q.subject, q.object))


class _GraphPatch:
    """Turns ``graph`` (the union of the dataset before) into the union of ``after`` and back. A
    triple leaves the union only when no graph of ``after`` still holds it."""

    def __init__(self, graph: Graph, patch: Patch, after: Lookups):
        self.graph = graph
        triples = {(_term(q.subject), _term(q.predicate), _term(q.object)) for q in patch.added}
        self.added = [t for t in triples if t not in graph]
        gone = {q.triple for q in patch.removed
                if not any(True for _ in after.quads_for_pattern(q.subject, q.predicate, q.object, None))}
        self.removed = [t for t in {(_term(x.subject), _term(x.predicate), _term(x.object)) for x in gone}
                        if t in graph]

    def apply(self) -> None:
        for t in self.added:
            self.graph.add(t)  # type: ignore[arg-type]
        for t in self.removed:
            self.graph.remove(t)  # type: ignore[arg-type]

    def undo(self) -> None:
        for t in self.added:
            self.graph.remove(t)  # type: ignore[arg-type]
        for t in self.removed:
            self.graph.add(t)  # type: ignore[arg-type]


def _default_validator(graph: Graph) -> object:
    from ..rdf.validation import validate

    return validate(graph, in_place=True)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class WritePath:
    overlay = True
    """Compute a change on an `Overlay` of the store (its cost follows the change) when it allows."""

    def __init__(self, store: EmbeddedStore, *, base: str = "https://w3id.org/iscg/",
                 validate: Validator | None = None):
        self.store = store
        self.base = base
        self._validate = validate or _default_validator
        self._lock = threading.Lock()
        self._known: tuple[DataKey, frozenset[ViolationKey]] | None = None
        # the dataset as one rdflib graph, for the writes validated on the whole dataset only (built
        # on the first of them, 140 s at 1M; then patched from write to write); dropped by a write
        # validated from the store, rebuilt when the data changed another way
        self._graph: tuple[DataKey, Graph] | None = None
        self.successor: WritePath | None = None

    @contextmanager
    def handing_over(self, successor: WritePath) -> Iterator[None]:
        """Hold every write off while the service switches to a new build (the block catches the
        new build up with this one); once it ends normally, writes that were waiting, and any made
        through this object later, go to ``successor``: none lands on the build no longer served."""
        with self._lock:
            yield
            self.successor = successor

    def working_copy(self) -> ox.Store:
        """The dataset without the journal, in memory (blank nodes keep their identity)."""
        copy = ox.Store()
        journal = ox.NamedNode(CHANGES_GRAPH)
        copy.extend(q for q in self.store.inner if q.graph_name != journal)
        return copy

    def apply(self, change: Callable[[ox.Store], None], author: Author, *,
              reverts: str | None = None) -> ChangeRecord | None:
        """Apply ``change`` validated and atomically; the journal record, or None if nothing changed."""
        with self._lock:
            successor = self.successor
            if successor is None:
                return self._apply(change, author, reverts)
        return successor.apply(change, author, reverts=reverts)  # the service moved to a new build

    def _changed(self, change: Callable[[ox.Store], None]) -> _Changed:
        """The dataset-after, the patch (the change, its RDFS closure, the derived graph) and the
        graphs of the closure and the derived graph: on an `Overlay` when the change allows it,
        else as before, on a working copy of the whole dataset (`OverlayUnsupported`; the store is
        untouched)."""
        if not self.overlay:
            return self._on_copy(change)
        overlay = Overlay(self.store.inner, ox.NamedNode(CHANGES_GRAPH))
        work = cast(ox.Store, overlay)  # the part of the Store API the changes use, or OverlayUnsupported
        try:
            change(work)
        except OverlayUnsupported:
            return self._on_copy(change)  # e.g. a SPARQL Update: the change again, on the copy
        _refuse_journal(work)
        try:
            return self._close_on(overlay)
        except OverlayUnsupported:  # the closure or the derived graph needs the whole dataset
            return self._on_copy(_replay(overlay.patch()))  # the change as made, not run again

    def _close_on(self, overlay: Overlay) -> _Changed:
        """The RDFS closure and the derived graph brought up to date on the overlay."""
        work = cast(ox.Store, overlay)
        entailment = find_entailment_graph(self.store.graphs())
        if entailment is not None:
            reentail(overlay, entailment)
        patch = overlay.patch()  # the change and its closure
        derived_iri, derived = _rederive(work, self.store.graphs(), patch)
        patch = Patch(patch.removed + derived.removed, patch.added + derived.added)
        return work, patch, entailment, derived_iri

    def _on_copy(self, change: Callable[[ox.Store], None]) -> _Changed:
        work = self.working_copy()
        before = list(work)
        change(work)
        _refuse_journal(work)
        entailment = find_entailment_graph(self.store.graphs())
        if entailment is not None:
            _reentail(work, entailment)
        patch = diff(before, work)  # the change and its closure
        derived_iri, derived = _rederive(work, self.store.graphs(), patch)
        patch = Patch(patch.removed + derived.removed, patch.added + derived.added)
        return work, patch, entailment, derived_iri

    def _apply(self, change: Callable[[ox.Store], None], author: Author,
               reverts: str | None) -> ChangeRecord | None:
        work, patch, entailment, derived_iri = self._changed(change)
        recorded_graphs = [g for g in (entailment, derived_iri) if g]
        recorded = patch
        for graph_iri in recorded_graphs:
            recorded = _without_graph(recorded, graph_iri)
        if not recorded:
            return None
        after_keys = self.check(patch, work)
        try:
            record = self._commit(patch, work, author, reverts, recorded)
        except BaseException:
            self._graph = None
            raise
        key = data_key(self.store.meta)
        self._known = None if after_keys is None else (key, after_keys)
        if self._graph is not None:  # the whole-dataset graph, patched by `check` to the dataset-after
            # blank nodes are renamed by the commit: the graph no longer matches the store
            self._graph = None if _has_blank_nodes(patch) else (key, self._graph[1])
        return record

    def _graph_of(self) -> Graph:
        """The dataset (the store without the journal) as one rdflib graph: the whole-dataset
        validation's fallback only."""
        key = data_key(self.store.meta)
        if self._graph is None or self._graph[0] != key:
            journal = ox.NamedNode(CHANGES_GRAPH)
            self._graph = (key, to_rdflib(q for q in self.store.inner if q.graph_name != journal))
        return self._graph[1]

    def _violations(self, graph: Graph) -> tuple[object, frozenset[ViolationKey]]:
        report = self._validate(graph)
        return report, frozenset(r.key for r in getattr(report, "violations", ()))

    def check(self, patch: Patch, after: Lookups) -> frozenset[ViolationKey] | None:
        """Raise `ValidationFailed` (with only the new violations) if ``after`` (the dataset-after:
        the store with ``patch`` applied; only read by pattern lookups) breaks a shape the dataset
        before (the store) did not; the violation keys of ``after`` (None if not known: validated
        on the affected focus nodes only, `incremental`)."""
        if self._validate is _default_validator:  # the project's shapes, whose reach is known
            views = Views(self.store.inner, after, without=_not_validated(self.store.graphs()))
            nodes = incremental.focus(views.after, changed_triples(patch, views))
            if nodes is not None:
                self._graph = None  # kept only while writes need the whole-dataset validation
                return self._check_focus(views, nodes)
        graph = self._graph_of()
        change = _GraphPatch(graph, patch, after)
        change.apply()
        try:
            return self._check_whole(graph, change)
        except BaseException:
            change.undo()
            raise

    def _check_whole(self, after: Graph, change: _GraphPatch) -> frozenset[ViolationKey] | None:
        """`check` on the whole dataset-after graph; ``change`` turns it back into the
        dataset-before (to learn its violations) and again."""
        report, after_keys = self._violations(after)
        if not after_keys:
            return after_keys
        key = data_key(self.store.meta)
        if self._known is None or self._known[0] != key:
            change.undo()
            try:
                self._known = (key, self._violations(after)[1])
            finally:
                change.apply()
        known = self._known[1]
        new = tuple(r for r in getattr(report, "violations", ()) if r.key not in known)
        if new:
            from ..rdf.validation import ValidationReport

            made_by = report.engine if isinstance(report, ValidationReport) else ""  # pyshacl or turbo
            raise ValidationFailed(ValidationReport(False, new, made_by))
        return after_keys

    def _check_focus(self, views: Views, nodes: set[URIRef]) -> frozenset[ViolationKey] | None:
        """`check` on the focus nodes the change can affect (the others' results are unchanged),
        each validated on its neighbourhood read from the dataset after, and, if it has
        violations there, before."""
        report = incremental.validate_focus(views.after, nodes)
        after_keys = frozenset(r.key for r in report.violations)
        if after_keys:
            # only the nodes with violations after can have new ones: the before side on those alone
            # (each node's results depend on its own neighbourhood only)
            flagged = {r.focus_node for r in report.violations}
            violating = {n for n in nodes if n in flagged}
            again = violating if len(violating) == len(flagged) else nodes
            before = frozenset(r.key for r in incremental.validate_focus(views.before, again).violations)
            new = tuple(r for r in report.violations if r.key not in before)
            if new:
                from ..rdf.validation import ValidationReport

                raise ValidationFailed(ValidationReport(False, new, report.engine))
        key = data_key(self.store.meta)
        if self._known is None or self._known[0] != key:
            return None
        names = {str(n) for n in nodes}
        return frozenset(k for k in self._known[1] if k[0] not in names) | after_keys

    def _commit(self, patch: Patch, after: ox.Store, author: Author, reverts: str | None,
                recorded: Patch) -> ChangeRecord:
        number = next_number(self.store.inner)
        record = ChangeRecord(
            number=number, iri=change_iri(self.base, number), kind=author.kind, author=author.name,
            at=_now(), comment=author.comment.strip(), origin=author.origin, patch_text=recorded.text(),
            about=tuple(sorted(recorded.subjects())), reverts=reverts,
        )
        self._send(patch, after, record)
        return record

    def _send(self, patch: Patch, after: ox.Store, record: ChangeRecord) -> None:
        """Commit the patch and its journal record in one transaction (a remote store: one request);
        the exact quads go to the snapshot's delta log (with blank nodes, which the commit renames,
        the snapshot is rewritten instead)."""
        journal = change_quads(record, self.base)
        exact = not _has_blank_nodes(patch) and not any(isinstance(q.object, ox.BlankNode) for q in journal)
        self.store.apply_update(update_text(patch, after, journal),
                                delta=(patch.removed, (*patch.added, *journal)) if exact else None)

    def revert(self, number: int, author: Author) -> ChangeRecord:
        """Undo change ``number`` as a new change (raises `ChangeConflict` if it no longer applies)."""
        if self.successor is not None:
            return self.successor.revert(number, author)
        record = get_change(self.store.inner, self.base, number)
        if record is None:
            raise ChangeConflict(f"no change {number}")
        inverse = record.patch.inverse()
        if any(isinstance(t, ox.BlankNode) for q in inverse.removed for t in (q.subject, q.object)):
            raise ChangeConflict(f"change {number} wrote blank nodes, which cannot be matched again: "
                                 "revert it by hand")

        def undo(work: ox.Store) -> None:
            missing = [q for q in inverse.removed if q not in work]
            present = [q for q in inverse.added if q in work]
            if missing or present:
                raise ChangeConflict(
                    f"change {number} no longer applies: {len(missing)} of its added quads are gone and "
                    f"{len(present)} of its removed quads are back (a later change touched them)")
            for q in inverse.removed:
                work.remove(q)
            work.extend(inverse.added)

        done = self.apply(undo, Author(author.name, author.comment, author.origin, "revert"),
                          reverts=record.iri)
        if done is None:  # pragma: no cover - an empty patch is never recorded
            raise ChangeConflict(f"change {number} changed nothing")
        return done


def _replay(patch: Patch) -> Callable[[ox.Store], None]:
    def change(work: ox.Store) -> None:
        for quad in patch.removed:
            work.remove(quad)
        work.extend(patch.added)
    return change


def _refuse_journal(work: ox.Store) -> None:
    if any(True for _ in work.quads_for_pattern(None, None, None, ox.NamedNode(CHANGES_GRAPH))):
        raise WriteRefused(f"<{CHANGES_GRAPH}> is the change journal: it is written only by "
                           "the service, as changes are recorded")


def _not_validated(graphs: list[str]) -> tuple[str, ...]:
    """The graphs a focus validation leaves out: the journal, and the derived overlap graph,
    which is computed from validated data, read by no shape (a test holds the shapes to that) and
    not validated by the build either (it is added after the validation); its nodes gather
    thousands of statements (every qualifying pair), which a focus validation would read."""
    from ..rdf.derived import find_derived_graph

    derived = find_derived_graph(graphs)
    return (CHANGES_GRAPH,) if derived is None else (CHANGES_GRAPH, derived)


def _without_graph(patch: Patch, graph_iri: str) -> Patch:
    graph = ox.NamedNode(graph_iri)
    return Patch(tuple(q for q in patch.removed if q.graph_name != graph),
                 tuple(q for q in patch.added if q.graph_name != graph))


def recover(store: EmbeddedStore) -> bool:
    """Rewrite snapshot and meta if the on-disk store is ahead of them (a write killed after its
    commit) or snapshot, delta log and meta disagree (killed between their steps, or a delta file
    damaged by a power loss: they are not synced, the store's log is); True if it did."""
    if store.path is None:
        return False
    if count_graphs(store.inner) == store.meta.graphs and store.snapshot_consistent():
        return False
    store.refresh()
    return True
