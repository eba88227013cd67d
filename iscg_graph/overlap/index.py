"""The precomputed candidate list, loaded once and filtered in memory (no SPARQL per request).

``CandidateIndex.load(store_dir)`` reads ``candidates.json`` written by `overlap.scoring.precompute`;
``index.query(...)`` answers in well under a millisecond on the real data: every kind's list is
already sorted by score, with per-Sector/scheme and per-item sub-lists.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from ..errors import ParameterError, StoreError
from .scoring import CANDIDATES_FILE, FORMAT, KINDS

__all__ = ["Candidate", "CandidateIndex", "CandidatePage", "CSV_COLUMNS"]


@dataclass(frozen=True)
class Candidate:
    kind: str
    left: dict[str, str]
    right: dict[str, str]
    score: float
    components: dict[str, float]
    period_factor: float
    terms: tuple[tuple[str, float], ...]
    shared: dict[str, tuple[dict[str, str], ...]]  # shared_themes / shared_resolutions / ... -> items
    recorded: tuple[dict[str, str], ...]  # the links that already record this pair

    @property
    def is_recorded(self) -> bool:
        return bool(self.recorded)

    @property
    def status(self) -> str:
        """ "" for a new candidate; else the recorded status (Rejected wins, then Accepted, …)."""
        statuses = {r.get("status", "") for r in self.recorded}
        for s in ("Rejected", "Accepted", "Asserted", "Proposed"):
            if s in statuses:
                return s
        return "Recorded" if self.recorded else ""

    def explanation(self) -> str:
        """One readable line: why these two are proposed."""
        parts = []
        if self.terms:
            parts.append("shared terms: " + ", ".join(t for t, _ in self.terms[:6]))
        for key, title in (
            ("shared_themes", "themes"),
            ("shared_resolutions", "Resolutions"),
            ("shared_items", "linked items"),
            ("shared_bodies", "bodies"),
        ):
            if self.shared.get(key):
                parts.append(f"{title}: " + "; ".join(i["label"] for i in self.shared[key][:4]))
        if self.period_factor < 1:
            parts.append("study periods do not overlap")
        return " | ".join(parts)

    def to_json(self) -> dict[str, Any]:
        return self._json

    @cached_property
    def _json(self) -> dict[str, Any]:
        evidence: dict[str, Any] = {
            "terms": [{"term": t, "weight": w} for t, w in self.terms],
            "components": self.components,
            "period_factor": self.period_factor,
        }
        for key, items in self.shared.items():
            evidence[key] = list(items)
        return {
            "kind": self.kind,
            "left": self.left,
            "right": self.right,
            "score": self.score,
            "recorded": self.is_recorded,
            "status": self.status or None,
            "links": [r["link"] for r in self.recorded if r.get("link")],
            "explanation": self.explanation(),
            "evidence": evidence,
        }

    def row(self) -> dict[str, Any]:
        """A flat row for CSV / XLSX."""

        def side(prefix: str, item: dict[str, str]) -> dict[str, str]:
            return {
                f"{prefix}_label": item.get("label", ""),
                f"{prefix}_sector": item.get("sector_code", item.get("scheme_code", "")),
                f"{prefix}_study_group": item.get("group_label", ""),
                f"{prefix}_period": item.get("period", ""),
                f"{prefix}_iri": item["iri"],
            }

        return {
            "kind": self.kind,
            "score": self.score,
            **side("left", self.left),
            **side("right", self.right),
            "evidence": self.explanation(),
            "recorded": "yes" if self.is_recorded else "",
            "status": self.status,
        }


CSV_COLUMNS = (
    "kind",
    "score",
    "left_label",
    "left_sector",
    "left_study_group",
    "left_period",
    "right_label",
    "right_sector",
    "right_study_group",
    "right_period",
    "evidence",
    "recorded",
    "status",
    "left_iri",
    "right_iri",
)
# the CSV columns shown as plain text in the shared table writers (score and IRIs are typed cells)
TEXT_COLUMNS = tuple(c for c in CSV_COLUMNS if c not in ("kind", "score", "left_iri", "right_iri"))


@dataclass(frozen=True)
class CandidatePage:
    kind: str
    total: int  # matching candidates before `limit`
    candidates: tuple[Candidate, ...]
    data_version: str


class _Pool:
    """Candidates sorted by score, all and unrecorded only, with negated scores for bisection."""

    def __init__(self, cands: list[Candidate]):
        self.all = cands
        self.new = [c for c in cands if not c.is_recorded]
        self._neg_all = [-c.score for c in self.all]
        self._neg_new = [-c.score for c in self.new]

    def select(self, include_recorded: bool, min_score: float) -> tuple[list[Candidate], int]:
        """The ranked list and how many of it score at least ``min_score``."""
        if include_recorded:
            return self.all, bisect_right(self._neg_all, -min_score)
        return self.new, bisect_right(self._neg_new, -min_score)


_EMPTY = _Pool([])


class CandidateIndex:
    """Candidates of every kind, sorted by score, with sub-lists per partition code and per item."""

    def __init__(self, doc: dict[str, Any]):
        if doc.get("format") != FORMAT:
            raise StoreError(
                f"candidate index format {doc.get('format')!r}, expected {FORMAT}: run precompute"
            )
        self.data_version = str(doc.get("data_version", ""))
        self.weights = doc.get("weights", {})
        items: dict[str, dict[str, str]] = doc["items"]
        for it in items.values():
            group = items.get(it.get("group", ""))
            if group:
                it["group_label"] = group.get("notation") or group["label"]
        self._lists: dict[str, list[Candidate]] = {}
        self._by_code: dict[tuple[str, str], list[Candidate]] = {}
        self._by_item: dict[tuple[str, str], list[Candidate]] = {}
        self._pools: dict[tuple[str, ...], _Pool] = {}
        for kind in KINDS:
            cands = []
            for raw in doc["kinds"].get(kind, []):
                shared = {
                    key: tuple(items.get(i, {"iri": i, "label": i}) for i in raw[key])
                    for key in ("shared_themes", "shared_resolutions", "shared_items", "shared_bodies")
                    if key in raw
                }
                c = Candidate(
                    kind=kind,
                    left=items[raw["left"]],
                    right=items[raw["right"]],
                    score=float(raw["score"]),
                    components=dict(raw["components"]),
                    period_factor=float(raw["period_factor"]),
                    terms=tuple((str(t), float(w)) for t, w in raw["terms"]),
                    shared=shared,
                    recorded=tuple(raw.get("recorded", ())),
                )
                cands.append(c)
                codes = {self._code(c.left), self._code(c.right)}
                for code in codes:
                    self._by_code.setdefault((kind, code), []).append(c)
                for iri in (c.left["iri"], c.right["iri"]):
                    self._by_item.setdefault((kind, iri), []).append(c)
            self._lists[kind] = cands
        self._codes = {k: sorted({code for kk, code in self._by_code if kk == k and code}) for k in KINDS}

    def _pool(self, table: dict[Any, list[Candidate]], key: Any) -> _Pool:
        """The pool of one list, built on first use (per-item pools are many and mostly unused)."""
        pool = self._pools.get(key if not isinstance(key, str) else (key,))
        if pool is None:
            cands = table.get(key)
            pool = _Pool(cands) if cands else _EMPTY
            self._pools[key if not isinstance(key, str) else (key,)] = pool
        return pool

    @staticmethod
    def _code(item: dict[str, str]) -> str:
        return (item.get("sector_code") or item.get("scheme_code") or "").lower()

    @classmethod
    def load(cls, store_dir: Path) -> CandidateIndex:
        path = Path(store_dir) / CANDIDATES_FILE
        try:
            return cls(json.loads(path.read_text("utf-8")))
        except FileNotFoundError:
            raise
        except (ValueError, KeyError, OSError) as exc:
            raise StoreError(f"unreadable candidate index {path}: {exc}") from exc

    def codes(self, kind: str) -> list[str]:
        """The Sector codes (or theme scheme notations) present for a kind, for forms and validation."""
        return self._codes.get(kind, [])

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
        if kind not in KINDS:
            raise ParameterError("kind", f"must be one of {', '.join(KINDS)}, not {kind!r}")
        if not 0 <= min_score <= 1:
            raise ParameterError("min_score", "must be between 0 and 1")
        if limit < 1 or offset < 0:
            raise ParameterError("limit", "limit must be at least 1 and offset not negative")
        wanted = sector.strip().lower() if sector else None
        if wanted is not None and wanted not in self.codes(kind):
            if any(wanted in self.codes(k) for k in KINDS):  # a real code, no candidates of this kind
                return CandidatePage(kind, 0, (), self.data_version)
            raise ParameterError(
                "sector", f"no {kind} candidates for {sector!r}; known: {', '.join(self.codes(kind))}"
            )
        if item:
            pool = self._pool(self._by_item, (kind, item))
        elif wanted:
            pool = self._pool(self._by_code, (kind, wanted))
        else:
            pool = self._pool(self._lists, kind)
        ranked, count = pool.select(include_recorded, min_score)
        if item and wanted:  # both filters: a short per-item list, scanned
            kept = [c for c in ranked[:count] if wanted in (self._code(c.left), self._code(c.right))]
            total, out = len(kept), kept[offset : offset + limit]
        else:
            total, out = count, ranked[offset : min(count, offset + limit)]
        return CandidatePage(kind, total, tuple(out), self.data_version)


def candidate_table(candidates: tuple[Candidate, ...] | list[Candidate]):  # type: ignore[no-untyped-def]
    """Candidates as a `tabular.ResultTable` + columns, for the shared CSV / XLSX / HTML writers."""
    from ..render.tabular import Cell, Column, ResultTable

    dec = "http://www.w3.org/2001/XMLSchema#decimal"
    rows = []
    for c in candidates:
        r = c.row()
        row = {
            "score": Cell(f"{c.score:.4f}", datatype=dec),
            "leftIri": Cell(r["left_iri"], "uri"),
            "rightIri": Cell(r["right_iri"], "uri"),
        }
        for key in TEXT_COLUMNS:
            row[key] = Cell(str(r[key]))
        rows.append(row)
    columns = [
        Column("score", "Score", numeric=True),
        Column("left_label", "Left item", link="leftIri"),
        Column("left_sector", "Left Sector / list"),
        Column("left_study_group", "Left study group"),
        Column("left_period", "Left period"),
        Column("right_label", "Right item", link="rightIri"),
        Column("right_sector", "Right Sector / list"),
        Column("right_study_group", "Right study group"),
        Column("right_period", "Right period"),
        Column("evidence", "Why (evidence)"),
        Column("recorded", "Already recorded"),
        Column("status", "Status"),
    ]
    variables = (
        "score",
        "left_label",
        "leftIri",
        "left_sector",
        "left_study_group",
        "left_period",
        "right_label",
        "rightIri",
        "right_sector",
        "right_study_group",
        "right_period",
        "evidence",
        "recorded",
        "status",
    )
    return ResultTable(variables, tuple(rows)), columns
