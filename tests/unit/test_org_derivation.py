"""The W3C ORG statements the README claims are in the data (derived by the build)."""

from __future__ import annotations

from iscg_graph.rdf.store import EmbeddedStore

P = """PREFIX iscg: <https://w3id.org/iscg/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""


def test_every_study_group_is_a_sub_organisation_of_its_sector(real_store: EmbeddedStore) -> None:
    missing = real_store.select(P + """SELECT ?g WHERE {
        ?g a iscg:StudyGroup ; iscg:sector ?s .
        FILTER NOT EXISTS { ?g iscg:parentGroup [] }
        FILTER NOT EXISTS { ?g org:subOrganizationOf ?s . ?s org:hasSubOrganization ?g } }""")
    assert missing == []
    found = real_store.select(P + "SELECT ?g WHERE { ?g org:subOrganizationOf ?s . ?s a iscg:Sector }")
    assert len(found) > 40


def test_working_parties_are_units_of_their_study_group(real_store: EmbeddedStore) -> None:
    rows = real_store.select(P + """SELECT ?wp WHERE { ?wp a iscg:WorkingParty ; iscg:parentGroup ?sg .
        FILTER NOT EXISTS { ?wp org:subOrganizationOf ?sg . ?sg org:hasSubOrganization ?wp } }""")
    assert rows == []


def test_members_of_coordination_bodies(real_store: EmbeddedStore) -> None:
    members = real_store.select(P + "SELECT ?m ?b WHERE { ?b iscg:hasMember ?m }")
    assert members
    for row in members:
        assert real_store.ask(P + "ASK { ?m org:memberOf ?b }", {"m": row["m"], "b": row["b"]})


def test_question_ordinal_sorts_as_a_number(real_store: EmbeddedStore) -> None:
    rows = real_store.select(P + """SELECT ?n ?o WHERE { ?q iscg:questionNumber ?n ; iscg:questionOrdinal ?o }
        ORDER BY ?o""")
    assert len(rows) > 200
    assert all(r["o"].datatype.value.endswith("#integer") for r in rows)  # type: ignore[union-attr]
    values = [int(r["o"].value) for r in rows]
    assert values == sorted(values) and max(values) >= 10
    assert all(r["n"].value.startswith(r["o"].value) for r in rows)


def test_a_list_and_an_item_never_share_a_notation(real_store: EmbeddedStore) -> None:
    shared = real_store.select(P + """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?list ?item WHERE { ?list a iscg:ThemeScheme ; skos:notation ?n .
                                   ?item a iscg:Theme ; skos:notation ?n }""")
    assert shared == []
    # the number is still there as text: §1.5 and item 1.5 of another list
    same_text = real_store.select(P + """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?list WHERE { ?list a iscg:ThemeScheme ; skos:notation ?n .
                             ?item a iscg:Theme ; skos:notation ?m FILTER(STR(?n) = STR(?m)) }""")
    assert same_text
