"""The report pages for policy staff, through the real app (create_app: lifespan, process-pool engine)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from api.main import create_app
from api.settings import Settings
from iscg_graph.build.pipeline import write_store
from iscg_graph.rdf.derived import add_to_store

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "tests" / "fixtures" / "queries" / "mini.trig"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    inner = ox.Store()
    inner.load(path=str(FIXTURE), format=ox.RdfFormat.TRIG)
    add_to_store(inner, "https://w3id.org/iscg/")  # as a build leaves it
    path = tmp_path_factory.mktemp("reports") / "store"
    store = write_store(path, inner.dump(format=ox.RdfFormat.N_QUADS) or b"", "fixture-v7")
    del store  # the app opens it
    settings = Settings(
        store_path=path, environment="test", query_workers=1, budget_seconds_per_minute=0, query_timeout=20
    )
    with TestClient(create_app(settings)) as c:
        yield c


def test_index_lists_reports_in_plain_language(client: TestClient) -> None:
    r = client.get("/reports")
    assert r.status_code == 200
    links = re.findall(r'<a href="/reports/([a-z-]+)"><strong>([^<]+)</strong>', r.text)
    assert len(links) == 13  # the 12 canned-query reports and the discovered-overlaps report
    assert ("candidates", "Overlaps nobody has recorded yet") in links
    assert links[0] == ("sector-overlap-matrix", "Where do the Sectors overlap?")
    assert "SPARQL" not in r.text.split("<main", 1)[1].split("/api/queries")[0]
    assert 'aria-current="page">Reports<' in r.text


def test_matrix_page_has_form_heatmap_table_downloads_and_provenance(client: TestClient) -> None:
    r = client.get("/reports/sector-overlap-matrix")
    assert r.status_code == 200
    page = r.text
    # the study period is offered as labelled choices
    assert '<option value="2018-2021">2018-2021 (ITU-D)</option>' in page
    # heatmap: 16 cells, the 12 off the diagonal linked to the drill-down, the diagonal empty
    assert page.count('<rect class="cell"') == 12 and page.count('<rect class="cell none"') == 4
    assert 'href="/reports/sector-overlap-detail?sector_a=ITU-D&amp;sector_b=ITU-T"' in page
    # table with labels, not IRIs
    assert '<td><a href="/id/sector/itu-t">ITU-T</a></td>' in page
    assert "https://w3id.org/iscg/id/sector" not in page.split("<tbody>")[1].split("</tbody>")[0]
    assert (
        'href="/reports/sector-overlap-matrix.csv"' in page
        and 'href="/reports/sector-overlap-matrix.xlsx"' in page
    )
    computed = page.split('aria-label="Computed from"')[1]
    assert "fixture-v7" in computed and "sector-overlap-matrix" in computed
    assert "Count: Areas (the same area in several lists counted once)" in computed


def test_form_values_flow_into_table_downloads_and_provenance(client: TestClient) -> None:
    r = client.get("/reports/sector-overlap-matrix", params={"study_period": "2022-2024"})
    assert '<option value="2022-2024" selected>' in r.text
    assert "Study period: 2022-2024" in r.text
    assert 'href="/reports/sector-overlap-matrix.csv?study_period=2022-2024"' in r.text
    assert "sector_b=ITU-T&amp;study_period=2022-2024" in r.text


def test_theme_choices_are_labels_and_coverage_has_bars(client: TestClient) -> None:
    r = client.get("/reports/theme-dossier")
    assert '<option value="">The ISCG pilot theme</option>' in r.text  # what "no choice" means here
    assert (
        '<option value="https://w3id.org/iscg/id/theme/resolution-areas/27">§1.4 27. Climate Change</option>'
        in r.text
    )
    assert (
        '<a href="/id/study-group/itu-t/2017-2020/sg5">'
        "ITU-T SG5 (2017-2020): Environment, climate change and circular economy</a>" in r.text
    )
    r = client.get("/reports/theme-coverage")
    assert r.text.count('<g class="bar">') == 3
    assert "Climate Change" in r.text.split('class="chart bars"')[1].split("</figure>")[0]


def test_required_choice_is_asked_for_first(client: TestClient) -> None:
    r = client.get("/reports/study-group-neighbours")
    assert r.status_code == 200
    assert "Choose study group above" in r.text and "<table" not in r.text
    assert '<option value="https://w3id.org/iscg/id/study-group/itu-t/2017-2020/sg5">' in r.text
    r = client.get(
        "/reports/study-group-neighbours",
        params={"study_group": "https://w3id.org/iscg/id/study-group/itu-t/2017-2020/sg5"},
    )
    assert '<a href="/id/study-group/itu-d/2018-2021/sg2">' in r.text


def test_bad_values_are_explained_not_500(client: TestClient) -> None:
    r = client.get("/reports/theme-dossier", params={"theme": '"><script>alert(1)</script>'})
    assert r.status_code == 422
    assert "<strong>theme</strong>" in r.text and "<script>alert" not in r.text
    r = client.get("/reports/theme-coverage", params={"colour": "red"})
    assert r.status_code == 422 and "<strong>colour</strong>" in r.text
    assert client.get("/reports/no-such-report").status_code == 404
    assert client.get("/reports/list-themes").status_code == 404  # a lookup, not a report
    r = client.get("/reports/theme-coverage.csv", params={"scheme": "nope"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "scheme"]


def test_downloads(client: TestClient) -> None:
    r = client.get("/reports/question-duplicate-candidates.csv")
    assert (
        r.status_code == 200
        and 'filename="question-duplicate-candidates.csv"' in r.headers["content-disposition"]
    )
    assert r.headers["x-iscg-data-version"] == "fixture-v7"
    assert r.headers["x-iscg-parameters"] == "min_score=0.2"
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][:4] == [
        "Question",
        "Question (IRI)",
        "Question of the other Sector",
        "Question of the other Sector (IRI)",
    ]
    assert len(rows) == 1 + 2  # the default minimum score is 2
    r = client.get("/reports/question-duplicate-candidates.xlsx", params={"min_score": "0.3"})
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb["Report"]
    assert ws.freeze_panes == "A2" and ws["A1"].font.bold and ws.max_row == 1 + 2
    # links in downloads lead to this service (its public URL, here the test client's)
    assert ws["A2"].hyperlink.target.startswith("http://testserver/id/question/")
    about = {row[0].value: row[1].value for row in wb["About"].iter_rows()}
    assert about["Data version"] == "fixture-v7" and about["Parameters"] == "Minimum score (0 to 1): 0.3"


def test_static_assets_are_served_and_confined(client: TestClient) -> None:
    assert client.get("/static/css/site.css").headers["content-type"].startswith("text/css")
    assert client.get("/static/reports/reports.css").status_code == 200
    assert client.get("/static/../routers/reports.py").status_code == 404
    assert client.get("/static/%2e%2e/main.py").status_code == 404


def test_api_runs_through_the_app_engine(client: TestClient) -> None:
    r = client.get("/api/queries/annex-duplicate-areas")
    assert r.status_code == 200 and len(r.json()["results"]["bindings"]) == 5  # Gender x2, WSIS x3


def test_theme_coverage_counts_areas_or_list_items(client: TestClient) -> None:
    r = client.get("/reports/theme-coverage")
    assert r.status_code == 200
    switch = r.text.split('<select id="f-count" name="count"', 1)[1].split("</select>", 1)[0]
    assert ('<option value="areas" selected>Areas (the same area in several lists counted once)</option>'
            in switch)
    assert '<option value="items">List items (each entry of each list)</option>' in switch
    total = re.search(r'<strong class="total">(\d+)</strong> rows\s*\((\d+) areas of mutual interest\)',
                      r.text)
    assert total and total.group(1) == total.group(2)
    items = client.get("/reports/theme-coverage", params={"count": "items"})
    assert re.search(r"\(\d+ list items\)", items.text)
    fr = client.get("/reports/theme-coverage", params={"lang": "fr"})
    client.cookies.clear()
    assert "domaines d'intérêt commun" in fr.text
