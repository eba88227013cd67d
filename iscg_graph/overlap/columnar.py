"""The candidate index on disk: a small JSON header plus one memory-mapped binary file of arrays.

Loading reads the header (a few hundred bytes) and maps the data file: nothing is parsed until a
request needs it, so start-up costs milliseconds whatever the number of candidates. Layout:

``candidates.json`` (written last, atomically: its mtime is the index's version)::

    {"format": 3, "data_version": …, "weights": {…}, "data": "candidates-<sha>.bin",
     "codes": {kind: [partition codes]}, "arrays": {name: [dtype, offset, [shape…]]}}

``candidates-<sha>.bin`` (content-addressed, so a reader holding the previous file keeps a
consistent view while a new one is written) holds, 8-byte aligned:

* ``iri.off`` / ``iri.blob``: the items' IRIs, sorted (an item is its row number; IRI -> row by bisection);
* ``item.off`` / ``item.blob``: each item's summary as UTF-8 JSON (label, Sector, group_label …);
* ``item.code``: each item's partition code as an index into ``codes_all`` (-1: none);
* ``item.start`` / ``item.end``: the years of each item's study period (int32, -1: none);
* per kind: ``<kind>.left`` / ``.right`` (int32 item rows), ``.score`` (float64, the rounded
  score), ``.recorded`` (bool), ``.covered`` (bool: not recorded itself, but its lineage pair is
  recorded in another study period, a carry-over), ``.group`` (int32: the lineage pair, numbered
  in order of its best-scored member), ``.ev.off`` / ``.ev.blob`` (the evidence of each candidate
  as JSON), rows sorted by (-score, left IRI, right IRI) as the JSON list was.

``candidates.overlay.jsonl`` holds review decisions taken since the last precompute (see
`CandidateIndex.record`), one JSON object a line, each appended and synced before the decision is
answered (a decision costs one line, however many came before it); a precompute folds them in and
removes it. A last line cut short by a crash during its append (no newline, or not JSON) is the
one decision that was not answered: readers skip it and the next append starts a new line after
it. ``candidates.overlay.json`` (a JSON list, rewritten whole on each decision by earlier code) is
still read, before the journal's lines.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import StoreError
from ..rdf.atomic_files import atomic_write, fsync_dir
from .json_texts import blob, dumps

__all__ = ["HEADER_FILE", "KIND_ARRAYS", "LEGACY_OVERLAY_FILE", "OVERLAY_FILE", "FORMAT", "Columns",
           "append_overlay", "columns_from_arrays", "columns_from_doc", "read", "read_overlay", "write"]

HEADER_FILE = "candidates.json"
OVERLAY_FILE = "candidates.overlay.jsonl"
LEGACY_OVERLAY_FILE = "candidates.overlay.json"
FORMAT = 3
_EVIDENCE_KEYS = ("components", "period_factor", "terms", "shared_themes", "shared_resolutions",
                  "shared_items", "shared_bodies", "recorded", "lineage", "mapped_by", "covered_by")


class Columns:
    """The arrays of one index, in memory or mapped from disk, with the header's metadata."""

    def __init__(self, header: dict[str, Any], arrays: dict[str, np.ndarray]):
        self.header = header
        self.arrays = arrays

    def __getitem__(self, name: str) -> np.ndarray:
        return self.arrays[name]

    @property
    def data_version(self) -> str:
        return str(self.header.get("data_version", ""))


_EVIDENCE_SET = frozenset(_EVIDENCE_KEYS)
_PAIR_KEYS = ("left", "right", "score")


def _evidence(cand: dict[str, Any]) -> dict[str, Any]:
    """The candidate's evidence keys (the encoder sorts them): a copy without the pair's own keys,
    which is all of it when the candidate has no other key (as `scoring.build_candidates` makes it)."""
    ev = dict(cand)
    for k in _PAIR_KEYS:
        ev.pop(k, None)
    if ev.keys() <= _EVIDENCE_SET:
        return ev
    return {k: cand[k] for k in _EVIDENCE_KEYS if k in cand}


def _code(item: dict[str, str]) -> str:
    return (item.get("sector_code") or item.get("scheme_code") or "").lower()


