"""Derived Question pairs: the pairs of Questions that can reach the duplicate-candidate threshold.

At its default threshold (score 0.2 = two evidence points) the duplicate-candidate query
(`queries/question-duplicate-candidates.rq`) lists a pair of Questions of two Sectors only when they
share a Resolution (2 points), are joined by a recorded mapping (3) or share at least TWO themes
(1 each). Found by a join in SPARQL, "two shared themes" enumerates every pair sharing one theme
first (775k pairs at 1M triples). Here those pairs are found per item and per pair of its themes,
so the work grows with the items, not with the square of a theme's items; each pair gets one node::

    dv:questionPairs dv:pair <{base}derived/question-pair/<digest>> .
    <{base}derived/question-pair/<digest>> dv:first <q1> ; dv:second <q2> .

(the constant ``dv:questionPairs`` gives the query a first pattern with two constants, which
Oxigraph's planner, having no statistics, evaluates before the patterns with one).

with ``STR(q1) < STR(q2)``, both typed ``iscg:Question``, neither retired (``owl:deprecated
true``), of two Sectors (some Sector of one differs from some Sector of the other), as the query
requires. The set is a superset of the pairs the query lists at 0.2 and above: any node whose
``iscg:subject`` and ``iscg:object`` join the two counts. What the query lists of each pair (its
points, counts and evidence text: only live mappings, English labels) is derived on the pair's node
by `derived_evidence`.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from itertools import combinations

from .derived_facts import DERIVED_NS, ISCG, RDF_TYPE, Facts

DV_FIRST = DERIVED_NS + "first"
DV_SECOND = DERIVED_NS + "second"
DV_PAIR = DERIVED_NS + "pair"
QUESTION_PAIRS = DERIVED_NS + "questionPairs"

__all__ = ["DV_FIRST", "DV_PAIR", "DV_SECOND", "QUESTION_PAIRS", "question_pairs", "pair_triples"]


def _two_sectors(first: set[str], second: set[str]) -> bool:
    """Some Sector of one differs from some Sector of the other (the query's ``?sx != ?sy``)."""
    return bool(first) and bool(second) and not (len(first) == 1 and first == second)


def question_pairs(facts: Facts) -> set[tuple[str, str]]:
    """(q1, q2) with ``q1 < q2``: the Questions that share two themes, a Resolution or a link."""
    questions = facts.subjects_with(RDF_TYPE, ISCG + "Question") - facts.deprecated()
    sectors = facts.objects(ISCG + "sector")
    candidates: set[tuple[str, str]] = set()

    def among(items: set[str]) -> None:
        for a, b in combinations(sorted(items & questions), 2):
            candidates.add((a, b))

    # two shared themes: the Questions addressing both themes of each pair of themes
    by_theme_pair: dict[tuple[str, str], set[str]] = defaultdict(set)
    for item, themes in facts.objects(ISCG + "addressesTheme").items():
        if item in questions and len(themes) > 1:
            for pair in combinations(sorted(themes), 2):
                by_theme_pair[pair].add(item)
    for items in by_theme_pair.values():
        among(items)
    # a shared Resolution
    for items in facts.subjects(ISCG + "relatedResolution").values():
        among(items)
    # a link (the query keeps only the mappings among them)
    subjects = facts.objects(ISCG + "subject")
    for link, objects in facts.objects(ISCG + "object").items():
        for a in subjects.get(link, ()):
            for b in objects:
                if a != b and a in questions and b in questions:
                    candidates.add((a, b) if a < b else (b, a))
    return {(a, b) for a, b in candidates if _two_sectors(sectors.get(a, set()), sectors.get(b, set()))}


def pair_triples(facts: Facts, base: str) -> set[tuple[str, str, str]]:
    prefix = f"{base}derived/question-pair/"
    out: set[tuple[str, str, str]] = set()
    for a, b in question_pairs(facts):
        node = prefix + hashlib.sha256(f"{a} {b}".encode()).hexdigest()[:24]
        out.add((QUESTION_PAIRS, DV_PAIR, node))
        out.add((node, DV_FIRST, a))
        out.add((node, DV_SECOND, b))
    return out
