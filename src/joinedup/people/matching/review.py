"""The human review queue (issue 5): pairs the model was unsure about become
MatchCandidate rows; a reviewer sees both records side by side with each
comparison's contribution to the match weight, and accepts (the people are
merged) or rejects (the pair is never proposed again). Every decision is audited.

Who may review: administrators, and direct-care professionals who may open both
records under the access policy (each record opened leaves its audit entry).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from joinedup.errors import AccessRefused, Conflict, InvalidInput, NotFound
from joinedup.governance.access import Actor, Decision, people_visible_q
from joinedup.governance.models import AccessCategory, Role
from joinedup.governance.services import audit_record
from joinedup.people.matching.engine import COMPARISONS
from joinedup.people.matching.outcomes import Outcome
from joinedup.people.matching.pipeline import PairDecision
from joinedup.people.merge import REASON_MAX, person_merge
from joinedup.people.models import (
    CandidateStatus,
    MatchCandidate,
    MatchingModel,
    Person,
    PersonMerge,
)
from joinedup.people.selectors import person_access_open

PERSON_PREFIX = "person:"
ADMIN_DECISION = Decision(True, "identity review: administrator", "admin")


def _person_id(record_id: str) -> int | None:
    if not record_id.startswith(PERSON_PREFIX):
        return None
    try:
        return int(record_id[len(PERSON_PREFIX) :])
    except ValueError:
        return None


def candidate_propose(
    *,
    person_a_id: int,
    person_b_id: int,
    model: MatchingModel,
    match_probability: float,
    match_weight: float,
    contributions: dict[str, tuple[str, float]] | dict[str, dict],
) -> MatchCandidate | None:
    """Put one uncertain pair in the queue (lower id first). A pair already
    decided (rejected or accepted) is never proposed again; a pending one is
    re-scored; a pair with a merged person is skipped. Returns the candidate, or
    None when nothing was queued."""
    a, b = sorted((person_a_id, person_b_id))
    if a == b:
        return None
    live = Person.objects.filter(pk__in=(a, b), merged_into__isnull=True).count()
    if live != 2:
        return None
    scores = {
        "model": model,
        "match_probability": match_probability,
        "match_weight": match_weight,
        "contributions": {
            name: (
                value
                if isinstance(value, dict)
                else {"level": value[0], "weight": value[1]}
            )
            for name, value in contributions.items()
        },
    }
    with transaction.atomic():
        existing = (
            MatchCandidate.objects.select_for_update()
            .filter(person_a_id=a, person_b_id=b)
            .first()
        )
        if existing is None:
            return MatchCandidate.objects.create(person_a_id=a, person_b_id=b, **scores)
        if existing.status != CandidateStatus.PENDING:
            return None
        for key, value in scores.items():
            setattr(existing, key, value)
        existing.save(update_fields=list(scores))
        return existing


def candidates_queue(
    *, decisions: Iterable[PairDecision], model: MatchingModel
) -> list[MatchCandidate]:
    """Turn the pipeline's "review" outcomes between people of the index (ids
    "person:<pk>") into candidates. System activity: reads no person data."""
    queued = []
    for d in decisions:
        if d.outcome != Outcome.REVIEW:
            continue
        a, b = _person_id(d.left_id), _person_id(d.right_id)
        if a is None or b is None:
            continue
        candidate = candidate_propose(
            person_a_id=a,
            person_b_id=b,
            model=model,
            match_probability=d.match_probability,
            match_weight=d.match_weight,
            contributions=d.contributions,
        )
        if candidate is not None:
            queued.append(candidate)
    return queued


# ---------------------------------------------------------------- reading


def _may_review(actor: Actor) -> None:
    from joinedup.governance.models import DIRECT_CARE_ROLES

    if actor.role != Role.ADMIN and actor.role not in DIRECT_CARE_ROLES:
        raise AccessRefused(
            f"The role {actor.role_label} cannot review possible duplicate records."
        )


def candidate_list(*, actor: Actor, limit: int = 200) -> list[MatchCandidate]:
    """Pending candidates the actor may review (for a direct-care role: both
    people visible to them), most probable first. Shows ids and scores only; the
    list itself is audited."""
    _may_review(actor)
    candidates = (
        MatchCandidate.objects.select_related("model")
        .filter(
            status=CandidateStatus.PENDING,
            person_a__merged_into__isnull=True,
            person_b__merged_into__isnull=True,
        )
        .order_by("-match_probability", "pk")
    )
    if actor.role != Role.ADMIN:
        visible = Person.objects.filter(people_visible_q(actor)).values("pk")
        candidates = candidates.filter(
            Q(person_a__in=visible) & Q(person_b__in=visible)
        )
    found = list(candidates[:limit])
    audit_record(
        actor=actor,
        person_id=None,
        action="review_list",
        category=AccessCategory.DEMOGRAPHICS,
        decision=Decision(True, f"{len(found)} candidates"),
    )
    return found


@dataclass(frozen=True)
class ComparisonRow:
    """One line of the side-by-side view and of the waterfall."""

    key: str
    label: str
    value_a: str
    value_b: str
    level: str
    weight: float

    @property
    def agrees(self) -> bool:
        return self.weight > 0


@dataclass(frozen=True)
class WaterfallBar:
    """One bar of the waterfall, in percent of the chart's width."""

    key: str  # "prior", a comparison, or "total"
    x: float
    width: float
    zero: float  # where a match weight of 0 lies
    up: bool  # adds to the match weight

    @property
    def end(self) -> float:
        return round(self.x + self.width, 2)


