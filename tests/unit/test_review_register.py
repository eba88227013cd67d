"""The register number of a review decision: minted in the write that records it, from one lookup of
the last number (not a scan of every record), never the number of a record already there, and one
SHACL validation per decision through the write path (with the same 422 message as before)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from iscg_graph.curation import incremental
from iscg_graph.curation.writes import Author, WritePath
from iscg_graph.errors import DecisionConflict, ValidationFailed
from iscg_graph.overlap.review import Decision, prepare_decision, record_decision, shapes_refusal
from iscg_graph.overlap.review_register import COUNTER, counter_quads, next_number
from iscg_graph.rdf.store import EmbeddedStore

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "candidates" / "mini.trig"
BASE = "https://w3id.org/iscg/"
ID = BASE + "id/"
REVIEWS = BASE + "graph/reviews"
SUBJECT = ox.NamedNode("https://w3id.org/iscg/ontology#subject")
Q32 = ID + "question/itu-d/2018-2021/3-2"
Q417 = ID + "question/itu-t/2017-2020/4-17"
Q517 = ID + "question/itu-t/2017-2020/5-17"
SG17 = ID + "study-group/itu-t/2017-2020/sg17"
T_WSIS_14 = ID + "theme/resolution-areas/19"
T_WSIS_16 = ID + "theme/council-groups/3"
DAY = date(2026, 12, 6)
BY = Author("Ana", "", "test", "review")


@pytest.fixture
def store(tmp_path: Path) -> EmbeddedStore:
    s = EmbeddedStore.in_memory()
    s.inner.load(path=str(FIXTURE), format=ox.RdfFormat.TRIG)
    return s


def _number(store: EmbeddedStore) -> list[int]:
    return [int(q.object.value) for q in counter_quads(store.inner, REVIEWS)]


class _Spy:
    """A store's pattern lookups, recorded (to show which ones minting a number makes)."""

    def __init__(self, inner: ox.Store):
        self.inner, self.patterns = inner, []  # type: ignore[var-annotated]

    def quads_for_pattern(self, s: Any, p: Any, o: Any, g: Any = None) -> Iterator[ox.Quad]:
        self.patterns.append((s, p, o, g))
        return self.inner.quads_for_pattern(s, p, o, g)


def test_numbers_follow_the_counter_written_with_each_record(store: EmbeddedStore) -> None:
    path = WritePath(store)
    minted = []
    for left, right in ((Q32, Q417), (Q32, SG17), (T_WSIS_14, T_WSIS_16)):
        write = prepare_decision(store, Decision(left, right, "reject", "Ana", on=DAY), base=BASE)
        assert path.apply(write, BY) is not None
        assert write.outcome is not None
        minted.append(write.outcome.mapping.rsplit("/", 1)[1])
        assert _number(store) == [len(minted)]  # one statement, replaced in the same write
    assert minted == ["R0001", "R0002", "R0003"]


def test_the_next_number_is_one_lookup_when_the_counter_is_there(store: EmbeddedStore) -> None:
    record_decision(store, Decision(Q32, Q417, "reject", "Ana", on=DAY), base=BASE)
    spy = _Spy(store.inner)
    assert next_number(spy, BASE, REVIEWS)[0] == 2
    assert all(p != SUBJECT for _, p, _, _ in spy.patterns)  # no scan of the records' subjects
    assert len(spy.patterns) == 2  # the counter, then "is R0002 free?"


def test_a_store_without_the_counter_is_read_once_by_its_records(store: EmbeddedStore) -> None:
    """A store built before the counter (or whose records came another way) continues its numbers."""
    graph = ox.NamedNode(REVIEWS)
    store.inner.add(ox.Quad(ox.NamedNode(ID + "mapping/R0007"), SUBJECT, ox.NamedNode(Q517), graph))
    spy = _Spy(store.inner)
    assert next_number(spy, BASE, REVIEWS)[0] == 8
    assert any(p == SUBJECT for _, p, _, _ in spy.patterns)
    out = record_decision(store, Decision(Q32, Q417, "reject", "Ana", on=DAY), base=BASE)
    assert out.mapping == ID + "mapping/R0008" and _number(store) == [8]


