"""The derived graph a curated write leaves (`iscg_graph.rdf.derived_delta`: not recomputed when the
write cannot change it) equals a full recompute, after every write of a random sequence of curated
writes (theme links, exact and close matches, retirements, review decisions and rejections, labels,
notations, types, new properties) through `WritePath`, on the hand-written fixture and on the real
data.

The sequences are seeded (reproducible) and must take both paths: some writes bounded, some
recomputed. With a deliberately wrong reach, the same check fails.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest

from iscg_graph.curation.writes import Author, WritePath
from iscg_graph.rdf import derived_aggregates, derived_delta
from iscg_graph.rdf import derived_labels as labels
from iscg_graph.rdf.derived import derived_graph, materialise_store
from iscg_graph.rdf.store import EmbeddedStore, StoreMeta
from iscg_graph.vocab import DEFAULT_BASE

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "queries"
ISCG = "https://w3id.org/iscg/ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
OWL_DEPRECATED = "http://www.w3.org/2002/07/owl#deprecated"
PROV = "http://www.w3.org/ns/prov#"
TRUE = ox.Literal("true", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))
GRAPH = ox.NamedNode(derived_graph(DEFAULT_BASE))
REVIEWS = ox.NamedNode(DEFAULT_BASE + "graph/reviews")


class _Conforms:
    conforms = True
    violations: list[object] = []


def _ok(_graph: object) -> object:
    return _Conforms()


def _store(nquads: bytes) -> EmbeddedStore:
    store = EmbeddedStore(ox.Store(), meta=StoreMeta(data_version="delta-test", built_at=""))
    store.load_nquads(nquads)
    store.inner.extend(ox.Quad(t.subject, t.predicate, t.object, GRAPH)
                       for t in materialise_store(store.inner, GRAPH.value))
    return store


def _subjects(store: ox.Store, cls: str) -> list[ox.NamedNode]:
    found = {q.subject for q in store.quads_for_pattern(None, ox.NamedNode(RDF_TYPE), ox.NamedNode(cls))
             if isinstance(q.subject, ox.NamedNode)}
    return sorted(found, key=lambda n: n.value)


def _graph_of(store: ox.Store, subject: ox.NamedNode) -> ox.NamedNode:
    for q in store.quads_for_pattern(subject, None, None):
        if isinstance(q.graph_name, ox.NamedNode) and not q.graph_name.value.endswith(
                ("/graph/derived", "/graph/changes", "/graph/reviews")):
            return q.graph_name
    return ox.NamedNode(DEFAULT_BASE + "graph/test")


Write = Callable[[ox.Store], None]


def _random_write(rng: random.Random, store: ox.Store, n: int) -> Write:
    """One curated write chosen at random among those the service makes."""
    items = (_subjects(store, ISCG + "Question") + _subjects(store, ISCG + "Resolution")
             + _subjects(store, ISCG + "Recommendation"))
    themes = _subjects(store, ISCG + "Theme")
    item, theme = rng.choice(items), rng.choice(themes)
    g = _graph_of(store, item)

    def toggle(quad: ox.Quad) -> Write:
        def change(work: ox.Store) -> None:
            if quad in work:
                work.remove(quad)
            else:
                work.add(quad)
        return change

    def existing(predicate: str) -> Write:
        quads = sorted(store.quads_for_pattern(None, ox.NamedNode(predicate), None),
                       key=lambda q: str(q))
        quads = [q for q in quads if q.graph_name != GRAPH and not str(q.graph_name).endswith("/changes>")]
        if not quads:
            return toggle(ox.Quad(item, ox.NamedNode(predicate), theme, g))
        return toggle(rng.choice(quads))

    def unlink(work: ox.Store) -> None:  # take an end off an existing link or mapping
        ends = sorted((q for q in work.quads_for_pattern(None, ox.NamedNode(ISCG + "object"), None)
                       if q.graph_name != GRAPH), key=str)
        if ends:
            work.remove(rng.choice(ends))

    def review(work: ox.Store) -> None:
        m = ox.NamedNode(f"{DEFAULT_BASE}id/mapping/T{n:04d}")
        questions = _subjects(store, ISCG + "Question")
        other = rng.choice(questions if rng.random() < 0.7 else items)
        item_ = rng.choice(questions)
        work.extend([
            ox.Quad(m, ox.NamedNode(RDF_TYPE), ox.NamedNode(ISCG + "Mapping"), REVIEWS),
            ox.Quad(m, ox.NamedNode(ISCG + "subject"), item_, REVIEWS),
            ox.Quad(m, ox.NamedNode(ISCG + "object"), other, REVIEWS),
            ox.Quad(m, ox.NamedNode(ISCG + "status"), ox.NamedNode(ISCG + "Accepted"), REVIEWS),
            ox.Quad(m, ox.NamedNode(RDFS_LABEL), ox.Literal(f"review {n}", language="en"), REVIEWS),
        ])

    def reject(work: ox.Store) -> None:  # a review decision rejects (or reinstates) a mapping
        mappings = sorted({q.subject for q in work.quads_for_pattern(
            None, ox.NamedNode(RDF_TYPE), ox.NamedNode(ISCG + "Mapping")) if q.graph_name != GRAPH}, key=str)
        if mappings:
            toggle(ox.Quad(rng.choice(mappings), ox.NamedNode(ISCG + "status"),
                           ox.NamedNode(ISCG + "Rejected"), REVIEWS))(work)

    def mapping_term(predicate: str, value: ox.NamedNode | ox.Literal | None = None) -> Write:
        """A mapping's kind, agent, status or confidence (its evidence text), or its retirement."""
        def change(work: ox.Store) -> None:
            typed = work.quads_for_pattern(None, ox.NamedNode(RDF_TYPE), ox.NamedNode(ISCG + "Mapping"))
            mappings = sorted({q.subject for q in typed if q.graph_name != GRAPH}, key=str)
            if not mappings:
                return
            m = rng.choice(mappings)
            used = sorted({q.object for q in work.quads_for_pattern(None, ox.NamedNode(predicate), None)
                           if q.graph_name != GRAPH}, key=str)
            fresh = ox.NamedNode(f"{DEFAULT_BASE}id/term/T{n % 4}")
            obj = value if value is not None else (
                rng.choice(used) if used and rng.random() < 0.7 else fresh)
            toggle(ox.Quad(m, ox.NamedNode(predicate), obj, REVIEWS))(work)
        return change

    def label_of(predicate: str) -> Write:
        """A new English label on what the evidence names: a Resolution related to, a mapping's kind,
        agent, status or confidence."""
        def change(work: ox.Store) -> None:
            named = sorted({q.object for q in work.quads_for_pattern(None, ox.NamedNode(predicate), None)
                            if q.graph_name != GRAPH and isinstance(q.object, ox.NamedNode)}, key=str)
            if named:
                toggle(ox.Quad(rng.choice(named), ox.NamedNode(RDFS_LABEL),
                               ox.Literal(f"named {n}", language="en"), g))(work)
        return change


    def objects(predicate: str) -> list[ox.NamedNode]:
        return sorted({q.object for q in store.quads_for_pattern(None, ox.NamedNode(predicate), None)
                       if isinstance(q.object, ox.NamedNode) and q.graph_name != GRAPH}, key=str) or [theme]

    resolutions = _subjects(store, ISCG + "Resolution") or items
    resolution = rng.choice(resolutions)
    groups, lists = objects(ISCG + "studyGroup"), objects(SKOS + "inScheme")
    coded = rng.choice(objects(ISCG + "sector") + objects(ISCG + "concernsSector"))  # Sectors, parts
    def subjects(predicate: str, graph: ox.NamedNode | None = None) -> list[ox.NamedNode]:
        return sorted({q.subject for q in store.quads_for_pattern(None, ox.NamedNode(predicate), None, graph)
                       if isinstance(q.subject, ox.NamedNode)}, key=str) or [resolution]

    mandating, notated = subjects(ISCG + "mandates"), subjects(SKOS + "notation")
    # a Question in a Question pair (its Sector decides the pair)
    paired = sorted({q.object for q in store.quads_for_pattern(
        None, ox.NamedNode("https://w3id.org/iscg/derived#first"), None, GRAPH)
        if isinstance(q.object, ox.NamedNode)}, key=str) or [item]
    sectors = objects(ISCG + "sector")
    label, code = ox.Literal(f"label {n}", language="en"), ox.Literal(f"N{n}")
    def renumber(work: ox.Store) -> None:  # a list's section number corrected: its notations replaced
        scheme = rng.choice(lists)
        for q in list(work.quads_for_pattern(scheme, ox.NamedNode(SKOS + "notation"), None)):
            if q.graph_name != GRAPH:
                work.remove(q)
        work.add(ox.Quad(scheme, ox.NamedNode(SKOS + "notation"), ox.Literal(f"1.{n}"),
                         _graph_of(store, scheme)))

    # labels, notations, list membership, an item's Sector, period and group (`derived_labels`)
    places: list[Write] = [
        renumber,
        toggle(ox.Quad(item, ox.NamedNode(ISCG + "sector"), rng.choice(sectors), g)),
        toggle(ox.Quad(rng.choice(paired), ox.NamedNode(ISCG + "sector"), rng.choice(sectors), g)),
        toggle(ox.Quad(item, ox.NamedNode(ISCG + "studyPeriod"), rng.choice(objects(ISCG + "studyPeriod")),
                       g)),
        existing(ISCG + "studyPeriod"),
        toggle(ox.Quad(item, ox.NamedNode(ISCG + "studyGroup"), rng.choice(groups), g)),
        toggle(ox.Quad(rng.choice(groups), ox.NamedNode(ISCG + "parentGroup"), rng.choice(groups), g)),
        existing(ISCG + "parentGroup"),
        toggle(ox.Quad(resolution, ox.NamedNode(ISCG + "concernsSector"), coded, g)),
        toggle(ox.Quad(rng.choice(notated), ox.NamedNode(ISCG + "mandates"), rng.choice(groups), g)),
        toggle(ox.Quad(rng.choice(notated), ox.NamedNode(ISCG + "mandates"), item, g)),  # a mandated Question
        existing(ISCG + "mandates"),
        toggle(ox.Quad(theme, ox.NamedNode(SKOS + "inScheme"), rng.choice(lists), g)),
        existing(SKOS + "inScheme"),
        existing(SKOS + "prefLabel"),
        toggle(ox.Quad(rng.choice(lists), ox.NamedNode(SKOS + "notation"), code, g)),
        toggle(ox.Quad(rng.choice(mandating), ox.NamedNode(SKOS + "notation"), code, g)),
        toggle(ox.Quad(coded, ox.NamedNode(SKOS + "notation"), code, g)),  # a Sector's: everything
        toggle(ox.Quad(coded, ox.NamedNode(RDFS_LABEL), label, g)),
        toggle(ox.Quad(theme, ox.NamedNode(SKOS + "broader"), rng.choice(themes), g)),  # everything
        # types: a theme, a Question, a Resolution, a study group (`derived_labels.TYPED`)
        toggle(ox.Quad(theme, ox.NamedNode(RDF_TYPE), ox.NamedNode(ISCG + "Theme"), _graph_of(store, theme))),
        toggle(ox.Quad(item, ox.NamedNode(RDF_TYPE), ox.NamedNode(ISCG + "Question"), g)),
        toggle(ox.Quad(item, ox.NamedNode(RDF_TYPE), ox.NamedNode(ISCG + "Resolution"), g)),
        toggle(ox.Quad(rng.choice([*groups, item]), ox.NamedNode(RDF_TYPE), ox.NamedNode(ISCG + "StudyGroup"),
                       g)),
    ]
    choices: list[Write] = [
        *places,
        mapping_term(ISCG + "status"),
        mapping_term(ISCG + "relationKind"),
        mapping_term(ISCG + "confidence"),
        mapping_term(PROV + "wasAttributedTo"),
        mapping_term(OWL_DEPRECATED, TRUE),
        label_of(ISCG + "relatedResolution"),
        label_of(ISCG + "relationKind"),
        label_of(PROV + "wasAttributedTo"),
        label_of(ISCG + "status"),
        toggle(ox.Quad(item, ox.NamedNode(ISCG + "addressesTheme"), theme, g)),  # a theme link
        existing(ISCG + "addressesTheme"),
        toggle(ox.Quad(theme, ox.NamedNode(SKOS + "exactMatch"), rng.choice(themes), g)),  # a mapping
        toggle(ox.Quad(theme, ox.NamedNode(SKOS + "closeMatch"), rng.choice(themes), g)),
        reject,
        toggle(ox.Quad(item, ox.NamedNode(OWL_DEPRECATED), TRUE, g)),  # a retirement
        review,
        review,
        review,
        unlink,
        toggle(ox.Quad(item, ox.NamedNode(RDFS_LABEL), ox.Literal(f"label {n}", language="en"), g)),
        toggle(ox.Quad(item, ox.NamedNode(SKOS + "notation"), ox.Literal(f"N{n}"), g)),
        toggle(ox.Quad(theme, ox.NamedNode(SKOS + "prefLabel"), ox.Literal(f"t{n}", language="en"), g)),
        toggle(ox.Quad(item, ox.NamedNode(RDF_TYPE), ox.NamedNode(ISCG + "Theme"), g)),
        toggle(ox.Quad(item, ox.NamedNode("https://example.org/p" + str(n % 3)), ox.Literal("x"), g)),
        toggle(ox.Quad(item, ox.NamedNode(RDF_TYPE), ox.NamedNode("https://example.org/C" + str(n % 3)), g)),
        existing(RDFS_LABEL),
        existing(ISCG + "sector"),
        existing(ISCG + "concernsSector"),
        existing(SKOS + "notation"),
        existing(ISCG + "studyGroup"),
        existing(ISCG + "relatedResolution"),
        existing(ISCG + "coveredByBody"),
    ]
    return rng.choice(choices)


