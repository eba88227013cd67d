"""The items' fields read one property at a time (`corpus.items_by_property`, for on-disk stores) equal
those of the single query with one OPTIONAL per property (`corpus.items_joined`, for stores in memory):
the same items, in the same order, with the same values, on a fixture where properties have several
values, items several classes and some are deprecated (in memory and on disk, where values come in
another order), on the candidates fixture and on the real data; and `load_items` takes the scans on
disk only."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from iscg_graph.overlap import corpus
from iscg_graph.overlap.corpus import Item
from iscg_graph.rdf.store import EmbeddedStore
from tests.unit.test_lineage import mini_store


def _same(store: EmbeddedStore) -> dict[str, Item]:
    new, old = corpus.items_by_property(store), corpus.items_joined(store)
    assert list(new) == list(old)  # the same items in the same order
    for iri in old:
        assert new[iri].__dict__ == old[iri].__dict__, iri
    return new


# -- a fixture where it matters: several values, several classes, deprecated items -------------------

ID = "https://w3id.org/iscg/id/"
ISCG = "https://w3id.org/iscg/ontology#"
PREFIXES = f"""
@prefix iscg: <{ISCG}> .
@prefix id: <{ID}> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


def _period_pairs(n: int) -> str:
    """``n`` Questions, each in two study periods with different codes and years (some missing or
    unparsable), so that which period comes first varies with the IRIs."""
    out = []
    for i in range(n):
        a, b = f"id:p{i}a", f"id:p{i}b"
        out.append(f"id:q{i} a iscg:Question ; iscg:sector id:s{i % 3} ; iscg:studyPeriod {a}, {b} .")
        if i % 4:  # some first periods have no code: the period is then the other's code or a local name
            out.append(f'{a} skos:notation "20{10 + i}-20{13 + i}" .')
        if i % 5 == 0:
            out.append(f'{a} skos:notation "" .')  # an empty code counts as none
        out.append(f'{b} skos:notation "{2000 + i}-x" .' if i % 3 else "")
        out.append(f'{a} iscg:startYear "{1990 + i}"^^xsd:gYear ; iscg:endYear "{1993 + i}"^^xsd:gYear .')
        start = "n/a" if i % 2 else str(2000 + i)
        out.append(f'{b} iscg:startYear "{start}" ; iscg:endYear "{2005 + i}"^^xsd:gYear .')
        out.append(f'{b} iscg:startYear "{1980 + i}"^^xsd:gYear .' if i % 6 == 0 else "")
    return "\n".join(out)


MULTI = PREFIXES + f"""
id:s0 skos:notation "ITU-T" . id:s1 skos:notation "ITU-R", "R" . id:s2 skos:notation "ITU-D" .
id:q-two a iscg:Question, iscg:Theme ;
    rdfs:label "Zeta"@en, "Alpha"@en-GB, "Aardvark"@fr, "Plain" ;
    skos:notation "Q9/2", "Q1/2", "" ;
    iscg:sector id:s2, id:s1 ; iscg:studyGroup id:sg2, id:sg1 ;
    skos:inScheme id:scheme-b, id:scheme-a ; iscg:adoptedBy id:wtsa-20, id:wtsa-16 .
id:scheme-a skos:notation "z" . id:scheme-b skos:notation "a", "m" .
id:sg-wp a iscg:WorkingParty, iscg:StudyGroup ; rdfs:label "WP 1"@en ; iscg:sector "ITU-T" .
id:tg a iscg:TaskGroup, iscg:Resolution ; iscg:sector id:s0 .
id:gone a iscg:Question ; owl:deprecated true ; rdfs:label "Gone"@en ; iscg:sector id:s0 .
id:kept a iscg:Question ; owl:deprecated false ; rdfs:label "Kept"@en ; iscg:sector id:s0 .
id:res a iscg:Resolution ; iscg:sector id:s1 ; iscg:adoptedBy id:pp-22 ; iscg:studyPeriod [
    skos:notation "blank" ; iscg:startYear "2022"^^xsd:gYear ] .
id:bare a iscg:Question .
id:no-code a iscg:Question ; iscg:studyPeriod id:period-without-code .
id:empty-code a iscg:Question ; iscg:studyPeriod id:period-empty-code .
id:period-empty-code skos:notation "" .
id:code-later a iscg:Question ; iscg:studyPeriod id:0-early, id:zz-late .
id:zz-late skos:notation "2017" .
id:not-an-item rdfs:label "Not compared"@en ; iscg:sector id:s0 .
{_period_pairs(24)}
"""


