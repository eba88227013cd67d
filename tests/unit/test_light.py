"""The light-query proof: which texts are in the subset, what is counted, and that the bound holds."""

from __future__ import annotations

import itertools
import random

import pyoxigraph as ox
import pytest

from iscg_graph.query.light import MAX_PATTERNS, MAX_TEXT, Pattern, patterns, prove_light

RDFS = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
S = "<https://w3id.org/iscg/id/sector/itu-t>"

LIGHT_SUBSET = [
    RDFS + f"SELECT ?l WHERE {{ {S} rdfs:label ?l }}",
    RDFS + f"SELECT DISTINCT ?p ?o {{ {S} ?p ?o . }} ORDER BY ?p LIMIT 10 OFFSET 2",
    RDFS + f"SELECT ?l WHERE {{ {S} rdfs:label ?l "
           "FILTER(lang(?l) = 'en' && STRSTARTS(STR(?l), \"IT\")) }",
    RDFS + f"SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE {{ {S} ?p ?o }} GROUP BY ?p HAVING (COUNT(?o) > 1)",
    RDFS + f"SELECT * WHERE {{ {S} a ?type ; rdfs:label ?l , ?m . OPTIONAL {{ ?type rdfs:label ?t }} }}",
    RDFS + f"SELECT ?l WHERE {{ {S} rdfs:label ?l FILTER(REGEX(?l, '^ITU', 'i')) }} "
           "ORDER BY DESC(STRLEN(?l))",
    RDFS + "SELECT ?s WHERE { ?s rdfs:label \"ITU-T\"@en-GB ; rdfs:comment \"x\"^^rdfs:Literal }",
    RDFS + f"SELECT ?l WHERE {{ {S} rdfs:label ?l FILTER(?l IN ('ITU-T'@en-GB, 'UIT'@fr)) }}",
    RDFS + f"ASK {{ {S} rdfs:label ?l }}",
    RDFS + f"ASK WHERE {{ {S} rdfs:label _:b }}",
    f"CONSTRUCT {{ {S} <urn:p> ?o }} WHERE {{ {S} ?p ?o }}",
    f"CONSTRUCT WHERE {{ {S} ?p ?o }}",
    f"SELECT * FROM <urn:g> FROM NAMED <urn:h> WHERE {{ {S} ?p ?o FILTER(?o IN (<urn:a>, <urn:b>)) }}",
    "BASE <https://w3id.org/iscg/> SELECT * WHERE { <id/sector/itu-t> ?p ?o }",
    "SELECT * WHERE { }",
]

