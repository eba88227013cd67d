"""Every interface catalogue is complete, compiles, and keeps the placeholders of its messages."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from api.i18n import DEFAULT, LANGUAGES
from api.i18n.catalogs import LOCALE_DIR

REPO = Path(__file__).resolve().parents[2]
TRANSLATED = [lang for lang in LANGUAGES if lang != DEFAULT]
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _catalog(lang: str):  # type: ignore[no-untyped-def]
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as fp:
        return read_po(fp, locale=lang)


@pytest.fixture(scope="module")
def template_ids(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """The msgids extracted afresh from templates, api code and query headers (as `make i18n` does)."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run([str(Path(sys.executable).parent / "pybabel"), "extract", "--no-location",
                    "-F", "babel.cfg", "-o", str(pot), "."], cwd=REPO, check=True, capture_output=True)
    with pot.open("rb") as fp:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fp) if m.id}


@pytest.mark.parametrize("lang", TRANSLATED)
def test_catalogue_is_complete_and_compiles(lang: str, template_ids: set[str]) -> None:
    catalog = _catalog(lang)
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
    assert not template_ids - ids, f"{lang}: messages not in the catalogue (run make i18n)"
    untranslated = [m.id for m in catalog if m.id and (not m.string or not all(m.string if isinstance(
        m.string, tuple) else [m.string]))]
    assert untranslated == [], f"{lang}: untranslated messages"
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert fuzzy == [], f"{lang}: fuzzy (unchecked) messages"
    assert catalog.num_plurals >= 1 and catalog.plural_expr
    for message in catalog:
        if not message.id:
            continue
        ids_ = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        wanted = set(PLACEHOLDER.findall(ids_[-1]))
        # every placeholder a translation uses exists; the general ("other") form uses them all (a
        # singular or dual form may spell the number out: Arabic "زوجين")
        for s in strings:
            assert set(PLACEHOLDER.findall(s)) <= wanted, f"{lang}: unknown placeholder in {message.id!r}"
        assert set(PLACEHOLDER.findall(strings[-1])) == wanted, f"{lang}: placeholders lost in {message.id!r}"
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    assert buffer.getvalue()


def test_plural_forms_are_the_languages_own() -> None:
    assert _catalog("ru").num_plurals == 3
    assert _catalog("ar").num_plurals == 6
    assert _catalog("zh").num_plurals == 1
    assert _catalog("fr").num_plurals >= 2 and _catalog("es").num_plurals >= 2


def test_the_example_queries_titles_are_catalogue_messages() -> None:
    """/docs/examples shows the titles written in the library: each is marked for translation."""
    from api.i18n.messages import LIBRARY_MESSAGES
    from iscg_graph.query.paths import path_examples

    titles = {e.title for e in path_examples("https://w3id.org/iscg/")}
    assert titles and titles <= set(LIBRARY_MESSAGES)
