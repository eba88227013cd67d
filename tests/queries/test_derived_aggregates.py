"""The canned queries that read the derived aggregates (``iscg_graph.rdf.derived_aggregates``) give
the same answers as the plain queries they replace (kept in tests/fixtures/plain_queries/aggregates/),
on the real data and on the 10k benchmark graph, and the aggregates follow every curated write.

"The same answers": the same rows in the same order; the order of the parts of a concatenated cell
(GROUP_CONCAT in the plain queries: SPARQL leaves it to the evaluation order; the derived values are
sorted) is compared as a set.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from iscg_graph.build.pipeline import write_store
from iscg_graph.curation.writes import Author, WritePath
from iscg_graph.query.catalog import QueryCatalog, parse_query_file
from iscg_graph.query.engine import InProcessEngine
from iscg_graph.query.reports import run_select
from iscg_graph.rdf import derived_aggregates as aggregates
from iscg_graph.rdf.derived import derived_graph, materialise_dataset, materialise_store, refresh_store
from iscg_graph.rdf.store import EmbeddedStore
from iscg_graph.vocab import DEFAULT_BASE

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "queries"
PLAIN = REPO / "tests" / "fixtures" / "plain_queries" / "aggregates"
NAMES = sorted(p.stem for p in PLAIN.glob("*.rq"))
ISCG = "https://w3id.org/iscg/ontology#"
DV = "https://w3id.org/iscg/derived#"
# concatenated cells: column -> separator of its parts
JOINED = {"groupMandates": "; ", "partList": ", ", "sectorList": ", ", "itemLabels": "; ",
          "themeLabels": "; ", "themeLabel": "; ", "section": ", "}
PARAMS: dict[str, list[dict[str, str]]] = {
    "questions-without-resolution": [{}, {"sector": "ITU-T"}, {"sector": "ITU-R"},
                                     {"study_period": "2022-2024"},
                                     {"sector": "ITU-D", "study_period": "2018-2021"}],
    "resolution-overlap": [{}, {"theme": "resolution-areas/27"}],
    "resolutions-without-coordination": [{}, {"sector": "ITU-T"}, {"sector": "ITU-D"}, {"sector": "GS"}],
    "theme-coordination-gaps": [{}, {"scheme": "resolution-areas"}, {"scheme": "isctf-topics"}],
    "theme-coverage": [{}, {"count": "items"}, {"scheme": "resolution-areas"},
                       {"scheme": "isctf-topics", "count": "items"}, {"scheme": "council-groups"}],
    "sector-overlap-matrix": [{}, {"count": "items"}, {"study_period": "2017-2020"},
                              {"study_period": "2022-2025", "count": "items"}],
    "sector-overlap-detail": [{"sector_a": "ITU-R", "sector_b": "ITU-T"},
                              {"sector_a": "ITU-T", "sector_b": "ITU-D", "count": "items"},
                              {"sector_a": "ITU-D", "sector_b": "GS"},
                              {"sector_a": "ITU-R", "sector_b": "ITU-D", "study_period": "2019-2023"}],
}
ORDER_KEYS = {  # each query's ORDER BY
    "questions-without-resolution": ("sectorLabel", "period", "questionLabel"),
    "resolution-overlap": ("themeLabel", "resALabel", "resBLabel"),
    "resolutions-without-coordination": ("parts", "resolutionLabel"),
    "sector-overlap-matrix": ("sector_aCode", "sector_bCode"),
    "theme-coordination-gaps": ("sectors", "items", "section", "themeLabel"),
    "theme-coverage": ("status", "sectors", "section", "themeLabel"),
    "sector-overlap-detail": ("themeLabel", "sideLabel", "kind", "itemLabel"),
}
_LISTED = re.compile(r"^(.*) \(([^()]*)\)$")


def _parts(text: str, separator: str) -> str:
    """A concatenated cell with its parts (and the lists in a part's parentheses) sorted."""
    out = []
    for part in text.split(separator):
        m = _LISTED.match(part)
        out.append(f"{m.group(1)} ({', '.join(sorted(m.group(2).split(', ')))})" if m else part)
    return separator.join(sorted(out))


def _answers(engine: InProcessEngine, spec, params: dict[str, str]) -> list[tuple]:  # type: ignore[no-untyped-def]
    table = run_select(engine, spec, params)
    rows = []
    for row in table.rows:
        cells = []
        for name in table.variables:
            term = row.get(name)
            text = None if term is None else term.value
            if name in JOINED and text is not None:
                text = _parts(text, JOINED[name])
            cells.append((name, text, None if term is None else type(term).__name__))
        rows.append(tuple(cells))
    return rows


def _same(engine: InProcessEngine, catalog: QueryCatalog, name: str, params: dict[str, str]) -> int:
    """Same rows, and the same sequence of ORDER BY keys (rows tied on every key may come in either
    order: SPARQL leaves it open, and the plain query's own order varies with its plan)."""
    plain = _answers(engine, parse_query_file(PLAIN / f"{name}.rq"), params)
    derived = _answers(engine, catalog[name], params)
    keys = ORDER_KEYS[name]
    if name == "theme-coverage":  # the plain query sorts on its lists as concatenated in any order
        keys = keys[:keys.index("section")]
    assert [_key(r, keys) for r in derived] == [_key(r, keys) for r in plain], f"{name} {params}: order"
    assert sorted(derived, key=repr) == sorted(plain, key=repr), f"{name} {params}: {len(derived)} rows"
    return len(plain)


def _key(row: tuple, keys: tuple[str, ...]) -> tuple:  # type: ignore[type-arg]
    cells = {name: text for name, text, _kind in row}
    return tuple(cells[k] for k in keys)


def test_the_plain_fixtures_are_the_replaced_queries(catalog: QueryCatalog) -> None:
    """Each kept plain query is a canned query's predecessor: same parameters, same columns."""
    assert NAMES == sorted(PARAMS)
    for name in NAMES:
        plain = parse_query_file(PLAIN / f"{name}.rq")
        assert [p.name for p in plain.params] == [p.name for p in catalog[name].params]
        assert plain.columns == catalog[name].columns
        assert "derived#" in catalog[name].text and "derived#" not in plain.text


@pytest.mark.parametrize("name", sorted(PARAMS))
def test_same_answers_as_the_plain_query_on_the_real_data(real_engine, catalog, name) -> None:  # type: ignore[no-untyped-def]
    counts = [_same(real_engine, catalog, name, params) for params in PARAMS[name]]
    assert counts[0] > 0, "the comparison is vacuous on the real data"


def test_the_build_and_the_write_path_derive_the_same_aggregates(real_data_store: EmbeddedStore) -> None:
    """The rdflib build (`materialise_dataset`) and the pyoxigraph write path (`materialise_store`)
    give the same derived graph."""
    graph = derived_graph(DEFAULT_BASE)
    mem = ox.Store()
    mem.extend(q for q in real_data_store.inner if q.graph_name != ox.NamedNode(graph))
    dataset = rdflib.Dataset()
    dataset.parse(data=mem.dump(format=ox.RdfFormat.N_QUADS).decode(), format="nquads")
    from_build = {tuple(t.n3() for t in triple) for triple in materialise_dataset(dataset, graph)}
    from_store = {(str(t.subject), str(t.predicate), str(t.object)) for t in materialise_store(mem, graph)}
    assert from_build == from_store
    assert any(DV + "groupMandates" in p for _s, p, _o in from_store)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(PARAMS))
