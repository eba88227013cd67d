"""The benchmark generator's theme lists (bench/generate.py): the Annex lists of the report, their
entries in the real lists' proportions, exact matches and coordination bodies at the real shares,
deterministic with the seed, and valid against the shapes."""

from __future__ import annotations

import io
import sys
from collections import Counter
from pathlib import Path

import pytest
import rdflib

from iscg_graph.rdf.validation import validate

BENCH = Path(__file__).resolve().parents[2] / "bench"
ISCG = "https://w3id.org/iscg/ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"


@pytest.fixture(scope="module")
def generate():  # type: ignore[no-untyped-def]
    sys.path.insert(0, str(BENCH))
    try:
        import generate as module
    finally:
        sys.path.remove(str(BENCH))
    return module


@pytest.fixture(scope="module")
def graph_10k(generate) -> rdflib.Dataset:  # type: ignore[no-untyped-def]
    out = io.StringIO()
    generate.generate(generate.SIZES["10k"], out)
    dataset = rdflib.Dataset()
    dataset.parse(data=out.getvalue(), format="nquads")
    return dataset


def _subjects(dataset: rdflib.Dataset, predicate: str) -> set[rdflib.term.Node]:
    return {s for s, _p, _o, _g in dataset.quads((None, rdflib.URIRef(predicate), None, None))}


def _typed(dataset: rdflib.Dataset, cls: str) -> set[rdflib.URIRef]:
    return {s for s, _p, _o, _g in dataset.quads((None, rdflib.RDF.type, rdflib.URIRef(ISCG + cls), None))
            if isinstance(s, rdflib.URIRef)}


def test_the_annex_lists_and_their_entries_pass_the_shapes(graph_10k: rdflib.Dataset) -> None:
    """Every list, entry and coordination body the generator makes conforms (the rest of the
    generated graph is checked by nothing here)."""
    focus = set().union(*(_typed(graph_10k, c) for c in ("ThemeScheme", "Theme", "CoordinationBody")))
    assert len(_typed(graph_10k, "ThemeScheme")) == 5
    report = validate(graph_10k, focus_nodes=focus)
    violations = [r for r in report.results if r.severity.name == "VIOLATION"]
    assert report.conforms, violations[:5]


def test_the_entries_follow_the_real_lists(generate, graph_10k: rdflib.Dataset) -> None:  # type: ignore[no-untyped-def]
    themes = _typed(graph_10k, "Theme")
    in_scheme = graph_10k.quads((None, rdflib.URIRef(SKOS + "inScheme"), None, None))
    sizes = Counter(str(o).rsplit("/", 1)[1] for _s, _p, o, _g in in_scheme)
    total = sum(size for *_rest, size in generate.ANNEX)
    for slug, _section, _name, size in generate.ANNEX:  # within one entry of the real share
        assert abs(sizes[slug] - len(themes) * size / total) <= 1, (slug, sizes)
    matched = _subjects(graph_10k, SKOS + "exactMatch")
    covered = _subjects(graph_10k, ISCG + "coveredByBody")
    assert 0.03 < len(matched) / len(themes) < 0.2 and 0.06 < len(covered) / len(themes) < 0.3


def test_the_same_seed_gives_the_same_graph(generate) -> None:  # type: ignore[no-untyped-def]
    first, again, other = io.StringIO(), io.StringIO(), io.StringIO()
    generate.generate(3000, first)
    generate.generate(3000, again)
    generate.generate(3000, other, seed=7)
    assert first.getvalue() == again.getvalue() != other.getvalue()