@dataclass(frozen=True)
class CandidateReview:
    candidate: MatchCandidate
    person_a: Person
    person_b: Person
    rows: list[ComparisonRow]
    prior_weight: float

    @property
    def waterfall(self) -> list[WaterfallBar]:
        """The waterfall chart: the prior, then each comparison starting where
        the running total ended, then the total from zero; positions in percent
        of the chart's width, over the range the running total covers."""
        steps = [("prior", self.prior_weight)] + [(r.key, r.weight) for r in self.rows]
        running, spans = 0.0, []
        for key, weight in steps:
            spans.append((key, running, running + weight))
            running += weight
        spans.append(("total", 0.0, running))
        lo = min([0.0] + [min(a, b) for _k, a, b in spans])
        hi = max([0.0] + [max(a, b) for _k, a, b in spans])
        scale = 100.0 / (hi - lo) if hi > lo else 0.0
        return [
            WaterfallBar(
                key=key,
                x=round((min(a, b) - lo) * scale, 2),
                width=round(max(abs(b - a) * scale, 0.5), 2),
                zero=round(-lo * scale, 2),
                up=b >= a,
            )
            for key, a, b in spans
        ]

    @property
    def chart(self) -> dict[str, object]:
        """The waterfall for the template: the prior's bar, each row with its
        bar, and the total's bar."""
        bars = self.waterfall
        return {
            "prior": bars[0],
            "rows": list(zip(self.rows, bars[1:-1], strict=True)),
            "total": bars[-1],
        }

    @property
    def model_version(self) -> int:
        return self.candidate.model.version


LABELS = {
    "name": "Name",
    "birth_date": "Date of birth",
    "address": "Address",
    "sex": "Sex",
    "nhs_number": "NHS number",
}


def _values(person: Person) -> dict[str, str]:
    return {
        "name": person.display_name,
        "birth_date": person.birth_date.strftime("%-d %B %Y"),
        "address": ", ".join(x for x in (person.address_line, person.postcode) if x),
        "sex": person.get_sex_display(),
        "nhs_number": (
            f"{person.nhs_number_display} ({person.get_nhs_number_status_display()})"
            if person.nhs_number
            else "Not known"
        ),
    }


def _open_both(actor: Actor, candidate: MatchCandidate, action: str) -> list[Person]:
    """Open both records under the access policy (one audit entry each); refuse
    if either is refused. Administrators review identity without a care
    relationship: their access is audited as such."""
    ids = [candidate.person_a_id, candidate.person_b_id]
    if actor.role == Role.ADMIN:
        people = {p.pk: p for p in Person.objects.filter(pk__in=ids)}
        for pk in ids:
            audit_record(
                actor=actor,
                person_id=pk,
                action=action,
                category=AccessCategory.DEMOGRAPHICS,
                decision=ADMIN_DECISION,
            )
        return [people[pk] for pk in ids]
    return [
        person_access_open(actor=actor, person_id=pk, action=action).person
        for pk in ids
    ]