OUTSIDE = {
    "sequence path": RDFS + f"SELECT * WHERE {{ {S} rdfs:label/rdfs:label ?l }}",
    "alternative path": RDFS + f"SELECT * WHERE {{ {S} rdfs:label|rdfs:comment ?l }}",
    "inverse path": RDFS + f"SELECT * WHERE {{ ?s ^rdfs:label {S} }}",
    "star path": RDFS + f"SELECT * WHERE {{ {S} rdfs:label* ?l }}",
    "plus path": RDFS + f"SELECT * WHERE {{ {S} rdfs:label+ ?l }}",
    "union": f"SELECT * WHERE {{ {{ {S} ?p ?o }} UNION {{ ?o ?p {S} }} }}",
    "nested group": f"SELECT * WHERE {{ {{ {S} ?p ?o }} }}",
    "minus": f"SELECT * WHERE {{ {S} ?p ?o MINUS {{ ?o ?p ?x }} }}",
    "graph": f"SELECT * WHERE {{ GRAPH ?g {{ {S} ?p ?o }} }}",
    "values": f"SELECT * WHERE {{ VALUES ?s {{ {S} }} ?s ?p ?o }}",
    "trailing values": f"SELECT * WHERE {{ ?s ?p ?o }} VALUES ?s {{ {S} }}",
    "bind": f"SELECT * WHERE {{ {S} ?p ?o BIND(STR(?o) AS ?x) }}",
    "service": f"SELECT * WHERE {{ SERVICE <http://example.org/sparql> {{ {S} ?p ?o }} }}",
    "subquery": f"SELECT * WHERE {{ {{ SELECT ?o WHERE {{ {S} ?p ?o }} }} }}",
    "exists": f"SELECT * WHERE {{ {S} ?p ?o FILTER EXISTS {{ ?o ?q ?r }} }}",
    "not exists": f"SELECT * WHERE {{ {S} ?p ?o FILTER NOT EXISTS {{ ?o ?q ?r }} }}",
    "exists in expression": f"SELECT * WHERE {{ {S} ?p ?o FILTER(!EXISTS {{ ?o ?q ?r }}) }}",
    "replace": f"SELECT * WHERE {{ {S} ?p ?o FILTER(REPLACE(STR(?o), '', 'xx') = 'y') }}",
    "concat in projection": f"SELECT (CONCAT(?o, ?o) AS ?x) WHERE {{ {S} ?p ?o }}",
    "function IRI": f"SELECT * WHERE {{ {S} ?p ?o FILTER(<urn:f>(?o)) }}",
    "cast": "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> "
            f"SELECT * WHERE {{ {S} ?p ?o FILTER(xsd:integer(?o) > 1) }}",
    "number in a pattern": "SELECT * WHERE { ?s ?p 12 }",
    "escape anywhere": f"SELECT * WHERE {{ {S} ?p \"a\\u0041\" }}",
    "blank node brackets": f"SELECT * WHERE {{ {S} ?p [ ?q ?r ] }}",
    "collection": f"SELECT * WHERE {{ {S} ?p (1 2) }}",
    "describe": f"DESCRIBE {S}",
    "unknown prefix": "SELECT * WHERE { ex:a ?p ?o }",
    "update": f"INSERT DATA {{ {S} <urn:p> <urn:o> }}",
    "literal subject": "SELECT * WHERE { \"x\" ?p ?o }",
    "replace after a minus": f"SELECT * WHERE {{ {S} ?p ?o FILTER(1 - REPLACE(STR(?o), '', 'xx')) }}",
    "replace as a language tag": f"SELECT * WHERE {{ {S} ?p ?o FILTER(?o = 'a'@REPLACE(?o)) }}",
    "rand": f"SELECT (RAND() AS ?r) WHERE {{ {S} ?p ?o }}",
    "now in filter": f"SELECT * WHERE {{ {S} ?p ?o FILTER(NOW() > ?o) }}",
    "too long": f"SELECT * WHERE {{ {S} ?p ?o }} #" + "x" * MAX_TEXT,
    "too many patterns": "SELECT * WHERE { "
                         + " ".join(f"{S} <urn:p{i}> ?o{i} ." for i in range(MAX_PATTERNS + 1)) + " }",
}


@pytest.mark.parametrize("text", LIGHT_SUBSET)
def test_the_subset_is_recognised(text: str) -> None:
    assert patterns(text) is not None
    ox.Store().query(text)  # and it is real SPARQL (Oxigraph parses it)


@pytest.mark.parametrize("name", sorted(OUTSIDE))
def test_anything_else_is_not_light(name: str) -> None:
    assert patterns(OUTSIDE[name]) is None
    assert prove_light(OUTSIDE[name], lambda p, cap: 0, 1000) is None  # whatever the counts say


