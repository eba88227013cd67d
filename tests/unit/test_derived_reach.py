"""The derived pairs and reach (``iscg_graph.rdf.derived_pairs`` / ``derived_reach``) on a small
hand-made graph: what a dossier gathers, what a study group's closure holds, which Question pairs
qualify."""

from __future__ import annotations

from collections import defaultdict

from iscg_graph.rdf.derived_facts import TRUE, Facts
from iscg_graph.rdf.derived_pairs import question_pairs
from iscg_graph.rdf.derived_reach import (
    DV_FOCUS,
    DV_MEMBER,
    DV_MEMBER_THEME,
    DV_ON_THEME,
    DV_REACHES,
    PILOT_THEMES,
    group_triples,
    theme_triples,
)

ISCG = "https://w3id.org/iscg/ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RETIRED = "http://www.w3.org/2002/07/owl#deprecated"
X = "https://example.org/"


def _facts(statements: list[tuple[str, str, str]]) -> Facts:
    by: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for s, p, o in statements:
        by[p].append((s, o))
    return Facts(lambda predicate: by.get(predicate, []))


THEMES = [(X + f"t{i}", TYPE, ISCG + "Theme") for i in range(1, 7)]


def _reached(triples: set[tuple[str, str, str]], focus: str) -> set[str]:
    return {o.removeprefix(X) for s, p, o in triples if s == focus and p == DV_REACHES}


def test_a_dossier_gathers_match_chains_both_ways_and_narrower_themes_only() -> None:
    facts = _facts([*THEMES,
                    (X + "t2", SKOS + "exactMatch", X + "t1"), (X + "t3", SKOS + "closeMatch", X + "t2"),
                    (X + "t4", SKOS + "broader", X + "t1"), (X + "t5", SKOS + "broader", X + "t4"),
                    (X + "t6", SKOS + "relatedMatch", X + "t1"),  # not gathered
                    (X + "t3", SKOS + "exactMatch", X + "untyped"),  # not a theme: not gathered
                    (X + "outcome", ISCG + "pilotTheme", X + "t4")])
    out = theme_triples(facts)
    assert _reached(out, X + "t1") == {"t1", "t2", "t3", "t4", "t5"}
    assert _reached(out, X + "t2") == {"t1", "t2", "t3"}  # the broader chain leads to t1, not to t2
    assert _reached(out, X + "t4") == {"t4", "t5"}
    assert _reached(out, X + "t6") == {"t6"}
    assert {o for s, p, o in out if s == PILOT_THEMES and p == DV_FOCUS} == {X + "t4"}
    assert (X + "t1", DV_FOCUS, X + "t1") in out and (X + "untyped", DV_FOCUS, X + "untyped") not in out


def test_a_mapping_is_on_the_themes_of_both_its_ends() -> None:
    facts = _facts([*THEMES, (X + "m", TYPE, ISCG + "Mapping"), (X + "m", ISCG + "subject", X + "a"),
                    (X + "m", ISCG + "object", X + "b"), (X + "a", ISCG + "addressesTheme", X + "t1"),
                    (X + "b", ISCG + "addressesTheme", X + "t2"),
                    (X + "half", TYPE, ISCG + "Mapping"), (X + "half", ISCG + "object", X + "b")])
    on = {(s, o) for s, p, o in theme_triples(facts) if p == DV_ON_THEME}
    assert on == {(X + "m", X + "t1"), (X + "m", X + "t2")}  # a mapping without a subject: none


def test_a_groups_closure_leaves_retired_members_out_but_walks_through_them() -> None:
    facts = _facts([(X + "sg", TYPE, ISCG + "StudyGroup"), (X + "wp", ISCG + "parentGroup", X + "sg"),
                    (X + "wp", RETIRED, TRUE), (X + "q1", ISCG + "studyGroup", X + "wp"),
                    (X + "q2", ISCG + "studyGroup", X + "wp"), (X + "q2", RETIRED, TRUE),
                    (X + "q1", ISCG + "addressesTheme", X + "t1"),
                    (X + "q2", ISCG + "addressesTheme", X + "t2"), (X + "jtg", TYPE, X + "Joint"),
                    (X + "Joint", "http://www.w3.org/2000/01/rdf-schema#subClassOf", ISCG + "StudyGroup")])
    out = group_triples(facts)
    assert {o for s, p, o in out if s == X + "sg" and p == DV_MEMBER} == {X + "sg", X + "q1"}
    assert {o for s, p, o in out if s == X + "sg" and p == DV_MEMBER_THEME} == {X + "t1"}
    assert (X + "jtg", DV_MEMBER, X + "jtg") in out  # typed with a subclass of StudyGroup


def test_the_qualifying_question_pairs() -> None:
    def question(name: str, sector: str, *themes: str) -> list[tuple[str, str, str]]:
        return [(X + name, TYPE, ISCG + "Question"), (X + name, ISCG + "sector", X + sector),
                *((X + name, ISCG + "addressesTheme", X + t) for t in themes)]

    facts = _facts([*question("a", "D", "t1", "t2", "t3"), *question("b", "T", "t1", "t2"),
                    *question("c", "D", "t1", "t2"),  # same Sector as a
                    *question("d", "R", "t1"),  # one shared theme only
                    *question("e", "R", "t1", "t2"), (X + "e", RETIRED, TRUE),
                    *question("f", "R"), (X + "f", ISCG + "relatedResolution", X + "r"),
                    (X + "b", ISCG + "relatedResolution", X + "r"),
                    *question("g", "T"), (X + "m", ISCG + "subject", X + "g"),
                    (X + "m", ISCG + "object", X + "d")])
    pairs = {(a.removeprefix(X), b.removeprefix(X)) for a, b in question_pairs(facts)}
    assert pairs == {("a", "b"), ("b", "c"), ("b", "f"), ("d", "g")}
