"""A change made through the service survives a rebuild: replayed on the new build, and a change
that no longer applies is reported (never dropped silently)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from iscg_graph.build.pipeline import swap_in, write_store
from iscg_graph.curation.history import CHANGES_GRAPH, changes
from iscg_graph.curation.replay import replay_journal
from iscg_graph.curation.writes import Author, WritePath
from iscg_graph.rdf.store import EmbeddedStore

G = ox.NamedNode("http://e/g")
P = ox.NamedNode("http://e/p")


class Ok:
    conforms = True
    violations = ()


def ok(graph: object) -> Ok:
    return Ok()


def q(s: str, o: str) -> ox.Quad:
    return ox.Quad(ox.NamedNode(f"http://e/{s}"), P, ox.Literal(o), G)


def nq(*quads: ox.Quad) -> bytes:
    return "".join(f"{x.subject} {x.predicate} {x.object} {x.graph_name} .\n" for x in quads).encode()


def test_changes_are_replayed_on_a_new_build_and_conflicts_reported(tmp_path: Path) -> None:
    link = tmp_path / "store"
    old_dir = tmp_path / "builds" / "1"
    old = write_store(old_dir, nq(q("a", "1"), q("b", "1"), q("c", "1")), "v1")
    swap_in(link, old_dir)
    writes = WritePath(old, validate=ok)

    def change(remove: ox.Quad | None, add: ox.Quad):  # type: ignore[no-untyped-def]
        def run(work: ox.Store) -> None:
            if remove is not None:
                work.remove(remove)
            work.add(add)
        return run

    writes.apply(change(q("a", "1"), q("a", "2")), Author("ann", "fix a"))   # 1: still applies
    writes.apply(change(q("b", "1"), q("b", "2")), Author("ann", "fix b"))   # 2: b changes in the tables
    writes.apply(change(None, q("c", "2")), Author("ann", "add c"))          # 3: the tables have it now
    del writes, old

    # the next build from the tables: b was changed there, c's addition was exported
    new = write_store(tmp_path / "builds" / "2", nq(q("a", "1"), q("b", "9"), q("c", "1"), q("c", "2")), "v2")
    report = replay_journal(link.resolve(), new, validate=ok)
    assert report.applied == [1]
    assert report.already == [3]
    assert [n for n, _ in report.conflicts] == [2] and "not in the new build" in report.conflicts[0][1]
    assert q("a", "2") in new.inner and q("a", "1") not in new.inner
    assert q("b", "9") in new.inner  # the conflicting change left the new data alone
    # the history came along, and readers see it (snapshot rewritten)
    assert [c.number for c in changes(new.inner)] == [3, 2, 1]
    snapshot = EmbeddedStore.open_snapshot(tmp_path / "builds" / "2")
    assert any(True for _ in snapshot.inner.quads_for_pattern(None, None, None, ox.NamedNode(CHANGES_GRAPH)))


def test_a_replayed_change_that_breaks_a_shape_is_reported(tmp_path: Path) -> None:
    link = tmp_path / "store"
    old_dir = tmp_path / "builds" / "1"
    old = write_store(old_dir, nq(q("a", "1")), "v1")
    swap_in(link, old_dir)
    WritePath(old, validate=ok).apply(lambda w: w.add(q("bad", "x")), Author("ann", "add"))
    del old

    class Bad:
        conforms = False

        def __init__(self, keys: list[tuple[str, str, str, str]]):
            self.violations = [type("R", (), {"key": k})() for k in keys]

    def strict(graph) -> Bad:  # type: ignore[no-untyped-def]
        bad = any("bad" in str(s) for s in graph.subjects())
        return Bad([("http://e/bad", "", "x", "Violation")] if bad else [])

    new = write_store(tmp_path / "builds" / "2", nq(q("a", "1")), "v2")
    report = replay_journal(link.resolve(), new, validate=strict)
    assert report.applied == [] and report.conflicts == [(1, "it breaks a shape on the new build")]
    assert q("bad", "x") not in new.inner
