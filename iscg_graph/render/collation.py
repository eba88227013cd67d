"""Language-aware ordering of labels: the Unicode Collation Algorithm (pyuca, the DUCET table), so
"Égalité" sorts with the Es and not after "Z", case and accents only break ties, and Arabic,
Chinese and Cyrillic labels sort by their script's own order instead of by code point.

The DUCET root order is the same for every language (no per-language tailoring such as ICU's):
it is what the six official languages share and needs no system ICU library.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from pyuca import Collator


@cache
def _collator() -> Collator:
    return Collator()  # reads the bundled allkeys table once (about half a second)


def collation_key(text: str) -> tuple[Any, ...]:
    """A sort key for a label: UCA order, then the text itself so equal keys stay deterministic."""
    return (tuple(_collator().sort_key(text)), text)