def test_a_record_written_another_way_is_never_overwritten(store: EmbeddedStore) -> None:
    record_decision(store, Decision(Q32, Q417, "reject", "Ana", on=DAY), base=BASE)
    taken = ox.NamedNode(ID + "mapping/R0002")  # e.g. inserted by a SPARQL Update, counter untouched
    store.inner.add(ox.Quad(taken, SUBJECT, ox.NamedNode(Q517), ox.NamedNode(REVIEWS)))
    out = record_decision(store, Decision(Q32, SG17, "reject", "Ana", on=DAY), base=BASE)
    assert out.mapping == ID + "mapping/R0003" and _number(store) == [3]


def test_two_decisions_checked_at_once_get_two_numbers(store: EmbeddedStore) -> None:
    """Both checked on the same data (two requests at once): the number is minted in each write,
    under the write path's lock, on the data the write computes on, so the second takes the next."""
    path = WritePath(store)
    first = prepare_decision(store, Decision(Q32, Q417, "reject", "Ana", on=DAY), base=BASE)
    second = prepare_decision(store, Decision(Q32, SG17, "reject", "Bob", on=DAY), base=BASE)
    path.apply(first, BY)
    path.apply(second, BY)
    assert first.outcome and second.outcome
    assert (first.outcome.mapping, second.outcome.mapping) == (ID + "mapping/R0001", ID + "mapping/R0002")
    graph = ox.NamedNode(REVIEWS)
    subjects = {q.subject.value for q in store.inner.quads_for_pattern(None, SUBJECT, None, graph)}
    assert subjects == {first.outcome.mapping, second.outcome.mapping}


def test_the_same_pair_checked_twice_at_once_is_decided_once(store: EmbeddedStore) -> None:
    path = WritePath(store)
    first = prepare_decision(store, Decision(Q32, Q417, "reject", "Ana", on=DAY), base=BASE)
    again = prepare_decision(store, Decision(Q417, Q32, "accept", "Bob", "overlap", on=DAY), base=BASE)
    path.apply(first, BY)
    before = len(store)
    with pytest.raises(DecisionConflict, match="R0001"):
        path.apply(again, BY)  # checked again in the write, on the data it computes on
    assert len(store) == before


def _complete(store: EmbeddedStore, *questions: str) -> None:
    """What the fixture's Questions lack for the shapes (a source, a confidence, a number)."""
    iscg, graph = "https://w3id.org/iscg/ontology#", ox.NamedNode(BASE + "graph/questions")
    source, confirmed = ox.NamedNode("http://purl.org/dc/terms/source"), ox.NamedNode(iscg + "Confirmed")
    for q in map(ox.NamedNode, questions):
        number = ox.Literal(q.value.rsplit("/", 1)[1].split("-")[0])
        store.inner.extend([ox.Quad(q, source, ox.NamedNode("https://www.itu.int/"), graph),
                            ox.Quad(q, ox.NamedNode(iscg + "confidence"), confirmed, graph),
                            ox.Quad(q, ox.NamedNode(iscg + "questionNumber"), number, graph)])