def _candidate_get(candidate_id: int) -> MatchCandidate:
    candidate = (
        MatchCandidate.objects.select_related("model").filter(pk=candidate_id).first()
    )
    if candidate is None:
        raise NotFound(
            f"candidate: there is no candidate with id {candidate_id}",
            fields={"candidate_id": "no such candidate"},
        )
    return candidate


def candidate_review_open(*, actor: Actor, candidate_id: int) -> CandidateReview:
    """Both records side by side with each comparison's level and contribution."""
    _may_review(actor)
    candidate = _candidate_get(candidate_id)
    person_a, person_b = _open_both(actor, candidate, "review_candidate")
    values_a, values_b = _values(person_a), _values(person_b)
    rows = []
    for key in COMPARISONS:
        found = candidate.contributions.get(key) or {}
        if key not in LABELS and not found.get("weight"):
            continue  # a comparison only files carry (identifier): nothing here
        rows.append(
            ComparisonRow(
                key=key,
                label=LABELS.get(key, key),
                value_a=values_a.get(key, ""),
                value_b=values_b.get(key, ""),
                level=str(found.get("level", "")),
                weight=float(found.get("weight", 0.0)),
            )
        )
    prior = candidate.match_weight - sum(r.weight for r in rows)
    return CandidateReview(candidate, person_a, person_b, rows, round(prior, 3))


# ---------------------------------------------------------------- deciding


def _decision_checks(
    actor: Actor, candidate_id: int, reason: str
) -> tuple[MatchCandidate, str]:
    _may_review(actor)
    reason = (reason or "").strip()
    candidate = _candidate_get(candidate_id)
    if not reason:
        raise InvalidInput.for_field("reason", "Enter a reason for your decision")
    if len(reason) > REASON_MAX:
        raise InvalidInput.for_field(
            "reason", f"Reason must be {REASON_MAX} characters or fewer"
        )
    if candidate.status != CandidateStatus.PENDING:
        raise Conflict(
            f"This pair has already been decided ({candidate.get_status_display()}).",
            fields={"candidate_id": "already decided"},
        )
    return candidate, reason


def _mark(candidate_id: int, actor: Actor, status: str, reason: str) -> MatchCandidate:
    candidate = MatchCandidate.objects.select_for_update().get(pk=candidate_id)
    if candidate.status != CandidateStatus.PENDING:
        raise Conflict(
            "This pair has just been decided by someone else.",
            fields={"candidate_id": "already decided"},
        )
    candidate.status = status
    candidate.reason = reason
    candidate.decided_by_id = actor.user_id
    candidate.decided_at = timezone.now()
    candidate.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    return candidate


def candidate_accept(
    *, actor: Actor, candidate_id: int, reason: str, survivor_id: int | None = None
) -> PersonMerge:
    """The two records are the same person: merge them (the survivor is the
    first of the pair unless given) and record the decision."""
    candidate, reason = _decision_checks(actor, candidate_id, reason)
    pair = (candidate.person_a_id, candidate.person_b_id)
    survivor = pair[0] if survivor_id is None else survivor_id
    if survivor not in pair:
        raise InvalidInput.for_field(
            "survivor_id", "The record to keep must be one of the pair"
        )
    merged = pair[1] if survivor == pair[0] else pair[0]
    _open_both(actor, candidate, "review_accept")
    with transaction.atomic():
        candidate = _mark(candidate_id, actor, CandidateStatus.ACCEPTED, reason)
        return person_merge(
            actor=actor,
            survivor_id=survivor,
            merged_id=merged,
            reason=reason,
            candidate=candidate,
        )


def candidate_reject(*, actor: Actor, candidate_id: int, reason: str) -> MatchCandidate:
    """The two records are different people: the pair is never proposed again."""
    candidate, reason = _decision_checks(actor, candidate_id, reason)
    _open_both(actor, candidate, "review_reject")
    with transaction.atomic():
        return _mark(candidate_id, actor, CandidateStatus.REJECTED, reason)