def test_same_answers_as_the_plain_query_on_the_10k_bench_graph(bench_10k, catalog, name) -> None:  # type: ignore[no-untyped-def]
    """Every query gives rows on the generated graph (its themes are entries of the Annex lists, as
    the real ones are)."""
    counts = [_same(bench_10k, catalog, name, params) for params in PARAMS[name][:2]]
    assert counts[0] > 0, name


def test_the_10k_bench_graph_has_theme_coverage_rows(bench_10k, catalog) -> None:  # type: ignore[no-untyped-def]
    """The generator makes Annex lists: theme coverage has a row per area and per list entry (fewer
    areas than entries: some entries are recorded as the same area), the same as the plain query's,
    and both statuses of a theme several Sectors address."""
    areas = _same(bench_10k, catalog, "theme-coverage", {})
    entries = _same(bench_10k, catalog, "theme-coverage", {"count": "items"})
    assert 0 < areas < entries
    assert _same(bench_10k, catalog, "theme-coverage", {"scheme": "council-groups"}) > 0
    statuses = {dict((k, v) for k, v, _t in row)["status"]
                for row in _answers(bench_10k, catalog["theme-coverage"], {})}
    assert {"several Sectors, coordinated", "several Sectors, no coordination link"} <= statuses


def _ok(graph: object) -> object:
    class Conforms:
        conforms = True
        violations: list[object] = []

    return Conforms()


def test_the_aggregates_follow_a_curated_write(tmp_path: Path, catalog: QueryCatalog) -> None:
    """Retiring an item, or giving one a theme, changes the derived aggregates in the same write,
    and the canned queries still agree with the plain ones after each write."""
    mem = ox.Store()
    mem.load(path=str(FIXTURES / "mini.trig"), format=ox.RdfFormat.TRIG)
    store = write_store(tmp_path / "s", mem.dump(format=ox.RdfFormat.N_QUADS) or b"", "t")
    refresh_store(store, derived_graph(DEFAULT_BASE))
    engine = InProcessEngine(store)
    writes = WritePath(store, validate=_ok)

    def all_same() -> None:
        for name in NAMES:
            _same(engine, catalog, name, PARAMS[name][0])

    def incidence() -> set[tuple[str, str]]:
        rows = store.inner.query(f"SELECT ?s ?t WHERE {{ ?i <{DV}sector> ?s ; <{DV}theme> ?t }}",
                                 use_default_graph_as_union=True)
        return {(r["s"].value, r["t"].value) for r in rows}

    all_same()
    found = next(iter(store.inner.query(f"""
        SELECT ?item ?sector ?g WHERE {{ GRAPH ?g {{ ?item <{ISCG}sector> ?sector }}
          ?item <{ISCG}addressesTheme> ?t }} ORDER BY ?item LIMIT 1""", use_default_graph_as_union=True)))
    item, sector, g = found["item"], found["sector"], found["g"]
    theme = next(iter(store.inner.query(f"""
        SELECT ?t WHERE {{ ?t a <{ISCG}Theme> }} ORDER BY DESC(?t) LIMIT 1""",
                                        use_default_graph_as_union=True)))["t"]
    before = incidence()
    assert (sector.value, theme.value) not in before
    writes.apply(lambda w: w.add(ox.Quad(item, ox.NamedNode(ISCG + "addressesTheme"), theme, g)), Author("t"))
    assert (sector.value, theme.value) in incidence()
    all_same()
    true = ox.Literal("true", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))
    deprecated = ox.Quad(item, ox.NamedNode("http://www.w3.org/2002/07/owl#deprecated"), true, g)
    record = writes.apply(lambda w: w.add(deprecated), Author("t"))
    after = incidence()
    assert after != before and after <= before | {(sector.value, theme.value)}
    all_same()
    assert record is not None and "derived" not in record.patch_text
    assert aggregates.DV == DV
