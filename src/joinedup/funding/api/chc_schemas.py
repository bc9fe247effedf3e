"""What the CHC case endpoints answer: the schemas and the mapping of a case
(with its records) to them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from ninja import Field, Schema

from joinedup.config.api import RecordRef
from joinedup.funding.models.chc import ChcCase
from joinedup.funding.selectors.chc import dst_members


class ChecklistOut(Schema):
    scores: dict[str, str]
    positive: bool
    rule: str
    reasons: list[str]
    completed_on: dt.date
    completed_by_id: RecordRef


class MemberSchema(Schema):
    name: str = ""
    profession: str = Field(
        "",
        description="nurse, doctor, occupational_therapist, physiotherapist, "
        "speech_language_therapist, dietitian, psychologist (health); "
        "social_worker, care_manager (social care)",
    )
    organisation_name: str = ""


class DstOut(Schema):
    levels: dict[str, str]
    evidence: dict[str, str]
    members: list[MemberSchema]
    nature: str
    intensity: str
    complexity: str
    unpredictability: str
    indication: str
    rule: str
    reasons: list[str]
    completed_on: dt.date


class RecommendationOut(Schema):
    primary_health_need: bool
    rationale: str
    recommended_on: dt.date


class DecisionOut(Schema):
    outcome: str
    nhs_share_percent: int
    effective_from: dt.date
    decided_on: dt.date
    decided_by_id: RecordRef
    decision_maker_role: str
    via_fast_track: bool


class StageOut(Schema):
    stage: str
    started_on: dt.date
    ended_on: dt.date | None


class InterimOut(Schema):
    payer: str
    nhs_share_percent: int
    from_date: dt.date


class DisputeOut(Schema):
    id: int
    kind: str
    council_id: RecordRef
    raised_on: dt.date
    stages: list[StageOut]
    interim: InterimOut | None
    resolved_on: dt.date | None
    result: str
    final_outcome: str
    final_nhs_share_percent: int | None
    final_effective_from: dt.date | None
    reimbursement_amount: Decimal | None
    reimbursement_payer: str = Field(
        "", description="who pays the other back: nhs (the ICB) or council"
    )


class ReviewOut(Schema):
    id: int
    due_on: dt.date
    reviewed_on: dt.date | None
    eligibility_continues: bool | None


class CaseOut(Schema):
    id: int
    person_id: RecordRef
    icb_id: RecordRef
    status: str = Field(
        ...,
        description="checklist, assessment, recommendation, decision, decided, closed",
    )
    fast_track: bool
    opened_at: dt.datetime
    clock_started_on: dt.date | None
    due_on: dt.date | None
    days_elapsed: int | None
    breached: bool
    breach_reason: str
    decided_on: dt.date | None
    closed_reason: str
    checklist: ChecklistOut | None
    dst: DstOut | None
    recommendation: RecommendationOut | None
    decision: DecisionOut | None
    disputes: list[DisputeOut]
    reviews: list[ReviewOut]


class CaseRowOut(Schema):
    id: int
    person_id: RecordRef
    name: str
    icb_id: RecordRef
    status: str
    fast_track: bool
    clock_started_on: dt.date | None
    due_on: dt.date | None
    days_elapsed: int | None
    breached: bool


class CasesOut(Schema):
    total: int
    cases: list[CaseRowOut]


def _related(case: ChcCase, name: str) -> object | None:
    # A missing reverse one-to-one raises a subclass of AttributeError.
    return getattr(case, name, None)


def case_out(case: ChcCase) -> dict[str, object]:
    today = timezone.localdate()
    checklist = _related(case, "checklist")
    dst = _related(case, "dst")
    rec = _related(case, "recommendation")
    decision = _related(case, "decision")
    return {
        "id": case.pk,
        "person_id": case.person_id,
        "icb_id": case.icb_id,
        "status": case.status,
        "fast_track": case.fast_track,
        "opened_at": case.opened_at,
        "clock_started_on": case.clock_started_on,
        "due_on": case.due_on,
        "days_elapsed": case.days_elapsed(today),
        "breached": case.breached(today),
        "breach_reason": case.breach_reason,
        "decided_on": case.decided_on,
        "closed_reason": case.closed_reason,
        "checklist": None
        if checklist is None
        else {
            "scores": checklist.scores,  # type: ignore[attr-defined]
            "positive": checklist.positive,  # type: ignore[attr-defined]
            "rule": checklist.rule,  # type: ignore[attr-defined]
            "reasons": checklist.reasons,  # type: ignore[attr-defined]
            "completed_on": checklist.completed_on,  # type: ignore[attr-defined]
            "completed_by_id": checklist.completed_by_id,  # type: ignore[attr-defined]
        },
        "dst": None
        if dst is None
        else {
            "levels": dst.levels,  # type: ignore[attr-defined]
            "evidence": dst.evidence,  # type: ignore[attr-defined]
            "members": [
                {
                    "name": m.name,
                    "profession": m.profession,
                    "organisation_name": m.organisation_name,
                }
                for m in dst_members(dst)
            ],
            "nature": dst.nature,  # type: ignore[attr-defined]
            "intensity": dst.intensity,  # type: ignore[attr-defined]
            "complexity": dst.complexity,  # type: ignore[attr-defined]
            "unpredictability": dst.unpredictability,  # type: ignore[attr-defined]
            "indication": dst.indication,  # type: ignore[attr-defined]
            "rule": dst.rule,  # type: ignore[attr-defined]
            "reasons": dst.reasons,  # type: ignore[attr-defined]
            "completed_on": dst.completed_on,  # type: ignore[attr-defined]
        },
        "recommendation": None
        if rec is None
        else {
            "primary_health_need": rec.primary_health_need,  # type: ignore[attr-defined]
            "rationale": rec.rationale,  # type: ignore[attr-defined]
            "recommended_on": rec.recommended_on,  # type: ignore[attr-defined]
        },
        "decision": None
        if decision is None
        else {
            "outcome": decision.outcome,  # type: ignore[attr-defined]
            "nhs_share_percent": decision.nhs_share_percent,  # type: ignore[attr-defined]
            "effective_from": decision.effective_from,  # type: ignore[attr-defined]
            "decided_on": decision.decided_on,  # type: ignore[attr-defined]
            "decided_by_id": decision.decided_by_id,  # type: ignore[attr-defined]
            "decision_maker_role": decision.decision_maker_role,  # type: ignore[attr-defined]
            "via_fast_track": decision.via_fast_track,  # type: ignore[attr-defined]
        },
        "disputes": [
            {
                "id": d.pk,
                "kind": d.kind,
                "council_id": d.council_id,
                "raised_on": d.raised_on,
                "stages": [
                    {
                        "stage": s.stage,
                        "started_on": s.started_on,
                        "ended_on": s.ended_on,
                    }
                    for s in d.stages.all()
                ],
                "interim": None
                if not hasattr(d, "interim")
                else {
                    "payer": d.interim.payer,
                    "nhs_share_percent": d.interim.nhs_share_percent,
                    "from_date": d.interim.from_date,
                },
                "resolved_on": d.resolved_on,
                "result": d.result,
                "final_outcome": d.final_outcome,
                "final_nhs_share_percent": d.final_nhs_share_percent,
                "final_effective_from": d.final_effective_from,
                "reimbursement_amount": d.reimbursement_amount,
                "reimbursement_payer": d.reimbursement_payer,
            }
            for d in case.disputes.all()
        ],
        "reviews": [
            {
                "id": r.pk,
                "due_on": r.due_on,
                "reviewed_on": r.reviewed_on,
                "eligibility_continues": r.eligibility_continues,
            }
            for r in case.reviews.all()
        ],
    }