def multi_store(on_disk: Path | None = None) -> EmbeddedStore:
    """The fixture in memory, or on disk (where values come in another order: by encoded term)."""
    store = EmbeddedStore.in_memory() if on_disk is None else EmbeddedStore(ox.Store(str(on_disk)))
    for graph in ("a", "b"):  # partly in two graphs: the union graph gives some triples twice
        data = MULTI if graph == "a" else PREFIXES + 'id:q-two skos:notation "Q5/2" ; iscg:sector id:s0 .'
        store.inner.load(input=data.encode(), format=ox.RdfFormat.TURTLE,
                         to_graph=ox.NamedNode(f"https://w3id.org/iscg/graph/{graph}"))
    return store


@pytest.mark.parametrize("on_disk", [False, True])
def test_several_values_classes_and_deprecated_items_as_joined(on_disk: bool, tmp_path: Path) -> None:
    items = _same(multi_store(tmp_path / "db" if on_disk else None))
    two = items[ID + "q-two"]
    # the smallest of several values; English labels only ("en" and "en-GB")
    assert (two.cls, two.label, two.notation) == ("question", "Alpha", "Q1/2")
    assert (two.sector, two.sector_code) == (ID + "s0", "ITU-D")  # the smallest code of any Sector
    assert (two.group, two.scheme, two.scheme_code, two.conference) == (ID + "sg1", ID + "scheme-a", "a",
                                                                      ID + "wtsa-16")
    assert items[ID + "sg-wp"].cls == "study-group" and items[ID + "tg"].cls == "resolution"
    assert (items[ID + "sg-wp"].sector, items[ID + "sg-wp"].sector_code) == ("ITU-T", "")  # a literal Sector
    assert ID + "gone" not in items and ID + "kept" in items and ID + "not-an-item" not in items
    assert (items[ID + "res"].period, items[ID + "res"].start) == ("blank", 2022)
    assert items[ID + "no-code"].period == "period-without-code"
    assert items[ID + "empty-code"].period == "period-empty-code"
    assert items[ID + "code-later"].period in ("0-early", "2017")  # which depends on the store's order
    bare = items[ID + "bare"]
    assert (bare.label, bare.sector, bare.period, bare.start, bare.end) == ("", "", "", None, None)
    # the two-period Questions: the first period's years, whichever it is
    pairs = [items[f"{ID}q{i}"] for i in range(24)]
    assert all(q.start is not None and q.end is not None and q.period for q in pairs)


def test_the_candidates_fixture_as_the_joined_query() -> None:
    items = _same(mini_store())
    assert items and all(it.sector or it.scheme for it in items.values())


@pytest.mark.slow
def test_real_data_as_the_joined_query(real_store: EmbeddedStore, built_store: Path) -> None:
    assert not real_store.on_disk and EmbeddedStore.open_read_only(built_store).on_disk
    items = _same(real_store)
    assert items == _same(EmbeddedStore.open_read_only(built_store))  # on disk: the same again
    assert len(items) > 500
    assert sum(it.start is not None for it in items.values()) > 300  # the study periods' years
    assert sum(bool(it.scheme and it.scheme_code) for it in items.values()) > 50  # themes and codes



def test_load_items_scans_by_property_on_disk_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(corpus, "items_by_property", lambda store: calls.append("by property") or {})
    monkeypatch.setattr(corpus, "items_joined", lambda store: calls.append("joined") or {})
    disk = EmbeddedStore(ox.Store(str(tmp_path / "db")), path=tmp_path)
    for store in (EmbeddedStore.in_memory(), disk, EmbeddedStore(ox.Store(str(tmp_path / "db2")))):
        corpus.load_corpus(store)
    assert calls == ["joined", "by property", "joined"]  # a store without a path counts as in memory
