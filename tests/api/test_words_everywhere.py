"""Words everywhere: a crawler over every report page, a sample of resource pages of each type and
the candidates page (real data, the real app) fails on any identifier a person should not have to
read: an IRI, a prefixed name (CURIE), a register id (M0005), or a scheme key (resolution-areas:24).

Only visible text counts: scripts, styles, tags and attributes are stripped first; the text of
``<code>``/``<pre>`` (where a page shows the machine form on purpose, e.g. the query behind a
report) is left out too.
"""

from __future__ import annotations

import html
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import Settings

PREFIXES = "iscg|skos|dct|dcterms|rdf|rdfs|owl|prov|sssom|semapv|xsd|foaf|org|eli|void|dcat|sh|schema|iscgsh"
OFFENDERS = {
    "an IRI": re.compile(r"\b(?:https?|urn):[^\s<>\"]+"),
    "a prefixed name": re.compile(rf"(?<![\w/]){{1}}(?:{PREFIXES}):[A-Za-z_][\w-]*"),
    "a register id": re.compile(r"\b[MER]\d{4}\b"),
    "a scheme key": re.compile(
        r"\b(?:isctf-topics|cross-sectoral-groups|resolution-areas|iscg-areas|council-groups)[:/]\d"
    ),
}
# the text of a chart (heatmap axes, bar labels, tooltips) is read by people too: it is checked
_DROP = re.compile(r"<(script|style|code|pre)\b.*?</\1>", re.S | re.I)
_TAG = re.compile(r"<[^>]+>")


def visible_text(page: str) -> str:
    return html.unescape(_TAG.sub(" ", _DROP.sub(" ", page)))


def offences(page: str) -> list[str]:
    text = visible_text(page)
    found = []
    for what, pattern in OFFENDERS.items():
        for m in pattern.finditer(text):
            start = max(m.start() - 40, 0)
            found.append(f"{what}: {m.group(0)!r} in …{text[start : m.end() + 40].strip()!r}")
    return found


def test_the_detector_of_offences_can_fail() -> None:
    assert offences("<p>recorded mapping M0005</p>")
    assert offences("<p>addresses theme resolution-areas:24</p>")
    assert offences("<td>dct:identifier</td>")
    assert offences('<svg><text class="axis">iscg:Sector</text></svg>')  # chart axes are read too
    assert offences("<dd>https://w3id.org/iscg/id/study-group/itu-t/2017-2020/sg5</dd>")
    assert not offences('<a href="https://w3id.org/iscg/id/x" title="dct:identifier">Study Group 5</a>')
    assert not offences("<code>PREFIX skos: &lt;http://www.w3.org/2004/02/skos/core#&gt;</code>")


@pytest.fixture(scope="module")
def client(built_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    # its own copy of the build: a store's lock is never shared with another module's app
    copy = tmp_path_factory.mktemp("words") / "build"
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


def _report_urls(client: TestClient) -> list[str]:
    from iscg_graph.query.catalog import load_catalog
    from iscg_graph.query.reports import report_specs

    urls = ["/reports"]
    for report in report_specs(load_catalog()):
        url = f"/reports/{report.name}"
        urls.append(url)
        required = [p for p in report.query.params if p.required]
        if required:
            page = client.get(url).text
            values = {}
            for p in required:  # the first offered choice of each required parameter
                m = re.search(rf'<select id="f-{p.name}"[^>]*>.*?<option value="([^"]+)"', page, re.S)
                assert m, f"{url}: no choice offered for {p.name}"
                values[p.name] = html.unescape(m.group(1))
            urls.append(f"{url}?{urlencode(values)}")
    return urls


def _candidate_urls(client: TestClient) -> list[str]:
    """The candidates page for every kind and every Sector or list its filter offers, sorted and
    filtered once, plus a check that the filter's choices are words, not codes."""
    urls = []
    for kind in ("question", "resolution", "theme"):
        page = client.get("/reports/candidates", params={"kind": kind}).text
        select = page.split('<select name="sector">')[1].split("</select>")[0]
        options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)
        assert len(options) > 1, f"{kind}: no Sector or list offered"
        for value, words in options:
            if kind == "theme" and value:  # a list by its section and name, not "1.4"
                assert re.fullmatch(r"§[\d.]+ \S.+", words), f"{kind}: list offered as {words!r}"
            urls.append(f"/reports/candidates?{urlencode({'kind': kind, 'sector': value})}")
        urls.append(f"/reports/candidates?{urlencode({'kind': kind, 'sort': 'left_label', 'q': 'ITU'})}")
    return urls


SAMPLE_QUERY = """
PREFIX iscg: <https://w3id.org/iscg/ontology#>
SELECT ?type (SAMPLE(?s) AS ?one) (MAX(STR(?s)) AS ?last) WHERE {
  ?s a ?type . FILTER(STRSTARTS(STR(?type), STR(iscg:)) && STRSTARTS(STR(?s), "https://w3id.org/iscg/id/"))
} GROUP BY ?type
"""


def _resource_urls(built_store: Path) -> list[str]:
    from iscg_graph.rdf.store import EmbeddedStore

    store = EmbeddedStore.open_snapshot(built_store)
    urls = set()
    for row in store.select(SAMPLE_QUERY):
        for var in ("one", "last"):
            urls.add("/" + str(row[var].value).split("https://w3id.org/iscg/", 1)[1])
    return sorted(urls)


def test_no_identifier_is_visible_on_reports_resources_and_candidates(
    client: TestClient, built_store: Path
) -> None:
    urls = _report_urls(client) + _resource_urls(built_store) + _candidate_urls(client) + ["/themes"]
    # the "new since" page with its two tables filled (the bare page is among the reports)
    urls += ["/reports/new-since?since_period=2018-2021", "/reports/new-since?since_period=2022-2024&lang=ar"]
    problems = []
    for url in urls:
        r = client.get(url, headers={"Accept": "text/html"})
        assert r.status_code == 200, f"{url}: {r.status_code}"
        problems += [f"{url}: {o}" for o in offences(r.text)]
    assert not problems, f"{len(problems)} identifiers shown:\n" + "\n".join(problems[:80])
