"""The overlay write path (`iscg_graph.curation.overlay`) against the working-copy path it replaces.

Random sequences of curated writes made by the real edit functions (titles, retirements, links,
sources, theme links, mapping-record edits, review decisions, reverts, table-import changes), plus
writes the overlay must hand back to the working copy (class hierarchy, SPARQL Update, writes that
reach the whole derived graph) and writes refused on both paths, are applied to two copies of the
same store: one through `WritePath` as it is, one with the overlay switched off. After every write
both give the same outcome (the same journal record, or the same error) and the same dataset, the
entailment graph (also equal to a full recompute) and the derived graph included. An overlay that
forgets a removal fails the same check. A form write and a review decision never iterate the whole
store while the change is computed (counted on a wrapped store).
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from iscg_graph.curation.edits import add_link, remove_link, retire, set_source, set_title
from iscg_graph.curation.history import CHANGES_GRAPH
from iscg_graph.curation.home_graph import home_graph
from iscg_graph.curation.mapping_edits import CONFIDENCES, edit_mapping
from iscg_graph.curation.overlay import Overlay
from iscg_graph.curation.theme_links import add_theme_link, remove_theme_link
from iscg_graph.curation.update import apply_update
from iscg_graph.curation.writes import Author, WritePath
from iscg_graph.errors import ISCGError, OverlayUnsupported
from iscg_graph.overlap.review import Decision, prepare_decision
from iscg_graph.rdf import derived, entailment
from iscg_graph.rdf.store import EmbeddedStore, StoreMeta
from iscg_graph.vocab import DEFAULT_BASE, JUSTIFICATIONS, RELATION_KINDS, STATUSES

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "queries" / "mini.trig"
ISCG = "https://w3id.org/iscg/ontology#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
SUBCLASS = ox.NamedNode(entailment.SUBCLASS)
SUBPROPERTY = ox.NamedNode(entailment.SUBPROPERTY)
ENTAILED = ox.NamedNode(entailment.entailment_graph(DEFAULT_BASE))
DERIVED = ox.NamedNode(derived.derived_graph(DEFAULT_BASE))
JOURNAL = ox.NamedNode(CHANGES_GRAPH)
TEST_GRAPH = ox.NamedNode(DEFAULT_BASE + "graph/test")
DAY = date(2026, 12, 6)


class _Conforms:
    conforms = True
    violations: list[object] = []


def _ok(_graph: object) -> object:
    return _Conforms()


def _store(nquads: bytes, inner: Any = None) -> EmbeddedStore:
    """A store as a build leaves it: the data, its RDFS closure, then its derived graph."""
    store = EmbeddedStore(inner if inner is not None else ox.Store(),
                          meta=StoreMeta(data_version="overlay-test", built_at=""))
    store.load_nquads(nquads)
    store.inner.extend(ox.Quad(t.subject, t.predicate, t.object, ENTAILED)
                       for t in entailment.materialise_store(store.inner, ENTAILED.value))
    store.inner.extend(ox.Quad(t.subject, t.predicate, t.object, DERIVED)
                       for t in derived.materialise_store(store.inner, DERIVED.value))
    return store


def _fixture_nquads() -> bytes:
    mem = ox.Store()
    mem.load(path=str(FIXTURE), format=ox.RdfFormat.TRIG)
    return mem.dump(format=ox.RdfFormat.N_QUADS) or b""


def _subjects(store: ox.Store, cls: str) -> list[ox.NamedNode]:
    return sorted({q.subject for q in store.quads_for_pattern(None, RDF_TYPE, ox.NamedNode(ISCG + cls))
                   if isinstance(q.subject, ox.NamedNode)}, key=lambda n: n.value)


def _asserted(store: ox.Store, predicate: ox.NamedNode) -> list[ox.Quad]:
    return sorted((q for q in store.quads_for_pattern(None, predicate, None)
                   if q.graph_name not in (ENTAILED, DERIVED, JOURNAL)), key=str)


Step = Callable[[WritePath], object]
_EDITABLE = re.compile(r"/id/mapping/[MR]\d{4,}$")  # the mapping records a form may edit


def _form(change: Callable[[ox.Store], None], kind: str = "form") -> Step:
    return lambda path: path.apply(change, Author("editor", "a comment", "test", kind))


def _review(left: ox.NamedNode, right: ox.NamedNode, verdict: str) -> Step:
    """A review decision as the service records it: checked, then numbered, written and validated by
    the write path (`api.writes.record_review`)."""
    def step(path: WritePath) -> object:
        write = prepare_decision(path.store, Decision(left.value, right.value, verdict, "Ana Reviewer",
                                                      "overlap" if verdict == "accept" else None, "why"),
                                 base=DEFAULT_BASE, today=DAY)
        return path.apply(write, Author("Ana Reviewer", "why", "test", "review"))
    return step


def _toggle(quad: ox.Quad) -> Step:
    def change(work: ox.Store) -> None:
        if quad in work:
            work.remove(quad)
        else:
            work.add(quad)
    return _form(change, "sparql-update")


def _table_import(item: ox.NamedNode, old: ox.Quad | None, n: int) -> Callable[[ox.Store], None]:
    """What `imports.data_commit.commit_table` writes: quads removed, quads added."""
    def change(work: ox.Store) -> None:
        if old is not None:
            work.remove(old)
        work.extend([ox.Quad(item, ox.NamedNode("https://example.org/imported"), ox.Literal(f"row {n}"),
                             TEST_GRAPH)])
    return change


def _plan(rng: random.Random, store: ox.Store, n: int, numbers: list[int]) -> tuple[str, Step]:
    """One write chosen at random (from ``store``, the state both paths share)."""
    questions = _subjects(store, "Question")
    items = questions + _subjects(store, "Resolution") + _subjects(store, "Recommendation")
    themes, resolutions = _subjects(store, "Theme"), _subjects(store, "Resolution")
    mappings = [m for m in _subjects(store, "Mapping") if _EDITABLE.search(m.value)]
    item, theme, target = rng.choice(items), rng.choice(themes), rng.choice(resolutions)
    on_theme = _asserted(store, ox.NamedNode(ISCG + "addressesTheme"))
    related = _asserted(store, ox.NamedNode(ISCG + "relatedResolution"))
    classes = sorted({q.subject for q in _asserted(store, SUBCLASS) if isinstance(q.subject, ox.NamedNode)},
                     key=str)
    properties = sorted({q.subject for q in _asserted(store, SUBPROPERTY)
                         if isinstance(q.subject, ox.NamedNode)}, key=str)
    quads = [q for q in store.quads_for_pattern(item, None, None)
             if q.graph_name not in (ENTAILED, DERIVED, JOURNAL)]
    plans: dict[str, Step] = {
        "title": _form(lambda w: set_title(w, item.value, f"A title {n}")),
        "retire": _form(lambda w: retire(w, item.value, DEFAULT_BASE)),
        "link-add": _form(lambda w: add_link(w, item.value, "resolution", target.value)),
        "source": _form(lambda w: set_source(w, item.value, f"https://example.org/doc/{n}")),
        "theme-add": _form(lambda w: add_theme_link(w, item.value, theme.value, curator="Ana Editor",
                                                   justification=f"reason {n}", on=DAY, base=DEFAULT_BASE)),
        "review": _review(rng.choice(questions), rng.choice(questions), rng.choice(("accept", "reject"))),
        "review-again": _review(rng.choice(questions), rng.choice(questions), "accept"),
        # in the item's own graph (`home_graph`: by a rule when it is typed in several)
        "type": _toggle(ox.Quad(item, RDF_TYPE, rng.choice(classes) if classes else theme,
                                home_graph(store, item))),
        "hierarchy": _toggle(ox.Quad(ox.NamedNode(f"https://example.org/C{n % 3}"), SUBCLASS,
                                     rng.choice(classes) if classes else theme, TEST_GRAPH)),
        "journal": _form(lambda w: w.add(ox.Quad(item, RDF_TYPE, theme, JOURNAL))),
        "update": _form(lambda w: apply_update(w, f"INSERT DATA {{ GRAPH <{TEST_GRAPH.value}> {{ "
                                                  f"<{item.value}> <https://example.org/p> {n} }} }}",
                                               base_iri=None)),
        "import": _form(_table_import(item, rng.choice(quads) if quads else None, n), "table-import"),
    }
    if properties:  # a statement whose predicate has super-properties (rdfs7)
        plans["sub-property"] = _toggle(ox.Quad(item, rng.choice(properties), theme, TEST_GRAPH))
    if on_theme:
        link = rng.choice(on_theme)
        plans["theme-remove"] = _form(lambda w: remove_theme_link(w, str(link.subject)[1:-1],
                                                                  str(link.object)[1:-1], base=DEFAULT_BASE))
    if related:
        rel = rng.choice(related)
        plans["link-remove"] = _form(lambda w: remove_link(w, str(rel.subject)[1:-1], "resolution",
                                                           str(rel.object)[1:-1]))
    if mappings:
        m = rng.choice(mappings)
        values = {"relation_kind": rng.choice(RELATION_KINDS), "justification": rng.choice(JUSTIFICATIONS),
                  "confidence": rng.choice(CONFIDENCES), "status": rng.choice(STATUSES)}
        plans["mapping-edit"] = _form(lambda w: edit_mapping(w, m.value, **values))
    if numbers:
        number = rng.choice(numbers)
        plans["revert"] = lambda path: path.revert(number, Author("editor", "undo", "test"))
    name = rng.choice(sorted(plans))
    return name, plans[name]


_BLANK = re.compile(r"_:[A-Za-z0-9]+")


def _outcome(step: Step, path: WritePath) -> tuple[object, ...]:
    try:
        record = step(path)
    except ISCGError as exc:
        return ("refused", type(exc).__name__, _BLANK.sub("_:b", str(exc)))
    if record is None:
        return ("nothing",)
    r: Any = record
    return (r.number, r.iri, r.kind, r.author, r.comment, r.origin, _BLANK.sub("_:b", r.patch_text),
            r.about, r.reverts)


def _data(store: ox.Store) -> Counter[str]:
    """The dataset but the journal (whose records carry their time), blank nodes unnamed (a load or a
    commit gives them fresh identifiers on either path)."""
    return Counter(_BLANK.sub("_:b", str(q)) for q in store if q.graph_name != JOURNAL)


def _compare(nquads: bytes, seed: int, writes: int) -> Counter[str]:
    """Apply the same random writes both ways; assert the same outcome and dataset after each; how
    often each kind of write ran and how often the overlay handed a write to the working copy."""
    fast, slow = _store(nquads), _store(nquads)
    overlay_path, copy_path = WritePath(fast, validate=_ok), WritePath(slow, validate=_ok)
    copy_path.overlay = False
    handed = Counter[str]()
    original = WritePath._on_copy

    def on_copy(self: WritePath, change: Callable[[ox.Store], None]) -> Any:
        if self is overlay_path:
            handed["copy"] += 1
        return original(self, change)

    rng, numbers = random.Random(seed), list[int]()
    WritePath._on_copy = on_copy  # type: ignore[method-assign]
    try:
        for n in range(writes):
            name, step = _plan(rng, fast.inner, n, numbers)
            handed[name] += 1
            got, want = _outcome(step, overlay_path), _outcome(step, copy_path)
            assert got == want, f"write {n} ({name}): overlay {got} != working copy {want}"
            if isinstance(got[0], int):
                numbers.append(got[0])
            after, expected = _data(fast.inner), _data(slow.inner)
            only_fast = sorted((after - expected).elements())
            only_slow = sorted((expected - after).elements())
            assert after == expected, (f"write {n} ({name}): {only_fast[:3]} only on the overlay path, "
                                       f"{only_slow[:3]} only on the copy path")
            closure = {ox.Quad(t.subject, t.predicate, t.object, ENTAILED)
                       for t in entailment.materialise_store(fast.inner, ENTAILED.value)}
            kept = set(fast.inner.quads_for_pattern(None, None, None, ENTAILED))
            assert kept == closure, f"write {n} ({name}): entailment {sorted(map(str, kept ^ closure))[:3]}"
    finally:
        WritePath._on_copy = original  # type: ignore[method-assign]
    return handed


@pytest.mark.parametrize("seed", [1, 2])
def test_random_writes_on_the_fixture_match_the_working_copy_path(seed: int) -> None:
    handed = _compare(_fixture_nquads(), seed, 45)
    assert 3 <= handed["copy"] <= 45 - 8, handed  # both paths taken
    assert handed["review"] + handed["review-again"] >= 2, handed


def test_random_writes_on_the_real_data_match_the_working_copy_path(real_nquads: bytes) -> None:
    handed = _compare(real_nquads, 7, 20)
    assert 2 <= handed["copy"] <= 20 - 4, handed


def test_an_overlay_that_forgets_a_removal_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    def forgetful(self: Overlay, quad: ox.Quad) -> None:
        if quad in self.added:  # cancels its own additions, forgets removals of stored quads
            del self.added[quad]
            del self._by_subject[quad.subject][quad]

    monkeypatch.setattr(Overlay, "remove", forgetful)
    with pytest.raises(AssertionError, match="overlay"):
        _compare(_fixture_nquads(), 1, 45)


def test_the_patch_is_the_exact_change() -> None:
    base = ox.Store()
    s, p = ox.NamedNode("https://example.org/s"), ox.NamedNode("https://example.org/p")
    present = ox.Quad(s, p, ox.Literal("1"), TEST_GRAPH)
    hidden = ox.Quad(s, p, ox.Literal("2"), JOURNAL)
    base.extend([present, hidden])
    view = Overlay(base, JOURNAL)
    assert list(view.quads_for_pattern(s, None, None)) == [present]  # the journal is not seen
    new = ox.Quad(s, p, ox.Literal("3"), TEST_GRAPH)
    view.add(present)  # already there: nothing
    view.remove(ox.Quad(s, p, ox.Literal("4"), TEST_GRAPH))  # not there: nothing
    view.add(new)
    view.remove(new)  # cancels
    view.remove(present)
    view.add(present)  # cancels
    assert not view.patch()
    view.remove(present)
    view.add(new)
    assert view.patch().removed == (present,) and view.patch().added == (new,)
    assert present not in view and new in view and hidden not in view
    assert list(view.quads_for_pattern(None, p, None)) == [new]
    assert {g.value for g in view.named_graphs()} == {TEST_GRAPH.value}
    assert len(base) == 2 and new not in base  # never written
    for unsupported in (lambda: list(view), lambda: view.query("ASK {}"),
                        lambda: view.clear_graph(TEST_GRAPH), lambda: view.load(b"", ox.RdfFormat.N_QUADS)):
        with pytest.raises(OverlayUnsupported):
            unsupported()


class _Counting:
    """An ox.Store that counts whole-store reads (iteration, a pattern with no term)."""

    def __init__(self, inner: ox.Store):
        self._inner, self.whole = inner, 0

    def __iter__(self) -> Iterator[ox.Quad]:
        self.whole += 1
        return iter(self._inner)

    def __contains__(self, quad: object) -> bool:
        return quad in self._inner

    def __len__(self) -> int:
        return len(self._inner)

    def quads_for_pattern(self, s: Any, p: Any, o: Any, g: Any = None) -> Iterator[ox.Quad]:
        if s is None and p is None and o is None and g is None:
            self.whole += 1
        return self._inner.quads_for_pattern(s, p, o, g)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def test_a_form_write_and_a_review_never_read_the_whole_store(real_nquads: bytes,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    counting = _Counting(ox.Store())
    store = _store(real_nquads, counting)
    path = WritePath(store, validate=_ok)
    reads: list[int] = []
    original = WritePath._changed

    def changed(self: WritePath, change: Callable[[ox.Store], None]) -> Any:
        counting.whole = 0
        out = original(self, change)
        reads.append(counting.whole)
        return out

    monkeypatch.setattr(WritePath, "_changed", changed)
    questions = _subjects(store.inner, "Question")
    mappings = [m for m in _subjects(store.inner, "Mapping") if _EDITABLE.search(m.value)]
    # Questions on no theme: a decision joining two items on themes reaches the derived coverage
    # rows, a full recompute (`derived_delta`), which needs the whole dataset
    on_theme = ox.NamedNode(ISCG + "addressesTheme")
    plain = [q for q in questions if not any(True for _ in store.inner.quads_for_pattern(q, on_theme, None))]
    assert _outcome(_review(plain[0], plain[1], "accept"), path)[0] == 1
    assert _outcome(_form(lambda w: set_source(w, questions[2].value, "https://example.org/d")), path)[0] == 2
    assert _outcome(_form(lambda w: edit_mapping(w, mappings[0].value, relation_kind=RELATION_KINDS[0],
                                                 justification=JUSTIFICATIONS[1], confidence="Unconfirmed",
                                                 status="Proposed")), path)[0] == 3
    assert reads == [0, 0, 0]
    # the counter counts: a write that needs the whole dataset reads it
    path.apply(lambda w: apply_update(w, "CLEAR SILENT GRAPH <https://example.org/none>", base_iri=None),
               Author("editor"))
    assert reads[-1] > 0
