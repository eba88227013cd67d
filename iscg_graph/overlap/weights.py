"""The weights of the candidate score: one family of evidence each, summing to 1 per kind."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["KINDS", "Weights"]

KINDS = ("question", "resolution", "theme")


@dataclass(frozen=True)
class Weights:
    question: dict[str, float] = field(
        default_factory=lambda: {"lexical": 0.50, "themes": 0.20, "resolutions": 0.15, "mapped": 0.15}
    )
    resolution: dict[str, float] = field(
        default_factory=lambda: {"lexical": 0.60, "themes": 0.25, "items": 0.15}
    )
    theme: dict[str, float] = field(
        default_factory=lambda: {"lexical": 0.70, "cooccurrence": 0.20, "bodies": 0.10}
    )
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
            "disjoint_periods": self.disjoint_periods,
            "group_questions": self.group_questions,
            "top_k": self.top_k,
            "min_score": self.min_score,
        }