def _derived(store: ox.Store) -> set[ox.Quad]:
    return set(store.quads_for_pattern(None, None, None, GRAPH))


SCOPES: dict[str, int] = {}
"""How often each bounded path was taken (`derived_scope.Scope`), over every `_run` so far."""


def _run(store: EmbeddedStore, seed: int, writes: int) -> tuple[int, int]:
    """Apply ``writes`` random writes; assert the derived graph equals a full recompute after each;
    (bounded, recomputed) counts."""
    rng = random.Random(seed)
    path = WritePath(store, validate=_ok)
    taken = {"bounded": 0, "full": 0}
    original, original_reach = derived_delta.rederive, derived_delta.reach

    def counted(*args: object) -> object:
        out = original(*args)  # type: ignore[arg-type]
        taken["full" if out is None else "bounded"] += 1
        return out

    kinds: list[str] = []  # (predicate, kind) of the changed quads of one write
    rules = dict(derived_delta.READS)

    def recorded(predicate: str, rule: derived_delta.Rule) -> derived_delta.Rule:
        def record(quad: ox.Quad, data: ox.Store) -> str:
            kind = rule(quad, data)
            kinds.append(f"{predicate.rsplit('#', 1)[-1]} {kind}")
            return kind
        return record

    def scoped(*args: object) -> object:
        kinds.clear()
        scope = original_reach(*args)  # type: ignore[arg-type]
        for name in ("items", "themes", "matched", "links", "members", "keyed", "sections", "covers"):
            if scope is not None and getattr(scope, name):
                SCOPES[name] = SCOPES.get(name, 0) + 1
        for kind in set(kinds) if scope is not None else ():
            SCOPES[kind] = SCOPES.get(kind, 0) + 1
        return scope

    derived_delta.rederive = counted  # type: ignore[assignment]
    derived_delta.reach = scoped  # type: ignore[assignment]
    derived_delta.READS.update({p: recorded(p, rule) for p, rule in rules.items()})
    try:
        for n in range(writes):
            path.apply(_random_write(rng, store.inner, n), Author("test"))
            full = {ox.Quad(t.subject, t.predicate, t.object, GRAPH)
                    for t in materialise_store(store.inner, GRAPH.value)}
            kept = _derived(store.inner)
            assert kept == full, (f"write {n}: {len(kept - full)} stale, {len(full - kept)} missing "
                                  f"derived statements, e.g. {sorted(map(str, kept ^ full))[:3]}")
    finally:
        derived_delta.rederive = original  # type: ignore[assignment]
        derived_delta.reach = original_reach  # type: ignore[assignment]
        derived_delta.READS.update(rules)
    return taken["bounded"], taken["full"]


