"""Validation read from the store (`focus_graph`) gives the whole validation's results.

Random curated writes (theme links added, removed or pointed at a non-theme; mappings added, their
ends or status changed; labels, titles, types and notations rewritten, duplicated or dropped; no
blank nodes), one after the other, on the candidates fixture and on the real data. For each, the
focus nodes found by lookups on the store views, validated on their neighbourhood read from the
dataset before (the store) and after, have exactly the results a whole-dataset validation of before
and after gives them; every other node's results are unchanged; so the violations the write path
reports are exactly the whole validation's new ones. A neighbourhood missing one access path, or
a focus search missing one, fails the same check. Through `WritePath`, a validation from the store
never builds the whole-dataset rdflib graph (counted), and a change the reach cannot bound does.
The view's reads equal the merged rdflib graph's (journal left out, literals rdflib normalises).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import URIRef

from iscg_graph.build.pipeline import write_store
from iscg_graph.curation import incremental, writes
from iscg_graph.curation.focus_graph import Views, changed_triples
from iscg_graph.curation.history import CHANGES_GRAPH
from iscg_graph.curation.patch import Patch, diff
from iscg_graph.curation.writes import Author, WritePath, to_rdflib
from iscg_graph.errors import ValidationFailed
from iscg_graph.rdf.shape_reach import AccessPath, neighbourhood
from iscg_graph.rdf.store import EmbeddedStore
from iscg_graph.rdf.validation import ValidationReport, validate

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "candidates" / "mini.trig"
ISCG = "https://w3id.org/iscg/ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SKOS = "http://www.w3.org/2004/02/skos/core#"
LABELS = ("http://www.w3.org/2000/01/rdf-schema#label", SKOS + "prefLabel", "http://purl.org/dc/terms/title")
THEME_LINK = ISCG + "addressesTheme"
Key = tuple[tuple[str, str, str, str], str, str, str]


def _keys(report: ValidationReport) -> set[Key]:
    return {(r.key, str(r.source_shape), r.message, str(r.value)) for r in report.results}


def _violations(keys: set[Key]) -> set[Key]:
    return {k for k in keys if k[0][3] == "Violation"}


# -- random curated writes ----------------------------------------------------------------------------

def _of(store: ox.Store, predicate: str) -> list[ox.Quad]:
    return sorted(store.quads_for_pattern(None, ox.NamedNode(predicate), None, None), key=str)


def _typed(store: ox.Store, cls: str) -> list[ox.NamedNode]:
    found = {q.subject for q in _of(store, RDF_TYPE) if q.object == ox.NamedNode(ISCG + cls)}
    return sorted((s for s in found if isinstance(s, ox.NamedNode)), key=str)


def _replace(store: ox.Store, old: ox.Quad, obj: ox.NamedNode | ox.Literal) -> None:
    store.remove(old)
    store.add(ox.Quad(old.subject, old.predicate, obj, old.graph_name))


def _write(store: ox.Store, rng: random.Random, n: int) -> str:
    """One random curated write on ``store`` (in place); what it did."""
    kind = ["link", "mapping", "status", "label", "type", "notation"][n % 6]
    items = _typed(store, "Question") + _typed(store, "Resolution")
    themes = _typed(store, "Theme")
    if kind == "link":
        links = _of(store, THEME_LINK)
        what = rng.choice(["add", "remove", "non-theme"] if links else ["add", "non-theme"])
        if what == "remove":
            store.remove(rng.choice(links))
        else:
            item = rng.choice(items)
            target = rng.choice(themes if what == "add" else items)
            graph = next(iter(store.quads_for_pattern(item, None, None, None))).graph_name
            store.add(ox.Quad(item, ox.NamedNode(THEME_LINK), target, graph))
        return f"theme link: {what}"
    if kind == "mapping":
        mappings = _typed(store, "Mapping")
        what = rng.choice(["new", "end", "drop end"] if mappings else ["new"])
        if what == "new":
            model = rng.choice(mappings) if mappings else None
            node = ox.NamedNode(f"https://w3id.org/iscg/id/mapping/T{n:04d}")
            left, right = rng.sample(items, 2)
            for q in store.quads_for_pattern(model, None, None, None) if model else ():
                obj = {ISCG + "subject": left, ISCG + "object": right}.get(q.predicate.value, q.object)
                store.add(ox.Quad(node, q.predicate, obj, q.graph_name))
        else:
            end = ox.NamedNode(ISCG + rng.choice(["subject", "object"]))
            quads = list(store.quads_for_pattern(rng.choice(mappings), end, None, None))
            if quads and what == "end":
                _replace(store, quads[0], rng.choice(items + themes))
            elif quads:
                store.remove(quads[0])
        return f"mapping: {what}"
    if kind == "status":
        statuses = _of(store, ISCG + "status")
        values = ["Asserted", "Proposed", "Accepted", "Rejected", "Unheard"]
        if statuses:
            _replace(store, rng.choice(statuses), ox.NamedNode(ISCG + rng.choice(values)))
        return "status"
    if kind == "label":
        quad = rng.choice([q for p in LABELS for q in _of(store, p)])
        what = rng.choice(["rewrite", "drop", "second", "commentary"])
        if what == "drop":
            store.remove(quad)
        elif what == "second":
            store.add(ox.Quad(quad.subject, quad.predicate, ox.Literal(f"Another {n}", language="en"),
                              quad.graph_name))
        else:
            text = "Unknown title (not seen)" if what == "commentary" else f"Renamed {n}"
            _replace(store, quad, ox.Literal(text, language="en"))
        return f"label: {what}"
    if kind == "type":
        typed = _of(store, RDF_TYPE)
        what = rng.choice(["drop", "add"])
        if what == "drop":
            store.remove(rng.choice(typed))
        else:
            quad, cls = rng.choice(typed), rng.choice(typed).object
            store.add(ox.Quad(quad.subject, ox.NamedNode(RDF_TYPE), cls, quad.graph_name))
        return f"type: {what}"
    notations = _of(store, SKOS + "notation")
    quad = rng.choice(notations)
    what = rng.choice(["duplicate", "in scheme", "drop", "rewrite"])
    in_scheme = ox.NamedNode(SKOS + "inScheme")
    schemes = {q.subject: q.object for q in store.quads_for_pattern(None, in_scheme, None, None)}
    if what == "in scheme":  # a concept takes the notation of another of its scheme
        concept = rng.choice(sorted(schemes, key=str))
        others = [q for q in notations if q.subject != concept and schemes.get(q.subject) == schemes[concept]]
        own = list(store.quads_for_pattern(concept, ox.NamedNode(SKOS + "notation"), None, None))
        if others and own:
            _replace(store, own[0], rng.choice(others).object)  # type: ignore[arg-type]
    elif what == "drop":
        store.remove(quad)
    else:
        value = rng.choice(notations).object if what == "duplicate" else ox.Literal(f"N{n}")
        _replace(store, quad, value)  # type: ignore[arg-type]
    return f"notation: {what}"


# -- one write, checked against the whole validation ----------------------------------------------------

@dataclass
class Step:
    what: str
    before: ox.Store
    after: ox.Store
    patch: Patch
    whole_before: set[Key]
    whole_after: set[Key]


def _copy(store: ox.Store) -> ox.Store:
    out = ox.Store()
    out.extend(store)
    return out


def _steps(start: ox.Store, count: int, seed: int) -> list[Step]:
    rng = random.Random(seed)
    before, whole = _copy(start), _keys(validate(to_rdflib(start)))
    out = []
    for n in range(count):
        after = _copy(before)
        what = _write(after, rng, n)
        patch = diff(before, after)
        if not patch:
            continue
        whole_after = _keys(validate(to_rdflib(after)))
        out.append(Step(what, before, after, patch, whole, whole_after))
        before, whole = after, whole_after
    return out


def _matches(step: Step) -> bool:
    """Assert the store-read validation of ``step`` gives the whole validation's results; False if
    the reach cannot be bounded (the whole dataset is validated then)."""
    views = Views(step.before, step.after, without=(CHANGES_GRAPH,))
    nodes = incremental.focus(views.after, changed_triples(step.patch, views))
    if nodes is None:
        return False
    after = _keys(incremental.validate_focus(views.after, nodes))
    before = _keys(incremental.validate_focus(views.before, nodes))

    def inside(keys: set[Key]) -> set[Key]:
        return {k for k in keys if URIRef(k[0][0]) in nodes}

    assert after == inside(step.whole_after), step.what
    assert before == inside(step.whole_before), step.what
    outside = step.whole_before - inside(step.whole_before)
    assert outside == step.whole_after - inside(step.whole_after), step.what
    # what the write path refuses the write with: the violations the focus nodes gained
    assert _violations(after - before) == _violations(step.whole_after - step.whole_before), step.what
    flagged = {k[0][0] for k in _violations(after)}
    if flagged:  # the write path validates the data before on those nodes alone: the same results
        again = {n for n in nodes if str(n) in flagged}
        assert _keys(incremental.validate_focus(views.before, again)) == {
            k for k in before if k[0][0] in flagged}, step.what
    return True


@cache
def _mini() -> ox.Store:
    store = ox.Store()
    store.load(path=str(MINI), format=ox.RdfFormat.TRIG)
    return store


@cache
def _mini_steps(seed: int) -> tuple[Step, ...]:
    return tuple(_steps(_mini(), 36, seed))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_writes_on_the_fixture(seed: int) -> None:
    steps = _mini_steps(seed)
    assert len(steps) > 30
    assert sum(_matches(s) for s in steps) >= len(steps) - 3  # types of subclasses may fall back
    # the writes reach both outcomes: some add violations, some do not
    assert any(_violations(s.whole_after - s.whole_before) for s in steps)
    assert any(not _violations(s.whole_after - s.whole_before) for s in steps)


def _multi_step(paths: frozenset[AccessPath]) -> list[AccessPath]:
    """Access paths whose triples are not all about the focus node itself (longer or inverse)."""
    return sorted((p for p in paths if len(p) > 1 or not p[0][1]), key=str)


@pytest.mark.parametrize("dropped", [
    ((THEME_LINK, True), (RDF_TYPE, True)),  # sh:class iscg:Theme on a theme link
    ((ISCG + "studyGroup", True), (ISCG + "sector", True)),  # a Question's group of its own Sector
    ((SKOS + "notation", True), (SKOS + "notation", False)),  # unique notations
], ids=["theme-link-class", "group-sector", "unique-notation"])
def test_a_neighbourhood_missing_one_access_path_fails(dropped: AccessPath, monkeypatch) -> None:
    paths = incremental._paths()
    assert paths is not None and dropped in _multi_step(paths)
    monkeypatch.setattr(incremental, "neighbourhood",
                        lambda p, nodes, graph: neighbourhood(p - {dropped}, nodes, graph))
    failed = 0
    for seed in (1, 2, 3):
        for step in _mini_steps(seed):
            try:
                _matches(step)
            except AssertionError:
                failed += 1
    assert failed


def test_a_focus_search_missing_one_access_path_fails(monkeypatch) -> None:
    paths = incremental._paths()
    assert paths is not None
    dropped = ((THEME_LINK, True), (RDF_TYPE, True))
    monkeypatch.setattr(incremental, "_paths", lambda: paths - {dropped})
    failed = 0
    for seed in (1, 2, 3):
        for step in _mini_steps(seed):
            try:
                _matches(step)
            except AssertionError:
                failed += 1
    assert failed


@pytest.mark.slow
def test_random_writes_on_the_real_data(built_store: Path) -> None:
    store = _copy(EmbeddedStore.open_snapshot(built_store).inner)
    steps = _steps(store, 12, 5)
    assert len(steps) >= 10
    assert sum(_matches(s) for s in steps) >= len(steps) - 2


# -- through the write path ---------------------------------------------------------------------------

def _mini_build(tmp: Path) -> EmbeddedStore:
    return write_store(tmp, _mini().dump(format=ox.RdfFormat.N_QUADS) or b"", "test")


def test_a_focus_validation_never_builds_the_whole_graph(tmp_path: Path, monkeypatch) -> None:
    built: list[int] = []
    sizes: list[int] = []
    real_to_rdflib, real_neighbourhood = writes.to_rdflib, incremental.neighbourhood
    monkeypatch.setattr(writes, "to_rdflib", lambda quads: built.append(1) or real_to_rdflib(quads))

    def counted(paths, nodes, graph):  # type: ignore[no-untyped-def]
        sub = real_neighbourhood(paths, nodes, graph)
        sizes.append(len(sub))
        return sub

    monkeypatch.setattr(incremental, "neighbourhood", counted)
    store = _mini_build(tmp_path / "build")
    path = WritePath(store)
    rng = random.Random(11)
    refused = accepted = 0
    for n in range(12):
        try:
            done = path.apply(lambda work, n=n: _write(work, rng, n), Author("ed", f"write {n}"))
        except ValidationFailed:
            refused += 1
        else:
            accepted += done is not None
        assert not built and path._graph is None, "the whole-dataset graph was built"
    assert refused and accepted and sizes
    data = sum(1 for q in store.inner if q.graph_name != ox.NamedNode(CHANGES_GRAPH))
    assert max(sizes) < data / 3  # each validation read a small part of the data

    # a change to rdfs:subClassOf cannot be bounded: the whole dataset is validated, as one graph
    sub_class = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")

    def subclass(work: ox.Store) -> None:
        work.add(ox.Quad(ox.NamedNode(ISCG + "Extra"), sub_class, ox.NamedNode(ISCG + "Theme"),
                         ox.NamedNode("https://w3id.org/iscg/graph/extra")))

    assert path.apply(subclass, Author("ed", "a class")) is not None
    assert built == [1] and path._graph is not None
    def relabel(work: ox.Store) -> None:
        _replace(work, _of(work, LABELS[0])[0], ox.Literal("Relabelled", language="en"))

    assert path.apply(relabel, Author("ed", "a label")) is not None
    assert built == [1] and path._graph is None  # dropped again by a validation from the store


# -- the view itself -----------------------------------------------------------------------------------

def test_the_view_reads_like_the_merged_graph() -> None:
    """Every read of `StoreView` gives what the same read gives on `to_rdflib` of the store (the
    journal left out), with a triple held by two graphs, language and typed literals, and a token
    written two ways (one node for rdflib, which collapses its whitespace; two for Oxigraph)."""
    ex = "https://example.org/"
    token = ox.NamedNode("http://www.w3.org/2001/XMLSchema#token")
    a, b, c, n, label = (ox.NamedNode(ex + x) for x in ("a", "b", "c", "n", "label"))
    g1, g2, journal = ox.NamedNode(ex + "g1"), ox.NamedNode(ex + "g2"), ox.NamedNode(CHANGES_GRAPH)
    store = ox.Store()
    store.extend([
        ox.Quad(a, n, ox.Literal(" x ", datatype=token), g1),
        ox.Quad(b, n, ox.Literal("x", datatype=token), g1),
        ox.Quad(a, label, ox.Literal("A", language="en"), g1),
        ox.Quad(a, label, ox.Literal("A", language="en"), g2),
        ox.Quad(a, label, ox.Literal("A"), g2),
        ox.Quad(c, label, ox.Literal("hidden"), journal),
        ox.Quad(c, n, b, journal),
    ])
    view = Views(store, store, without=(CHANGES_GRAPH,)).after
    merged = to_rdflib(q for q in store if q.graph_name != journal)
    ra, rb, rc, rn, rl = (URIRef(ex + x) for x in ("a", "b", "c", "n", "label"))
    for pattern in [(ra, None, None), (rb, None, None), (rc, None, None), (None, rl, None), (None, rn, None)]:
        assert sorted(view.triples(pattern)) == sorted(merged.triples(pattern))  # type: ignore[arg-type]
    value = next(view.objects(ra, rn))  # " x " as rdflib gives it back
    assert set(view.subjects(rn, value)) == set(merged.subjects(rn, value)) == {ra, rb}
    assert (ra, rl, next(merged.objects(ra, rl))) in view
    assert (rc, rn, rb) not in view and not set(view.subjects(rn, rb))


def test_a_subject_read_whole_answers_its_predicates_without_a_lookup() -> None:
    """Once every triple about a subject was read, its objects by one predicate come from that read
    (the walks follow every path's first predicate from each focus node, most of them absent):
    the same triples a lookup gives, and no lookup made."""
    ex = "https://example.org/"
    token = ox.NamedNode("http://www.w3.org/2001/XMLSchema#token")
    a, b, n, label, other = (ox.NamedNode(ex + x) for x in ("a", "b", "n", "label", "other"))
    g1, g2, journal = ox.NamedNode(ex + "g1"), ox.NamedNode(ex + "g2"), ox.NamedNode(CHANGES_GRAPH)
    store = ox.Store()
    store.extend([
        ox.Quad(a, n, ox.Literal(" x ", datatype=token), g1),
        ox.Quad(a, n, b, g2),
        ox.Quad(a, label, ox.Literal("A", language="en"), g1),
        ox.Quad(a, label, ox.Literal("A", language="en"), g2),
        ox.Quad(a, other, b, journal),
    ])
    merged = to_rdflib(q for q in store if q.graph_name != journal)
    ra, rn, rl, ro = (URIRef(ex + x) for x in ("a", "n", "label", "other"))
    fresh = Views(store, store, without=(CHANGES_GRAPH,)).after
    view = Views(store, store, without=(CHANGES_GRAPH,)).after
    assert sorted(view.triples((ra, None, None))) == sorted(merged.triples((ra, None, None)))  # type: ignore[arg-type]
    read = view.lookups
    for p in (rn, rl, ro, URIRef(ex + "absent")):
        assert set(view.objects(ra, p)) == set(fresh.objects(ra, p)) == set(merged.objects(ra, p))
        assert sorted(view.triples((ra, p, None))) == sorted(merged.triples((ra, p, None)))  # type: ignore[arg-type]
    assert view.lookups == read
    assert fresh.lookups > 0


# -- the derived overlap graph -------------------------------------------------------------------------

def test_a_focus_validation_reads_nothing_of_the_derived_graph(tmp_path: Path, monkeypatch) -> None:
    """The derived graph is left out of the views (its nodes gather every qualifying pair): exact
    only while no shape reads it, which the shapes files are held to here."""
    from iscg_graph.rdf.derived import add_to_store, find_derived_graph

    for shapes in (Path(__file__).resolve().parents[2] / "shapes").glob("*.ttl"):
        assert "w3id.org/iscg/derived" not in shapes.read_text("utf-8"), shapes.name
    data = _copy(_mini())
    assert add_to_store(data, "https://w3id.org/iscg/")
    store = write_store(tmp_path / "build", data.dump(format=ox.RdfFormat.N_QUADS) or b"", "test")
    derived = ox.NamedNode(find_derived_graph(store.graphs()) or "")
    read: list[str] = []
    real = incremental.neighbourhood

    def counted(paths, nodes, graph):  # type: ignore[no-untyped-def]
        sub = real(paths, nodes, graph)
        read.extend(str(p) for _, p, _ in sub)
        return sub

    monkeypatch.setattr(incremental, "neighbourhood", counted)
    path = WritePath(store)
    rng = random.Random(3)
    derived_changes = 0
    for n in range(16):
        before = set(store.inner.quads_for_pattern(None, None, None, derived))
        try:
            path.apply(lambda work, n=n: _write(work, rng, n), Author("ed", f"write {n}"))
        except ValidationFailed:
            continue
        derived_changes += before != set(store.inner.quads_for_pattern(None, None, None, derived))
    assert derived_changes and read  # writes changed the derived graph and were validated
    assert not [p for p in read if p.startswith("https://w3id.org/iscg/derived#")]
