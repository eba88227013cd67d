"""The precomputed candidate list, loaded once and filtered in memory (no SPARQL per request).

``CandidateIndex.load(store_dir)`` maps the columnar index written by `overlap.scoring.precompute`
(`overlap.columnar`); ``index.query(...)`` selects rows with numpy (every kind's rows are already
sorted by score; per-Sector/scheme and per-item row sets are built on first use).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ParameterError
from . import columnar
from .candidate import CSV_COLUMNS, Candidate, candidate_table
from .columnar import Columns, columns_from_doc
from .lineage_view import LineagePair, order_groups, tier_array
from .weights import KINDS

__all__ = ["Candidate", "CandidateIndex", "CandidatePage", "CSV_COLUMNS", "LineagePage", "candidate_table"]


@dataclass(frozen=True)
class LineagePage:
    kind: str
    total: int  # lineage pairs selected before `limit`
    lineages: tuple[LineagePair, ...]
    data_version: str


@dataclass(frozen=True)
class CandidatePage:
    kind: str
    total: int  # matching candidates before `limit`
    candidates: tuple[Candidate, ...]
    data_version: str


class _Pool:
    """Rows of one kind's arrays (ascending = by score), all and new only (neither recorded nor a
    carry-over of a recorded pair), for bisection."""

    def __init__(self, rows: np.ndarray, score: np.ndarray, recorded: np.ndarray):
        self.all = rows
        self.new = rows[~recorded[rows]]
        self._neg_all = -score[self.all]
        self._neg_new = -score[self.new]

    def select(self, include_recorded: bool, min_score: float) -> tuple[np.ndarray, int]:
        """The ranked rows and how many of them score at least ``min_score``."""
        if include_recorded:
            return self.all, int(np.searchsorted(self._neg_all, -min_score, side="right"))
        return self.new, int(np.searchsorted(self._neg_new, -min_score, side="right"))


def _entry_key(entry: dict[str, str]) -> tuple[str, ...]:
    """What identifies an overlay entry: its register entry and its two items (either way round)."""
    return (entry.get("link", ""), *sorted((entry["left"], entry["right"])))


class CandidateIndex:
    """Candidates of every kind, sorted by score, filtered per partition code and per item.

    Backed by `columnar.Columns` (memory-mapped when loaded from a store): a query selects rows
    with numpy and builds `Candidate` objects only for the page it returns. Review decisions taken
    since the last precompute are an overlay (`record`): the pair is flagged, nothing is recomputed.
    """

    _MAX_POOLS = 4096
    _MAX_DECODED = 50_000

    def __init__(self, source: dict[str, Any] | Columns, overlay: list[dict[str, str]] | None = None):
        if isinstance(source, dict):  # build_candidates' document (in-memory stores, tests)
            source = columns_from_doc(source)
        self._cols = source
        self.data_version = source.data_version
        self.weights = source.header.get("weights", {})
        self._codes: dict[str, list[str]] = {k: list(source.header["codes"].get(k, [])) for k in KINDS}
        self._codes_all: list[str] = list(source.header.get("codes_all", []))
        self._n_items = len(source["iri.off"]) - 1
        self._items: dict[int, dict[str, str]] = {}
        self._decoded: dict[tuple[str, int], Candidate] = {}
        self._pools: dict[tuple[str, ...], _Pool] = {}
        self._extra: dict[tuple[str, int], tuple[dict[str, str], ...]] = {}  # overlay: (kind, row)
        self._recorded: dict[str, np.ndarray] = {}  # per kind: recorded or carry-over (see _hidden)
        self._covering: dict[tuple[str, int], tuple[dict[str, Any], ...]] = {}  # overlay: carry-overs
        self._lock = threading.Lock()
        self.unplaced: list[dict[str, str]] = []  # decisions on pairs the index does not hold
        self._links: dict[tuple[str, ...], bool] = {}  # (entry, items) applied from the overlay: placed?
        for entry in overlay or ():
            self._apply(entry)

    @classmethod
    def load(cls, store_dir: Path) -> CandidateIndex:
        """Map the index of a store (milliseconds: nothing is parsed before a request needs it)."""
        return cls(columnar.read(store_dir), columnar.read_overlay(store_dir))

    # -- items ---------------------------------------------------------------------------------

    def _iri(self, row: int) -> str:
        off = self._cols["iri.off"]
        return bytes(self._cols["iri.blob"][off[row] : off[row + 1]]).decode("utf-8")

    def _row_of(self, iri: str) -> int | None:
        lo, hi = 0, self._n_items
        while lo < hi:  # the IRIs are sorted: bisect without decoding them all
            mid = (lo + hi) // 2
            if self._iri(mid) < iri:
                lo = mid + 1
            else:
                hi = mid
        return lo if lo < self._n_items and self._iri(lo) == iri else None

    def _item(self, row: int) -> dict[str, str]:
        item = self._items.get(row)
        if item is None:
            off = self._cols["item.off"]
            item = json.loads(bytes(self._cols["item.blob"][off[row] : off[row + 1]]))
            self._items[row] = item
        return item

    def _item_by_iri(self, iri: str) -> dict[str, str]:
        row = self._row_of(iri)
        return self._item(row) if row is not None else {"iri": iri, "label": iri}

    def _candidate(self, kind: str, row: int) -> Candidate:
        """The candidate of one row, decoded once (a bounded cache: served pages repeat)."""
        key = (kind, row)
        cand = self._decoded.get(key)
        if cand is None:
            cand = self._decode(kind, row)
            if len(self._decoded) >= self._MAX_DECODED:
                self._decoded.pop(next(iter(self._decoded)))
            self._decoded[key] = cand
        return cand

    def _decode(self, kind: str, row: int) -> Candidate:
        off = self._cols[f"{kind}.ev.off"]
        ev = json.loads(bytes(self._cols[f"{kind}.ev.blob"][off[row] : off[row + 1]]))
        shared = {
            key: tuple(self._item_by_iri(i) for i in ev[key])
            for key in ("shared_themes", "shared_resolutions", "shared_items", "shared_bodies")
            if key in ev
        }
        return Candidate(
            kind=kind,
            left=self._item(int(self._cols[f"{kind}.left"][row])),
            right=self._item(int(self._cols[f"{kind}.right"][row])),
            score=float(self._cols[f"{kind}.score"][row]),
            components=dict(ev["components"]),
            period_factor=float(ev["period_factor"]),
            terms=tuple((str(t), float(w)) for t, w in ev["terms"]),
            shared=shared,
            recorded=tuple(ev.get("recorded", ())) + self._extra.get((kind, row), ()),
            weights=dict(self.weights.get(kind, {})),
            mapped_weight=float(self.weights.get("mapped", 0.0)) if kind == "question" else 0.0,
            lineage=tuple(ev.get("lineage") or ("", "")),  # type: ignore[arg-type]
            group=int(self._cols[f"{kind}.group"][row]),
            mapped_by=self._records(ev.get("mapped_by", ())),
            covered_by=self._records(ev.get("covered_by", ())) + self._covering.get((kind, row), ()),
        )

    def _records(self, recs: Any) -> tuple[dict[str, Any], ...]:
        """Evidence records with both items as summaries (labels, Sectors, periods)."""
        return tuple(
            {**r, "subject": self._item_by_iri(r["subject"]), "object": self._item_by_iri(r["object"])}
            for r in recs
        )

    # -- review overlay ------------------------------------------------------------------------

    def _find(self, left: str, right: str) -> list[tuple[str, int]]:
        """(kind, row) of the pair in either orientation, in every kind that holds it."""
        a, b = self._row_of(left), self._row_of(right)
        if a is None or b is None:
            return []
        found = []
        for kind in KINDS:
            lc, rc = self._cols[f"{kind}.left"], self._cols[f"{kind}.right"]
            hits = np.flatnonzero(((lc == a) & (rc == b)) | ((lc == b) & (rc == a)))
            found += [(kind, int(r)) for r in hits]
        return found

    def _apply(self, entry: dict[str, str]) -> bool:
        key = _entry_key(entry)
        if key in self._links:  # journalled twice (a reconciled decision): applied once
            return self._links[key]
        places = self._find(entry["left"], entry["right"])
        if key[0]:
            self._links[key] = bool(places)
        if not places:
            self.unplaced.append(entry)
            return False
        keys = ("link", "status", "kind", "graph", "confidence")
        record: dict[str, str] = {k: entry[k] for k in keys if k in entry}
        for kind, row in places:
            self._extra[(kind, row)] = self._extra.get((kind, row), ()) + (record,)
            flags = self._hidden(kind).copy()
            flags[row] = True
            if entry.get("status") != "Rejected":  # the other versions of the pair: carry-overs
                cover = {**record, "subject": self._item_by_iri(entry["left"]),
                         "object": self._item_by_iri(entry["right"])}
                siblings = np.flatnonzero(self._cols[f"{kind}.group"] == self._cols[f"{kind}.group"][row])
                for other in siblings.tolist():
                    if other != row:
                        self._covering[(kind, other)] = self._covering.get((kind, other), ()) + (cover,)
                        flags[other] = True
                        self._decoded.pop((kind, other), None)
            self._recorded[kind] = flags
            self._decoded.pop((kind, row), None)
        self._pools = {}  # pools are rebuilt lazily (a numpy selection, no recomputation)
        return True

    def record(self, entry: dict[str, str], store_dir: Path | None = None) -> bool:
        """Flag one reviewed pair: ``entry`` has ``left``, ``right`` and the recorded fields
        (``link``, ``status``, ``kind``, ``graph``, ``confidence``).

        The one pair is updated in place and its line appended to the store's overlay journal; no candidate is
        recomputed. False when the pair is not in the index (below every item's top k): it is then
        listed with its score after the next precompute.
        """
        with self._lock:
            if _entry_key(entry) in self._links:  # already recorded (reconciled after a crash)
                return self._links[_entry_key(entry)]
            placed = self._apply(dict(entry))
            if store_dir is not None:
                columnar.append_overlay(store_dir, dict(entry))
        return placed

    # -- what the store's decisions are compared with (`index_sync`) ------------------------------

    @property
    def n_items(self) -> int:
        return self._n_items

    @property
    def applied_links(self) -> frozenset[str]:
        """The register entries of the decisions applied from the overlay (journal or `record`)."""
        return frozenset(key[0] for key in self._links)

    def row_of(self, iri: str) -> int | None:
        return self._row_of(iri)

    def rows_of_pairs(self, keys: np.ndarray) -> dict[str, list[tuple[int, int]]]:
        """Per kind, (position in ``keys``, row) of the rows holding a wanted pair, either way round;
        a key is ``min(row) * n_items + max(row)`` of the pair's two item rows."""
        order = np.argsort(keys, kind="stable")
        ranked = keys[order]
        out: dict[str, list[tuple[int, int]]] = {}
        for kind in KINDS:
            left = np.asarray(self._cols[f"{kind}.left"], dtype=np.int64)
            right = np.asarray(self._cols[f"{kind}.right"], dtype=np.int64)
            key = np.minimum(left, right) * self._n_items + np.maximum(left, right)
            hits = np.flatnonzero(np.isin(key, ranked))
            found = []
            for row in hits.tolist():
                at = int(np.searchsorted(ranked, key[row]))
                while at < len(ranked) and ranked[at] == key[row]:
                    found.append((int(order[at]), row))
                    at += 1
            out[kind] = found
        return out

    def recorded_links(self, kind: str, row: int) -> set[str]:
        """The register entries one row records: the precompute's and the overlay's."""
        links = {r.get("link", "") for r in self._extra.get((kind, row), ())}
        if bool(self._cols[f"{kind}.recorded"][row]):
            off = self._cols[f"{kind}.ev.off"]
            ev = json.loads(bytes(self._cols[f"{kind}.ev.blob"][off[row] : off[row + 1]]))
            links.update(r.get("link", "") for r in ev.get("recorded", ()))
        return links

    def _hidden(self, kind: str) -> np.ndarray:
        """Rows left out of the new candidates: recorded pairs and carry-overs (overlay included)."""
        flags = self._recorded.get(kind)
        if flags is None:
            flags = np.asarray(self._cols[f"{kind}.recorded"], dtype=np.bool_) | np.asarray(
                self._cols[f"{kind}.covered"], dtype=np.bool_
            )
            self._recorded[kind] = flags
        return flags

    # -- queries -------------------------------------------------------------------------------

    def _pool(self, key: tuple[str, ...]) -> _Pool:
        """The pool of one list, built on first use (per-item pools are many and mostly unused)."""
        pool = self._pools.get(key)
        if pool is not None:
            return pool
        kind = key[0]
        left, right = self._cols[f"{kind}.left"], self._cols[f"{kind}.right"]
        if len(key) == 1:
            rows = np.arange(len(left))
        elif key[1] == "code":
            code = self._codes_all.index(key[2])
            item_code = self._cols["item.code"]
            rows = np.flatnonzero((item_code[left] == code) | (item_code[right] == code))
        else:
            row = self._row_of(key[2])
            rows = np.flatnonzero((left == row) | (right == row)) if row is not None else np.arange(0)
        pool = _Pool(rows, self._cols[f"{kind}.score"], self._hidden(kind))
        if len(self._pools) >= self._MAX_POOLS:
            self._pools.pop(next(iter(self._pools)))
        self._pools[key] = pool
        return pool

    def codes(self, kind: str) -> list[str]:
        """The Sector codes (or theme scheme notations) present for a kind, for forms and validation."""
        return self._codes.get(kind, [])

    def _selected(
        self, kind: str, sector: str | None, item: str | None, min_score: float, include_recorded: bool
    ) -> np.ndarray:
        """The rows a query selects, best score first (before offset and limit)."""
        wanted = sector.strip().lower() if sector else None
        if wanted is not None and wanted not in self.codes(kind):
            if any(wanted in self.codes(k) for k in KINDS):  # a real code, no candidates of this kind
                return np.arange(0)
            raise ParameterError(
                "sector", f"no {kind} candidates for {sector!r}; known: {', '.join(self.codes(kind))}"
            )
        if item:
            pool = self._pool((kind, "item", item))
        elif wanted:
            pool = self._pool((kind, "code", wanted))
        else:
            pool = self._pool((kind,))
        ranked, count = pool.select(include_recorded, min_score)
        rows = ranked[:count]
        if item and wanted:  # both filters: a short per-item list, scanned
            code = self._codes_all.index(wanted)
            item_code = self._cols["item.code"]
            rows = rows[
                (item_code[self._cols[f"{kind}.left"][rows]] == code)
                | (item_code[self._cols[f"{kind}.right"][rows]] == code)
            ]
        return rows

    def _check(self, kind: str, min_score: float, limit: int, offset: int) -> None:
        if kind not in KINDS:
            raise ParameterError("kind", f"must be one of {', '.join(KINDS)}, not {kind!r}")
        if not 0 <= min_score <= 1:
            raise ParameterError("min_score", "must be between 0 and 1")
        if limit < 1 or offset < 0:
            raise ParameterError("limit", "limit must be at least 1 and offset not negative")

    def lineages(
        self,
        kind: str = "question",
        *,
        today: date,
        sector: str | None = None,
        item: str | None = None,
        min_score: float = 0.0,
        limit: int = 50,
        offset: int = 0,
        include_recorded: bool = False,
        concurrent_only: bool = False,
    ) -> LineagePage:
        """One page of lineage pairs in the default order (`lineage_view`), from the columns: only
        the page's member pairs are decoded, whatever the size of the selection."""
        self._check(kind, min_score, limit, offset)
        rows = self._selected(kind, sector, item, min_score, include_recorded)
        left, right = self._cols[f"{kind}.left"][rows], self._cols[f"{kind}.right"][rows]
        start, end = self._cols["item.start"], self._cols["item.end"]
        tiers = tier_array(start[left], end[left], start[right], end[right], today.year)
        groups = self._cols[f"{kind}.group"][rows]
        order, group_tier = order_groups(groups, tiers, self._cols[f"{kind}.score"][rows], concurrent_only)
        members: dict[int, list[int]] = {}
        wanted = set(order[offset : offset + limit].tolist())
        for g, r in zip(groups.tolist(), rows.tolist(), strict=True):
            if g in wanted:
                members.setdefault(g, []).append(r)
        page = tuple(
            LineagePair(tuple(self._candidate(kind, r) for r in members[g]), int(group_tier[g]))
            for g in order[offset : offset + limit].tolist()
        )
        return LineagePage(kind, len(order), page, self.data_version)

    def query(
        self,
        kind: str = "question",
        *,
        sector: str | None = None,
        item: str | None = None,
        min_score: float = 0.0,
        limit: int = 50,
        offset: int = 0,
        include_recorded: bool = False,
    ) -> CandidatePage:
        self._check(kind, min_score, limit, offset)
        rows = self._selected(kind, sector, item, min_score, include_recorded)
        total, out = len(rows), rows[offset : offset + limit]
        page = tuple(self._candidate(kind, int(r)) for r in out)
        return CandidatePage(kind, total, page, self.data_version)
