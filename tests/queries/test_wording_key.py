"""Each theme's derived wording key (``dv:wordingKey``, `derived_aggregates.wording_key`) is the area
annex-duplicate-areas computed per theme in SPARQL before it read the key (the ``MIN`` over the
theme's exact-match closure of its entries' normal form, kept in
tests/fixtures/plain_queries/rewritten/annex-duplicate-areas.rq): the same per theme on the real data
and the 10k graph, the same normal form as Oxigraph's ``REPLACE``s on awkward labels, and it follows a
write of the entry of a node that is not a theme but is exactly matched to one (no full recompute)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from iscg_graph.curation.writes import Author, WritePath
from iscg_graph.query.engine import InProcessEngine
from iscg_graph.rdf.derived import derived_graph, materialise_store
from iscg_graph.rdf.derived_aggregates import wording_key
from iscg_graph.rdf.store import EmbeddedStore, StoreMeta
from iscg_graph.vocab import DEFAULT_BASE

SKOS = "http://www.w3.org/2004/02/skos/core#"
ISCG = "https://w3id.org/iscg/ontology#"
DV = "https://w3id.org/iscg/derived#"
GRAPH = ox.NamedNode(derived_graph(DEFAULT_BASE))
NORMAL_FORM = """REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(LCASE(STR(?raw)),
       "\\\\([^)]*\\\\)", " "), "&", " and "), "[^a-z0-9]+", " "), "^ +| +$", ""),
       " (task force|group|committee)$", "")"""
# the plain query's per-theme area (its first sub-select), as it was computed in the query
PER_THEME = f"""PREFIX iscg: <{ISCG}>
PREFIX skos: <{SKOS}>
SELECT ?t (MIN(?k) AS ?key) WHERE {{
  ?t a iscg:Theme ; (skos:exactMatch|^skos:exactMatch)* ?o .
  ?o skos:prefLabel ?raw .
  FILTER(LANG(?raw) = "en")
  BIND({NORMAL_FORM} AS ?k)
}} GROUP BY ?t"""
DERIVED = f"SELECT ?t ?key WHERE {{ ?t <{DV}wordingKey> ?key }}"


def _keys(engine: InProcessEngine, text: str) -> dict[str, str]:
    out = {}
    for row in engine.store.inner.query(text, use_default_graph_as_union=True):  # type: ignore[union-attr]
        if row["key"] is not None:
            out[row["t"].value] = row["key"].value
    return out


def test_the_key_is_the_plain_querys_area_on_the_real_data(real_engine: InProcessEngine) -> None:
    plain, derived = _keys(real_engine, PER_THEME), _keys(real_engine, DERIVED)
    assert len(plain) > 100
    assert derived == plain


@pytest.mark.slow
def test_the_key_is_the_plain_querys_area_on_the_10k_graph(bench_10k: InProcessEngine) -> None:
    plain, derived = _keys(bench_10k, PER_THEME), _keys(bench_10k, DERIVED)
    assert len(plain) > 100
    assert derived == plain


@pytest.mark.parametrize("label", [
    "Spectrum Management", "  ICT & Climate Change (incl. e-waste) ", "WSIS Task Force",
    "Emergency Telecommunications Group", "Group", "Committee on Standards Committee",
    "Ünïcode — ŒUVRE İstanbul ΣΟΦΙΑΣ", "a(b)c(d", "(all in brackets)", "&&", "", "tab\tand\nnewline",
    "Cyber-security/Trust", "ITU-T SG17 (Security) Group", "x task force group",
])
def test_the_normal_form_is_oxigraphs(label: str) -> None:
    store = ox.Store()
    raw = ox.Literal(label, language="en")
    text = f"SELECT ?k WHERE {{ VALUES ?raw {{ {raw} }} BIND({NORMAL_FORM} AS ?k) }}"
    (row,) = list(store.query(text))  # type: ignore[arg-type]
    assert wording_key(label) == row["k"].value


def test_the_key_follows_the_entry_of_a_matched_node_that_is_no_theme(
        real_nquads: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    import iscg_graph.rdf.derived as derived

    store = EmbeddedStore(ox.Store(), meta=StoreMeta(data_version="wording-test", built_at=""))
    store.load_nquads(real_nquads)
    inner = store.inner

    def full() -> set[ox.Quad]:
        return {ox.Quad(t.subject, t.predicate, t.object, GRAPH)
                for t in materialise_store(inner, GRAPH.value)}

    def now() -> set[ox.Quad]:
        return set(inner.quads_for_pattern(None, None, None, GRAPH))

    inner.extend(full())
    theme = sorted({q.subject for q in inner.quads_for_pattern(
        None, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), ox.NamedNode(ISCG + "Theme"))},
        key=str)[0]
    other = ox.NamedNode(DEFAULT_BASE + "id/concept/not-a-theme")
    g = next(q.graph_name for q in inner.quads_for_pattern(theme, ox.NamedNode(SKOS + "prefLabel"), None))
    match = ox.Quad(theme, ox.NamedNode(SKOS + "exactMatch"), other, g)
    first = ox.Literal("AAA first (sorted) Group", language="en")  # its key sorts before any theme's
    entry = ox.Quad(other, ox.NamedNode(SKOS + "prefLabel"), first, g)
    path = WritePath(store, validate=lambda _graph: type("Ok", (), {"conforms": True, "violations": []})())

    def key() -> set[str]:
        return {q.object.value
                for q in inner.quads_for_pattern(theme, ox.NamedNode(DV + "wordingKey"), None, GRAPH)}

    before = key()
    steps: list[tuple[list[ox.Quad], list[ox.Quad]]] = [
        ([], [match]), ([], [entry]), ([entry], []), ([], [entry]), ([match], []), ([entry], [])]
    seen = []
    for removed, added in steps:
        def write(work: ox.Store, removed: list[ox.Quad] = removed, added: list[ox.Quad] = added) -> None:
            for quad in removed:
                work.remove(quad)
            work.extend(added)

        def refuse(*_args: object) -> object:
            raise AssertionError("recomputed the whole derived graph")

        with monkeypatch.context() as patched:
            patched.setattr(derived, "materialise_store", refuse)
            path.apply(write, Author("test"))
        assert now() == full(), (removed, added)
        seen.append(key())
    assert seen[1] == {"aaa first"} and seen[0] == seen[2] == before and seen[5] == before