def test_one_shape_validation_per_decision(store: EmbeddedStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """The write path's validation of the dataset-after is the only one (no pre-check of the record)."""
    from iscg_graph.rdf import validation

    calls = {"focus": 0, "whole": 0}
    focus, whole = incremental.validate_focus, validation.validate

    def counted_focus(*args: Any, **kwargs: Any) -> Any:
        calls["focus"] += 1
        return focus(*args, **kwargs)

    def counted_whole(*args: Any, **kwargs: Any) -> Any:
        calls["whole"] += 1
        return whole(*args, **kwargs)

    monkeypatch.setattr(incremental, "validate_focus", counted_focus)
    monkeypatch.setattr(validation, "validate", counted_whole)
    _complete(store, Q32, Q417)  # no violation before: the dataset-before needs no validation either
    write = prepare_decision(store, Decision(Q32, Q417, "accept", "Ana", "overlap", on=DAY), base=BASE)
    assert WritePath(store).apply(write, BY) is not None
    assert calls == {"focus": 1, "whole": 0}


def test_a_decision_the_shapes_refuse_is_refused_by_the_write_path(store: EmbeddedStore) -> None:
    """Two questions of one Sector: the write path's validation refuses it, and `shapes_refusal`
    names the violation as the record's own check did (the service's 422)."""
    before = len(store)
    write = prepare_decision(store, Decision(Q517, Q417, "accept", "Ana", "duplicate", on=DAY), base=BASE)
    with pytest.raises(ValidationFailed) as info:
        WritePath(store).apply(write, BY)
    assert len(store) == before and REVIEWS not in store.graphs()
    problems = tuple(f"{v.focus_node}: {v.message}" for v in info.value.report.violations)
    refusal = shapes_refusal(problems)
    assert str(refusal).startswith("the decision does not conform to the shapes: ")
    assert "two different Union parts" in str(refusal) and refusal.problems == problems


def test_the_counter_is_an_ontology_term() -> None:
    from rdflib import Graph, URIRef
    from rdflib.namespace import OWL, RDF

    ontology = Graph().parse(Path(__file__).resolve().parents[2] / "ontology" / "iscg.ttl")
    assert (URIRef(COUNTER.value), RDF.type, OWL.DatatypeProperty) in ontology


def test_the_data_before_is_validated_only_on_the_nodes_with_violations(
        store: EmbeddedStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """The fixture's Questions already break shapes: after the decision those violations are there
    again, and the dataset-before is validated on those Questions only (not every focus node) to
    tell them from new ones; the decision is recorded."""
    calls: list[set[str]] = []
    focus = incremental.validate_focus

    def counted_focus(graph: Any, nodes: Any) -> Any:
        calls.append({str(n) for n in nodes})
        return focus(graph, nodes)

    monkeypatch.setattr(incremental, "validate_focus", counted_focus)
    write = prepare_decision(store, Decision(Q32, Q417, "accept", "Ana", "overlap", on=DAY), base=BASE)
    assert WritePath(store).apply(write, BY) is not None
    assert len(calls) == 2 and calls[1] == {Q32, Q417} and len(calls[0]) > len(calls[1])


def _scans(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The reads of every record's subject (`review_register._scanned`), counted."""
    from iscg_graph.overlap import review_register

    calls: list[int] = []
    scanned = review_register._scanned

    def counted(*args: Any, **kwargs: Any) -> int:
        calls.append(1)
        return scanned(*args, **kwargs)

    monkeypatch.setattr(review_register, "_scanned", counted)
    return calls


@pytest.fixture
def on_disk(tmp_path: Path) -> Iterator[EmbeddedStore]:
    """The fixture as a built store on disk (the service's: every write moves its generation)."""
    from iscg_graph.build.pipeline import write_store

    mem = ox.Store()
    mem.load(path=str(FIXTURE), format=ox.RdfFormat.TRIG)
    mem.add(ox.Quad(ox.NamedNode(ID + "mapping/R0007"), SUBJECT, ox.NamedNode(Q517), ox.NamedNode(REVIEWS)))
    store = write_store(tmp_path / "build", mem.dump(format=ox.RdfFormat.N_QUADS) or b"", "test")
    yield store
    del store


def test_the_register_read_at_start_up_is_the_first_decisions(on_disk: EmbeddedStore,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """A store without the counter: the service reads its records' numbers in the background at
    start-up (`warm_up.warm_register`); the first decision takes that read, and scans nothing."""
    from iscg_graph.curation import warm_up

    store = on_disk
    # a record in the journal graph is no record (the write path's view leaves the journal out)
    journal = ox.NamedNode(BASE + "graph/changes")
    store.inner.add(ox.Quad(ox.NamedNode(ID + "mapping/R0040"), SUBJECT, ox.NamedNode(Q517), journal))
    scans = _scans(monkeypatch)
    warm_up.warm_register(store, BASE)
    assert len(scans) == 1
    path = WritePath(store)
    write = prepare_decision(store, Decision(Q32, Q417, "reject", "Ana", on=DAY), base=BASE)
    assert path.apply(write, BY) is not None and write.outcome is not None
    assert write.outcome.mapping == ID + "mapping/R0008" and _number(store) == [8]
    assert len(scans) == 1  # the first decision read nothing more
    warm_up.warm_register(store, BASE)  # the counter is there now: nothing to read
    assert len(scans) == 1


def test_a_write_after_the_register_was_read_has_it_read_again(on_disk: EmbeddedStore,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The read is kept for the store's data as it was: a record written since (another way, no
    counter) is not missed. A store in memory (no generation) is read by each decision, as before."""
    from iscg_graph.curation import warm_up

    store, graph = on_disk, ox.NamedNode(REVIEWS)
    scans = _scans(monkeypatch)
    warm_up.warm_register(store, BASE)
    path = WritePath(store)

    def another_way(work: ox.Store) -> None:  # R0012 recorded by hand, counter untouched
        work.add(ox.Quad(ox.NamedNode(ID + "mapping/R0012"), SUBJECT, ox.NamedNode(Q517), graph))

    assert path.apply(another_way, BY) is not None
    write = prepare_decision(store, Decision(Q32, Q417, "reject", "Ana", on=DAY), base=BASE)
    assert path.apply(write, BY) is not None and write.outcome is not None
    assert write.outcome.mapping == ID + "mapping/R0013" and len(scans) == 2



def test_a_store_in_memory_is_read_by_its_first_decision(store: EmbeddedStore,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from iscg_graph.curation import warm_up

    store.inner.add(ox.Quad(ox.NamedNode(ID + "mapping/R0007"), SUBJECT, ox.NamedNode(Q517),
                            ox.NamedNode(REVIEWS)))
    scans = _scans(monkeypatch)
    warm_up.warm_register(store, BASE)
    assert scans == []
    out = record_decision(store, Decision(Q32, Q417, "reject", "Ana", on=DAY), base=BASE)
    assert out.mapping == ID + "mapping/R0008" and len(scans) == 1


def test_the_register_read_is_kept_only_for_the_unchanged_overlay_of_a_store_on_disk(tmp_path: Path) -> None:
    """`read_as`: the write path's overlay of the store, nothing changed in it yet, reads the
    store's register as `highest_record` keeps it; a changed overlay, another store's overlay, a
    store in memory or a plain store are read as themselves (None)."""
    from iscg_graph.curation.history import CHANGES_GRAPH
    from iscg_graph.curation.overlay import Overlay
    from iscg_graph.overlap.review_register import read_as

    journal = ox.NamedNode(CHANGES_GRAPH)
    disk = EmbeddedStore(ox.Store(str(tmp_path / "db")), path=tmp_path)  # on disk (a path: a data key)
    disk.inner.load(path=str(FIXTURE), format=ox.RdfFormat.TRIG)
    record = ox.Quad(ox.NamedNode(ID + "mapping/R0007"), SUBJECT, ox.NamedNode(Q517), ox.NamedNode(REVIEWS))
    disk.inner.add(record)
    view = Overlay(disk.inner, journal)
    read = read_as(view, disk, BASE)
    assert read is not None and read() == 7
    view.added[ox.Quad(ox.NamedNode(Q32), SUBJECT, ox.NamedNode(Q517), ox.NamedNode(REVIEWS))] = None
    assert read_as(view, disk, BASE) is None  # changed: its own records are read
    assert read_as(Overlay(ox.Store(), journal), disk, BASE) is None  # another store's overlay
    assert read_as(disk.inner, disk, BASE) is None  # not an overlay
    memory = EmbeddedStore.in_memory()
    assert read_as(Overlay(memory.inner, journal), memory, BASE) is None  # no data key to keep it by
