"""Report tables people can work with, on the real data: sort, filter and page by query parameters
(no script needed), counts on the page, downloads holding the whole selected result, natural order
in the form's choices, and clear 422s for bad view parameters."""

from __future__ import annotations

import csv
import io
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import Settings
from iscg_graph.render.table_view import natural_key

REPORT = "/reports/theme-coverage"


@pytest.fixture(scope="module")
def client(built_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    # its own copy of the build: a store's lock is never shared with another module's app
    copy = tmp_path_factory.mktemp("report-tables") / "build"
    shutil.copytree(built_store.resolve(), copy)
    settings = Settings(
        store_path=copy,
        environment="test",
        query_workers=1,
        budget_seconds_per_minute=0,
        query_timeout=30,
    )
    with TestClient(create_app(settings)) as c:
        yield c


def _first_column(page: str) -> list[str]:
    body = page.split("<tbody>")[1].split("</tbody>")[0]
    rows = re.findall(r"<tr>\s*<td[^>]*>(.*?)</td>", body, re.S)
    return [re.sub(r"<[^>]+>", "", r).strip() for r in rows]


def _csv_rows(r) -> list[list[str]]:  # type: ignore[no-untyped-def]
    return list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))


def test_long_table_is_paged_with_counts(client: TestClient) -> None:
    page = client.get(REPORT).text
    total = int(re.search(r'<strong class="total">(\d+)</strong>', page).group(1))  # type: ignore[union-attr]
    assert total > 90  # every area of the five lists
    assert len(_first_column(page)) == 50 and f"Rows 1–50 of {total}" in page
    last = -(-total // 50)
    assert f"Page 1 of {last}" in page and 'rel="next"' in page
    tail = client.get(REPORT, params={"page": last}).text
    assert len(_first_column(tail)) == total - 50 * (last - 1) and 'rel="prev"' in tail
    # the download holds the whole result, not the page on screen
    assert len(_csv_rows(client.get(REPORT + ".csv"))) == 1 + total


def test_sort_by_a_column_both_ways(client: TestClient) -> None:
    page = client.get(REPORT).text
    first = re.search(r'<a class="sort" href="\?([^"]+)">', page).group(1).replace("&amp;", "&")  # type: ignore[union-attr]
    up = client.get(f"{REPORT}?{first}&per_page=250").text
    names = _first_column(up)
    assert names == sorted(names, key=natural_key) and 'aria-sort="ascending"' in up
    down = client.get(f"{REPORT}?{first}&dir=desc&per_page=250").text
    assert _first_column(down) == list(reversed(names)) or _first_column(down) == sorted(
        names, key=natural_key, reverse=True
    )


def test_filter_keeps_matching_rows_and_downloads_follow(client: TestClient) -> None:
    page = client.get(REPORT, params={"q": "climate"}).text
    body = page.split("<tbody>")[1].split("</tbody>")[0]
    shown = [re.sub(r"<[^>]+>", " ", r) for r in re.findall(r"<tr>(.*?)</tr>", body, re.S)]
    assert shown and all("climate" in s.lower() for s in shown)
    assert "matching “climate”" in page
    rows = _csv_rows(client.get(REPORT + ".csv", params={"q": "climate"}))
    assert len(rows) == 1 + len(shown)
    assert "No row contains" in client.get(REPORT, params={"q": "zzzz-nothing"}).text


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"page": "0"}, "page"),
        ({"page": "x"}, "page"),
        ({"per_page": "7"}, "per_page"),
        ({"dir": "up"}, "dir"),
        ({"sort": "nosuchcolumn"}, "sort"),
        ({"q": "x" * 201}, "q"),
    ],
)
def test_bad_view_parameters_are_named(client: TestClient, params: dict, name: str) -> None:
    r = client.get(REPORT, params=params)
    assert r.status_code == 422 and f"<strong>{name}</strong>" in r.text


def test_bad_sort_in_a_download_is_422_not_500(client: TestClient) -> None:
    r = client.get(REPORT + ".csv", params={"sort": "nosuchcolumn"})
    assert r.status_code == 422 and "sort" in r.text


def test_choices_in_natural_order(client: TestClient) -> None:
    page = client.get("/reports/study-group-neighbours").text
    select = page.split('id="f-study_group"')[1].split("</select>")[0]
    labels = [
        re.sub(r"\s+", " ", o).strip()
        for o in re.findall(r'<option value="[^"]+"[^>]*>(.*?)</option>', select)
    ]
    assert len(labels) > 20 and labels == sorted(labels, key=natural_key)


@pytest.mark.parametrize(
    ("page", "report"),
    [
        ("/id/theme/resolution-areas/27", "/reports/theme-dossier?theme=resolution-areas%2F27"),
        ("/id/scheme/council-groups", "/reports/theme-coverage?scheme=council-groups"),
        (
            "/id/study-group/itu-t/2017-2020/sg5",
            "/reports/study-group-neighbours?study_group=itu-t%2F2017-2020%2Fsg5",
        ),
        ("/id/question/itu-d/2018-2021/6-2", "/reports/question-duplicate-candidates?sector_a=ITU-D"),
    ],
)
def test_resource_pages_link_to_their_reports_and_back(client: TestClient, page: str, report: str) -> None:
    html = client.get(page, headers={"Accept": "text/html"}).text
    assert f'href="{report.replace("&", "&amp;")}"' in html
    target = client.get(report)
    assert target.status_code == 200
    if "theme-dossier" in report:  # the choice given by its short path shows as the selected option
        assert '<option value="https://w3id.org/iscg/id/theme/resolution-areas/27" selected>' in target.text
    # the report names the item the resource page is about and links back to it (sorted, first page)
    if "theme-dossier" in report or "study-group" in report:
        assert f'href="{page}"' in target.text