def columns_from_doc(doc: dict[str, Any]) -> Columns:
    """The columnar form of `scoring.build_candidates`' document (same pairs, same values)."""
    kinds: dict[str, list[dict[str, Any]]] = doc["kinds"]
    row = {iri: i for i, iri in enumerate(sorted(doc["items"]))}
    per_kind: dict[str, dict[str, np.ndarray]] = {}
    for kind, cands in kinds.items():
        arrays: dict[str, np.ndarray] = {}
        arrays["left"] = np.fromiter((row[c["left"]] for c in cands), dtype=np.int32, count=len(cands))
        arrays["right"] = np.fromiter((row[c["right"]] for c in cands), dtype=np.int32, count=len(cands))
        arrays["score"] = np.fromiter((c["score"] for c in cands), dtype=np.float64, count=len(cands))
        arrays["recorded"] = np.array([bool(c.get("recorded")) for c in cands], dtype=np.bool_)
        arrays["covered"] = np.array([bool(c.get("covered_by")) for c in cands], dtype=np.bool_)
        groups: dict[tuple[str, ...], int] = {}
        keys = [tuple(c.get("lineage") or (c["left"], c["right"])) for c in cands]
        arrays["group"] = np.array([groups.setdefault(k, len(groups)) for k in keys], dtype=np.int32)
        arrays["ev.off"], arrays["ev.blob"] = blob([dumps(_evidence(c)) for c in cands])
        per_kind[kind] = arrays
    return columns_from_arrays(doc["items"], per_kind, data_version=doc.get("data_version", ""),
                               weights=doc.get("weights", {}))


KIND_ARRAYS = {"left": np.int32, "right": np.int32, "score": np.float64, "recorded": np.bool_,
               "covered": np.bool_, "group": np.int32, "ev.off": np.int64, "ev.blob": np.uint8}
"""Each kind's arrays and their types (``left`` / ``right``: rows of the sorted items)."""


def columns_from_arrays(
    items: dict[str, dict[str, str]],
    kinds: dict[str, dict[str, np.ndarray]],
    *,
    data_version: str,
    weights: dict[str, Any],
) -> Columns:
    """The index of the items named (IRI -> summary) and each kind's arrays (`KIND_ARRAYS`), with
    the item columns and the header: what `columns_from_doc` makes of a document, and what the
    precompute makes of its arrays without one (`iscg_graph.overlap.kind_columns`)."""
    iris = sorted(items)
    summaries = []
    for iri in iris:
        it = dict(items[iri])
        group = items.get(it.get("group", ""))
        if group:
            it["group_label"] = group.get("notation") or group["label"]
        summaries.append(it)
    codes_all = sorted({_code(it) for it in summaries} - {""})
    code_row = {c: i for i, c in enumerate(codes_all)}
    arrays: dict[str, np.ndarray] = {}
    arrays["iri.off"], arrays["iri.blob"] = blob(iris)
    arrays["item.off"], arrays["item.blob"] = blob([dumps(it) for it in summaries])
    arrays["item.code"] = np.array([code_row.get(_code(it), -1) for it in summaries], dtype=np.int32)
    for key in ("start", "end"):  # the study period's years (-1: none), for "active at the same time"
        arrays[f"item.{key}"] = np.array([int(it.get(key, -1)) for it in summaries], dtype=np.int32)
    codes: dict[str, list[str]] = {}
    item_code = arrays["item.code"]
    for kind, columns in kinds.items():
        for name, dtype in KIND_ARRAYS.items():
            arrays[f"{kind}.{name}"] = np.asarray(columns[name], dtype=dtype)
        left, right = arrays[f"{kind}.left"], arrays[f"{kind}.right"]
        # the codes of the items on either side ("" is -1); codes_all is sorted, so these are too
        used = np.unique(np.concatenate([item_code[left], item_code[right]]))
        codes[kind] = [codes_all[i] for i in used.tolist() if i >= 0]
    header = {
        "format": FORMAT,
        "data_version": data_version,
        "weights": weights,
        "codes": codes,
        "codes_all": codes_all,
        "kinds": sorted(kinds),
    }
    return Columns(header, arrays)


