"""The RDFS closure: complete against the ontology on the real data, nothing already asserted,
recomputable on a store after a write."""

from __future__ import annotations

import pyoxigraph as ox
import rdflib

from iscg_graph.rdf.entailment import ENTAILMENT_GRAPH, closure, materialise_store, refresh_store
from iscg_graph.rdf.store import EmbeddedStore
from iscg_graph.vocab import DEFAULT_BASE

ONTOLOGY_GRAPH = DEFAULT_BASE + "graph/ontology"

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
SUBCLASS = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")
SUBPROP = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subPropertyOf")
ENT = ox.NamedNode(ENTAILMENT_GRAPH)


def _union(store: EmbeddedStore) -> set[tuple[object, object, object]]:
    return {(q.subject, q.predicate, q.object) for q in store.quads()}


def test_closure_is_complete_against_the_ontology(real_store: EmbeddedStore) -> None:
    onto = ox.NamedNode(ONTOLOGY_GRAPH)
    union = _union(real_store)
    sub_class = [(q.subject, q.object) for q in real_store.quads(None, SUBCLASS, None, onto)]
    sub_prop = [(q.subject, q.object) for q in real_store.quads(None, SUBPROP, None, onto)]
    assert len(sub_class) > 20 and len(sub_prop) > 10
    checked = 0
    for child, parent in sub_class:  # every subclass axiom, every instance: the super-type is there
        for q in real_store.quads(None, RDF_TYPE, child, None):
            assert (q.subject, RDF_TYPE, parent) in union, (q.subject, parent)
            checked += 1
    for child, parent in sub_prop:
        for q in real_store.quads(None, child, None, None):
            assert (q.subject, parent, q.object) in union, (q.subject, child, parent)
            checked += 1
    assert checked > 1000
    # and transitively: a working party is an org:OrganizationalUnit through iscg:StudyGroup
    wp = ox.NamedNode("https://w3id.org/iscg/ontology#WorkingParty")
    unit = ox.NamedNode("http://www.w3.org/ns/org#OrganizationalUnit")
    parties = [q.subject for q in real_store.quads(None, RDF_TYPE, wp, None)]
    assert parties and all((p, RDF_TYPE, unit) in union for p in parties)


def test_entailment_graph_holds_only_what_is_not_asserted(real_store: EmbeddedStore) -> None:
    entailed = {(q.subject, q.predicate, q.object) for q in real_store.quads(None, None, None, ENT)}
    asserted = {(q.subject, q.predicate, q.object) for q in real_store.quads()
                if q.graph_name != ENT}
    assert entailed and not entailed & asserted
    assert set(materialise_store(real_store.inner)) == {ox.Triple(*t) for t in entailed}  # type: ignore[misc]


def test_closure_rules_on_a_small_graph() -> None:
    t, sc, sp = "type", "subClassOf", "subPropertyOf"
    triples = {("A", sc, "B"), ("B", sc, "C"), ("p", sp, "q"), ("q", sp, "r"),
               ("x", t, "A"), ("x", "p", "y"), ("z", t, "C")}
    assert closure(triples, t, sc, sp) == {
        ("A", sc, "C"), ("p", sp, "r"), ("x", t, "B"), ("x", t, "C"), ("x", "q", "y"), ("x", "r", "y")}


def test_sub_property_of_rdf_type_also_gets_super_types() -> None:
    t, sc, sp = "type", "subClassOf", "subPropertyOf"
    triples = {("kind", sp, t), ("A", sc, "B"), ("x", "kind", "A")}
    assert ("x", t, "B") in closure(triples, t, sc, sp)


def test_refresh_after_a_write(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from iscg_graph.build.pipeline import write_store

    base = "https://w3id.org/iscg/"
    lines = [
        f"<{base}ontology#Mapping> <{SUBCLASS.value}> <{base}ontology#Link> <{ONTOLOGY_GRAPH}> .",
        f"<{base}id/mapping/M1> <{RDF_TYPE.value}> <{base}ontology#Mapping> <{base}graph/mappings> .",
    ]
    store = write_store(tmp_path / "s", ("\n".join(lines) + "\n").encode(), "t")
    assert refresh_store(store) == 1
    store.add_to_graph(f"{base}graph/mappings",
                       f"<{base}id/mapping/M2> <{RDF_TYPE.value}> <{base}ontology#Mapping> .\n".encode())
    assert refresh_store(store) == 2
    link = ox.NamedNode(f"{base}ontology#Link")
    assert len(list(store.quads(None, RDF_TYPE, link, ENT))) == 2
    reread = EmbeddedStore.open_snapshot(tmp_path / "s")  # the snapshot follows
    assert len(list(reread.quads(None, RDF_TYPE, link, ENT))) == 2


def test_materialise_on_rdflib_dataset() -> None:
    from iscg_graph.rdf.entailment import materialise

    ds = rdflib.Dataset()
    g = ds.graph(rdflib.URIRef("urn:g"))
    g.add((rdflib.URIRef("urn:A"), rdflib.RDFS.subClassOf, rdflib.URIRef("urn:B")))
    g.add((rdflib.URIRef("urn:x"), rdflib.RDF.type, rdflib.URIRef("urn:A")))
    stale = ds.graph(rdflib.URIRef(ENTAILMENT_GRAPH))  # an old closure is never read back
    stale.add((rdflib.URIRef("urn:y"), rdflib.RDF.type, rdflib.URIRef("urn:A")))
    out = materialise(ds)
    assert set(out) == {(rdflib.URIRef("urn:x"), rdflib.RDF.type, rdflib.URIRef("urn:B"))}


def test_entailment_graph_follows_the_public_base() -> None:
    from iscg_graph.build.pipeline import add_entailment, load_sources
    from iscg_graph.query.options import QueryOptions, default_graphs
    from iscg_graph.query.service_description import service_triples
    from iscg_graph.rdf.entailment import RDFS_REGIME, find_entailment_graph

    base = "https://example.org/kg/"
    dataset, _ = load_sources(base=base)
    assert add_entailment(dataset, base) > 1000
    graphs = {str(g.identifier) for g in dataset.graphs() if str(g.identifier).startswith(base)}
    assert find_entailment_graph(graphs) == base + "graph/entailment"
    described = service_triples("http://localhost/sparql", graphs)
    assert any(t.object.value == RDFS_REGIME for t in described)
    kept = default_graphs(QueryOptions(entailment=False), graphs, names_dataset=False)
    assert kept is not None and base + "graph/entailment" not in kept and len(kept) == len(graphs) - 1
