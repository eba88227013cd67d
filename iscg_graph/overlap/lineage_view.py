"""Candidates grouped by lineage pair: one row per pair of lineages, its study periods listed, the
member pairs (one per combination of periods) behind it, best first.

The default order ranks first the lineage pairs that are active *now*: a member pair whose two
study periods overlap each other and both include ``today`` (a date the caller gives; "current" is
read from the periods' own years, nothing is hard-coded) and that score at least ``floor`` (0.2: a
weak pair is not made urgent by being current). Then the others that were active at the same time
in some period, then (demoted, or left out with ``concurrent_only``) the pairs whose periods never
overlapped. Inside each tier: by the best member's score.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from .candidate import Candidate
from .lineage import CARRY_OVER

__all__ = [
    "NOW", "AT_THE_SAME_TIME", "NEVER", "FLOOR", "LineagePair", "group_by_lineage", "member_tier",
    "order_groups", "tier_array",
]

NOW, AT_THE_SAME_TIME, NEVER = 0, 1, 2
TIER_NAMES = {NOW: "now", AT_THE_SAME_TIME: "at-the-same-time", NEVER: "never-at-the-same-time"}


def _years(item: dict[str, str]) -> tuple[int, int] | None:
    try:
        return int(item["start"]), int(item["end"])
    except (KeyError, ValueError):
        return None


def member_tier(c: Candidate, today: date) -> int:
    """NOW, AT_THE_SAME_TIME or NEVER for one pair (an item with no study period: at the same time)."""
    a, b = _years(c.left), _years(c.right)
    if a is None or b is None:
        return AT_THE_SAME_TIME
    if a[0] > b[1] or b[0] > a[1]:
        return NEVER
    year = today.year
    return NOW if a[0] <= year <= a[1] and b[0] <= year <= b[1] else AT_THE_SAME_TIME


@dataclass(frozen=True)
class LineagePair:
    members: tuple[Candidate, ...]  # best score first
    tier: int

    @property
    def best(self) -> Candidate:
        return self.members[0]

    @property
    def score(self) -> float:
        return self.best.score

    @property
    def tier_name(self) -> str:
        return TIER_NAMES[self.tier]

    @property
    def periods(self) -> list[str]:
        """ "2022-2025 ↔ 2022-2024" for every member, earliest first."""
        seen = []
        for c in sorted(self.members, key=lambda c: (c.left.get("start", ""), c.right.get("start", ""))):
            text = f"{c.left.get('period', '?')} ↔ {c.right.get('period', '?')}"
            if text not in seen:
                seen.append(text)
        return seen

    @property
    def status(self) -> str:
        """ "" when no member is recorded; ``CarryOver`` when some are recorded and others are not
        (the recorded pairing carried to other periods); else the best member's recorded status."""
        if any(c.is_recorded for c in self.members):
            if any(not c.is_recorded for c in self.members):
                return CARRY_OVER
            return self.best.status
        return CARRY_OVER if any(c.is_carry_over for c in self.members) else ""

    def to_json(self) -> dict[str, Any]:
        best = self.best
        return {
            "left_lineage": best.lineage[0] or best.left["iri"],
            "right_lineage": best.lineage[1] or best.right["iri"],
            "left": best.left,
            "right": best.right,
            "score": self.score,
            "status": self.status or None,
            "tier": self.tier_name,
            "periods": self.periods,
            "explanation": best.explanation(),
            "members": [c.to_json() for c in self.members],
        }


FLOOR = 0.2


def group_by_lineage(
    candidates: Sequence[Candidate], today: date, *, concurrent_only: bool = False, floor: float = FLOOR
) -> list[LineagePair]:
    """``candidates`` (ranked by score) as lineage pairs, in the default order (see the module)."""
    groups: dict[tuple[str, str], list[Candidate]] = {}
    for c in candidates:
        key = (c.lineage[0] or c.left["iri"], c.lineage[1] or c.right["iri"])
        groups.setdefault(key, []).append(c)
    pairs = []
    for first, members in enumerate(groups.values()):
        ranked = tuple(sorted(members, key=lambda c: -c.score))  # stable: the index order breaks ties
        tier = min(member_tier(c, today) for c in ranked)
        if concurrent_only and tier == NEVER:
            continue
        rank = AT_THE_SAME_TIME if tier == NOW and ranked[0].score < floor else tier
        pairs.append((rank, -ranked[0].score, first, LineagePair(ranked, tier)))
    pairs.sort(key=lambda p: p[:3])
    return [p[3] for p in pairs]


# -- the same order from the index's columns (no candidate decoded) ------------------------------------


def tier_array(
    left_start: np.ndarray, left_end: np.ndarray, right_start: np.ndarray, right_end: np.ndarray, year: int
) -> np.ndarray:
    """`member_tier` of many pairs at once, from their period years (-1: no period)."""
    unknown = (left_start < 0) | (right_start < 0)
    never = (left_start > right_end) | (right_start > left_end)
    now = (left_start <= year) & (year <= left_end) & (right_start <= year) & (year <= right_end)
    tiers = np.where(never, NEVER, np.where(now, NOW, AT_THE_SAME_TIME))
    return np.where(unknown, AT_THE_SAME_TIME, tiers).astype(np.int8)


def order_groups(
    groups: np.ndarray, tiers: np.ndarray, scores: np.ndarray, concurrent_only: bool = False,
    floor: float = FLOOR,
) -> tuple[np.ndarray, dict[int, int]]:
    """Rows (best score first) of lineage pairs ``groups`` -> the pairs in the default order, and each
    pair's tier: the order `group_by_lineage` gives, computed with numpy."""
    if len(groups) == 0:
        return np.arange(0), {}
    ids, first, inverse = np.unique(groups, return_index=True, return_inverse=True)
    tier = np.full(len(ids), NEVER, dtype=np.int8)
    np.minimum.at(tier, inverse, tiers)
    best = scores[first]
    rank = np.where((tier == NOW) & (best < floor), AT_THE_SAME_TIME, tier)
    order = np.lexsort((first, -best, rank))
    if concurrent_only:
        order = order[rank[order] != NEVER]
    return ids[order], dict(zip(ids.tolist(), tier.tolist(), strict=True))
