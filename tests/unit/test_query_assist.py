"""The pieces behind /sparql's help: edit distance and suggestions, prefix and GROUP BY diagnosis,
label choice and writers, known-term reloading."""

from __future__ import annotations

import json

from iscg_graph.errors import QuerySyntaxError
from iscg_graph.query.diagnostics import edit_distance, explain, undeclared_prefixes, unknown_terms
from iscg_graph.query.engine import EngineResult
from iscg_graph.query.labels import choose_labels, with_labels, write
from iscg_graph.query.terms import KnownTerms

ISCG = "https://w3id.org/iscg/ontology#"
KNOWN = {ISCG + "Question", ISCG + "StudyGroup", ISCG + "sector", ISCG + "studyGroup"}
PREFIXES = {"iscg": ISCG}


def test_edit_distance() -> None:
    assert edit_distance("Questoin", "Question") == 2
    assert edit_distance("sector", "Sector") == 0  # case-insensitive
    assert edit_distance("", "abc") == 3


def test_unknown_terms_suggest_the_nearest_and_ignore_other_namespaces() -> None:
    query = ("PREFIX iscg: <https://w3id.org/iscg/ontology#> PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"
             "SELECT * WHERE { ?q a iscg:Questoin ; iscg:studygroup ?g ; iscg:sector ?s . "
             "?x iscg:zzzzzzzzzz ?y FILTER(xsd:integer(?n) > 1) BIND(\"1\"^^iscg:annexSection AS ?z) }")
    found = {w.term: w for w in unknown_terms(query, KNOWN, PREFIXES)}
    assert set(found) == {"iscg:Questoin", "iscg:studygroup", "iscg:zzzzzzzzzz"}
    assert found["iscg:Questoin"].suggestions[0] == "iscg:Question"
    assert found["iscg:studygroup"].suggestions[0] == "iscg:studyGroup"
    assert found["iscg:zzzzzzzzzz"].suggestions == ()  # nothing near enough


def test_unknown_terms_follow_the_term_set_a_write_gives() -> None:
    """The grouping by namespace is remembered per term set (the service's frozenset): a new set, as
    the known terms are after a write adds a property, is judged on its own terms."""
    query = "PREFIX iscg: <https://w3id.org/iscg/ontology#> SELECT * { ?q iscg:leadSector ?s }"
    before = frozenset(KNOWN)
    assert [w.term for w in unknown_terms(query, before, PREFIXES)] == ["iscg:leadSector"]
    after = frozenset(KNOWN | {ISCG + "leadSector"})
    assert unknown_terms(query, after, PREFIXES) == []
    assert [w.term for w in unknown_terms(query, before, PREFIXES)] == ["iscg:leadSector"]
    elsewhere = frozenset({"http://example.org/v#other"})  # iscg: no longer a known vocabulary
    assert unknown_terms(query, elsewhere, PREFIXES) == []


def test_prefix_and_group_by_diagnosis() -> None:
    query = ("PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
             "SELECT ?x WHERE { ?x a iscg:Q ; skos:n ?y ; foo:b ?z }")
    assert undeclared_prefixes(query) == ["iscg", "foo"]
    d = explain(query, QuerySyntaxError("expected one of Prefix not found, ['%']", 2, 26), PREFIXES)
    assert d.line == 2 and d.column == 26
    assert "PREFIX iscg: <https://w3id.org/iscg/ontology#>" in d.fix and "no namespace for foo:" in d.fix
    grouped = "SELECT ?a ?b (COUNT(?c) AS ?n) WHERE { ?a ?b ?c } GROUP BY ?a"
    unbound = QuerySyntaxError("expected one of The SELECT contains a variable that is unbound", 1, 60)
    d = explain(grouped, unbound, PREFIXES)
    assert d.sentence.startswith("?b is selected beside an aggregate") and "GROUP BY ?a ?b" in d.fix


def test_label_choice_prefers_language_then_english_then_any() -> None:
    def row(iri: str, text: str, lang: str, pref: int = 0) -> dict[str, dict[str, str]]:
        label = {"type": "literal", "value": text, **({"xml:lang": lang} if lang else {})}
        return {"item": {"type": "uri", "value": iri}, "label": label,
                "pref": {"type": "literal", "value": str(pref)}}

    rows = [row("urn:a", "A", "en"), row("urn:a", "A fr", "fr"), row("urn:b", "B", "en"),
            row("urn:b", "B es", "es"), row("urn:c", "C de", "de"), row("urn:d", "D skos", "fr", 1),
            row("urn:d", "D", "fr", 0)]
    chosen = choose_labels(rows, "fr-ca")
    assert chosen["urn:a"]["value"] == "A fr" and chosen["urn:b"]["value"] == "B"
    assert chosen["urn:c"]["value"] == "C de" and chosen["urn:d"]["value"] == "D"


def test_label_columns_in_every_format() -> None:
    results = {"head": {"vars": ["s", "n"]}, "results": {"bindings": [
        {"s": {"type": "uri", "value": "urn:a"}, "n": {"type": "literal", "value": "1, \"one\""}},
        {"n": {"type": "literal", "value": "2"}}]}}
    out = with_labels(results, {"urn:a": {"type": "literal", "value": "A\tb", "xml:lang": "en"}})
    assert out["head"]["vars"] == ["s", "sLabel", "n"]
    assert json.loads(write(out, "application/sparql-results+json"))["results"]["bindings"][1] == results[
        "results"]["bindings"][1]
    assert write(out, "text/csv").decode() == 's,sLabel,n\r\nurn:a,A\tb,"1, ""one"""\r\n,,2\r\n'
    assert write(out, "text/tab-separated-values").decode() == (
        '?s\t?sLabel\t?n\n<urn:a>\t"A\\tb"@en\t"1, \\"one\\""\n\t\t"2"\n')
    assert b'<binding name="sLabel"><literal xml:lang="en">A\tb</literal></binding>' in write(
        out, "application/sparql-results+xml")


class _Engine:
    def __init__(self) -> None:
        self.generation = 0
        self.runs = 0

    def graphs(self, wait: float = 0.0) -> frozenset[str]:
        return frozenset({"urn:g"})

    def run(self, sparql: str, **kwargs: object) -> EngineResult:
        if "knownTerm" in sparql:  # a store without stored terms: the whole-store query follows
            body: dict[str, object] = {"head": {"vars": ["t"]}, "results": {"bindings": []}}
            return EngineResult(json.dumps(body).encode(), "application/sparql-results+json", "bindings")
        self.runs += 1
        term = {"type": "uri", "value": f"urn:t{self.runs}"}
        body = {"head": {"vars": ["t"]}, "results": {"bindings": [{"t": term}]}}
        return EngineResult(json.dumps(body).encode(), "application/sparql-results+json", "bindings")


def test_known_terms_reload_on_a_new_generation_and_when_old() -> None:
    now = [0.0]
    terms = KnownTerms(max_age=100, clock=lambda: now[0])
    engine = _Engine()
    assert terms.peek(engine) is None  # type: ignore[arg-type]
    assert terms.get(engine) == {"urn:t1"}  # type: ignore[arg-type]
    assert terms.get(engine) == {"urn:t1"} and engine.runs == 1  # type: ignore[arg-type]
    engine.generation = 1  # a write
    assert terms.peek(engine) is None and terms.get(engine) == {"urn:t2"}  # type: ignore[arg-type]
    now[0] = 101
    assert terms.peek(engine) is None and terms.get(engine) == {"urn:t3"}  # type: ignore[arg-type]
