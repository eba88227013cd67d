"""A report page in the query's own order asks the store for that page only (LIMIT/OFFSET, and a
COUNT for the total), on the real data: walking the "next" links gives every row of the download, in
the same order; the last page has no "next"; a sort or a filter still sees every row."""

from __future__ import annotations

import csv
import io
import re
import shutil
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import Settings
from iscg_graph.query.paging import ONE_PASS_ROWS

REPORT = "/reports/questions-without-resolution"


class Recording:
    """The app's engine, remembering the texts it was handed."""

    def __init__(self, inner: Any):
        self.inner = inner
        self.texts: list[str] = []

    def run(self, sparql: str, **kwargs: Any) -> Any:
        self.texts.append(sparql)
        return self.inner.run(sparql, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@pytest.fixture(scope="module")
def client(built_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    copy = tmp_path_factory.mktemp("report-store-pages") / "build"
    shutil.copytree(built_store.resolve(), copy)
    settings = Settings(store_path=copy, environment="test", query_workers=1, budget_seconds_per_minute=0,
                        query_timeout=30)
    with TestClient(create_app(settings)) as c:
        c.app.state.engine = Recording(c.app.state.engine)  # type: ignore[attr-defined]
        yield c


def _text(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", html)).strip()


def _cells(page: str) -> tuple[list[str], list[list[str]]]:
    head = page.split("<thead>")[1].split("</thead>")[0]
    titles = [_text(t) for t in re.findall(r"<th[^>]*>(.*?)</th>", head, re.S)]
    body = page.split("<tbody>")[1].split("</tbody>")[0]
    rows = [[_text(td) for td in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
            for tr in re.findall(r"<tr>(.*?)</tr>", body, re.S)]
    return titles, rows


def test_walking_the_pages_gives_the_download_in_order(client: TestClient) -> None:
    engine = client.app.state.engine  # type: ignore[attr-defined]
    engine.texts.clear()
    first = client.get(REPORT, params={"per_page": 25})
    assert first.status_code == 200
    total = int(re.search(r'<strong class="total">(\d+)</strong>', first.text).group(1))  # type: ignore[union-attr]
    assert total > 100
    # this query is read by Sector (its header's `pages_by`, `bucket_pages`): the total is a count
    # (no sort), the page comes from the first Sector's rows (LIMIT 26); never the unbounded text,
    # nor the pass over `paging.ONE_PASS_ROWS` rows that other reports read once
    assert any("COUNT(*) AS ?rows" in t for t in engine.texts)
    assert any(t.rstrip().endswith("LIMIT 26") for t in engine.texts)
    assert not any(t.rstrip().endswith(f"LIMIT {ONE_PASS_ROWS + 1}") for t in engine.texts)
    assert not any(t.rstrip().endswith("?questionLabel") for t in engine.texts)

    titles, rows = _cells(first.text)
    page, url = first.text, ""
    while True:
        nxt = re.search(r'<a rel="next" href="\?([^"]+)"', page)
        if not nxt:
            break
        url = REPORT + "?" + unescape(nxt.group(1))
        page = client.get(url).text
        rows.extend(_cells(page)[1])
    assert len(rows) == total and f"Page {-(-total // 25)} of {-(-total // 25)}" in page
    assert 'rel="next"' not in page and 'rel="prev"' in page

    download = list(csv.reader(io.StringIO(client.get(REPORT + ".csv").content.decode("utf-8-sig"))))
    assert len(download) == 1 + total  # the download is every row, whatever the page
    column = download[0].index(titles[0])
    assert [r[0] for r in rows] == [d[column] for d in download[1:]]


def test_a_page_past_the_end_shows_the_last_one(client: TestClient) -> None:
    page = client.get(REPORT, params={"per_page": 250, "page": 99}).text
    assert 'rel="next"' not in page and 'rel="prev"' in page and "Page 2 of 2" in page


def test_a_sort_or_a_filter_still_sees_every_row(client: TestClient) -> None:
    whole = client.get(REPORT, params={"per_page": 25}).text
    total = re.search(r'<strong class="total">(\d+)</strong>', whole).group(1)  # type: ignore[union-attr]
    sorted_page = client.get(REPORT, params={"per_page": 25, "sort": "questionLabel", "dir": "desc"}).text
    assert f'<strong class="total">{total}</strong>' in sorted_page
    assert f"Rows 1–25 of {total}" in sorted_page
