"""Curated writes on a remote SPARQL 1.1 store: the one write path, committed as one guarded request.

`RemoteWritePath` is `WritePath` with another commit step; everything before it is the same code:
the change runs on a working copy of the dataset — here the local copy of the store's current
generation (`iscg_graph.query.remote_mirror`) — the exact patch is the difference, and the
dataset-after is validated against the shapes (a violation: `ValidationFailed`, nothing sent).
Then ONE SPARQL Update request carries, in this order:

1. the patch: ``DELETE``/``INSERT`` of the exact quads, one operation per named graph (a graph
   losing blank-node quads is emptied and written again whole, as on the embedded store);
2. the journal record (`history`), in the journal graph;
3. the generation swap in the meta graph: the token the working copy was made at, replaced by a new
   one (which every replica polls).

Every operation is ``… WHERE { <the expected generation token is there> }``: if another replica
committed since this copy was made, the token differs, every operation matches nothing, and the
request changes nothing. Afterwards the token (or, if it moved on again, the journal record) tells
whether this request landed; if it did not, the write path follows the new generation and computes
the change again on it (``attempts`` times, then `ChangeConflict`). What this guarantees on each
server (one request as one transaction, or not) is in docs/notes/remote.md.

On success the new generation's copy is written here from the dataset-after (nothing fetched back),
and ``follow`` makes the service serve it: the change is visible through this replica at once.
Only the service's own graphs (``{base}graph/…``) are written: other graphs on a shared server, the
default graph, load staging graphs and the generation token itself are refused (403).
"""

from __future__ import annotations

import logging
import shutil
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path

import pyoxigraph as ox

from ..errors import ChangeConflict, QueryError, QueryTimeout, RemoteWriteFailed, WriteRefused
from ..query.remote import RemoteEngine, generation_iri, meta_graph_iri
from ..query.remote_mirror import folder_name, token_of, write_copy
from ..rdf.store import EmbeddedStore
from .history import CHANGES_GRAPH, ChangeRecord, change_quads, get_change
from .patch import Patch
from .writes import Author, Validator, WritePath

__all__ = ["RemoteWritePath", "guarded_update", "refuse_outside"]

log = logging.getLogger("iscg.curation.remote")

_DCT_IDENTIFIER = "http://purl.org/dc/terms/identifier"
_CHECKED = ("http://www.w3.org/1999/02/22-rdf-syntax-ns#value", "http://purl.org/dc/terms/creator",
            "http://www.w3.org/ns/prov#endedAtTime")
# derived from the data by the candidate index; copied to the new generation's copy, which a write
# (review decisions included) keeps up to date the same way as on the embedded store
_INDEX_FILES = ("candidates.json", "candidates-*.bin", "candidates.overlay.json", "candidates.overlay.jsonl")


class _Overtaken(Exception):
    """Another replica committed first: this request matched nothing (internal, retried)."""


def _blocks(quads: Iterable[ox.Quad]) -> list[str]:
    """One ``GRAPH <g> { … }`` block per named graph, in a stable order."""
    by_graph: dict[str, list[str]] = {}
    for q in quads:
        by_graph.setdefault(str(q.graph_name), []).append(f"{q.subject} {q.predicate} {q.object} .")
    return [f"GRAPH {name} {{\n" + "\n".join(sorted(lines)) + "\n}"
            for name, lines in sorted(by_graph.items())]


