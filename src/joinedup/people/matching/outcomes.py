"""Three outcomes by match probability (DESIGN 2 "Identity"): link above the upper
threshold, a new person below the lower one, a human review in between."""

from __future__ import annotations

import enum
import os
from dataclasses import dataclass

from django.conf import settings


class Outcome(enum.StrEnum):
    LINK = "link"
    REVIEW = "review"
    NEW = "new"


# Chosen from the precision/recall curve on the synthetic area (docs/matching.md).
DEFAULT_UPPER = 0.95
DEFAULT_LOWER = 0.2


@dataclass(frozen=True)
class Thresholds:
    upper: float
    lower: float

    def __post_init__(self) -> None:
        if not 0.0 <= self.lower <= self.upper <= 1.0:
            raise ValueError("thresholds must satisfy 0 <= lower <= upper <= 1")

    def outcome(self, probability: float) -> Outcome:
        if probability >= self.upper:
            return Outcome.LINK
        if probability >= self.lower:
            return Outcome.REVIEW
        return Outcome.NEW


def thresholds_from_settings() -> Thresholds:
    """The thresholds in force: environment variables JOINEDUP_MATCH_UPPER and
    JOINEDUP_MATCH_LOWER (or Django settings of those names), else the defaults."""

    def value(name: str, default: float) -> float:
        raw = getattr(settings, name, None) or os.environ.get(name) or default
        return float(raw)

    return Thresholds(
        upper=value("JOINEDUP_MATCH_UPPER", DEFAULT_UPPER),
        lower=value("JOINEDUP_MATCH_LOWER", DEFAULT_LOWER),
    )