def write(columns: Columns, store_dir: Path) -> Path:
    """Write the data file, then the header (atomically); remove the overlay and older data files."""
    store_dir = Path(store_dir)
    table: dict[str, list[Any]] = {}
    parts: list[bytes] = []
    offset = 0
    for name in sorted(columns.arrays):
        arr = np.ascontiguousarray(columns.arrays[name])
        raw = arr.tobytes()
        table[name] = [arr.dtype.str, offset, list(arr.shape)]
        pad = (-len(raw)) % 8
        parts.append(raw + b"\0" * pad)
        offset += len(raw) + pad
    body = b"".join(parts)
    name = f"candidates-{hashlib.sha256(body).hexdigest()[:16]}.bin"
    if not (store_dir / name).exists():
        atomic_write(store_dir / name, body)
    header = {**columns.header, "data": name, "arrays": table}
    path = store_dir / HEADER_FILE
    atomic_write(path, dumps(header).encode("utf-8"))
    (store_dir / OVERLAY_FILE).unlink(missing_ok=True)
    (store_dir / LEGACY_OVERLAY_FILE).unlink(missing_ok=True)
    for old in store_dir.glob("candidates-*.bin"):
        if old.name != name:
            old.unlink(missing_ok=True)  # a process still mapping it keeps its pages (POSIX)
    return path


def read(store_dir: Path) -> Columns:
    """Map an index written by `write` (raises FileNotFoundError if there is none)."""
    path = Path(store_dir) / HEADER_FILE
    raw = path.read_bytes()
    try:
        header = json.loads(raw)
    except ValueError as exc:
        raise StoreError(f"unreadable candidate index {path}: {exc}") from exc
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        found = header.get("format") if isinstance(header, dict) else None
        raise StoreError(f"candidate index format {found!r}, expected {FORMAT}: run precompute")
    data = Path(store_dir) / str(header["data"])
    try:
        size = os.path.getsize(data)
        buf = np.memmap(data, dtype=np.uint8, mode="r") if size else np.zeros(0, dtype=np.uint8)
        arrays = {}
        for name, (dtype, offset, shape) in header["arrays"].items():
            dt = np.dtype(dtype)
            count = int(np.prod(shape)) if shape else 1
            arrays[name] = buf[offset : offset + count * dt.itemsize].view(dt).reshape(shape)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise StoreError(f"unreadable candidate data {data}: {exc}") from exc
    return Columns(header, arrays)


def read_overlay(store_dir: Path) -> list[dict[str, str]]:
    """The review decisions since the last precompute, in the order they were taken."""
    entries: list[dict[str, str]] = []
    legacy = Path(store_dir) / LEGACY_OVERLAY_FILE
    try:
        entries += json.loads(legacy.read_bytes())
    except FileNotFoundError:
        pass
    except ValueError as exc:
        raise StoreError(f"unreadable review overlay {legacy}: {exc}") from exc
    path = Path(store_dir) / OVERLAY_FILE
    try:
        lines = path.read_bytes().split(b"\n")
    except FileNotFoundError:
        return entries
    # every line but the last ended with its newline; the last is empty or was cut short by a crash
    for number, line in enumerate(lines[:-1], 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except ValueError as exc:
            if _torn(line):
                continue  # an append cut short, then a later one started a new line after it
            raise StoreError(f"unreadable review overlay {path}, line {number}: {exc}") from exc
        entries.append(dict(entry))
    return entries


def _torn(line: bytes) -> bool:
    """Is the unreadable ``line`` an append cut short, which the next append ended with a newline?
    (Such a line is a prefix of a JSON object, or zeros where its bytes were not yet on disk.)"""
    return line.startswith(b"{") or not line.strip(b"\0")


def append_overlay(store_dir: Path, entry: dict[str, str]) -> None:
    """Add one decision to the journal, on disk (file synced; the folder too when the file is new)
    when this returns. A last line left without its newline by a crash is ended first."""
    path = Path(store_dir) / OVERLAY_FILE
    created = not path.exists()
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        size = os.fstat(fd).st_size
        torn = size > 0 and os.pread(fd, 1, size - 1) != b"\n"
        os.write(fd, (b"\n" if torn else b"") + dumps(entry).encode("utf-8") + b"\n")
        os.fsync(fd)
    finally:
        os.close(fd)
    if created:
        fsync_dir(path.parent)
