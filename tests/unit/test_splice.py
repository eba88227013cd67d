"""Parameters written into a query's text for a SPARQL server (`splice`): the text, run without
substitutions, answers what the original answers with them, and the binding sits inside the WHERE
group (a VALUES after the whole query makes Virtuoso 7 answer no rows)."""

from __future__ import annotations

import json

import pytest

from iscg_graph.query.catalog import load_catalog
from iscg_graph.query.engine import InProcessEngine
from iscg_graph.query.splice import splice
from iscg_graph.rdf.store import EmbeddedStore

JSON = "application/sparql-results+json"
SECTOR = "<https://w3id.org/iscg/id/sector/itu-t>"
GROUPED = """SELECT ?sector (COUNT(?q) AS ?n) WHERE {
  ?q a <https://w3id.org/iscg/ontology#Question> ; <https://w3id.org/iscg/ontology#sector> ?sector .
  FILTER(?sector = ?sector)
}
GROUP BY ?sector
ORDER BY ?sector
"""


def rows(engine: InProcessEngine, text: str, subs: dict[str, str] | None = None) -> list[dict[str, object]]:
    body = engine.run(text, media_type=JSON, substitutions=subs).body
    return sorted(json.loads(body)["results"]["bindings"], key=json.dumps)


def test_values_closes_the_where_group_and_conditions_take_the_term() -> None:
    text = splice(GROUPED, {"sector": SECTOR})
    where_end = text.index("\n}\nGROUP BY")
    assert text.index(f"VALUES (?sector) {{ ({SECTOR}) }}") < where_end
    assert f"FILTER({SECTOR} = {SECTOR})" in text
    assert "GROUP BY ?sector" in text and f"ORDER BY ({SECTOR})" in text
    assert text.rstrip().endswith(f"ORDER BY ({SECTOR})")  # nothing after the query


def test_a_grouped_query_answers_as_with_substitutions(real_store: EmbeddedStore) -> None:
    engine = InProcessEngine(real_store)
    want = rows(engine, GROUPED, {"sector": SECTOR})
    assert want and want[0]["sector"]["value"].endswith("/itu-t")  # type: ignore[index]
    assert rows(engine, splice(GROUPED, {"sector": SECTOR})) == want


@pytest.mark.parametrize("name,params", [
    ("list-study-groups", {"sector": "itu-d"}),
    ("list-study-groups", {"sector": "itu-t"}),
])  # (queries without GROUP_CONCAT: the order of its parts may vary between runs)
def test_canned_queries_spliced_answer_as_substituted(real_store: EmbeddedStore, name: str,
                                                      params: dict[str, str]) -> None:
    engine = InProcessEngine(real_store)
    spec = load_catalog()[name]
    subs = spec.bind(params)
    want = rows(engine, spec.text, subs)
    assert want
    assert rows(engine, splice(spec.text, subs)) == want
