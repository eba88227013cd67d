"""The canned queries that read the derived graph (``iscg_graph.rdf.derived``: the duplicate
candidates, the study-group neighbours, the theme dossier) give the same answers as the plain
queries they replace (kept in tests/fixtures/plain_queries/), on the real data and on the 10k
benchmark graph, and the derived graph follows every curated write.

"The same answers": the same rows in the same order; only the order of the parts of a GROUP_CONCAT
(the evidence, theme and mapping label columns) is compared as a set, because SPARQL leaves it to
the evaluation order (the plain query itself gives different orders from one run to the next).
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from iscg_graph.build.pipeline import write_store
from iscg_graph.curation.writes import Author, WritePath
from iscg_graph.query.catalog import QueryCatalog, parse_query_file
from iscg_graph.query.engine import InProcessEngine
from iscg_graph.query.reports import run_select
from iscg_graph.rdf.derived import derived_graph, find_derived_graph, refresh_store
from iscg_graph.vocab import DEFAULT_BASE

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "queries"
PLAIN = REPO / "tests" / "fixtures" / "plain_queries"
DERIVED_QUERIES = sorted(p.stem for p in PLAIN.glob("*.rq"))
ISCG = "https://w3id.org/iscg/ontology#"
DUPLICATES = "question-duplicate-candidates"
# the GROUP_CONCAT columns (compared as sets of parts) and their separators
CONCATENATED = {"evidence": " | ", "themeLabels": "; ", "mappingLabels": "; "}
PARAMS: list[dict[str, str]] = [
    {},
    {"min_score": "0.1"},
    {"min_score": "0"},
    {"min_score": "0.3"},
    {"sector_a": "ITU-D"},
    {"sector_a": "ITU-D", "sector_b": "ITU-T"},
    {"sector_a": "ITU-R", "sector_b": "ITU-T", "study_period": "2018-2021"},
]


def _answers(engine: InProcessEngine, spec, params: dict[str, str]) -> list[tuple]:  # type: ignore[no-untyped-def]
    table = run_select(engine, spec, params)
    rows = []
    for row in table.rows:
        cells = []
        for name in table.variables:
            term = row.get(name)
            text = None if term is None else term.value
            if name in CONCATENATED and text is not None:
                separator = CONCATENATED[name]
                text = separator.join(sorted(text.split(separator)))
            cells.append((name, text))
        rows.append(tuple(cells))
    return rows


# the columns of the ORDER BY of each query whose ORDER BY leaves ties (rows equal in them come in
# any order): those rows are compared as a set, the order of the keys as a sequence
TIES = {"theme-dossier": ("focusLabel", "role", "sectorLabel", "kind", "itemLabel")}


def _same(engine: InProcessEngine, catalog: QueryCatalog, name: str, params: dict[str, str]) -> int:
    plain = _answers(engine, parse_query_file(PLAIN / f"{name}.rq"), params)
    derived = _answers(engine, catalog[name], params)
    if name in TIES:
        def keys(rows: list[tuple]) -> list[tuple]:
            return [tuple(dict(r).get(k) for k in TIES[name]) for r in rows]

        assert keys(derived) == keys(plain), f"{name} {params}: order"
        plain, derived = sorted(plain, key=repr), sorted(derived, key=repr)
    assert derived == plain, f"{name} {params}: {len(derived)} rows, plain {len(plain)}"
    return len(plain)


def test_the_plain_fixtures_are_the_replaced_queries(catalog: QueryCatalog) -> None:
    """Each kept plain query is a canned query's predecessor: same parameters, same columns."""
    assert DERIVED_QUERIES
    for name in DERIVED_QUERIES:
        plain = parse_query_file(PLAIN / f"{name}.rq")
        assert [p.name for p in plain.params] == [p.name for p in catalog[name].params]
        assert plain.columns == catalog[name].columns
        assert "derived#" in catalog[name].text and "derived#" not in plain.text


def _id(params: dict[str, str]) -> str:
    return ",".join(f"{k}={v}" for k, v in params.items()) or "defaults"


