"""REST for NHS continuing healthcare cases, under /api/v1/chc: list, read,
open (refer), and every transition (Checklist, DST, recommendation, decision,
Fast Track, breach reason, closing, disputes with interim funding and
resolution). Thin: the same services and selectors as the pages, so the same
access policy, audit and validation apply. Errors: 400 invalid (with the
fields), 403 refused, 404 unknown, 409 a step already taken."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.responses import codes_4xx

from joinedup.config.api import ErrorOut, RecordId, RecordRef
from joinedup.funding.api.chc_schemas import (
    CaseOut,
    CasesOut,
    MemberSchema,
    case_out,
)
from joinedup.funding.selectors import chc as selectors
from joinedup.funding.services import chc as services
from joinedup.funding.services.chc import disputes
from joinedup.governance.access import Actor
from joinedup.people.selectors import person_access_open

router = Router(tags=["continuing healthcare cases"])


def _written(case_id: RecordId) -> dict[str, object]:
    """The case after a write the actor was just allowed (already audited)."""
    return case_out(selectors.case_after_write(case_id=case_id))


def _actor(request: HttpRequest) -> Actor:
    return request.actor  # type: ignore[attr-defined]


# --- reads ----------------------------------------------------------------------


@router.get(
    "/cases",
    response={200: CasesOut, codes_4xx: ErrorOut},
    summary="CHC cases the actor's organisation works or referred",
)
def cases_list(
    request: HttpRequest,
    status: str = Query("", description="only cases in this status"),
    limit: int = 200,
) -> dict[str, object]:
    rows = selectors.cases_list(
        actor=_actor(request), status=status, today=timezone.localdate(), limit=limit
    )
    return {
        "total": len(rows),
        "cases": [
            {
                "id": r.case.pk,
                "person_id": r.case.person_id,
                "name": r.person.display_name if r.person else "",
                "icb_id": r.case.icb_id,
                "status": r.case.status,
                "fast_track": r.case.fast_track,
                "clock_started_on": r.case.clock_started_on,
                "due_on": r.case.due_on,
                "days_elapsed": r.days_elapsed,
                "breached": r.breached,
            }
            for r in rows
        ],
    }


@router.get(
    "/cases/{case_id}",
    response={200: CaseOut, codes_4xx: ErrorOut},
    summary="One CHC case with its records",
)
def case_read(request: HttpRequest, case_id: RecordId) -> dict[str, object]:
    case, _ = selectors.case_open(
        actor=_actor(request), case_id=case_id, action="api_chc_case"
    )
    return case_out(case)


@router.get(
    "/people/{person_id}/cases",
    response={200: list[CaseOut], codes_4xx: ErrorOut},
    summary="A person's CHC cases (empty when health and finance are not shared)",
)
def person_cases(request: HttpRequest, person_id: RecordId) -> list[dict[str, object]]:
    access = person_access_open(
        actor=_actor(request), person_id=person_id, action="api_chc_person"
    )
    return [case_out(c) for c in selectors.cases_for_person(access=access)]


# --- writes ---------------------------------------------------------------------


class CaseIn(Schema):
    person_id: RecordRef
    icb_id: RecordRef | None = Field(
        None, description="the ICB to refer to; a CHC nurse's own ICB by default"
    )


@router.post(
    "/cases",
    response={201: CaseOut, codes_4xx: ErrorOut},
    summary="Refer a person for NHS continuing healthcare (open a case)",
)
def case_create(request: HttpRequest, body: CaseIn) -> Status:
    case = services.chc_case_open(
        actor=_actor(request), person_id=body.person_id, icb_id=body.icb_id
    )
    return Status(201, _written(case.pk))


class ChecklistIn(Schema):
    scores: dict[str, str] = Field(
        ..., description="each of the 11 Checklist domains: A, B or C"
    )
    completed_on: dt.date | None = None


@router.post(
    "/cases/{case_id}/checklist",
    response={200: CaseOut, codes_4xx: ErrorOut},
    summary="Record the Checklist (positive: full assessment, the clock starts)",
)
def case_checklist(request: HttpRequest, case_id: RecordId, body: ChecklistIn) -> dict:
    services.checklist_record(
        actor=_actor(request),
        case_id=case_id,
        scores=body.scores,
        completed_on=body.completed_on,
    )
    return _written(case_id)


class DstIn(Schema):
    levels: dict[str, str] = Field(..., description="each of the 12 DST domains")
    evidence: dict[str, str] = Field(
        default_factory=dict, description="per domain; needed above no_needs"
    )
    members: list[MemberSchema]
    nature: str = ""
    intensity: str = ""
    complexity: str = ""
    unpredictability: str = ""
    completed_on: dt.date | None = None


@router.post(
    "/cases/{case_id}/dst",
    response={200: CaseOut, codes_4xx: ErrorOut},
    summary="Record the Decision Support Tool and the MDT",
)
def case_dst(request: HttpRequest, case_id: RecordId, body: DstIn) -> dict:
    services.dst_record(
        actor=_actor(request),
        case_id=case_id,
        levels=body.levels,
        evidence=body.evidence,
        members=[
            services.MdtMemberIn(m.name, m.profession, m.organisation_name)
            for m in body.members
        ],
        nature=body.nature,
        intensity=body.intensity,
        complexity=body.complexity,
        unpredictability=body.unpredictability,
        completed_on=body.completed_on,
    )
    return _written(case_id)


class RecommendationIn(Schema):
    primary_health_need: bool | None = None
    rationale: str = ""
    recommended_on: dt.date | None = None


@router.post(
    "/cases/{case_id}/recommendation",
    response={200: CaseOut, codes_4xx: ErrorOut},
    summary="Record the MDT's recommendation",
)
def case_recommendation(
    request: HttpRequest, case_id: RecordId, body: RecommendationIn
) -> dict:
    services.recommendation_record(
        actor=_actor(request),
        case_id=case_id,
        primary_health_need=body.primary_health_need,
        rationale=body.rationale,
        recommended_on=body.recommended_on,
    )
    return _written(case_id)


class DecisionIn(Schema):
    outcome: str = Field("", description="chc, fnc, joint or social_care")
    nhs_share_percent: int | None = Field(None, description="for joint: 1 to 99")
    effective_from: dt.date | None = None
    decided_on: dt.date | None = None
    decision_maker_role: str = ""
    rationale: str = ""
    breach_reason: str = ""


@router.post(
    "/cases/{case_id}/decision",
    response={200: CaseOut, codes_4xx: ErrorOut},
    summary="Record the ICB's decision (moves the care packages' funding)",
)
def case_decision(request: HttpRequest, case_id: RecordId, body: DecisionIn) -> dict:
    services.decision_record(
        actor=_actor(request),
        case_id=case_id,
        outcome=body.outcome,
        nhs_share_percent=body.nhs_share_percent,
        effective_from=body.effective_from,
        decided_on=body.decided_on,
        decision_maker_role=body.decision_maker_role,
        rationale=body.rationale,
        breach_reason=body.breach_reason,
    )
    return _written(case_id)


class BreachIn(Schema):
    breach_reason: str = ""


@router.post(
    "/cases/{case_id}/breach-reason",
    response={200: CaseOut, codes_4xx: ErrorOut},
    summary="Record why a case is past its 28 days",
)
def case_breach(request: HttpRequest, case_id: RecordId, body: BreachIn) -> dict:
    services.breach_reason_record(
        actor=_actor(request), case_id=case_id, reason=body.breach_reason
    )
    return _written(case_id)


class CloseIn(Schema):
    reason: str = ""
    breach_reason: str = ""


@router.post(
    "/cases/{case_id}/close",
    response={200: CaseOut, codes_4xx: ErrorOut},
    summary="Close an open case without a decision",
)
def case_close(request: HttpRequest, case_id: RecordId, body: CloseIn) -> dict:
    services.chc_case_close(
        actor=_actor(request),
        case_id=case_id,
        reason=body.reason,
        breach_reason=body.breach_reason,
    )
    return _written(case_id)


class FastTrackIn(Schema):
    person_id: RecordRef
    clinician_name: str = ""
    clinician_profession: str = Field("", description="nurse or doctor")
    clinician_organisation: str = ""
    reason: str = ""
    signed_on: dt.date | None = None
    icb_id: RecordRef | None = None


@router.post(
    "/fast-track",
    response={201: CaseOut, codes_4xx: ErrorOut},
    summary="A Fast Track: the ICB acts on it at once (eligible from its date)",
)
def fast_track(request: HttpRequest, body: FastTrackIn) -> Status:
    decision = services.fast_track_record(
        actor=_actor(request),
        person_id=body.person_id,
        clinician_name=body.clinician_name,
        clinician_profession=body.clinician_profession,
        clinician_organisation=body.clinician_organisation,
        reason=body.reason,
        signed_on=body.signed_on,
        icb_id=body.icb_id,
    )
    return Status(201, _written(decision.case_id))


class DisputeIn(Schema):
    kind: str = Field("", description="individual or interagency")
    council_id: RecordRef | None = None
    raised_on: dt.date | None = None
    grounds: str = ""


@router.post(
    "/cases/{case_id}/disputes",
    response={201: CaseOut, codes_4xx: ErrorOut},
    summary="Raise a dispute about the decision",
)
def dispute_raise(request: HttpRequest, case_id: RecordId, body: DisputeIn) -> Status:
    disputes.dispute_raise(
        actor=_actor(request),
        case_id=case_id,
        kind=body.kind,
        council_id=body.council_id,
        raised_on=body.raised_on,
        grounds=body.grounds,
    )
    return Status(201, _written(case_id))


class EscalateIn(Schema):
    on: dt.date | None = None
    stage_outcome: str = ""


@router.post(
    "/disputes/{dispute_id}/escalate",
    response={200: CaseOut, codes_4xx: ErrorOut},
    summary="Local resolution -> independent review panel",
)
def dispute_escalate(
    request: HttpRequest, dispute_id: RecordId, body: EscalateIn
) -> dict:
    stage = disputes.dispute_escalate(
        actor=_actor(request),
        dispute_id=dispute_id,
        on=body.on,
        stage_outcome=body.stage_outcome,
    )
    return _written(stage.dispute.case_id)


class InterimIn(Schema):
    payer: str = Field("", description="nhs, council or shared")
    nhs_share_percent: int | None = Field(None, description="for shared: 1 to 99")
    from_date: dt.date | None = None


@router.post(
    "/disputes/{dispute_id}/interim-funding",
    response={200: CaseOut, codes_4xx: ErrorOut},
    summary="Who pays while the dispute runs (moves the care packages' funding)",
)
def dispute_interim(
    request: HttpRequest, dispute_id: RecordId, body: InterimIn
) -> dict:
    interim = disputes.interim_funding_set(
        actor=_actor(request),
        dispute_id=dispute_id,
        payer=body.payer,
        nhs_share_percent=body.nhs_share_percent,
        from_date=body.from_date,
    )
    return _written(interim.dispute.case_id)


class ResolveIn(Schema):
    result: str = Field("", description="upheld, changed or withdrawn")
    stage_outcome: str = ""
    resolved_on: dt.date | None = None
    final_outcome: str = ""
    final_nhs_share_percent: int | None = None
    final_effective_from: dt.date | None = None


@router.post(
    "/disputes/{dispute_id}/resolve",
    response={200: CaseOut, codes_4xx: ErrorOut},
    summary="Resolve a dispute; with interim funding, the reimbursement is computed",
)
def dispute_resolve(
    request: HttpRequest, dispute_id: RecordId, body: ResolveIn
) -> dict:
    dispute = disputes.dispute_resolve(
        actor=_actor(request),
        dispute_id=dispute_id,
        result=body.result,
        stage_outcome=body.stage_outcome,
        resolved_on=body.resolved_on,
        final_outcome=body.final_outcome,
        final_nhs_share_percent=body.final_nhs_share_percent,
        final_effective_from=body.final_effective_from,
    )
    return _written(dispute.case_id)
