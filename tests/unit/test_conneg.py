"""Content negotiation rules: Accept with q-values and aliases, suffixes, Accept-Language, validators."""

from __future__ import annotations

import pytest

from iscg_graph.render.conneg import (
    HTML,
    JSON_LD,
    N_TRIPLES,
    RDF_XML,
    TURTLE,
    NotAcceptable,
    choose_format,
    etag_for,
    not_modified,
    preferred_languages,
    split_suffix,
)

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


@pytest.mark.parametrize(
    "accept, expected",
    [
        (None, HTML),
        ("", HTML),
        ("*/*", HTML),
        (BROWSER, HTML),
        ("text/turtle", TURTLE),
        ("application/ld+json", JSON_LD),
        ("application/json", JSON_LD),
        ("application/n-triples", N_TRIPLES),
        ("text/plain", N_TRIPLES),
        ("application/rdf+xml", RDF_XML),
        ("text/turtle;q=0.5, application/rdf+xml;q=0.6", RDF_XML),
        ("text/*", HTML),
        ("text/html;q=0, */*", TURTLE),
        ("TEXT/TURTLE", TURTLE),
        ("text/turtle;q=abc, application/n-triples;q=0.1", N_TRIPLES),
    ],
)
def test_choose_format(accept: str | None, expected: object) -> None:
    assert choose_format(accept) is expected


@pytest.mark.parametrize(
    "accept", ["image/png", "text/html;q=0, text/turtle;q=0, application/*;q=0, */*;q=0"]
)
def test_not_acceptable(accept: str) -> None:
    with pytest.raises(NotAcceptable, match="available: text/html"):
        choose_format(accept)


@pytest.mark.parametrize(
    "path, expected",
    [
        ("id/question/itu-t/2017-2020/4-17.ttl", ("id/question/itu-t/2017-2020/4-17", "ttl")),
        ("id/x.JSONLD", ("id/x", "jsonld")),
        ("id/theme/iscg-areas/1.1", ("id/theme/iscg-areas/1.1", None)),
        ("id/theme/iscg-areas/1.1.nt", ("id/theme/iscg-areas/1.1", "nt")),
        ("id/document/c19-38-rev-1", ("id/document/c19-38-rev-1", None)),
        (".ttl", (".ttl", None)),
        ("id/a.ttl/b", ("id/a.ttl/b", None)),
    ],
)
def test_split_suffix(path: str, expected: tuple[str, str | None]) -> None:
    assert split_suffix(path) == expected


def test_preferred_languages() -> None:
    assert preferred_languages("fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5") == ["fr-ch", "fr", "en", "de"]
    assert preferred_languages("es;q=0.2, fr") == ["fr", "es", "en"]
    assert preferred_languages(None) == ["en"]
    assert preferred_languages("de;q=0") == ["en"]


def test_validators() -> None:
    tag = etag_for(b"body")
    assert tag == etag_for(b"body") != etag_for(b"other")
    assert not_modified(tag, None, tag, None)
    assert not_modified(tag, None, f'"x", W/{tag}', None)
    assert not_modified(tag, None, "*", None)
    assert not not_modified(tag, None, '"x"', None)
    when = 1_790_000_000.0
    assert not_modified(tag, when, None, "Tue, 24 Nov 2026 20:00:00 GMT")
    assert not not_modified(tag, when, None, "Mon, 01 Jan 2024 00:00:00 GMT")
    assert not not_modified(tag, when, None, "garbage")
    # If-None-Match wins over If-Modified-Since
    assert not not_modified(tag, when, '"x"', "Tue, 24 Nov 2026 20:00:00 GMT")
