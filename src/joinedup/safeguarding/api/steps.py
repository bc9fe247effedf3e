"""REST for each step of safeguarding work under /api/v1/safeguarding/: adult
concerns and enquiries, children's cases to plans, early help families. Reads
through the selectors (the access policy, audited; sealed content only for
those working the case); writes through one service each. Errors are the
shared {"error", "detail", "fields"} of config/api.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.responses import codes_4xx

from joinedup.config.api import ErrorOut, RecordId, RecordRef
from joinedup.safeguarding.models import AdultConcern, CaseKind, ChildCase
from joinedup.safeguarding.selectors.steps import (
    FamilyView,
    case_members,
    child_case_open,
    concern_actions,
    concern_open,
    family_open,
)
from joinedup.safeguarding.services import adults, children, families

router = Router(tags=["Safeguarding"])


def _actor(request: HttpRequest) -> Any:
    return request.actor  # type: ignore[attr-defined]


class StepOut(Schema):
    id: int
    status: str


class MemberOut(Schema):
    user_id: RecordRef
    organisation_id: RecordRef
    role: str
    service: str


def _members(kind: str, case_id: RecordId) -> list[dict[str, Any]]:
    return [
        {"user_id": m.user_id, "organisation_id": m.organisation_id,
         "role": m.role, "service": m.service}
        for m in case_members(kind=kind, case_id=case_id)
    ]  # fmt: skip


# --- Adults --------------------------------------------------------------------


class SafeguardingActionOut(Schema):
    task_id: RecordRef
    title: str
    organisation_id: RecordRef | None
    status: str


class EnquiryOut(Schema):
    statutory: bool
    enquiry_officer_id: RecordRef
    strategy_held_on: dt.date | None
    strategy_agencies: list[str]
    risk_outcome: str
    outcomes_met: str
    person_view_on_outcome: str
    closed: bool
    actions: list[SafeguardingActionOut]


class ConcernOut(Schema):
    id: int
    person_id: RecordRef
    status: str
    council_id: RecordRef
    what_happened: str
    where_happened: str
    when_happened: str
    person_views: str
    views_not_sought_reason: str
    desired_outcomes: str
    suspected_categories: list[str]
    care_and_support_needs: bool | None
    experiencing_or_at_risk: bool | None
    unable_to_protect_self: bool | None
    categories: list[str]
    decision: str
    decision_reasons: str
    enquiry: EnquiryOut | None
    members: list[MemberOut]


def _concern_out(concern: AdultConcern) -> dict[str, Any]:
    keys = ("what_happened", "where_happened", "when_happened", "person_views",
            "views_not_sought_reason", "desired_outcomes", "suspected_categories",
            "care_and_support_needs", "experiencing_or_at_risk",
            "unable_to_protect_self", "categories", "decision", "decision_reasons",
            "status", "person_id", "council_id")  # fmt: skip
    out: dict[str, Any] = {k: getattr(concern, k) for k in keys}
    out["id"] = concern.pk
    enquiry = getattr(concern, "enquiry", None)
    out["enquiry"] = None
    if enquiry is not None:
        out["enquiry"] = {
            "statutory": enquiry.statutory,
            "enquiry_officer_id": enquiry.enquiry_officer_id,
            "strategy_held_on": enquiry.strategy_held_on,
            "strategy_agencies": enquiry.strategy_agencies,
            "risk_outcome": enquiry.risk_outcome,
            "outcomes_met": enquiry.outcomes_met,
            "person_view_on_outcome": enquiry.person_view_on_outcome,
            "closed": enquiry.closed_at is not None,
            "actions": [
                {
                    "task_id": t.pk,
                    "title": t.title,
                    "status": t.status,
                    "organisation_id": t.assignee_organisation_id,
                }
                for t in concern_actions(concern=concern)
            ],
        }
    out["members"] = _members(CaseKind.ADULT, concern.pk)
    return out


@router.get("/concerns/{concern_id}", response={200: ConcernOut, codes_4xx: ErrorOut})
def concern_get(request: HttpRequest, concern_id: RecordId) -> dict[str, Any]:
    """The concern's content: only for those working it and the safeguarding
    leads of organisations involved (403 otherwise, audited)."""
    return _concern_out(concern_open(actor=_actor(request), concern_id=concern_id))


class SafeguardingDecisionIn(Schema):
    care_and_support_needs: bool | None = None
    experiencing_or_at_risk: bool | None = None
    unable_to_protect_self: bool | None = None
    categories: list[str] = []
    decision: str
    reasons: str
    enquiry_officer_id: RecordRef | None = None


@router.post(
    "/concerns/{concern_id}/decision", response={200: StepOut, codes_4xx: ErrorOut}
)
def concern_decision(
    request: HttpRequest, concern_id: RecordId, payload: SafeguardingDecisionIn
) -> dict[str, Any]:
    c = adults.concern_decide(
        actor=_actor(request), concern_id=concern_id, **payload.dict()
    )
    return {"id": c.pk, "status": c.status}


class StrategyIn(Schema):
    held_on: dt.date | None = None
    agencies: list[str] = []
    notes: str = ""
    member_user_ids: list[int] = []


@router.post(
    "/concerns/{concern_id}/strategy", response={200: StepOut, codes_4xx: ErrorOut}
)
def enquiry_strategy(
    request: HttpRequest, concern_id: RecordId, payload: StrategyIn
) -> dict[str, Any]:
    e = adults.enquiry_strategy_record(
        actor=_actor(request), concern_id=concern_id, **payload.dict()
    )
    return {"id": e.concern_id, "status": e.concern.status}


class SafeguardingActionIn(Schema):
    title: str
    organisation_id: RecordRef | None = None
    team_id: RecordRef | None = None
    due_on: dt.date | None = None


@router.post(
    "/concerns/{concern_id}/actions", response={201: StepOut, codes_4xx: ErrorOut}
)
def enquiry_action(
    request: HttpRequest, concern_id: RecordId, payload: SafeguardingActionIn
) -> Status:
    task = adults.enquiry_action_add(
        actor=_actor(request), concern_id=concern_id, **payload.dict()
    )
    return Status(201, {"id": task.pk, "status": task.status})


class ConcernCloseIn(Schema):
    risk_outcome: str = ""
    outcomes_met: str = ""
    person_view_on_outcome: str = ""


@router.post(
    "/concerns/{concern_id}/close", response={200: StepOut, codes_4xx: ErrorOut}
)
def enquiry_close(
    request: HttpRequest, concern_id: RecordId, payload: ConcernCloseIn
) -> dict[str, Any]:
    e = adults.enquiry_close(
        actor=_actor(request), concern_id=concern_id, **payload.dict()
    )
    return {"id": e.concern_id, "status": e.concern.status}


# --- Children ------------------------------------------------------------------


class ChildReferralIn(Schema):
    person_id: RecordRef
    council_id: RecordRef | None = None
    reason: str
    consent: str
    lawful_basis: str = ""
    received_on: dt.date | None = None
    alleged_perpetrator_id: RecordRef | None = None
    family_id: RecordRef | None = None
    council_team_id: RecordRef | None = None


@router.post("/children/referrals", response={201: StepOut, codes_4xx: ErrorOut})
def referral_post(request: HttpRequest, payload: ChildReferralIn) -> Status:
    case = children.child_referral_make(actor=_actor(request), **payload.dict())
    return Status(201, {"id": case.pk, "status": case.status})


class ChildProtectionPlanOut(Schema):
    category: str
    pre_birth: bool
    started_on: dt.date
    next_review_due_on: dt.date
    last_review_on: dt.date | None
    ended_on: dt.date | None
    end_reason: str


class ConferenceOut(Schema):
    kind: str
    held_on: dt.date
    late_reason: str
    plan_decided: bool


class ChildCaseOut(Schema):
    id: int
    person_id: RecordRef
    council_id: RecordRef
    status: str
    received_on: dt.date
    reason: str
    decision: str
    decision_reasons: str
    decision_due_on: dt.date
    decided_on: dt.date | None
    strategy_held_on: dt.date | None
    strategy_agencies: list[str]
    s47_outcome: str
    icpc_due_on: dt.date | None
    icpc_held_on: dt.date | None
    plan: ChildProtectionPlanOut | None
    conferences: list[ConferenceOut]
    members: list[MemberOut]


def _case_out(case: ChildCase) -> dict[str, Any]:
    keys = (
        "person_id", "council_id", "status", "received_on", "reason", "decision",
        "decision_reasons", "decision_due_on", "decided_on", "strategy_held_on",
        "strategy_agencies", "s47_outcome", "icpc_due_on", "icpc_held_on",
    )  # fmt: skip
    out: dict[str, Any] = {k: getattr(case, k) for k in keys}
    out["id"] = case.pk
    plan = getattr(case, "plan", None)
    out["plan"] = (
        None
        if plan is None
        else {k: getattr(plan, k) for k in ChildProtectionPlanOut.model_fields}
    )
    out["conferences"] = [
        {"kind": c.kind, "held_on": c.held_on, "late_reason": c.late_reason,
         "plan_decided": c.plan_decided}
        for c in case.conferences.all()
    ]  # fmt: skip
    out["members"] = _members(CaseKind.CHILD, case.pk)
    return out


@router.get(
    "/children/cases/{case_id}", response={200: ChildCaseOut, codes_4xx: ErrorOut}
)
def case_get(request: HttpRequest, case_id: RecordId) -> dict[str, Any]:
    return _case_out(child_case_open(actor=_actor(request), case_id=case_id))


def _case_step(case: ChildCase) -> dict[str, Any]:
    return {"id": case.pk, "status": case.status}


class CaseDecisionIn(Schema):
    decision: str
    reasons: str
    decided_on: dt.date | None = None
    social_worker_id: RecordRef | None = None


@router.post(
    "/children/cases/{case_id}/decision", response={200: StepOut, codes_4xx: ErrorOut}
)
def case_decision(
    request: HttpRequest, case_id: RecordId, payload: CaseDecisionIn
) -> dict[str, Any]:
    return _case_step(
        children.child_referral_decide(
            actor=_actor(request), case_id=case_id, **payload.dict()
        )
    )


class ChildStrategyIn(Schema):
    held_on: dt.date | None = None
    agencies: list[str] = []
    s47: bool | None = None
    notes: str = ""
    member_user_ids: list[int] = []


@router.post(
    "/children/cases/{case_id}/strategy", response={200: StepOut, codes_4xx: ErrorOut}
)
def case_strategy(
    request: HttpRequest, case_id: RecordId, payload: ChildStrategyIn
) -> dict[str, Any]:
    return _case_step(
        children.strategy_discussion_record(
            actor=_actor(request), case_id=case_id, **payload.dict()
        )
    )


class S47In(Schema):
    outcome: str
    completed_on: dt.date | None = None


@router.post(
    "/children/cases/{case_id}/s47", response={200: StepOut, codes_4xx: ErrorOut}
)
def case_s47(request: HttpRequest, case_id: RecordId, payload: S47In) -> dict[str, Any]:
    return _case_step(
        children.s47_outcome_record(
            actor=_actor(request), case_id=case_id, **payload.dict()
        )
    )


class InitialConferenceIn(Schema):
    held_on: dt.date | None = None
    plan: bool
    category: str = ""
    pre_birth: bool = False
    late_reason: str = ""
    member_user_ids: list[int] = []


@router.post(
    "/children/cases/{case_id}/conferences/initial",
    response={201: StepOut, codes_4xx: ErrorOut},
)
def case_initial_conference(
    request: HttpRequest, case_id: RecordId, payload: InitialConferenceIn
) -> Status:
    conf = children.initial_conference_record(
        actor=_actor(request), case_id=case_id, **payload.dict()
    )
    return Status(201, {"id": conf.pk, "status": conf.case.status})


class CoreGroupIn(Schema):
    member_user_ids: list[int]


@router.post(
    "/children/cases/{case_id}/core-group", response={200: StepOut, codes_4xx: ErrorOut}
)
def case_core_group(
    request: HttpRequest, case_id: RecordId, payload: CoreGroupIn
) -> dict[str, Any]:
    added = children.core_group_add(
        actor=_actor(request), case_id=case_id, member_user_ids=payload.member_user_ids
    )
    return {"id": case_id, "status": f"{added} added"}


class ReviewIn(Schema):
    held_on: dt.date | None = None
    continue_plan: bool
    end_reason: str = ""


@router.post(
    "/children/cases/{case_id}/conferences/review",
    response={201: StepOut, codes_4xx: ErrorOut},
)
def case_review(request: HttpRequest, case_id: RecordId, payload: ReviewIn) -> Status:
    conf = children.review_conference_record(
        actor=_actor(request), case_id=case_id, **payload.dict()
    )
    conf.case.refresh_from_db()
    return Status(201, {"id": conf.pk, "status": conf.case.status})


class PlanEndIn(Schema):
    ended_on: dt.date | None = None
    reason: str = ""


@router.post(
    "/children/cases/{case_id}/plan/end", response={200: StepOut, codes_4xx: ErrorOut}
)
def case_plan_end(
    request: HttpRequest, case_id: RecordId, payload: PlanEndIn
) -> dict[str, Any]:
    plan = children.plan_end(actor=_actor(request), case_id=case_id, **payload.dict())
    return {"id": plan.pk, "status": "ended"}


# --- Families -------------------------------------------------------------------


class FamilyMemberIn(Schema):
    person_id: RecordRef
    role: str


class FamilyIn(Schema):
    reference: str
    members: list[FamilyMemberIn]
    lead_practitioner_id: RecordRef | None = None


@router.post("/families", response={201: StepOut, codes_4xx: ErrorOut})
def family_post(request: HttpRequest, payload: FamilyIn) -> Status:
    family = families.family_create(
        actor=_actor(request),
        reference=payload.reference,
        members=[(m.person_id, m.role) for m in payload.members],
        lead_practitioner_id=payload.lead_practitioner_id,
    )
    return Status(201, {"id": family.pk, "status": family.status})


class FamilyMemberOut(Schema):
    person_id: RecordRef | None
    role: str
    visible: bool
    flags: list[str]
    cases: list[dict[str, Any]]


class FamilyOut(Schema):
    id: int
    reference: str
    status: str
    plan_text: str
    plan_review_due_on: dt.date | None
    members: list[FamilyMemberOut]
    team: list[MemberOut]
    steps: list[dict[str, Any]]


def _family_out(view: FamilyView) -> dict[str, Any]:
    family = view.family
    members: list[dict[str, Any]] = []
    for m in view.members:
        if m.view is None:  # the policy does not let the caller see this member
            members.append(
                {"person_id": None, "role": m.member.role, "visible": False,
                 "flags": [], "cases": []}
            )  # fmt: skip
            continue
        members.append(
            {
                "person_id": m.member.person_id,
                "role": m.member.role,
                "visible": True,
                "flags": [f.kind for f in m.view.flags],
                "cases": [
                    {
                        "kind": n.kind,
                        "case_id": n.case_id,
                        "label": n.label,
                        "contact_name": n.contact.name,
                        "content_visible": n.content is not None,
                    }
                    for n in m.view.notices
                ],
            }
        )
    return {
        "id": family.pk,
        "reference": family.reference,
        "status": family.status,
        "plan_text": family.plan_text,
        "plan_review_due_on": family.plan_review_due_on,
        "members": members,
        "team": [
            {
                "user_id": t.user_id,
                "organisation_id": t.organisation_id,
                "role": t.role,
                "service": t.service,
            }
            for t in view.team
        ],
        "steps": [
            {"direction": s.direction, "at": s.at.isoformat(), "case_id": s.case_id}
            for s in family.steps.all()
        ],
    }


@router.get("/families/{family_id}", response={200: FamilyOut, codes_4xx: ErrorOut})
def family_get(request: HttpRequest, family_id: RecordId) -> dict[str, Any]:
    """The family, each member as the policy allows for that member."""
    return _family_out(family_open(actor=_actor(request), family_id=family_id))


class AssessmentIn(Schema):
    person_id: RecordRef
    answers: dict[str, dict[str, Any]]


@router.post(
    "/families/{family_id}/assessments", response={201: StepOut, codes_4xx: ErrorOut}
)
def family_assessment(
    request: HttpRequest, family_id: RecordId, payload: AssessmentIn
) -> Status:
    a = families.early_help_assessment_record(
        actor=_actor(request), family_id=family_id, **payload.dict()
    )
    return Status(201, {"id": a.pk, "status": "completed"})


class TeamIn(Schema):
    user_id: RecordRef
    service: str


@router.post("/families/{family_id}/team", response={200: StepOut, codes_4xx: ErrorOut})
def family_team(
    request: HttpRequest, family_id: RecordId, payload: TeamIn
) -> dict[str, Any]:
    f = families.team_around_family_add(
        actor=_actor(request), family_id=family_id, **payload.dict()
    )
    return {"id": f.pk, "status": f.status}


class FamilyPlanIn(Schema):
    plan_text: str
    review_due_on: dt.date | None = None


@router.post("/families/{family_id}/plan", response={200: StepOut, codes_4xx: ErrorOut})
def family_plan(
    request: HttpRequest, family_id: RecordId, payload: FamilyPlanIn
) -> dict[str, Any]:
    f = families.family_plan_set(
        actor=_actor(request), family_id=family_id, **payload.dict()
    )
    return {"id": f.pk, "status": f.status}


class FamilyReviewIn(Schema):
    held_on: dt.date | None = None
    progress: str
    next_review_on: dt.date | None = None


@router.post(
    "/families/{family_id}/reviews", response={201: StepOut, codes_4xx: ErrorOut}
)
def family_review(
    request: HttpRequest, family_id: RecordId, payload: FamilyReviewIn
) -> Status:
    r = families.family_review_record(
        actor=_actor(request), family_id=family_id, **payload.dict()
    )
    return Status(201, {"id": r.pk, "status": "recorded"})


class StepUpIn(Schema):
    child_id: RecordRef
    council_id: RecordRef | None = None
    reason: str
    consent: str
    lawful_basis: str = ""


@router.post(
    "/families/{family_id}/step-up", response={201: StepOut, codes_4xx: ErrorOut}
)
def family_step_up(
    request: HttpRequest, family_id: RecordId, payload: StepUpIn
) -> Status:
    case = families.family_step_up(
        actor=_actor(request), family_id=family_id, **payload.dict()
    )
    return Status(201, {"id": case.pk, "status": case.status})


class StepDownIn(Schema):
    reason: str


@router.post(
    "/families/{family_id}/step-down", response={200: StepOut, codes_4xx: ErrorOut}
)
def family_step_down(
    request: HttpRequest, family_id: RecordId, payload: StepDownIn
) -> dict[str, Any]:
    step = families.family_step_down(
        actor=_actor(request), family_id=family_id, reason=payload.reason
    )
    return {"id": step.pk, "status": step.direction}