def guarded_update(patch: Patch, after: ox.Store, journal: Iterable[ox.Quad], *, base: str,
                   expected: str, token: str) -> str:
    """One SPARQL Update: ``patch`` and the ``journal`` quads, then the generation ``expected`` →
    ``token``; every operation applies only while the store's generation token is ``expected``."""
    meta, marker = meta_graph_iri(base), generation_iri(base)
    held = f"<{marker}> <{_DCT_IDENTIFIER}> {ox.Literal(expected)} ."
    guard = f"GRAPH <{meta}> {{ {held} }}"
    rewrite = {q.graph_name for q in patch.removed
               if isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode)}
    removed = [q for q in patch.removed if q.graph_name not in rewrite]
    added = [q for q in patch.added if q.graph_name not in rewrite]
    for graph in rewrite:
        added += list(after.quads_for_pattern(None, None, None, graph))
    added += list(journal)
    ops = [f"DELETE {{ GRAPH {g} {{ ?s ?p ?o }} }} WHERE {{ {guard} GRAPH {g} {{ ?s ?p ?o }} }}"
           for g in sorted(rewrite, key=str)]
    # one operation per graph: Virtuoso 7.2 leaves a language-tagged literal with a non-ASCII
    # character in place when the DELETE template names more than one graph (docs/notes/remote.md)
    ops += [f"DELETE {{\n{block}\n}} WHERE {{ {guard} }}" for block in _blocks(removed)]
    ops += [f"INSERT {{\n{block}\n}} WHERE {{ {guard} }}" for block in _blocks(added)]
    ops.append(f"DELETE {{ {guard} }} INSERT {{ GRAPH <{meta}> {{ <{marker}> <{_DCT_IDENTIFIER}> "
               f"{ox.Literal(token)} . }} }} WHERE {{ {guard} }}")  # last: the guard holds until here
    return " ;\n".join(ops)


def refuse_outside(patch: Patch, base: str) -> None:
    """A remote store is shared: only the service's own data graphs may be written."""
    ours, staging = f"{base}graph/", f"{base}graph/staging/"
    marker = ox.NamedNode(generation_iri(base))
    for q in (*patch.removed, *patch.added):
        graph = q.graph_name
        if not isinstance(graph, ox.NamedNode):
            raise WriteRefused("on a remote store the data lives in named graphs under "
                               f"<{ours}>: the server's default graph is not written by this service")
        if not graph.value.startswith(ours) or graph.value.startswith(staging):
            raise WriteRefused(f"<{graph.value}> is not one of this service's graphs on the remote store "
                               f"(they are named <{ours}…>, load staging excepted)")
        if q.subject == marker:
            raise WriteRefused(f"<{marker.value}> is the store's generation: written only by the service")