def test_random_writes_on_the_fixture_keep_the_derived_graph_exact() -> None:
    mem = ox.Store()
    mem.load(path=str(FIXTURES / "mini.trig"), format=ox.RdfFormat.TRIG)
    SCOPES.clear()
    taken = [_run(_store(mem.dump(format=ox.RdfFormat.N_QUADS) or b""), seed, 80) for seed in range(3)]
    assert sum(b for b, _f in taken) > 15 and sum(f for _b, f in taken) > 5, taken
    # theme links and retirements (items), exact matches (matched, themes), reviews (links), group
    # changes (members), mandates and parts (keyed), a notated list's notation (sections), mappings
    # between items on themes (covers)
    paths = ("items", "themes", "matched", "links", "members", "keyed", "sections", "covers",
             # each bounded rule of `derived_labels`, taken in a write that was not recomputed
             "label label", "prefLabel theme", "inScheme theme", "notation notation", "sector item",
             "studyPeriod on", "studyGroup group", "parentGroup group", "concernsSector parts",
             "mandates mandated", "type typed")
    assert all(SCOPES.get(name, 0) >= 3 for name in paths), {p: SCOPES.get(p, 0) for p in paths}


def test_random_writes_on_the_real_data_keep_the_derived_graph_exact(real_nquads: bytes) -> None:
    store = _store(real_nquads)
    bounded, full = _run(store, 17, 40)
    # most writes are bounded since §21 (and the evidence writes of §26: mapping terms, their labels)
    assert bounded > 5 and full > 1, (bounded, full)


