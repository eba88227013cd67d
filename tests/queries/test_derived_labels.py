"""Labels, notations, list membership, an item's Sector, study period and group, and types, written
on the real data, are bounded (`iscg_graph.rdf.derived_labels`): no full recompute, and the derived graph
still equals one after each write and after its undoing. The random writes of
tests/queries/test_derived_delta.py toggle the same predicates on the fixture and the real data."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from iscg_graph.curation.writes import Author, WritePath
from iscg_graph.rdf import derived_delta
from iscg_graph.rdf import derived_labels as labels
from iscg_graph.rdf.derived import derived_graph, materialise_store
from iscg_graph.rdf.store import EmbeddedStore, StoreMeta
from iscg_graph.vocab import DEFAULT_BASE

ISCG = "https://w3id.org/iscg/ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
GRAPH = ox.NamedNode(derived_graph(DEFAULT_BASE))
DV = "https://w3id.org/iscg/derived#"


class _Conforms:
    conforms = True
    violations: list[object] = []


def _ok(_graph: object) -> object:
    return _Conforms()


def _typed(store: ox.Store, cls: str) -> list[ox.NamedNode]:
    return sorted({q.subject for q in store.quads_for_pattern(None, RDF_TYPE, ox.NamedNode(ISCG + cls))
                   if isinstance(q.subject, ox.NamedNode)}, key=str)


def _one(store: ox.Store, s: object, p: str) -> ox.Quad:
    return next(q for q in store.quads_for_pattern(s, ox.NamedNode(p), None)  # type: ignore[arg-type]
                if q.graph_name != GRAPH)


def _derived(store: ox.Store) -> set[ox.Quad]:
    return set(store.quads_for_pattern(None, None, None, GRAPH))


def _full(store: ox.Store) -> set[ox.Quad]:
    return {ox.Quad(t.subject, t.predicate, t.object, GRAPH) for t in materialise_store(store, GRAPH.value)}


def test_the_kinds_are_derived_deltas() -> None:
    """`derived_labels` spells derived_delta's kinds itself (it is read by the statement readers and
    imports no family): the same strings."""
    assert (labels.ALL, labels.NOTHING, labels.ITEM, labels.THEME) == (
        derived_delta.ALL, derived_delta.NOTHING, derived_delta.ITEM, derived_delta.THEME)
    assert not labels.KINDS & {derived_delta.ALL, derived_delta.NOTHING, derived_delta.LINK,
                               derived_delta.ITEM, derived_delta.MATCH, derived_delta.COVER,
                               derived_delta.THEME}


def test_label_notation_and_place_writes_do_not_recompute(real_nquads: bytes,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import iscg_graph.rdf.derived as derived

    store = EmbeddedStore(ox.Store(), meta=StoreMeta(data_version="labels-test", built_at=""))
    store.load_nquads(real_nquads)
    inner = store.inner
    inner.extend(_full(inner))
    on_theme = sorted({q.subject for q in inner.quads_for_pattern(None, ox.NamedNode(ISCG + "addressesTheme"),
                                                                  None)}, key=str)
    question = next(q for q in _typed(inner, "Question") if q in on_theme)
    resolution = next(r for r in _typed(inner, "Resolution") if r in on_theme)
    group, theme = _typed(inner, "StudyGroup")[0], _typed(inner, "Theme")[0]
    scheme, other_scheme = _typed(inner, "ThemeScheme")[:2]
    mandate = _one(inner, None, ISCG + "mandates")
    period = _one(inner, question, ISCG + "studyPeriod")
    g = period.graph_name
    other_period = next(p for p in _typed(inner, "StudyPeriod") if p != period.object)
    sectors = _typed(inner, "Sector")
    own_sector = _one(inner, question, ISCG + "sector")
    other_sector = next(s for s in sectors if s != own_sector.object)
    other_group = next(x for x in _typed(inner, "StudyGroup") if x != group)
    en = ox.Literal("a corrected label", language="en")
    changes: list[tuple[list[ox.Quad], list[ox.Quad]]] = [
        # labels: a theme's entry, a Question's, a Resolution's, a study group's, a list's
        ([_one(inner, theme, SKOS + "prefLabel")], [ox.Quad(theme, ox.NamedNode(SKOS + "prefLabel"), en, g)]),
        ([_one(inner, question, RDFS_LABEL.value)], [ox.Quad(question, RDFS_LABEL, en, g)]),
        ([_one(inner, resolution, RDFS_LABEL.value)], [ox.Quad(resolution, RDFS_LABEL, en, g)]),
        ([_one(inner, group, RDFS_LABEL.value)], [ox.Quad(group, RDFS_LABEL, en, g)]),
        ([], [ox.Quad(scheme, RDFS_LABEL, en, g)]),
        ([], [ox.Quad(sectors[0], RDFS_LABEL, ox.Literal("Sector", language="fr"), g)]),  # coded
        # notations: a list's replaced (its sections), taken off (its rows), a mandating Resolution's
        ([_one(inner, scheme, SKOS + "notation")], [ox.Quad(scheme, ox.NamedNode(SKOS + "notation"),
                                                             ox.Literal("1.9"), g)]),
        ([_one(inner, other_scheme, SKOS + "notation")], []),  # a list's only notation: its rows go
        ([], [ox.Quad(mandate.subject, ox.NamedNode(SKOS + "notation"), ox.Literal("Res. X"), g)]),
        # list membership
        ([], [ox.Quad(theme, ox.NamedNode(SKOS + "inScheme"), other_scheme, g)]),
        # an item's study period, Sector and study group; a group's parent; a mandate; a part
        ([period], [ox.Quad(question, period.predicate, other_period, g)]),
        ([own_sector], [ox.Quad(question, own_sector.predicate, other_sector, g)]),
        ([_one(inner, question, ISCG + "studyGroup")],
         [ox.Quad(question, ox.NamedNode(ISCG + "studyGroup"), other_group, g)]),
        ([], [ox.Quad(group, ox.NamedNode(ISCG + "parentGroup"), other_group, g)]),
        ([mandate], []),
        ([], [ox.Quad(resolution, ox.NamedNode(ISCG + "concernsSector"), other_sector, g)]),
        # types: a theme no longer one, a Question also a Resolution, a Question as a study group
        ([next(inner.quads_for_pattern(theme, RDF_TYPE, ox.NamedNode(ISCG + "Theme")))], []),
        ([], [ox.Quad(question, RDF_TYPE, ox.NamedNode(ISCG + "Resolution"), g)]),
        ([], [ox.Quad(question, RDF_TYPE, ox.NamedNode(ISCG + "StudyGroup"), g)]),
    ]
    path = WritePath(store, validate=_ok)
    changed = 0
    for removed, added in [*changes, *((a, r) for r, a in changes)]:  # each made, then undone
        def write(work: ox.Store, removed: list[ox.Quad] = removed, added: list[ox.Quad] = added) -> None:
            for quad in removed:
                work.remove(quad)
            work.extend(added)

        def refuse(*_args: object, what: object = (removed, added)) -> object:
            raise AssertionError(f"recomputed the derived graph for {what}")

        before = _derived(inner)
        with monkeypatch.context() as patched:
            patched.setattr(derived, "materialise_store", refuse)
            path.apply(write, Author("test"))
        assert _derived(inner) == _full(inner), (removed, added)
        changed += _derived(inner) != before
    assert changed >= 24, changed  # most of them change the derived graph, and back


def test_a_sector_label_without_a_notation_is_everything() -> None:
    """A Sector coded by its label (no notation) is in the Sector list of every theme it has items
    on: its label still takes the full recompute; with a notation, its label is not read."""
    store = ox.Store()
    sector = ox.NamedNode(DEFAULT_BASE + "id/sector/x")
    item = ox.NamedNode(DEFAULT_BASE + "id/question/x")
    g = ox.NamedNode(DEFAULT_BASE + "graph/test")
    store.add(ox.Quad(item, ox.NamedNode(ISCG + "sector"), sector, g))
    label = ox.Quad(sector, RDFS_LABEL, ox.Literal("X", language="en"), g)
    rule = derived_delta.READS[RDFS_LABEL.value]
    assert rule(label, store) == derived_delta.ALL
    store.add(ox.Quad(sector, ox.NamedNode(SKOS + "notation"), ox.Literal("X"), g))
    assert rule(label, store) == derived_delta.NOTHING
    assert rule(ox.Quad(item, RDFS_LABEL, ox.Literal("Q", language="en"), g), store) == labels.LABEL


def test_a_list_keeping_a_notation_changes_its_sections_only() -> None:
    """A list's notation replaced (a notation before, a coverage row listing the list, and after)
    reaches its themes' sections only; its only notation taken off reaches their whole aggregates
    (the entries' rows go)."""
    from pathlib import Path

    store = ox.Store()
    store.load(path=str(Path(__file__).resolve().parent.parent / "fixtures" / "queries" / "mini.trig"),
               format=ox.RdfFormat.TRIG)
    store.extend(_full(store))
    scheme = ox.NamedNode(DEFAULT_BASE + "id/scheme/isctf-topics")
    listed = {q.subject for q in store.quads_for_pattern(None, ox.NamedNode(SKOS + "inScheme"), scheme)}
    old = _one(store, scheme, SKOS + "notation")
    new = ox.Quad(scheme, old.predicate, ox.Literal("1.9"), old.graph_name)
    store.remove(old)
    taken_off = derived_delta.reach(((old,), ()), store)
    assert taken_off is not None and listed <= taken_off.themes and not taken_off.sections
    store.add(new)
    replaced = derived_delta.reach(((old,), (new,)), store)
    assert replaced is not None and replaced.sections == listed and not replaced.themes
