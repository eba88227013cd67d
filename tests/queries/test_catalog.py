"""queries/*.rq -> QuerySpec: every file loads, headers are complete, broken files fail loudly."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from iscg_graph.errors import QueryError, UnknownQuery
from iscg_graph.query.catalog import DEFAULT_QUERIES_DIR, PARAM_TYPES, load_catalog, parse_query_file

CANNED = sorted(DEFAULT_QUERIES_DIR.glob("*.rq"))
CHECKS = sorted((DEFAULT_QUERIES_DIR / "checks").glob("*-violation.rq"))

# The eight canned queries (two for no. 8, plus the overlap drill-down and the coordination
# gaps view of no. 3) and the lookups the report forms use.
EXPECTED = {
    "sector-overlap-matrix",
    "sector-overlap-detail",
    "question-duplicate-candidates",
    "theme-coverage",
    "theme-coordination-gaps",
    "resolution-overlap",
    "annex-duplicate-areas",
    "theme-dossier",
    "study-group-neighbours",
    "questions-without-resolution",
    "resolutions-without-coordination",
    "list-themes",
    "list-study-groups",
    "list-study-periods",
    "list-schemes",
    "new-since",
}


def test_the_folder_holds_the_expected_queries() -> None:
    assert len(CANNED) == 16
    assert {p.stem for p in CANNED} == EXPECTED
    assert len(CHECKS) == 5


def test_catalog_loads_every_file(catalog) -> None:  # type: ignore[no-untyped-def]
    assert sorted(catalog) == sorted(EXPECTED)
    with pytest.raises(UnknownQuery):
        catalog["no-such-query"]


@pytest.mark.parametrize("path", CANNED + CHECKS, ids=lambda p: p.name)
def test_each_file_has_metadata_and_own_prefixes(path: Path) -> None:
    spec = parse_query_file(path)
    assert spec.summary
    assert spec.tags
    declared = set(re.findall(r"^PREFIX\s+(\w*):", spec.text, flags=re.M))
    body = "\n".join(line for line in spec.text.splitlines() if not line.lstrip().startswith(("#", "PREFIX")))
    body = re.sub(r'<[^<>\s]*>|"[^"]*"', " ", body)  # IRIs and strings may contain colons
    used = set(re.findall(r"(?<![\w?$])([A-Za-z][\w-]*):(?=[A-Za-z])", body))
    assert used <= declared, f"{path.name} uses undeclared prefixes {used - declared}"
    text = spec.text
    for p in spec.params:
        assert p.type in PARAM_TYPES
        assert p.description, f"{path.name}: parameter {p.name} needs a description"
        # BOUND() on a substituted variable is folded to false by Oxigraph's optimiser
        assert f"BOUND(?{p.name})" not in text


@pytest.mark.parametrize("path", CANNED, ids=lambda p: p.name)
def test_reports_have_plain_language_titles(path: Path) -> None:
    spec = parse_query_file(path)
    if spec.name.startswith("list-"):
        assert not spec.report
        return
    assert spec.report, f"{path.name} should be offered as a report"
    assert spec.report["title"] and spec.report["question"].endswith("?")
    for p in spec.params:
        if p.type in ("theme", "study_group", "study_period", "scheme"):
            assert p.choices_query, f"{path.name}: {p.name} must be offered as choices, not typed in"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "q.rq"
    path.write_text(text, "utf-8")
    return path


def test_missing_summary_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(QueryError, match="summary"):
        parse_query_file(_write(tmp_path, "#+ tags: [x]\nSELECT * WHERE { ?s ?p ?o }\n"))


def test_broken_sparql_is_an_error_naming_the_file(tmp_path: Path) -> None:
    with pytest.raises(QueryError, match="q.rq: not valid SPARQL"):
        parse_query_file(_write(tmp_path, "#+ summary: x\nSELECT * WHERE { ?s ?p \n"))


def test_unknown_param_type_is_an_error(tmp_path: Path) -> None:
    text = "#+ summary: x\n#+ params:\n#+   - {name: a, type: colour}\nSELECT ?a WHERE { ?s ?p ?a }\n"
    with pytest.raises(QueryError, match="unknown type 'colour'"):
        parse_query_file(_write(tmp_path, text))


def test_param_not_projected_is_an_error(tmp_path: Path) -> None:
    # Oxigraph only substitutes variables of the top-level projection: catch it at load time
    text = "#+ summary: x\n#+ params:\n#+   - {name: a, type: string}\nSELECT ?s WHERE { ?s ?p ?a }\n"
    with pytest.raises(QueryError, match="SELECT"):
        parse_query_file(_write(tmp_path, text))


def test_load_catalog_of_a_folder(tmp_path: Path) -> None:
    _write(tmp_path, "#+ summary: x\nSELECT * WHERE { ?s ?p ?o }\n")
    catalog = load_catalog(tmp_path)
    assert list(catalog) == ["q"]
    assert catalog["q"].to_json()["parameters"] == []
    with pytest.raises(QueryError):
        load_catalog(tmp_path / "missing")
