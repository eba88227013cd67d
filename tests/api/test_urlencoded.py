"""`api.urlencoded.parse_pairs` gives exactly what `urllib.parse.parse_qsl` gives."""

from __future__ import annotations

import random
from urllib.parse import parse_qsl, quote

import pytest

from api.urlencoded import parse_pairs


def reference(text: str) -> list[tuple[str, str]] | type[UnicodeDecodeError]:
    try:
        return parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        return UnicodeDecodeError


def ours(text: str) -> list[tuple[str, str]] | type[UnicodeDecodeError]:
    try:
        return parse_pairs(text)
    except UnicodeDecodeError:
        return UnicodeDecodeError


@pytest.mark.parametrize("text", [
    "", "&", "&&a=1&&", "a", "a=", "=b", "a=b=c", "query=SELECT+%3Fs+%7B%7D&format=csv",
    "q=%e2%82%ac", "q=%E2%82%AC+%25", "q=%zz", "q=%4", "q=%", "q=a\\x41", "q=\\%41", "q=é%41",
    "q=%ff", "q=%c3", "q=%C3%A9&q=2", "a;b=c", "q=%0A%0d%09", "q=\\\\%5C",
])
def test_examples(text: str) -> None:
    assert ours(text) == reference(text)


def test_random_texts_decode_as_parse_qsl_does() -> None:
    rng = random.Random(7)
    pieces = ["%", "%4", "%41", "%e2", "%82", "%ac", "%ZZ", "%c3%a9", "+", "=", "&", "\\", "\\x41",
              "a", "Z", "?", "{", " ", "é", ";", "%5C", "%25", "%00"]
    for _ in range(5000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        assert ours(text) == reference(text), text


def test_a_real_query_round_trips() -> None:
    query = 'PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\nSELECT ?l { ?s rdfs:label "ITU – T €"@en }'
    text = f"query={quote(query, safe='')}&format=csv&default-graph-uri="
    assert parse_pairs(text) == [("query", query), ("format", "csv"), ("default-graph-uri", "")]
