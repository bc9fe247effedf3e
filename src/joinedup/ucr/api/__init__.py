"""REST: urgent community response (the team's queue, recording a referral,
contact and outcome, the dashboard's daily figures). Thin: the same selectors
and services as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.responses import codes_4xx

from joinedup.config.api import ErrorOut, RecordId, RecordRef
from joinedup.ucr.dashboard import ucr_dashboard
from joinedup.ucr.models import UcrReferral
from joinedup.ucr.selectors import ucr_queue, ucr_referral_detail
from joinedup.ucr.services import (
    ucr_contact_record,
    ucr_outcome_record,
    ucr_referral_receive,
)

router = Router(tags=["urgent community response"])


class UcrReferralIn(Schema):
    person_id: RecordRef
    source: str = ""
    reason: str = ""
    team_id: RecordRef | None = None
    received_at: dt.datetime | None = None


class OutcomeIn(Schema):
    clinical_reason: str = ""
    outcome: str = ""


class UcrReferralOut(Schema):
    id: int
    person_id: RecordRef
    source: str
    received_at: dt.datetime
    due_at: dt.datetime
    top_risk: bool
    contact_at: dt.datetime | None
    within_two_hours: bool | None
    clinical_reason: str
    outcome: str
    admitted_within_48h: bool | None = None


class QueueRowOut(UcrReferralOut):
    minutes_left: int


class DayOut(Schema):
    day: dt.date
    referrals: int
    due: int
    within_2h: int
    avoided: int


class UcrDashboardOut(Schema):
    referrals: int
    due: int
    within_2h: int
    admissions_avoided: int
    days: list[DayOut]


def _out(r: UcrReferral) -> dict[str, Any]:
    return {
        "id": r.pk,
        "person_id": r.person_id,
        "source": r.source,
        "received_at": r.received_at,
        "due_at": r.due_at,
        "top_risk": r.top_risk,
        "contact_at": r.contact_at,
        "within_two_hours": r.within_two_hours,
        "clinical_reason": r.clinical_reason,
        "outcome": r.outcome,
    }


def _actor(request: HttpRequest) -> Any:
    return request.actor  # type: ignore[attr-defined]


@router.get(
    "/queue",
    response={200: list[QueueRowOut], codes_4xx: ErrorOut},
    summary="The team's open referrals",
)
def queue(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {**_out(row.referral), "minutes_left": row.minutes_left}
        for row in ucr_queue(actor=_actor(request))
    ]


@router.post(
    "/referrals",
    response={201: UcrReferralOut, codes_4xx: ErrorOut},
    summary="Record or send a UCR referral; starts the 2-hour clock",
)
def referral_create(request: HttpRequest, body: UcrReferralIn) -> Any:
    r = ucr_referral_receive(actor=_actor(request), **body.dict())
    return Status(201, _out(r))


@router.get(
    "/referrals/{referral_id}",
    response={200: UcrReferralOut, codes_4xx: ErrorOut},
    summary="One UCR referral, with admission within 48 hours",
)
def referral_get(request: HttpRequest, referral_id: RecordId) -> dict[str, Any]:
    view = ucr_referral_detail(actor=_actor(request), referral_id=referral_id)
    return {**_out(view.referral), "admitted_within_48h": view.admitted_48h}


@router.post(
    "/referrals/{referral_id}/contact",
    response={200: UcrReferralOut, codes_4xx: ErrorOut},
    summary="Record first contact now",
)
def contact(request: HttpRequest, referral_id: RecordId) -> dict[str, Any]:
    return _out(ucr_contact_record(actor=_actor(request), referral_id=referral_id))


@router.post(
    "/referrals/{referral_id}/outcome",
    response={200: UcrReferralOut, codes_4xx: ErrorOut},
    summary="Record the clinical reason and outcome",
)
def outcome(
    request: HttpRequest, referral_id: RecordId, body: OutcomeIn
) -> dict[str, Any]:
    return _out(
        ucr_outcome_record(
            actor=_actor(request),
            referral_id=referral_id,
            clinical_reason=body.clinical_reason,
            outcome=body.outcome,
        )
    )


@router.get(
    "/dashboard",
    response={200: UcrDashboardOut, codes_4xx: ErrorOut},
    summary="Reached within 2 hours and admissions avoided, per day",
)
def dashboard(request: HttpRequest, days: int = 28) -> dict[str, Any]:
    board = ucr_dashboard(actor=_actor(request), days=days)
    return {
        "referrals": board.referrals,
        "due": board.due,
        "within_2h": board.within_2h,
        "admissions_avoided": board.avoided,
        "days": [d.__dict__ for d in board.days],
    }
