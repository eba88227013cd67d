"""The one content negotiation: q-values, wildcards, suffixes, aliases, format=, bounded work."""

from __future__ import annotations

import pytest

from iscg_graph.render import negotiation
from iscg_graph.render.negotiation import MAX_RANGES, negotiate, parse_accept, shorten

JSON = "application/sparql-results+json"
CSV = "text/csv"
TURTLE = "text/turtle"
JSONLD = "application/ld+json"
OFFERS = (JSON, CSV)


@pytest.mark.parametrize(
    ("accept", "offers", "expected"),
    [
        (None, OFFERS, JSON),  # no preference: the first offer
        ("", OFFERS, JSON),
        ("text/csv", OFFERS, CSV),
        ("text/csv;q=0.5, application/sparql-results+json", OFFERS, JSON),  # q decides
        ("text/csv, application/sparql-results+json", OFFERS, CSV),  # a tie: the client's order
        ("text/*", OFFERS, CSV),  # a type wildcard
        ("*/*", OFFERS, JSON),
        ("text/csv;q=0.1, */*", OFFERS, JSON),  # the more specific range sets the weight of CSV
        ("text/csv;q=0, */*;q=0.5", (CSV, JSON), JSON),  # q=0: not this one, even under */*
        ("application/json", OFFERS, JSON),  # a structured suffix: +json
        ("application/xml", ("application/sparql-results+xml", CSV), "application/sparql-results+xml"),
        ("image/png", OFFERS, None),  # nothing acceptable: 406
        ("text/csv;q=abc", OFFERS, None),  # a malformed weight means 0
        ("TEXT/CSV; charset=utf-8", OFFERS, CSV),  # case and parameters
        ("text/turtle;q=0.9, application/ld+json", (TURTLE, JSONLD), JSONLD),
    ],
)
def test_negotiate(accept: str | None, offers: tuple[str, ...], expected: str | None) -> None:
    assert negotiate(accept, offers) == expected


def test_aliases_and_format_names() -> None:
    aliases = {"text/n3": TURTLE}
    assert negotiate("text/n3", (JSONLD, TURTLE), aliases=aliases) == TURTLE
    # an exact range beats an alias of the same weight
    assert negotiate("text/n3, application/ld+json", (TURTLE, JSONLD), aliases=aliases) == JSONLD
    names = {"csv": CSV, "json": JSON}
    assert negotiate("text/csv", OFFERS, names=names, format_values=["json"]) == JSON  # format= wins
    assert negotiate(None, OFFERS, names=names, format_values=["yaml", "csv"]) == CSV  # the first known
    assert negotiate(None, OFFERS, names=names, format_values=["text/csv; charset=utf-8"]) == CSV
    assert negotiate(None, OFFERS, names=names, format_values=["yaml"]) is None


def test_a_huge_header_costs_bounded_work_and_is_never_kept() -> None:
    negotiation._parse_cached.cache_clear()
    huge = "text/plain;q=0.1, " * 100_000 + "text/csv"  # 1.8 MB, CSV beyond what is read
    ranges = parse_accept(huge)
    assert len(ranges) < MAX_RANGES
    assert negotiate(huge, OFFERS) is None  # only the first ranges count
    assert negotiation._parse_cached.cache_info().currsize == 0  # too long to remember
    parse_accept("text/csv")
    assert negotiation._parse_cached.cache_info().currsize == 1


def test_a_header_cut_in_the_middle_drops_the_cut_range() -> None:
    head = "text/csv;q=0.2, " + "x" * (negotiation.MAX_HEADER - 20) + ", application/sparql-results+json"
    assert [r.media for r in parse_accept(head)] == ["text/csv"]


def test_shorten_keeps_error_messages_small() -> None:
    assert shorten("text/csv") == "text/csv"
    short = shorten("a" * 1_000_000)
    assert len(short) < 200 and "1000000 characters" in short
