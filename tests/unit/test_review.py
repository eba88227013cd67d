"""Review decisions -> validated register entries in graph/reviews; SSSOM rows."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph

from iscg_graph.overlap.review import (
    Decision,
    DecisionConflict,
    DecisionInvalid,
    record_decision,
    sssom_rows,
    sssom_tsv,
)
from iscg_graph.rdf.store import EmbeddedStore
from iscg_graph.rdf.validation import validate

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "candidates" / "mini.trig"
BASE = "https://w3id.org/iscg/"  # the public base, as the service or the CLI passes it
ID = BASE + "id/"
REVIEWS = "https://w3id.org/iscg/graph/reviews"
Q32 = ID + "question/itu-d/2018-2021/3-2"
Q417 = ID + "question/itu-t/2017-2020/4-17"
SG17 = ID + "study-group/itu-t/2017-2020/sg17"
ISCG = "https://w3id.org/iscg/ontology#"
T_WSIS_14 = ID + "theme/resolution-areas/19"
T_WSIS_16 = ID + "theme/council-groups/3"
DAY = date(2026, 11, 24)


@pytest.fixture
def store() -> EmbeddedStore:
    s = EmbeddedStore.in_memory()
    s.inner.load(path=str(FIXTURE), format=ox.RdfFormat.TRIG)
    return s


def reviews(store: EmbeddedStore) -> Graph:
    g = Graph()
    g.parse(
        data=b"".join(
            f"{q.subject} {q.predicate} {q.object} .\n".encode()
            for q in store.quads(graph=ox.NamedNode(REVIEWS))
        ),
        format="nt",
    )
    return g


def test_accept_writes_one_valid_mapping(store: EmbeddedStore) -> None:
    out = record_decision(
        store, Decision(Q32, Q417, "accept", "Ana Reviewer", "duplicate", "Same scope.", DAY), base=BASE
    )
    assert out.mapping == ID + "mapping/R0001" and out.status == "Accepted" and out.relation == "duplicate"
    g = reviews(store)
    assert out.triples == 16  # 13 about the mapping + 3 about the new agent
    counter = [(s, o) for s, p, o in g if str(p) == ISCG + "lastRegisterNumber"]
    assert [(str(s), int(o)) for s, o in counter] == [(REVIEWS, 1)]  # + the register's last number
    assert len(g) == out.triples + 1
    report = validate(g + Graph().parse(data=_sectors(), format="nt"))
    assert report.conforms, [r.message for r in report.violations]
    text = g.serialize(format="nt")
    assert "ontology#Duplicate" in text and "skos/core#exactMatch" in text
    assert '"2026-11-24"^^<http://www.w3.org/2001/XMLSchema#date>' in text


def _sectors() -> str:
    return (
        f"<{Q32}> <https://w3id.org/iscg/ontology#sector> <{ID}sector/itu-d> .\n"
        f"<{Q417}> <https://w3id.org/iscg/ontology#sector> <{ID}sector/itu-t> .\n"
    )


def test_ids_are_never_reused_and_agents_not_duplicated(store: EmbeddedStore) -> None:
    a = record_decision(store, Decision(Q32, Q417, "accept", "Ana", "overlap", on=DAY), base=BASE)
    b = record_decision(store, Decision(Q32, SG17, "reject", "Ana", on=DAY), base=BASE)
    assert (a.mapping.rsplit("/", 1)[1], b.mapping.rsplit("/", 1)[1]) == ("R0001", "R0002")
    assert b.triples == 13  # no agent triples (it exists), no comment, plus predicate_modifier "Not"
    assert "predicate_modifier" in reviews(store).serialize(format="nt")


def test_theme_pairs_are_links_not_mappings(store: EmbeddedStore) -> None:
    out = record_decision(store, Decision(T_WSIS_14, T_WSIS_16, "accept", "Ana", "duplicate", on=DAY),
                          base=BASE)
    types = {str(o) for s, p, o in reviews(store) if str(s) == out.mapping and str(p).endswith("#type")}
    assert types == {"https://w3id.org/iscg/ontology#Link"}


def test_a_decision_the_shapes_refuse_stores_nothing(store: EmbeddedStore) -> None:
    before = len(store)
    with pytest.raises(DecisionInvalid) as info:
        record_decision(
            store, Decision(ID + "question/itu-t/2017-2020/5-17", Q417, "accept", "Ana", "overlap"), base=BASE
        )
    assert "two different Union parts" in str(info.value) and info.value.problems
    assert len(store) == before


def test_validation_failure_from_any_shape_blocks_the_write(store: EmbeddedStore) -> None:
    class Refuses:
        conforms = False
        violations = ()
        warnings = ()

    before = len(store)
    with pytest.raises(DecisionInvalid):
        record_decision(store, Decision(Q32, Q417, "accept", "Ana", "overlap"), base=BASE,
                        validate=lambda g: Refuses())
    assert len(store) == before


@pytest.mark.parametrize(
    ("decision", "message"),
    [
        (Decision(Q32, Q417, "maybe", "Ana"), "accept"),
        (Decision(Q32, Q417, "accept", "Ana"), "relation kind"),
        (Decision(Q32, Q417, "accept", "Ana", "cousins"), "relation must be"),
        (Decision(Q32, Q417, "accept", "!!", "overlap"), "reviewer"),
        (Decision(Q32, Q32, "reject", "Ana"), "same item"),
        (Decision(Q32, "not an iri", "reject", "Ana"), "not an IRI"),
        (
            Decision(ID + "theme/resolution-areas/14", ID + "theme/resolution-areas/24", "reject", "Ana"),
            "same Annex list",
        ),
    ],
)
def test_bad_decisions(store: EmbeddedStore, decision: Decision, message: str) -> None:
    with pytest.raises(DecisionInvalid, match=message):
        record_decision(store, decision, base=BASE)
    assert REVIEWS not in store.graphs()


def test_second_decision_on_a_pair_conflicts(store: EmbeddedStore) -> None:
    record_decision(store, Decision(Q32, Q417, "reject", "Ana"), base=BASE)
    with pytest.raises(DecisionConflict):
        record_decision(store, Decision(Q417, Q32, "accept", "Bob", "overlap"), base=BASE)


def test_sssom_rows_cover_the_whole_register(store: EmbeddedStore) -> None:
    record_decision(store, Decision(Q32, Q417, "accept", "Ana", "already coordinated", "Joint work.", DAY),
                    base=BASE)
    rows = sssom_rows(store, base=BASE)
    assert [r["record_id"] for r in rows] == [
        "iscgid:mapping/M0001",
        "iscgid:mapping/M0002",
        "iscgid:mapping/M0003",
        "iscgid:mapping/R0001",
    ]
    review = rows[-1]
    assert review["predicate_id"] == "skos:relatedMatch" and review["mapping_date"] == "2026-11-24"
    assert "relation_kind=AlreadyCoordinated" in review["other"] and review["comment"] == "Joint work."
    text = sssom_tsv(store, base=BASE, mappings_only=True)
    assert text.count("\n") == 9 + 1 + 4  # metadata lines, header, 4 records


def test_reviews_survive_a_rebuild(store: EmbeddedStore, tmp_path: Path) -> None:
    from iscg_graph.build.pipeline import write_store
    from iscg_graph.overlap.review import carry_over_reviews

    record_decision(store, Decision(Q32, Q417, "reject", "Ana", on=DAY), base=BASE)
    old = write_store(tmp_path / "old", store.dump_nquads(), "v1")
    fixture = EmbeddedStore.in_memory()
    fixture.inner.load(path=str(FIXTURE), format=ox.RdfFormat.TRIG)
    new = write_store(tmp_path / "new", fixture.dump_nquads(), "v2")
    assert REVIEWS not in new.graphs()
    assert carry_over_reviews(tmp_path / "old", new, base=BASE) == 17  # the record and the last number
    assert len(reviews(new)) == 17 and REVIEWS in EmbeddedStore.open_snapshot(tmp_path / "new").graphs()
    assert carry_over_reviews(tmp_path / "nowhere", new, base=BASE) == 0
    del old
