"""REST: referrals between agencies (FHIR ServiceRequest + Task semantics):
list incoming or outgoing, read one, a person's referrals, send, and the
transitions accept, decline, complete, withdraw. Thin: the same selectors and
services as the pages, so the same access policy and audit apply."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.responses import codes_4xx

from joinedup.config.api import ErrorOut, RecordId, RecordRef
from joinedup.coordination.models import Referral
from joinedup.coordination.selectors.referrals import (
    referral_clock,
    referral_detail,
    referrals_for_person,
    referrals_incoming,
    referrals_outgoing,
)
from joinedup.coordination.services.referrals import (
    referral_accept,
    referral_complete,
    referral_decline,
    referral_send,
    referral_withdraw,
)

router = Router(tags=["referrals"])


class ReferralOut(Schema):
    id: int
    person_id: RecordRef
    referral_type: str
    urgency: str
    reason: str
    consent_basis: str
    status: str
    from_organisation_id: RecordRef
    from_team_id: RecordRef | None
    sent_by_id: RecordRef
    sent_at: dt.datetime
    to_organisation_id: RecordRef
    to_team_id: RecordRef | None
    respond_by: dt.date
    clock: str
    clock_label: str
    responded_at: dt.datetime | None
    assigned_user_id: RecordRef | None
    decline_reason: str
    outcome: str
    task_id: RecordRef | None


class ReferralsOut(Schema):
    total: int
    referrals: list[ReferralOut]


class ReferralIn(Schema):
    # Defaults, so a missing one is reported by the service with its own name.
    person_id: RecordRef
    referral_type: str = ""
    urgency: str = ""
    reason: str = ""
    consent_basis: str = ""
    to_organisation_id: RecordRef | None = None
    to_team_id: RecordRef | None = None


class AcceptIn(Schema):
    assign_user_id: RecordRef | None = None


class DeclineIn(Schema):
    decline_reason: str = ""


class ReferralCompleteIn(Schema):
    outcome: str = ""


class WithdrawIn(Schema):
    reason: str = ""


def _out(r: Referral) -> dict[str, object]:
    from django.utils import timezone

    clock = referral_clock(r, timezone.localdate())
    return {
        "id": r.pk,
        "person_id": r.person_id,
        "referral_type": r.referral_type,
        "urgency": r.urgency,
        "reason": r.reason,
        "consent_basis": r.consent_basis,
        "status": r.status,
        "from_organisation_id": r.from_organisation_id,
        "from_team_id": r.from_team_id,
        "sent_by_id": r.sent_by_id,
        "sent_at": r.sent_at,
        "to_organisation_id": r.to_organisation_id,
        "to_team_id": r.to_team_id,
        "respond_by": r.respond_by,
        "clock": clock.state,
        "clock_label": clock.label,
        "responded_at": r.responded_at,
        "assigned_user_id": r.assigned_user_id,
        "decline_reason": r.decline_reason,
        "outcome": r.outcome,
        "task_id": r.task_id,
    }


@router.get(
    "",
    response={200: ReferralsOut, codes_4xx: ErrorOut},
    summary="Referrals to the actor's team (incoming) or sent by them (outgoing)",
)
def referrals_list(
    request: HttpRequest,
    box: Literal["incoming", "outgoing"] = "incoming",
    status: Literal["open", "waiting", "closed", "all"] = "open",
) -> dict[str, object]:
    select = referrals_incoming if box == "incoming" else referrals_outgoing
    rows = select(actor=request.actor, status=status)  # type: ignore[attr-defined]
    return {"total": len(rows), "referrals": [_out(r) for r in rows]}


@router.get(
    "/people/{person_id}",
    response={200: ReferralsOut, codes_4xx: ErrorOut},
    summary="A person's referrals",
)
def person_referrals(request: HttpRequest, person_id: RecordId) -> dict[str, object]:
    _, rows = referrals_for_person(
        actor=request.actor,  # type: ignore[attr-defined]
        person_id=person_id,
    )
    return {"total": len(rows), "referrals": [_out(r) for r in rows]}


@router.get(
    "/{referral_id}",
    response={200: ReferralOut, codes_4xx: ErrorOut},
    summary="One referral",
)
def referral_read(request: HttpRequest, referral_id: RecordId) -> dict[str, object]:
    view = referral_detail(
        actor=request.actor,  # type: ignore[attr-defined]
        referral_id=referral_id,
    )
    return _out(view.referral)


@router.post(
    "",
    response={201: ReferralOut, codes_4xx: ErrorOut},
    summary="Send a referral (reason and basis for sharing required)",
)
def referral_create(request: HttpRequest, body: ReferralIn) -> Status:
    referral = referral_send(
        actor=request.actor,  # type: ignore[attr-defined]
        person_id=body.person_id,
        referral_type=body.referral_type,
        urgency=body.urgency,
        reason=body.reason,
        consent_basis=body.consent_basis,
        to_organisation_id=body.to_organisation_id,
        to_team_id=body.to_team_id,
    )
    return Status(201, _out(referral))


@router.post(
    "/{referral_id}/accept",
    response={200: ReferralOut, codes_4xx: ErrorOut},
    summary="Accept (the receiving team), optionally naming who will do it",
)
def accept(
    request: HttpRequest, referral_id: RecordId, body: AcceptIn
) -> dict[str, object]:
    return _out(
        referral_accept(
            actor=request.actor,  # type: ignore[attr-defined]
            referral_id=referral_id,
            assign_user_id=body.assign_user_id,
        )
    )


@router.post(
    "/{referral_id}/decline",
    response={200: ReferralOut, codes_4xx: ErrorOut},
    summary="Decline (the receiving team), with the reason",
)
def decline(
    request: HttpRequest, referral_id: RecordId, body: DeclineIn
) -> dict[str, object]:
    return _out(
        referral_decline(
            actor=request.actor,  # type: ignore[attr-defined]
            referral_id=referral_id,
            reason=body.decline_reason,
        )
    )


@router.post(
    "/{referral_id}/complete",
    response={200: ReferralOut, codes_4xx: ErrorOut},
    summary="Complete an accepted referral (the receiving team)",
)
def complete(
    request: HttpRequest, referral_id: RecordId, body: ReferralCompleteIn
) -> dict[str, object]:
    return _out(
        referral_complete(
            actor=request.actor,  # type: ignore[attr-defined]
            referral_id=referral_id,
            outcome=body.outcome,
        )
    )


@router.post(
    "/{referral_id}/withdraw",
    response={200: ReferralOut, codes_4xx: ErrorOut},
    summary="Withdraw a referral (the sender), with the reason",
)
def withdraw(
    request: HttpRequest, referral_id: RecordId, body: WithdrawIn
) -> dict[str, object]:
    return _out(
        referral_withdraw(
            actor=request.actor,  # type: ignore[attr-defined]
            referral_id=referral_id,
            reason=body.reason,
        )
    )
