"""The weights of the candidate score: one family of evidence each, summing to 1 per kind."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["KINDS", "Weights", "lifted"]

KINDS = ("question", "resolution", "theme")


@dataclass(frozen=True)
class Weights:
    question: dict[str, float] = field(
        default_factory=lambda: {"lexical": 0.60, "themes": 0.25, "resolutions": 0.15}
    )
    resolution: dict[str, float] = field(
        default_factory=lambda: {"lexical": 0.60, "themes": 0.25, "items": 0.15}
    )
    theme: dict[str, float] = field(
        default_factory=lambda: {"lexical": 0.70, "cooccurrence": 0.20, "bodies": 0.10}
    )
    # Questions: a recorded mapping of the two lineages in another period closes this share of the
    # gap between the evidence above and 1 (`lifted`): pairs without one keep their score
    mapped: float = 0.15
    disjoint_periods: float = 0.85  # factor when two study periods do not overlap
    group_questions: float = 0.3  # weight of a study group's Questions' titles in its text
    top_k: int = 10  # candidates kept per item (plus every recorded pair)
    min_score: float = 0.05  # below this a pair is not kept

    def of(self, kind: str) -> dict[str, float]:
        return dict(getattr(self, kind))

    def to_json(self) -> dict[str, object]:
        return {
            "question": self.question,
            "resolution": self.resolution,
            "theme": self.theme,
            "mapped": self.mapped,
            "disjoint_periods": self.disjoint_periods,
            "group_questions": self.group_questions,
            "top_k": self.top_k,
            "min_score": self.min_score,
        }



def lifted(base: Any, mapped: Any, weight: float) -> Any:
    """The score with the lineage evidence: ``base + weight × mapped × (1 − base)``, still 0-1.

    ``base`` is the weighted sum of the other evidence (weights summing to 1), ``mapped`` the 0-1
    mapped-lineage value; works on numbers and numpy arrays alike."""
    return base + weight * mapped * (1.0 - base)