@pytest.mark.parametrize("params", PARAMS, ids=_id)
def test_same_answers_as_the_plain_query_on_the_real_data(real_engine, catalog, params) -> None:  # type: ignore[no-untyped-def]
    _same(real_engine, catalog, DUPLICATES, params)


def _values(engine: InProcessEngine, sparql: str) -> list[str]:
    store = engine.store.inner
    return [row[0].value for row in store.query(sparql, use_default_graph_as_union=True)]


def test_every_study_groups_neighbours_as_the_plain_query_on_the_real_data(real_engine, catalog) -> None:  # type: ignore[no-untyped-def]
    """Every study group of the real data (top-level or not, retired or not)."""
    groups = _values(real_engine, f"""SELECT DISTINCT ?g WHERE {{
        {{ ?g a <{ISCG}StudyGroup> }} UNION {{ ?x <{ISCG}studyGroup>|<{ISCG}parentGroup> ?g }}
        FILTER(STRSTARTS(STR(?g), "{DEFAULT_BASE}id/study-group/")) }} ORDER BY ?g""")
    assert len(groups) > 10
    rows = sum(_same(real_engine, catalog, "study-group-neighbours", {"study_group": g}) for g in groups)
    assert rows > len(groups)  # not vacuous: most groups have counterparts


def test_theme_dossiers_as_the_plain_query_on_the_real_data(real_engine, catalog) -> None:  # type: ignore[no-untyped-def]
    """The default (the pilot themes), every theme with a match or a narrower theme, and more."""
    skos = "http://www.w3.org/2004/02/skos/core#"
    linked = _values(real_engine, f"""SELECT DISTINCT ?t WHERE {{
        ?t a <{ISCG}Theme> .
        {{ ?t <{skos}exactMatch>|^<{skos}exactMatch>|<{skos}closeMatch>|^<{skos}closeMatch> ?o }}
        UNION {{ ?n <{skos}broader> ?t }} }} ORDER BY ?t""")
    others = _values(real_engine, f"SELECT ?t WHERE {{ ?t a <{ISCG}Theme> }} ORDER BY ?t LIMIT 12")
    assert len(linked) > 5
    assert _same(real_engine, catalog, "theme-dossier", {}) > 0
    for theme in sorted(set(linked[:40]) | set(others)):
        if theme.startswith(f"{DEFAULT_BASE}id/theme/"):
            _same(real_engine, catalog, "theme-dossier", {"theme": theme})


def test_the_real_data_has_candidates_of_every_kind(real_engine, catalog) -> None:  # type: ignore[no-untyped-def]
    """The comparison above is not vacuous: the real data gives pairs through shared themes."""
    rows = _same(real_engine, catalog, DUPLICATES, {"min_score": "0.1"})
    assert rows > 10


@pytest.mark.slow
@pytest.mark.parametrize("params", [{}, {"min_score": "0.1"}, {"sector_a": "ITU-R", "sector_b": "ITU-T"}],
                         ids=["defaults", "min_score=0.1", "ITU-R,ITU-T"])
def test_same_answers_as_the_plain_query_on_the_10k_bench_graph(bench_10k, catalog, params) -> None:  # type: ignore[no-untyped-def]
    assert _same(bench_10k, catalog, DUPLICATES, params) > 0


@pytest.mark.slow
def test_neighbours_and_dossiers_as_the_plain_queries_on_the_10k_bench_graph(bench_10k, catalog) -> None:  # type: ignore[no-untyped-def]
    groups = _values(bench_10k, f"SELECT ?g WHERE {{ ?g a <{ISCG}StudyGroup> }} ORDER BY ?g LIMIT 6")
    broader = "<http://www.w3.org/2004/02/skos/core#broader>"
    themes = (_values(bench_10k, f"SELECT DISTINCT ?t WHERE {{ ?n {broader} ?t }} ORDER BY ?t LIMIT 4")
              + _values(bench_10k, f"SELECT ?t WHERE {{ ?t a <{ISCG}Theme> }} ORDER BY ?t LIMIT 2"))
    assert len(groups) == 6 and len(themes) == 6
    assert sum(_same(bench_10k, catalog, "study-group-neighbours", {"study_group": g}) for g in groups) > 0
    assert sum(_same(bench_10k, catalog, "theme-dossier", {"theme": t}) for t in themes) > 0


