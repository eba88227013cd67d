"""Incremental validation gives the whole validation's results: for many changes, valid and invalid,
the focus nodes `affected` names, validated alone, have exactly the results the whole dataset-after
gives them, and every other focus node has the same results before and after the change.

Changes: each shape fixture turned into another of the same shape (valid → invalid and back: the
difference is the change), triples of a fixture dropped or retyped at random, and random edits of
the real data (literals rewritten, links removed or moved to another item, types dropped)."""

from __future__ import annotations

import random
import re
from functools import cache
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from iscg_graph.build.pipeline import write_store
from iscg_graph.curation import incremental
from iscg_graph.curation.incremental import validate_focus
from iscg_graph.curation.writes import Author, WritePath, to_rdflib
from iscg_graph.errors import ValidationFailed
from iscg_graph.rdf.shape_reach import access_paths, affected
from iscg_graph.rdf.store import EmbeddedStore
from iscg_graph.rdf.validation import ValidationReport, load_shapes, validate

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "shapes"
SHAPE = re.compile(r"^([A-Za-z]+Shape)-")
Key = tuple[tuple[str, str, str, str], str, str, str]


def _keys(report: ValidationReport) -> set[Key]:
    return {(r.key, str(r.source_shape), r.message, str(r.value)) for r in report.results}


@cache
def _paths() -> frozenset:  # type: ignore[type-arg]
    found = access_paths(load_shapes())
    assert found is not None, "the project's shapes have a bounded reach"
    return found


def _same_results(before: Graph, after: Graph, full_before: ValidationReport | None = None) -> bool:
    """Assert the incremental results equal the whole validation's; False if it fell back."""
    changed = set(before - after) | set(after - before)
    assert changed
    focus = affected(_paths(), changed, after)
    if focus is None:
        return False
    full_before = full_before or validate(before)
    full_after = validate(after)
    copy = Graph()
    copy += after
    incremental = validate_focus(copy, focus)  # as the write path does: on the nodes' neighbourhood
    inside = {k for k in _keys(full_after) if URIRef(k[0][0]) in focus}
    assert _keys(incremental) == inside
    outside_before = {k for k in _keys(full_before) if URIRef(k[0][0]) not in focus}
    outside_after = {k for k in _keys(full_after) if URIRef(k[0][0]) not in focus}
    assert outside_before == outside_after
    composed = outside_before | _keys(incremental)  # what the write path concludes
    assert composed == _keys(full_after)
    assert full_after.conforms == (not any(k[0][3] == "Violation" for k in composed))
    return True


def _fixture(path: Path) -> Graph:
    return Graph().parse(path, format="turtle")


def _by_shape() -> dict[str, list[Path]]:
    groups: dict[str, list[Path]] = {}
    for path in sorted(FIXTURES.glob("*/*.ttl")):
        m = SHAPE.match(path.name)
        if m:
            groups.setdefault(m.group(1), []).append(path)
    return groups


@pytest.mark.parametrize("shape", sorted(_by_shape()))
def test_fixture_into_fixture(shape: str) -> None:
    """Every fixture of a shape turned into every other one of the same shape."""
    paths = _by_shape()[shape]
    graphs = {p: _fixture(p) for p in paths}
    reports = {p: validate(g) for p, g in graphs.items()}
    checked = 0
    for a in paths:
        for b in paths:
            if a != b and set(graphs[a]) != set(graphs[b]):
                checked += _same_results(graphs[a], graphs[b], reports[a])
    assert checked or len(paths) < 2


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("valid/*.ttl")), ids=lambda p: p.name)
def test_random_edits_of_a_fixture(path: Path) -> None:
    rng = random.Random(path.name)
    before = _fixture(path)
    report = validate(before)
    triples = sorted(before, key=str)
    for _ in range(4):
        after = Graph()
        after += before
        s, p, o = rng.choice(triples)
        what = rng.choice(["drop", "literal", "retype", "move"])
        after.remove((s, p, o))
        if what == "literal":
            after.add((s, p, Literal("x?")))
        elif what == "retype":
            after.add((s, RDF.type, rng.choice([o for _, _, o in triples if isinstance(o, URIRef)])))
        elif what == "move":
            after.add((rng.choice([t[0] for t in triples]), p, o))
        if set(after) != set(before):
            assert _same_results(before, after, report)


@pytest.mark.slow
def test_random_edits_of_the_real_data(built_store: Path) -> None:
    before = to_rdflib(EmbeddedStore.open_snapshot(built_store).inner)  # what the write path validates
    report = validate(before)
    rng = random.Random(13)
    triples = sorted(before, key=str)
    iris = sorted({t[0] for t in triples})
    fell_back = 0
    for n in range(8):
        after = Graph()
        after += before
        picked = [rng.choice(triples) for _ in range(1 + n % 3)]
        for s, p, o in picked:
            after.remove((s, p, o))
            if n % 4 == 1:
                after.add((s, p, Literal("Unknown title (not seen)", lang="en")))
            elif n % 4 == 2:
                after.add((rng.choice(iris), p, o))
            elif n % 4 == 3 and isinstance(o, URIRef):
                after.add((s, p, rng.choice(iris)))
        if set(after) != set(before):
            fell_back += not _same_results(before, after, report)
    assert fell_back < 8


MINI = Path(__file__).resolve().parents[1] / "fixtures" / "candidates" / "mini.trig"
STUDY_GROUP = ox.NamedNode("https://w3id.org/iscg/ontology#studyGroup")


def _mini_store(tmp: Path) -> EmbeddedStore:
    mem = ox.Store()
    mem.load(path=str(MINI), format=ox.RdfFormat.TRIG)
    return write_store(tmp, mem.dump(format=ox.RdfFormat.N_QUADS) or b"", "test")


def test_the_write_path_refuses_what_the_whole_validation_refuses(tmp_path: Path, monkeypatch) -> None:
    """A write that drops a Question's study group: refused with the same violations whether the
    write path validates the affected nodes (the default) or the whole dataset."""
    calls: list[int] = []
    real = incremental.validate_focus
    monkeypatch.setattr(incremental, "validate_focus", lambda g, n: calls.append(len(n)) or real(g, n))

    def drop(work: ox.Store) -> None:
        quad = next(iter(work.quads_for_pattern(None, STUDY_GROUP, None, None)))
        for q in list(work.quads_for_pattern(quad.subject, STUDY_GROUP, None, None)):
            work.remove(q)

    found = []
    for whole in (False, True):
        store = _mini_store(tmp_path / f"build-{whole}")
        writes = WritePath(store, validate=(lambda g: validate(g, in_place=True)) if whole else None)
        with pytest.raises(ValidationFailed) as refused:
            writes.apply(drop, Author("ed", "drop"))
        found.append({r.key for r in refused.value.report.violations})
        del writes, store
    assert found[0] == found[1] and found[0]
    assert calls and max(calls) < 10  # the default path validated a few nodes, not the dataset