class RemoteWritePath(WritePath):
    """`WritePath` whose commit is one guarded update request to a remote store (module text).

    ``current`` gives the served copy of the store's generation (it changes as the service follows
    the store); ``follow`` makes the service serve the store's current generation."""

    overlay = False  # the commit writes the whole dataset-after as the new generation's copy

    def __init__(self, engine: RemoteEngine, current: Callable[[], EmbeddedStore], follow: Callable[[], None],
                 *, base: str = "https://w3id.org/iscg/", validate: Validator | None = None,
                 attempts: int = 3):
        self._current = current
        self._pinned: EmbeddedStore | None = None
        super().__init__(current(), base=base, validate=validate)
        self.engine = engine
        self._follow = follow
        self.attempts = attempts
        self._written: str | None = None

    @property  # type: ignore[override]
    def store(self) -> EmbeddedStore:
        # pinned while a change is computed and sent: the service may follow the store meanwhile,
        # and the guard must name the generation the change was computed on
        return self._pinned if self._pinned is not None else self._current()

    @store.setter
    def store(self, value: EmbeddedStore) -> None:
        """(Set by the base class: the served copy is always the one asked for.)"""

    def apply(self, change: Callable[[ox.Store], None], author: Author, *,
              reverts: str | None = None) -> ChangeRecord | None:
        for _ in range(self.attempts):
            with self._lock:
                self._pinned = self._current()
                overtaken = False
                try:
                    record = self._apply(change, author, reverts)
                except _Overtaken:
                    overtaken = True
                finally:
                    self._pinned = None
                if not overtaken:
                    if record is not None and token_of(self._folder()) != self._written:
                        # the service moved past this write already: the kept graph is not its data
                        self._graph = self._known = None
                    return record
            self._follow()  # another replica wrote first: compute the change again on its result
        raise ChangeConflict(f"the remote store was changed through another replica {self.attempts} times "
                             "while this change was computed; nothing of it was written: try again")

    def revert(self, number: int, author: Author) -> ChangeRecord:
        if get_change(self.store.inner, self.base, number) is None:
            self._follow()  # recorded through another replica after this copy was made
        return super().revert(number, author)

    def _folder(self) -> Path:
        path = self.store.path
        if path is None:  # pragma: no cover - the service's copies are folders
            raise RemoteWriteFailed("the local copy of the remote store has no folder")
        return path

    def _send(self, patch: Patch, after: ox.Store, record: ChangeRecord) -> None:
        refuse_outside(patch, self.base)
        store, folder = self.store, self._folder()
        expected = token_of(folder)
        if expected is None:
            raise RemoteWriteFailed("the remote store has no generation token to guard a write with "
                                    "(load it with `iscg build --remote`)")
        # as a build's token: data version and build time stay those of the build, a new random part
        token = f"{store.meta.data_version} {store.meta.built_at} {uuid.uuid4().hex[:16]}"
        journal = change_quads(record, self.base)
        text = guarded_update(patch, after, journal, base=self.base, expected=expected, token=token)
        try:
            self.engine.update(text)
        except QueryError as exc:  # refused, unreachable, timed out: it may still have been applied
            if not self._landed(record, journal, token, exc):
                later = " (it may still be applied: see /changes before trying again)" \
                    if isinstance(exc, QueryTimeout) else ""
                raise RemoteWriteFailed(f"the remote store did not take the write: {exc}{later}") from None
        else:
            if not self._landed(record, journal, token, None):
                raise _Overtaken()
        if self._concurrent(token):  # committed, but beside another replica's request: see _concurrent
            self._written = None
            self._pinned = None
            self._follow()
            return
        old_journal = store.inner.quads_for_pattern(None, None, None, ox.NamedNode(CHANGES_GRAPH))
        target = folder.parent / folder_name(token)
        write_copy(target, [*after, *old_journal, *journal], token)
        for pattern in _INDEX_FILES:
            for path in folder.glob(pattern):
                shutil.copy2(path, target / path.name)
        self._written = token
        self._pinned = None
        self._follow()

    def _concurrent(self, token: str) -> bool:
        """True if another request committed at the same moment as this one (both saw the expected
        token: a server that runs an update request atomically but does not make concurrent ones
        conflict, as Oxigraph server 0.5, keeps both, and two tokens). Both changes are in the
        store; it gets one new token, so every replica fetches what it now holds."""
        meta, marker = meta_graph_iri(self.base), generation_iri(self.base)
        held = f"GRAPH <{meta}> {{ <{marker}> <{_DCT_IDENTIFIER}> ?t }}"
        rows = self.engine.select(f"SELECT ?t WHERE {{ {held} }}")
        if len(rows) <= 1:
            return False
        log.warning("two writes committed at the same moment through different replicas (tokens %s); "
                    "both are kept, the store's generation is made one again", [str(r["t"]) for r in rows])
        meta_now = self.store.meta
        fresh = ox.Literal(f"{meta_now.data_version} {meta_now.built_at} {uuid.uuid4().hex[:16]}")
        self.engine.update(f"DELETE WHERE {{ {held} }} ;\n"
                           f"INSERT DATA {{ GRAPH <{meta}> {{ <{marker}> <{_DCT_IDENTIFIER}> {fresh} }} }}")
        return True

    def _landed(self, record: ChangeRecord, journal: list[ox.Quad], token: str,
                failure: QueryError | None) -> bool:
        """Did the request commit? The new token says yes; else the journal record, checked on its
        patch, author and time (another replica may have written right after it)."""
        try:
            if self.engine.read_generation() == token:
                return True
            facts = " ".join(f"{q.predicate} {q.object} ;" for q in journal
                             if q.subject == ox.NamedNode(record.iri) and q.predicate.value in _CHECKED)
            pattern = f"GRAPH <{CHANGES_GRAPH}> {{ ?c {facts.rstrip(' ;')} }}"
            rows = self.engine.select(f"SELECT ?c WHERE {{ {pattern} FILTER(?c = <{record.iri}>) }}")
        except QueryError as exc:
            if failure is None:
                raise RemoteWriteFailed(f"the write was sent but the remote store cannot say whether it "
                                        f"was applied ({exc}); see /changes before trying again") from None
            raise RemoteWriteFailed(f"the remote store did not answer the write ({failure}) and cannot "
                                    f"say whether it was applied ({exc}); see /changes before trying "
                                    "again") from None
        return bool(rows)
