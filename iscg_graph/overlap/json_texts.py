"""The index's JSON texts: its one encoder (`ENCODER`: sorted keys, no spaces, non-ASCII kept), any
value's text (`dumps`), the layout of many texts in a column (`blob`), and the texts of the evidence
values for many values at once, as the encoder writes them one value at a time.

At 1M the evidence of ~500k candidates was a document of dicts, each value rounded by Python's
``round`` and each candidate encoded on its own. The values repeat: a score rounded to 4 decimals
has at most 10,001 texts in 0-1, an IRI or a term is quoted once per run. So the rounding is done
on arrays (`round4`, the same floats as ``round(v, 4)``) and each text is looked up, not encoded.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence

import numpy as np

__all__ = ["ENCODER", "FLOAT_TEXTS", "blob", "dumps", "quoted", "round4"]

_SCALE = 10_000.0
FLOAT_TEXTS = [repr(y / _SCALE) for y in range(10_001)]
"""The text of every 4-decimal value in 0-1 by its integer ``y`` (the float ``y / 10000``)."""

ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))
"""The index's encoder, made once (``json.dumps`` with options builds a new one per call)."""


def _fast_encoder() -> Callable[[object], str] | None:
    """`ENCODER`'s C encoder made once (``encode`` makes it anew for every value: a third of the
    time of the ~500k small evidence texts at 1M), or None where this Python's `json` has none or
    another signature; it is used only if it gives `ENCODER`'s text on a sample. No
    circular-reference check: the values are trees built here."""
    try:
        from json.encoder import (  # type: ignore[attr-defined]  # C accelerator, not in the stubs
            c_make_encoder,
            encode_basestring,
        )

        if c_make_encoder is None:
            return None
        enc = ENCODER
        make = c_make_encoder(
            None, enc.default, encode_basestring, None, enc.key_separator, enc.item_separator,
            enc.sort_keys, enc.skipkeys, enc.allow_nan,
        )
    except (ImportError, TypeError):
        return None

    def encode(obj: object) -> str:
        return "".join(make(obj, 0))

    sample = {"b": [["t\u00e9rm \"q\"\n", 0.1234]], "a": {"y": 1.0, "x": None}, "c": [True, 3, "\u0645"]}
    try:
        return encode if encode(sample) == ENCODER.encode(sample) else None
    except (TypeError, ValueError):
        return None


_ENCODE = _fast_encoder() or ENCODER.encode


def quoted(text: str) -> str:
    """A string as the index's encoder writes it (quotes, escapes; non-ASCII as is)."""
    return ENCODER.encode(text)


def round4(values: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """``round(v, 4)`` of every value, as floats and as JSON texts, the same bits as Python's.

    Python rounds the exact binary value to 4 decimals (half to even) and returns the float nearest
    that decimal; ``y / 10000`` with ``y`` that decimal's integer is the same float (division is
    correctly rounded). ``rint(v * 10000)`` is that integer unless ``v * 10000`` (rounded) lies
    within its rounding error of a half: those values, and any outside 0-1 or not finite (none are
    expected: scores, components and term weights are 0-1), are rounded by Python itself."""
    v = np.asarray(values, dtype=np.float64)
    t = v * _SCALE
    y = np.rint(t)
    with np.errstate(invalid="ignore"):
        clear = np.abs(np.abs(t - np.floor(t)) - 0.5) > 1e-6
        plain = np.isfinite(v) & (v >= 0.0) & (v <= 1.0) & ~np.signbit(v) & clear
    out = np.where(plain, y / _SCALE, 0.0)
    ints = np.where(plain, y, 0).astype(np.int64).tolist()
    texts = [FLOAT_TEXTS[i] for i in ints]
    for i in np.flatnonzero(~plain).tolist():
        r = round(float(v[i]), 4)
        out[i] = r
        texts[i] = ENCODER.encode(r)
    return out, texts


def blob(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """A column of texts: the byte offset of each text's start (and the end) and their UTF-8 bytes
    one after the other; one encode of the joined text (whose character offsets are its byte
    offsets when it is ASCII)."""
    joined = "".join(texts)
    raw = joined.encode("utf-8")
    off = np.zeros(len(texts) + 1, dtype=np.int64)
    if texts:
        lengths: Iterable[int] = (
            map(len, texts) if len(raw) == len(joined) else (len(t.encode("utf-8")) for t in texts)
        )
        off[1:] = np.cumsum(np.fromiter(lengths, dtype=np.int64, count=len(texts)))
    return off, np.frombuffer(raw, dtype=np.uint8)


def dumps(obj: object) -> str:
    """Any value's text as the index's encoder writes it (items' summaries, evidence values that are
    not looked up: records)."""
    return _ENCODE(obj)