def _ok(graph: object) -> object:
    class Conforms:
        conforms = True
        violations: list[object] = []

    return Conforms()


def test_the_derived_data_follows_a_curated_write(tmp_path: Path, catalog: QueryCatalog) -> None:
    """A write that gives two Questions of two Sectors a second shared theme makes them a
    candidate at the default threshold (two points); taking it back removes them again."""
    mem = ox.Store()
    mem.load(path=str(FIXTURES / "mini.trig"), format=ox.RdfFormat.TRIG)
    store = write_store(tmp_path / "s", mem.dump(format=ox.RdfFormat.N_QUADS) or b"", "t")
    refresh_store(store, derived_graph(DEFAULT_BASE))
    assert find_derived_graph(store.graphs()) == derived_graph(DEFAULT_BASE)
    engine = InProcessEngine(store)
    spec = catalog["question-duplicate-candidates"]

    # two Questions of two Sectors with no evidence between them, and two labelled themes
    found = store.inner.query(f"""
        PREFIX iscg: <{ISCG}> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?a ?b ?g WHERE {{
          GRAPH ?g {{ ?a a iscg:Question ; iscg:sector ?sa }}
          ?b a iscg:Question ; iscg:sector ?sb . FILTER(?sa != ?sb && STR(?a) < STR(?b))
          FILTER NOT EXISTS {{ ?a iscg:addressesTheme ?t . ?b iscg:addressesTheme ?t }}
          FILTER NOT EXISTS {{ ?l iscg:subject|iscg:object ?a . ?l iscg:subject|iscg:object ?b }}
          FILTER NOT EXISTS {{ ?a iscg:relatedResolution ?r . ?b iscg:relatedResolution ?r }}
        }} ORDER BY ?a ?b LIMIT 1""", use_default_graph_as_union=True)
    a, b, g = next(iter(found))
    themes = [s["t"] for s in store.inner.query(
        f"SELECT DISTINCT ?t WHERE {{ ?t a <{ISCG}Theme> ; "
        "<http://www.w3.org/2004/02/skos/core#prefLabel> ?l FILTER(LANG(?l) = 'en') } ORDER BY ?t LIMIT 2",
        use_default_graph_as_union=True)]
    assert len(themes) == 2
    about = ox.NamedNode(ISCG + "addressesTheme")
    writes = WritePath(store, validate=_ok)

    groups = [s["g"].value for s in store.inner.query(
        f"SELECT DISTINCT ?g WHERE {{ VALUES ?q {{ {a} {b} }} "
        f"?q <{ISCG}studyGroup>/<{ISCG}parentGroup>* ?g }}",
        use_default_graph_as_union=True)]
    assert groups

    def listed() -> list[tuple]:
        rows = _answers(engine, spec, {})
        assert rows == _answers(engine, parse_query_file(PLAIN / "question-duplicate-candidates.rq"), {})
        # the other two queries that read the derived graph follow the same writes
        for theme in themes:
            _same(engine, catalog, "theme-dossier", {"theme": theme.value})
        for group in groups:
            _same(engine, catalog, "study-group-neighbours", {"study_group": group})
        return [r for r in rows if {dict(r)["qa"], dict(r)["qb"]} == {a.value, b.value}]

    assert listed() == []
    writes.apply(lambda w: w.extend([ox.Quad(a, about, themes[0], g), ox.Quad(a, about, themes[1], g),
                                     ox.Quad(b, about, themes[0], g)]), Author("test"))
    assert listed() == []  # one shared theme: 0.1, below the default 0.2
    record = writes.apply(lambda w: w.add(ox.Quad(b, about, themes[1], g)), Author("test"))
    rows = listed()
    assert len(rows) == 1 and dict(rows[0])["sharedThemes"] == "2" and dict(rows[0])["score"] == "0.2"
    # the journal holds only what the write itself changed, not the derived statements
    assert record is not None and "derived" not in record.patch_text
    writes.apply(lambda w: w.remove(ox.Quad(b, about, themes[1], g)), Author("test"))
    assert listed() == []
