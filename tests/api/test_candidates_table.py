"""The candidates page as a table people can work with, on the real data: sorted, filtered and paged
on the server (plain links and a GET form), with counts; Annex lists offered by name; downloads
holding the whole selection; and "every row" (``per_page=all``) for printing, here and on reports."""

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

PAGE = "/reports/candidates"
LIST_14 = "§1.4 Areas from the mapping of PP/RA/WRC/WTSA/WTDC Resolutions"


@pytest.fixture(scope="module")
def client(built_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    # its own copy of the build: a store's lock is never shared with another module's app
    copy = tmp_path_factory.mktemp("candidates-table") / "build"
    shutil.copytree(built_store.resolve(), copy)
    settings = Settings(
        store_path=copy, environment="test", query_workers=1, budget_seconds_per_minute=0, query_timeout=30
    )
    with TestClient(create_app(settings)) as c:
        yield c


def _cells(page: str, column: int) -> list[str]:
    body = page.split("<tbody>")[1].split("</tbody>")[0]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    out = []
    for row in rows:
        tds = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        if len(tds) > column:
            first_line = re.sub(r"<br>.*", "", re.sub(r"<(?!br)[^>]+>", "", tds[column]))
            out.append(re.sub(r"\s+", " ", first_line).strip())
    return out


def _flags(page: str) -> list[str]:
    """The flags under each row's score (carry over?, active now, never at the same time)."""
    body = page.split("<tbody>")[1].split("</tbody>")[0]
    out = []
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        score_cell = row.split("</td>")[0 if "checkbox" not in row else 1]
        out.append(" ".join(re.findall(r'<span class="flag">([^<]*)</span>', score_cell)))
    return out


def _total(page: str) -> int:
    return int(re.search(r'<strong class="total">(\d+)</strong>', page).group(1))  # type: ignore[union-attr]


def test_paged_with_counts_and_the_download_holds_every_pair(client: TestClient) -> None:
    page = client.get(PAGE, params={"kind": "question"}).text
    total = _total(page)
    assert total > 100  # the real data has many more pairs than a page
    scores = [float(s.split()[0]) for s in _cells(page, 0)]
    # one row per lineage pair: pairs active now first (if they score 0.2 or more), then by score
    now = [s for s, flags in zip(scores, _flags(page), strict=True) if "active now" in flags and s >= 0.2]
    assert len(scores) == 50 and scores[: len(now)] == now
    assert scores[len(now) :] == sorted(scores[len(now) :], reverse=True)
    assert f"Pairs 1–50 of {total}" in page and f"Page 1 of {-(-total // 50)}" in page
    second = client.get(PAGE, params={"kind": "question", "page": 2}).text
    assert float(_cells(second, 0)[0].split()[0]) <= scores[-1] and 'rel="prev"' in second
    link = re.search(r'href="(/api/candidates\?[^"]*format=csv)"', page).group(1).replace("&amp;", "&")  # type: ignore[union-attr]
    rows = list(csv.DictReader(io.StringIO(client.get(link).content.decode("utf-8-sig"))))
    # the download holds the rows the page counts (one per lineage pair), and through them every pair
    pairs = client.get("/api/candidates", params={"kind": "question", "limit": 1}).json()["total"]
    assert len(rows) == total and pairs > total
    assert sum(int(r["Pairs in the lineage"]) for r in rows) == pairs


def test_sort_by_a_side_both_ways(client: TestClient) -> None:
    up = client.get(PAGE, params={"kind": "question", "sort": "left_label", "per_page": 250}).text
    names = _cells(up, 1)
    assert len(names) == 250 and names == sorted(names, key=natural_key) and 'aria-sort="ascending"' in up
    params = {"kind": "question", "sort": "left_label", "dir": "desc", "per_page": 250}
    down = client.get(PAGE, params=params).text
    last = _cells(down, 1)
    assert last == sorted(last, key=natural_key, reverse=True) and last[0] != names[0]
    # the header's own link turns the order round
    assert 'sort=left_label&amp;dir=desc' in up


def test_filter_keeps_pairs_containing_every_word(client: TestClient) -> None:
    everything = _total(client.get(PAGE, params={"kind": "question"}).text)
    page = client.get(PAGE, params={"kind": "question", "q": "security", "per_page": "all"}).text
    matching = int(re.search(r'<strong class="matching">(\d+)</strong>', page).group(1))  # type: ignore[union-attr]
    assert 0 < matching < everything and "matching “security”" in page
    body = page.split("<tbody>")[1].split("</tbody>")[0]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    assert len(rows) == matching and all("secur" in re.sub(r"<[^>]+>", " ", r).lower() for r in rows)
    assert "No pair contains" in client.get(PAGE, params={"kind": "question", "q": "zzzz-nothing"}).text


def test_lists_are_offered_by_name_not_number(client: TestClient) -> None:
    page = client.get(PAGE, params={"kind": "theme"}).text
    select = page.split('<select name="sector">')[1].split("</select>")[0]
    options = dict(re.findall(r'<option value="([^"]+)"[^>]*>([^<]+)</option>', select))
    assert options, "no list offered"
    assert options.get("1.4") == LIST_14
    assert all(re.match(r"§[\d.]+ \w", words) for words in options.values()), options
    chosen = client.get(PAGE, params={"kind": "theme", "sector": "1.4"}).text
    assert f'<option value="1.4" selected>{LIST_14}</option>' in chosen
    sectors = client.get(PAGE, params={"kind": "question"}).text.split('<select name="sector">')[1]
    assert ">ITU-D</option>" in sectors.split("</select>")[0]


@pytest.mark.parametrize(
    ("params", "name"),
    [({"sort": "nosuchcolumn"}, "sort"), ({"per_page": "7"}, "per_page"), ({"page": "0"}, "page")],
)
def test_bad_view_parameters_are_422_naming_them(client: TestClient, params: dict, name: str) -> None:
    r = client.get(PAGE, params=params)
    assert r.status_code == 422 and name in r.text


@pytest.mark.parametrize("url", [PAGE + "?kind=question", "/reports/theme-coverage"])
def test_every_row_on_one_page_for_printing(client: TestClient, url: str) -> None:
    page = client.get(url).text
    link = re.search(r'<a class="print-all" href="\?([^"]+)"', page).group(1).replace("&amp;", "&")  # type: ignore[union-attr]
    assert "per_page=all" in link
    whole = client.get(url.split("?")[0] + "?" + link).text
    total = _total(whole)
    assert 'class="pager"' not in whole  # one page: nothing left to print
    body = whole.split("<tbody>")[1].split("</tbody>")[0]
    assert len(re.findall(r"<tr>", body)) == total