def test_what_is_counted_as_a_constant() -> None:
    found = patterns(RDFS + f"SELECT * WHERE {{ {S} a ?t ; rdfs:label 'ITU-T', 'ITU-T'@en, ?l ; "
                            '?p """x""" }')
    t = "https://w3id.org/iscg/id/sector/itu-t"
    assert found == (
        Pattern(t, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", None),
        Pattern(t, LABEL, ("literal", "ITU-T")),
        Pattern(t, LABEL, None),  # a language tag: counted as a variable (an upper bound)
        Pattern(t, LABEL, None),
        Pattern(t, None, None),  # long-quoted literal: also a variable
    )
    # relative IRIs, dot segments and relative prefixes resolve against a base: counted as variables
    anything = (Pattern(None, None, None),)
    assert patterns("BASE <https://w3id.org/iscg/> SELECT * WHERE { <id/x> ?p ?o }") == anything
    assert patterns("SELECT * WHERE { <https://w3id.org/a/../b> ?p ?o }") == anything
    assert patterns("PREFIX e: <rel/> SELECT * WHERE { e:x ?p ?o }") == anything


def test_the_bound_is_the_product_of_the_counts() -> None:
    counts = {LABEL: 3, None: 10_000}
    count = lambda p, cap: counts[p.predicate]  # noqa: E731
    proof = prove_light(RDFS + f"SELECT * WHERE {{ {S} rdfs:label ?a . ?b rdfs:label ?c }}", count, 1000)
    assert proof is not None and proof.bound == 9
    assert prove_light(RDFS + f"SELECT * WHERE {{ {S} rdfs:label ?a . ?b ?p ?c }}", count, 1000) is None
    assert prove_light(RDFS + f"SELECT * WHERE {{ {S} rdfs:label ?a }}", count, 2) is None  # 3 > 2
    # a pattern that matches nothing makes the whole join empty, whatever the others count
    zero = prove_light(f"SELECT * WHERE {{ {S} <urn:nothing> ?a . ?b ?p ?c }}",
                       lambda p, cap: 0 if p.predicate else 10**9, 10)
    assert zero is not None and zero.bound == 0


def test_an_optional_pattern_that_matches_nothing_removes_no_solution() -> None:
    """A left join keeps every solution of its left side: an empty OPTIONAL part bounds nothing."""
    text = "SELECT * WHERE { ?s ?p ?o OPTIONAL { <urn:none> <urn:p> ?x } }"
    counts = lambda p, cap: 0 if p.subject == "urn:none" else 5000  # noqa: E731
    assert prove_light(text, counts, 1000) is None
    small = lambda p, cap: 0 if p.subject == "urn:none" else 7  # noqa: E731
    proof = prove_light(text, small, 1000)
    assert proof is not None and proof.bound == 7


def _store(seed: int) -> ox.Store:
    rng = random.Random(seed)
    store = ox.Store()
    nodes = [ox.NamedNode(f"urn:n{i}") for i in range(40)]
    preds = [ox.NamedNode(f"urn:p{i}") for i in range(4)]
    for _ in range(400):
        o = rng.choice(nodes) if rng.random() < 0.8 else ox.Literal(rng.choice(["a", "b", "c"]))
        store.add(ox.Quad(rng.choice(nodes), rng.choice(preds), o, ox.NamedNode(f"urn:g{rng.randrange(3)}")))
    return store


def _count(store: ox.Store):  # type: ignore[no-untyped-def]
    def count(p: Pattern, cap: int) -> int:
        obj = None if p.object is None else (ox.Literal(p.object[1]) if isinstance(p.object, tuple)
                                             else ox.NamedNode(p.object))
        return sum(1 for _ in itertools.islice(store.quads_for_pattern(
            ox.NamedNode(p.subject) if p.subject else None,
            ox.NamedNode(p.predicate) if p.predicate else None, obj, None), cap + 1))
    return count


@pytest.mark.parametrize("seed", range(5))
def test_no_light_query_has_more_solutions_than_its_bound(seed: int) -> None:
    """Random joins of 1–3 patterns over a random store: whenever a proof is given, the solutions
    (no DISTINCT, no LIMIT, union default graph) never exceed its bound."""
    store = _store(seed)
    rng = random.Random(seed)
    terms_s = [f"<urn:n{i}>" for i in range(40)] + ["?x", "?y", "?z"]
    terms_p = [f"<urn:p{i}>" for i in range(4)] + ["?p", "?q"]
    terms_o = terms_s + ['"a"', '"b"', '"c"@en']
    proved = 0
    for _ in range(300):
        k = rng.randint(1, 3)
        body = " . ".join(f"{rng.choice(terms_s)} {rng.choice(terms_p)} {rng.choice(terms_o)}"
                          for _ in range(k))
        optional = (f" OPTIONAL {{ {rng.choice(terms_s)} {rng.choice(terms_p)} {rng.choice(terms_o)} }}"
                    if rng.random() < 0.3 else "")
        text = f"SELECT * WHERE {{ {body}{optional} }}"
        proof = prove_light(text, _count(store), 300)
        if proof is None:
            continue
        proved += 1
        rows = sum(1 for _ in store.query(text, use_default_graph_as_union=True))  # type: ignore[union-attr]
        assert rows <= proof.bound, text
    assert proved > 50  # the property was exercised
