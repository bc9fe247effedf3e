"""Scoring identity matching against the synthetic area's ground truth: pairwise
precision, recall and F1 at a threshold, the curve over thresholds, and movers
(people whose address differs between the two records) reported on their own."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from joinedup.people.matching.prepare import MatchRecord


@dataclass(frozen=True)
class Truth:
    """Which person each record belongs to, and the true pairs."""

    person_of: dict[str, str]

    def pairs(self) -> set[tuple[str, str]]:
        by_person: dict[str, list[str]] = {}
        for record_id, person in self.person_of.items():
            by_person.setdefault(person, []).append(record_id)
        out: set[tuple[str, str]] = set()
        for ids in by_person.values():
            ids.sort()
            out.update((a, b) for i, a in enumerate(ids) for b in ids[i + 1 :])
        return out


def _key(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


@dataclass(frozen=True)
class Score:
    threshold: float
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        real = self.true_positives + self.false_negatives
        return self.true_positives / real if real else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def score_at(
    predicted: Iterable[tuple[str, str, float]],
    true_pairs: set[tuple[str, str]],
    threshold: float,
) -> Score:
    """Pairwise scores of the pairs at or above `threshold`."""
    found = {_key(a, b) for a, b, p in predicted if p >= threshold}
    tp = len(found & true_pairs)
    return Score(threshold, tp, len(found) - tp, len(true_pairs) - tp)


def curve(
    predicted: Sequence[tuple[str, str, float]],
    true_pairs: set[tuple[str, str]],
    thresholds: Sequence[float],
) -> list[Score]:
    return [score_at(predicted, true_pairs, t) for t in thresholds]


def movers(records: Sequence[MatchRecord], true_pairs: set[tuple[str, str]]) -> set:
    """The true pairs whose two records give different postcodes."""
    postcode = {r.id: r.postcode for r in records}
    return {(a, b) for a, b in true_pairs if postcode[a] != postcode[b]}


def without_nhs(
    records: Sequence[MatchRecord], true_pairs: set[tuple[str, str]]
) -> set:
    """The true pairs not sharing an NHS number (one or both lack it)."""
    nhs = {r.id: r.nhs_number for r in records}
    return {(a, b) for a, b in true_pairs if not (nhs[a] and nhs[a] == nhs[b])}


# The engine row columns whose nulls `--evaluate` counts (the comparisons' inputs).
NULL_COLUMNS = ("given_name", "family_name", "birth_date", "postcode", "sex",
                "nhs_number", "identifier", "address_line")  # fmt: skip


def null_counts(rows: Sequence[dict[str, Any]]) -> dict[str, int]:
    """Per column, how many rows are null (missing) for the comparisons;
    "birth_date_year_only": dates of birth kept only as a year."""
    out = {c: sum(1 for r in rows if r[c] is None) for c in NULL_COLUMNS}
    out["birth_date_year_only"] = sum(
        1 for r in rows if r["birth_date"] is None and r["birth_year"] is not None
    )
    return out


def null_counts_line(rows: Sequence[dict[str, Any]]) -> str:
    counts = null_counts(rows)
    year_only = counts.pop("birth_date_year_only")
    text = ", ".join(f"{c} {n}" for c, n in counts.items())
    return (
        f"missing values (null) of {len(rows)} records: {text}"
        f" (birth_date: {year_only} kept as the year only)"
    )


class _Decision(Protocol):
    """What the report reads of a `pipeline.PairDecision`."""

    @property
    def left_id(self) -> str: ...
    @property
    def right_id(self) -> str: ...
    @property
    def match_probability(self) -> float: ...
    @property
    def contributions(self) -> dict[str, tuple[str, float]]: ...


def _disagreements(
    pairs: Iterable[tuple[str, str]],
    contributions: dict[tuple[str, str], dict[str, tuple[str, float]]],
    top: int,
) -> str:
    """The comparison levels that counted against the pairs most often, as
    "comparison: level xN" (labels only: no personal data)."""
    counts: Counter[str] = Counter()
    for pair in pairs:
        for name, (label, bits) in contributions.get(pair, {}).items():
            if bits < 0:
                counts[f"{name}: {label or 'else'}"] += 1
    if not counts:
        return "none"
    return "; ".join(f"{level} x{n}" for level, n in counts.most_common(top))


def accuracy_report(
    records: Sequence[MatchRecord],
    truth: Truth,
    decisions: Sequence[_Decision],
    *,
    upper: float,
    lower: float,
    model: dict[str, Any],
    top: int = 3,
) -> list[str]:
    """The lines of `joinedup link --evaluate`: precision, recall and F1 of the
    automatic links, pairs sent to review, recall without a shared NHS number and
    for movers, and which comparison levels the errors disagreed on. Counts and
    level labels only: no names, NHS numbers or dates of birth."""
    from joinedup.people.matching.prepare import rows_build
    from joinedup.people.matching.score import Scorer

    true_pairs = truth.pairs()
    by_pair = {_key(d.left_id, d.right_id): d for d in decisions}
    linked = {k for k, d in by_pair.items() if d.match_probability >= upper}
    review = {k for k, d in by_pair.items() if lower <= d.match_probability < upper}
    s = score_at(
        ((a, b, d.match_probability) for (a, b), d in by_pair.items()),
        true_pairs,
        upper,
    )
    no_nhs = without_nhs(records, true_pairs)
    moved = movers(records, true_pairs)
    moved_no_nhs = moved & no_nhs

    def recall(subset: set[tuple[str, str]]) -> str:
        if not subset:
            return "n/a (n=0)"
        return f"{len(subset & linked) / len(subset):.4f} (n={len(subset)})"

    false_pos = linked - true_pairs
    false_neg = true_pairs - linked
    contributions = {k: d.contributions for k, d in by_pair.items()}
    unscored = [p for p in false_neg if p not in by_pair]
    all_rows = rows_build(records)
    if unscored:  # below the review floor or never a candidate: score them here
        scorer = Scorer(model)
        rows = {r["unique_id"]: r for r in all_rows}
        for a, b in unscored:
            contributions[(a, b)] = scorer.score(rows[a], rows[b]).contributions
    fn_review = len(false_neg & review)
    return [
        f"records {len(records)}, true pairs {len(true_pairs)}; "
        f"thresholds: link >= {upper}, review >= {lower}",
        f"automatic links: precision {s.precision:.4f}  recall {s.recall:.4f}  "
        f"F1 {s.f1:.4f}  (TP {s.true_positives}, FP {s.false_positives}, "
        f"FN {s.false_negatives})",
        f"pairs sent to review: {len(review)} "
        f"({len(review & true_pairs)} true, {len(review - true_pairs)} false)",
        f"recall, pairs without a shared NHS number: {recall(no_nhs)}",
        f"recall, movers: {recall(moved)}",
        f"recall, movers without a shared NHS number: {recall(moved_no_nhs)}",
        f"false positives {len(false_pos)}, most often disagreeing: "
        + _disagreements(false_pos, contributions, top),
        f"false negatives {len(false_neg)} ({fn_review} in review, "
        f"{len(false_neg) - fn_review} below it), most often disagreeing: "
        + _disagreements(false_neg, contributions, top),
        null_counts_line(all_rows),
    ]
