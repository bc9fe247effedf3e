"""The matching pipeline: the deterministic step (same verified NHS number) first,
then Splink for everything else; each pair gets a probability and an outcome."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from joinedup.people.matching import engine
from joinedup.people.matching.outcomes import Outcome, Thresholds
from joinedup.people.matching.prepare import (
    MatchRecord,
    deterministic_pairs,
    rows_build,
)

NHS_RULE = "verified_nhs_number"
SPLINK_RULE = "splink"


@dataclass(frozen=True)
class PairDecision:
    left_id: str
    right_id: str
    match_probability: float
    match_weight: float
    outcome: Outcome
    rule: str  # NHS_RULE or SPLINK_RULE
    contributions: dict[str, tuple[str, float]]


def _merge(
    deterministic: list[tuple[str, str]],
    scored: list[engine.ScoredPair],
    thresholds: Thresholds,
) -> list[PairDecision]:
    out: dict[tuple[str, str], PairDecision] = {}
    for a, b in deterministic:
        out[(a, b)] = PairDecision(a, b, 1.0, float("inf"), Outcome.LINK, NHS_RULE, {})
    for s in scored:
        key = (s.left_id, s.right_id)
        if key in out or (s.right_id, s.left_id) in out:
            continue
        out[key] = PairDecision(
            s.left_id,
            s.right_id,
            s.match_probability,
            s.match_weight,
            thresholds.outcome(s.match_probability),
            SPLINK_RULE,
            s.contributions,
        )
    return list(out.values())


def link_within(
    records: Sequence[MatchRecord],
    *,
    model: dict[str, Any],
    thresholds: Thresholds,
    keep_below: float | None = None,
) -> list[PairDecision]:
    """Every candidate pair within one set of records, decided."""
    rows = rows_build(records)
    floor = thresholds.lower if keep_below is None else keep_below
    return _merge(
        deterministic_pairs(rows),
        engine.predict(model, rows, threshold=floor),
        thresholds,
    )


def link_between(
    left: Sequence[MatchRecord],
    right: Sequence[MatchRecord],
    *,
    model: dict[str, Any],
    thresholds: Thresholds,
    keep_below: float | None = None,
) -> list[PairDecision]:
    """Every candidate pair between two sets of records (left id first)."""
    left_rows = rows_build(left, source_dataset="left")
    right_rows = rows_build(right, source_dataset="right")
    floor = thresholds.lower if keep_below is None else keep_below
    return _merge(
        deterministic_pairs(left_rows, right_rows),
        engine.predict(model, left_rows, right_rows, threshold=floor),
        thresholds,
    )
