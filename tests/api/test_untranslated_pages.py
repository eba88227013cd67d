"""No English interface text left on a page served in another language (issue 16).

Crawls the ontology, the query guides and workbench, the curation pages (log-in, account, admin,
the editors' forms, the change journal) and the release pages in Arabic, Chinese, French, Russian
and Spanish, and fails when a visible text (a text node, a placeholder, an aria-label) is one of the
interface's English messages while that language's catalogue translates it. Data (labels, titles,
IRIs, query text) is not the interface and may stay as the sources give it. The same check finds
the English text on the English pages, so it cannot pass by finding nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pyoxigraph as ox
import pytest
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient
from release_data import make_build

from api.i18n.catalogs import LOCALE_DIR
from api.main import create_app
from api.settings import Settings
from iscg_graph.build.releases import create_release, releases_dir
from iscg_graph.curation.accounts import LocalAccounts

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "tests" / "fixtures" / "queries" / "mini.trig"
BASE = "https://w3id.org/iscg/"
PW = "correct horse battery"
ITEM = f"{BASE}id/question/itu-t/2017-2020/99-17"
OTHER = ("ar", "zh", "fr", "ru", "es")
SKIPPED = {"script", "style", "code", "pre", "textarea", "datalist", "option"}
PLACEHOLDER = re.compile(r"%\(\w+\)s")
TAG = re.compile(r"<[^>]+>")


class _Visible(HTMLParser):
    """The texts a reader sees: text nodes outside code/scripts, placeholders, aria-labels."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED:
            self._skip += 1
        for name, value in attrs:
            if name in ("placeholder", "aria-label") and value:
                self.texts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.texts.append(data)


def _norm(text: str) -> str:
    return " ".join(text.split()).strip(" .:;,·()—-").lower()


def visible(html: str) -> list[str]:
    parser = _Visible()
    parser.feed(html)
    return [n for n in (_norm(t) for t in parser.texts) if n]


def _segments(message: str) -> list[str]:
    """The pieces of a message a reader sees, without its markup and placeholders."""
    pieces = re.split(r"%\(\w+\)s", TAG.sub("\x00", message.replace("&lt;", "<").replace("&gt;", ">")))
    return [s for p in pieces for s in (_norm(x) for x in p.split("\x00"))
            if sum(c.isalpha() for c in s) >= 4]


def english_messages(lang: str) -> dict[str, str]:
    """Visible English segment -> its message, for every message `lang` translates differently."""
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as fp:
        catalog = read_po(fp, locale=lang)
    out: dict[str, str] = {}
    for m in catalog:
        if not m.id:
            continue
        ids = [m.id] if isinstance(m.id, str) else list(m.id)
        strings = " ".join([m.string] if isinstance(m.string, str) else list(m.string))
        translated = {_norm(s) for s in _segments(strings)} | {_norm(strings)}
        for message in ids:
            for segment in _segments(message):
                if segment not in translated and segment not in _norm(strings):
                    out[segment] = message
    return out


def leftovers(html: str, lang: str) -> list[str]:
    """English messages shown whole on the page, or long pieces of them inside a text."""
    english = english_messages(lang)
    texts = visible(html)
    whole = " | ".join(texts)
    found = {english[t] for t in texts if t in english}
    found |= {message for segment, message in english.items() if len(segment) >= 30 and segment in whole}
    return sorted(found)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, dict[str, str]]]:
    root = tmp_path_factory.mktemp("untranslated")
    link = root / "var" / "store"
    mem = ox.Store()
    mem.load(path=str(FIXTURE), format=ox.RdfFormat.TRIG)
    data = mem.dump(format=ox.RdfFormat.N_QUADS) or b""
    make_build(link, 1, data)
    create_release(link, releases_dir(link), "r1", title="First", on="2025-01-01", base=BASE)
    extra = f'<{ITEM}> <http://www.w3.org/2000/01/rdf-schema#label> "Q99"@en .\n'
    make_build(link, 2, data + extra.encode())
    create_release(link, releases_dir(link), "r2", title="Second", on="2025-06-01", base=BASE)
    accounts = LocalAccounts(root / "accounts.sqlite")
    accounts.add_user("chief", PW, "admin")
    token, _ = accounts.create_token("chief")
    settings = Settings(environment="test", store_path=link, accounts_path=root / "accounts.sqlite",
                        query_workers=1, reload_interval=0, budget_seconds_per_minute=0)
    with TestClient(create_app(settings), base_url="https://testserver") as client:
        body = f'<{ITEM}> <http://www.w3.org/2004/02/skos/core#altLabel> "x"@en .'
        r = client.post("/store", params={"graph": f"{BASE}graph/itu-t", "comment": "an alias"},
                        content=body.encode(), headers={"Authorization": f"Bearer {token}",
                                                        "Content-Type": "text/turtle"})
        assert r.status_code in (200, 201, 204), r.text
        page = client.get("/login")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        form = {"name": "chief", "password": PW, "csrf_token": csrf, "next": "/account"}
        r = client.post("/login", data=form, follow_redirects=False)
        assert r.status_code == 303, r.text
        yield client, {"item": f"{BASE}id/question/itu-t/2017-2020/99-17"}


PAGES = [
    "/login", "/ontology", "/docs/querying", "/docs/examples", "/query", "/account", "/admin/accounts",
    "/curate/mapping", "/curate/import", "/curate/new-period", "/changes", "/changes/1", "/releases",
    "/releases/r2", "/releases/r1", "/reports/new-since?release=r1",
    # report tables whose status and kind columns hold words the queries write (api/i18n/values.py)
    "/reports/theme-coverage", "/reports/sector-overlap-detail?sector_a=ITU-D&sector_b=ITU-T",
]


def _pages(extra: dict[str, str]) -> list[str]:
    return [*PAGES, f"/curate/item?iri={extra['item']}", "/releases/r2/id/question/itu-t/2017-2020/99-17"]


def _with_lang(path: str, lang: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}lang={lang}"


def test_the_check_finds_english_on_english_pages(site: tuple[TestClient, dict[str, str]]) -> None:
    client, extra = site
    for path in _pages(extra):
        r = client.get(_with_lang(path, "en"))
        assert r.status_code == 200, (path, r.status_code, r.text[:300])
        assert len(leftovers(r.text, "fr")) >= 3, path  # the English interface is found as English
        if path == "/releases":  # the admin's release form is on the crawled page too
            assert 'class="release-form"' in r.text
    client.cookies.delete("iscg_lang")


@pytest.mark.parametrize("lang", OTHER)
def test_no_english_interface_text_left(site: tuple[TestClient, dict[str, str]], lang: str) -> None:
    client, extra = site
    problems = {}
    for path in _pages(extra):
        r = client.get(_with_lang(path, lang))
        assert r.status_code == 200, (path, r.status_code)
        assert f'<html lang="{lang}"' in r.text
        left = leftovers(r.text, lang)
        if left:
            problems[path] = left
    client.cookies.delete("iscg_lang")
    assert problems == {}