def test_a_review_decision_does_not_recompute(real_nquads: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    store = _store(real_nquads)

    def refuse(*_args: object) -> object:
        raise AssertionError("recomputed the derived graph")

    import iscg_graph.rdf.derived as derived

    monkeypatch.setattr(derived, "materialise_store", refuse)
    item = _subjects(store.inner, ISCG + "Question")[0]
    m = ox.NamedNode(DEFAULT_BASE + "id/mapping/T9999")
    record = WritePath(store, validate=_ok).apply(lambda w: w.extend([
        ox.Quad(m, ox.NamedNode(RDF_TYPE), ox.NamedNode(ISCG + "Mapping"), REVIEWS),
        ox.Quad(m, ox.NamedNode(ISCG + "subject"), item, REVIEWS),
        ox.Quad(m, ox.NamedNode(RDFS_LABEL), ox.Literal("a review", language="en"), REVIEWS),
    ]), Author("test"))
    assert record is not None and "derived" not in record.patch_text


@pytest.mark.parametrize(("predicate", "kind"), [
    (ISCG + "addressesTheme", derived_delta.NOTHING), (SKOS + "notation", derived_delta.NOTHING),
    (RDF_TYPE, derived_delta.NOTHING), (ISCG + "object", derived_delta.NOTHING),
    (ISCG + "addressesTheme", derived_delta.LINK), (OWL_DEPRECATED, derived_delta.LINK),
    (SKOS + "exactMatch", derived_delta.ITEM), (SKOS + "exactMatch", derived_delta.NOTHING),
    # labels, notations, lists, an item's Sector, period and group (`derived_labels`)
    (RDFS_LABEL, derived_delta.NOTHING), (SKOS + "prefLabel", derived_delta.NOTHING),
    (SKOS + "inScheme", derived_delta.NOTHING), (SKOS + "notation", labels.ON),
    (ISCG + "sector", labels.ON), (ISCG + "studyPeriod", derived_delta.NOTHING),
    (ISCG + "studyGroup", labels.PARTS), (ISCG + "parentGroup", labels.MANDATED),
    (ISCG + "concernsSector", derived_delta.NOTHING), (ISCG + "mandates", derived_delta.NOTHING),
    (RDF_TYPE, labels.ON),
])
def test_a_wrong_reach_is_caught(predicate: str, kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The equivalence check can fail: declare a predicate the derived graph reads as never
    relevant, or bound it by less than it reaches (a theme link as a link node's change, a
    retirement likewise, an exact match as an item's change, a notation as its subject's themes
    only, an item's Sector without its Question pairs, a group change as one Resolution's parts),
    and the same random writes leave a stale derived graph."""
    monkeypatch.setitem(derived_delta.READS, predicate, lambda _q, _s: kind)
    mem = ox.Store()
    mem.load(path=str(FIXTURES / "mini.trig"), format=ox.RdfFormat.TRIG)
    with pytest.raises(AssertionError, match="derived statements"):
        for seed in range(3):
            _run(_store(mem.dump(format=ox.RdfFormat.N_QUADS) or b""), seed, 60)


def test_an_undeclared_read_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """A family that reads a predicate without declaring its reach fails at once."""
    monkeypatch.delitem(derived_delta.READS, SKOS + "inScheme")
    with pytest.raises(LookupError, match="inScheme"):
        derived_aggregates.aggregate_triples(derived_aggregates.store_source(ox.Store(), GRAPH.value),
                                             DEFAULT_BASE)


def test_a_rejection_reaches_the_themes_of_its_ends_only_between_two_items_on_themes() -> None:
    """The coverage rows' "linked" flag reads the live mappings between two items on themes: rejecting
    such a mapping (or taking an end off it) reaches the aggregates of the themes of its ends;
    rejecting a mapping with one end on no theme, or accepting one, reaches none."""
    store = ox.Store()
    store.load(path=str(FIXTURES / "mini.trig"), format=ox.RdfFormat.TRIG)
    addresses = ox.NamedNode(ISCG + "addressesTheme")
    on_theme = sorted({q.subject for q in store.quads_for_pattern(None, addresses, None)}, key=str)
    assert len(on_theme) >= 2
    off = ox.NamedNode(DEFAULT_BASE + "id/item/on-no-theme")
    m = ox.NamedNode(DEFAULT_BASE + "id/mapping/R1")

    def mapping(other: ox.NamedNode) -> list[ox.Quad]:
        return [ox.Quad(m, ox.NamedNode(RDF_TYPE), ox.NamedNode(ISCG + "Mapping"), REVIEWS),
                ox.Quad(m, ox.NamedNode(ISCG + "subject"), on_theme[0], REVIEWS),
                ox.Quad(m, ox.NamedNode(ISCG + "object"), other, REVIEWS)]

    def status(value: str) -> ox.Quad:
        return ox.Quad(m, ox.NamedNode(ISCG + "status"), ox.NamedNode(ISCG + value), REVIEWS)

    def themes(*items: ox.NamedNode) -> set[ox.NamedNode]:
        return {q.object for i in items for q in store.quads_for_pattern(i, addresses, None)
                if isinstance(q.object, ox.NamedNode)}

    def reach(change: derived_delta.Change) -> derived_delta.Scope:
        scope = derived_delta.reach(change, store)
        assert scope is not None
        return scope

    store.extend(mapping(off))
    assert not reach(((), (status("Rejected"),))).cover_themes
    for q in mapping(off):
        store.remove(q)
    store.extend(mapping(on_theme[1]))
    assert reach(((), (status("Rejected"),))).cover_themes == themes(on_theme[0], on_theme[1])
    assert not reach(((), (status("Accepted"),))).cover_themes
    end = mapping(on_theme[1])[2]
    store.remove(end)
    assert reach(((end,), ())).cover_themes == themes(on_theme[0], on_theme[1])  # an end on a theme taken off


def test_theme_links_matches_and_retirements_do_not_recompute(real_nquads: bytes,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A theme link, an exact and a close match, a coordination body, a Resolution shared by two
    Questions of two Sectors, a retirement and their undoing on the real data: no full recompute
    (`derived.materialise_store` refused), and the derived graph still equals one."""
    import iscg_graph.rdf.derived as derived

    store = _store(real_nquads)
    questions = _subjects(store.inner, ISCG + "Question")
    item = questions[3]
    sector = ox.NamedNode(ISCG + "sector")
    sectors = {q.object for q in store.inner.quads_for_pattern(item, sector, None)}
    other = next(q for q in questions
                 if {x.object for x in store.inner.quads_for_pattern(q, sector, None)} - sectors)
    resolution = ox.NamedNode(DEFAULT_BASE + "id/resolution/test-shared")
    themes = _subjects(store.inner, ISCG + "Theme")
    covered = ox.NamedNode(ISCG + "coveredByBody")
    body = next(q.object for q in store.inner.quads_for_pattern(None, covered, None))
    g = _graph_of(store.inner, item)
    related = ox.NamedNode(ISCG + "relatedResolution")
    writes = [ox.Quad(item, ox.NamedNode(ISCG + "addressesTheme"), themes[5], g),
              ox.Quad(themes[1], ox.NamedNode(SKOS + "exactMatch"), themes[-1], g),
              ox.Quad(themes[2], ox.NamedNode(SKOS + "closeMatch"), themes[-2], g),
              ox.Quad(themes[-3], covered, body, g),
              ox.Quad(item, related, resolution, g),
              ox.Quad(other, related, resolution, g),  # now a Question pair
              ox.Quad(item, ox.NamedNode(OWL_DEPRECATED), TRUE, g)]
    path = WritePath(store, validate=_ok)
    pairs = ox.NamedNode("https://w3id.org/iscg/derived#first")
    before = len(list(store.inner.quads_for_pattern(None, pairs, None, GRAPH)))
    for n, quad in enumerate([*writes, *writes]):  # each added, then each taken off
        def toggle(work: ox.Store, quad: ox.Quad = quad) -> None:
            if quad in work:
                work.remove(quad)
            else:
                work.add(quad)

        def refuse(*_args: object, quad: ox.Quad = quad) -> object:
            raise AssertionError(f"recomputed the derived graph for {quad}")

        with monkeypatch.context() as patched:
            patched.setattr(derived, "materialise_store", refuse)
            path.apply(toggle, Author("test"))
        full = {ox.Quad(t.subject, t.predicate, t.object, GRAPH)
                for t in materialise_store(store.inner, GRAPH.value)}
        assert _derived(store.inner) == full, quad
        if n == 5:  # the shared Resolution joined the two Questions
            assert len(list(store.inner.quads_for_pattern(None, pairs, None, GRAPH))) > before


def test_a_related_resolution_or_a_retirement_takes_a_question_off_the_mandate_gaps(
        real_nquads: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    """``dv:withoutResolution`` (questions-without-resolution) follows a related Resolution and a
    retirement of its Question, and their undoing, without a full recompute."""
    import iscg_graph.rdf.derived as derived

    store = _store(real_nquads)
    unbacked = ox.NamedNode(derived_aggregates.DV + "withoutResolution")

    def listed(q: ox.NamedNode) -> bool:
        return any(True for _ in store.inner.quads_for_pattern(q, unbacked, None, GRAPH))

    question = next(q.subject for q in store.inner.quads_for_pattern(None, unbacked, None, GRAPH))
    assert isinstance(question, ox.NamedNode)
    g = _graph_of(store.inner, question)
    resolution = ox.NamedNode(DEFAULT_BASE + "id/resolution/test-behind")
    path = WritePath(store, validate=_ok)
    for quad in (ox.Quad(question, ox.NamedNode(ISCG + "relatedResolution"), resolution, g),
                 ox.Quad(question, ox.NamedNode(OWL_DEPRECATED), TRUE, g)):
        for present in (True, False):
            def toggle(work: ox.Store, quad: ox.Quad = quad, present: bool = present) -> None:
                (work.add if present else work.remove)(quad)

            with monkeypatch.context() as patched:
                patched.setattr(derived, "materialise_store", lambda *_a: pytest.fail("recomputed"))
                path.apply(toggle, Author("test"))
            assert listed(question) is not present, (quad, present)
            full = {ox.Quad(t.subject, t.predicate, t.object, GRAPH)
                    for t in materialise_store(store.inner, GRAPH.value)}
            assert _derived(store.inner) == full, (quad, present)
