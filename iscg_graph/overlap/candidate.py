"""One candidate pair as served: both items, the score, its evidence, and what already records it;
as JSON, as a readable "why" line, and as a flat row for the CSV / XLSX / HTML table writers."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from .lineage import CARRY_OVER

__all__ = ["Candidate", "CSV_COLUMNS", "EVIDENCE_NAMES", "candidate_table"]


# the families of evidence, as the "why" sentences name them
EVIDENCE_NAMES = {
    "lexical": "words in common",
    "themes": "shared themes",
    "resolutions": "shared Resolutions",
    "mapped": "a recorded mapping of the same lineages",
    "items": "items linked to both",
    "cooccurrence": "addressed by the same items",
    "bodies": "the same coordination body",
}


def _name(item: dict[str, Any]) -> str:
    """ "ITU-D Q7/2 (2018-2021)": short enough for a sentence."""
    code = item.get("sector_code") or item.get("scheme_code") or ""
    label = item.get("notation") or item.get("label") or item.get("iri", "")
    period = f" ({item['period']})" if item.get("period") else ""
    return f"{code} {label}{period}".strip()


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
    weights: dict[str, float] = field(default_factory=dict)  # the kind's weights (they sum to 1)
    mapped_weight: float = 0.0  # share of the rest (1 - evidence) a mapped lineage closes (Questions)
    lineage: tuple[str, str] = ("", "")  # the lineage of each side (its earliest member's IRI)
    group: int = -1  # the lineage pair's number in the index
    mapped_by: tuple[dict[str, Any], ...] = ()  # records of the lineages in other periods (evidence)
    covered_by: tuple[dict[str, Any], ...] = ()  # records that make this pair a carry-over

    @property
    def is_recorded(self) -> bool:
        return bool(self.recorded)

    @property
    def is_carry_over(self) -> bool:
        """Not recorded itself, but its lineage pair is recorded in another study period."""
        return not self.recorded and bool(self.covered_by)

    @property
    def status(self) -> str:
        """ "" for a new candidate; ``CarryOver`` for another period's version of a recorded pair;
        else the recorded status (Rejected wins, then Accepted, …)."""
        statuses = {r.get("status", "") for r in self.recorded}
        for s in ("Rejected", "Accepted", "Asserted", "Proposed"):
            if s in statuses:
                return s
        if self.recorded:
            return "Recorded"
        return CARRY_OVER if self.covered_by else ""

    def contributions(self) -> list[tuple[str, float, float]]:
        """(family, its 0-1 value, its weight) of every weighted family that adds to the score."""
        return [
            (n, v, self.weights.get(n, 0.0))
            for n, v in self.components.items()
            if v > 0 and self.weights.get(n, 0.0) > 0 and n != "mapped"
        ]

    def lift(self) -> tuple[float, float, float] | None:
        """(weight, mapped value, rest = 1 - the other evidence) when a mapped lineage lifts the score."""
        m = self.components.get("mapped", 0.0)
        if m <= 0 or self.mapped_weight <= 0:
            return None
        return self.mapped_weight, m, 1.0 - sum(w * v for _, v, w in self.contributions())

    def explanation(self) -> str:
        """Why these two are proposed, in sentences that add up to the score."""
        parts = []
        if self.is_carry_over:
            rec = self.covered_by[0]
            parts.append(
                f"Carry over? {_name(rec['subject'])} and {_name(rec['object'])} are already recorded "
                f"({rec.get('status') or 'recorded'}): the same two lineages in other study periods."
            )
        if self.terms:
            parts.append("Shared terms: " + ", ".join(t for t, _ in self.terms[:6]) + ".")
        for key, title in (
            ("shared_themes", "Same themes"),
            ("shared_resolutions", "Same Resolutions"),
            ("shared_items", "Linked items"),
            ("shared_bodies", "Same bodies"),
        ):
            if self.shared.get(key):
                parts.append(f"{title}: " + "; ".join(i["label"] for i in self.shared[key][:4]) + ".")
        if self.mapped_by:
            rec = self.mapped_by[0]
            parts.append(f"Recorded in another period: {_name(rec['subject'])} with {_name(rec['object'])}.")
        sums = [f"{w:.2f} × {v:.2f} {EVIDENCE_NAMES.get(n, n)}" for n, v, w in self.contributions()]
        lift = self.lift()
        if lift is not None:
            sums.append(f"{lift[0]:.2f} × {lift[1]:.2f} × (1 − {1 - lift[2]:.2f}) {EVIDENCE_NAMES['mapped']}")
        if sums:
            factor = f", × {self.period_factor:.2f}" if self.period_factor < 1 else ""
            parts.append(f"Score {self.score:.2f} = " + " + ".join(sums) + factor + ".")
        if self.period_factor < 1:
            parts.append("The study periods do not overlap.")
        return " ".join(parts)

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
        for key, recs in (("mapped_by", self.mapped_by), ("covered_by", self.covered_by)):
            if recs:
                evidence[key] = list(recs)
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
            "lineage": {"left": self.lineage[0], "right": self.lineage[1]},
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
