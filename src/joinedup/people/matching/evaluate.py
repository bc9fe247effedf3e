"""Scoring identity matching against the synthetic area's ground truth: pairwise
precision, recall and F1 at a threshold, the curve over thresholds, and movers
(people whose address differs between the two records) reported on their own."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from joinedup.people.matching.prepare import MatchRecord
from joinedup.synth.area import Area


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


def area_records(area: Area) -> tuple[list[MatchRecord], Truth]:
    """Every source record of the area as a MatchRecord, with the ground truth."""
    records: list[MatchRecord] = []
    person_of: dict[str, str] = {}
    for person in area.iter_people():
        for r in person.records:
            rid = f"{r.system_code}:{r.local_id}"
            person_of[rid] = person.key
            records.append(
                MatchRecord(
                    id=rid,
                    given_name=r.given_name,
                    family_name=r.family_name,
                    birth_date=r.birth_date,
                    sex=r.sex,
                    postcode=r.postcode,
                    nhs_number=r.nhs_number,
                    nhs_verified=r.nhs_number_status == "01",
                )
            )
    return records, Truth(person_of)


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
