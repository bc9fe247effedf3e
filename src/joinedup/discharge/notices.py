"""Care Act 2014 Schedule 3 notices from hospital to council: recorded by hand
when sent some other way, or queued for delivery over MESH (discharge/mesh.py
sends them)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from joinedup.discharge.mesh import workflow_from_env
from joinedup.discharge.models import (
    HospitalStay,
    MessageStatus,
    NoticeKind,
    NoticeMessage,
    Schedule3Notice,
)
from joinedup.discharge.services import current_readiness, stay_open_for_write
from joinedup.errors import Conflict, InvalidInput
from joinedup.governance.access import Actor
from joinedup.governance.models import Organisation, OrganisationType


def _notice_checks(*, stay: HospitalStay, kind: str, council_id: int) -> Organisation:
    if kind not in NoticeKind.values:
        raise InvalidInput.for_field("kind", "choose assessment or discharge notice")
    council = Organisation.objects.filter(
        pk=council_id, type=OrganisationType.COUNCIL_ADULT_SOCIAL_CARE
    ).first()
    if council is None:
        raise InvalidInput.for_field("council", "choose the council to notify")
    return council


def notice_send(
    *, actor: Actor, stay_id: int, kind: str, council_id: int
) -> Schedule3Notice:
    """Queue a Care Act 2014 Schedule 3 notice for delivery to the council over
    MESH (`joinedup mesh send` delivers it). A notice that failed to send may be
    queued again; one already sent or acknowledged may not."""
    # Outside the transaction: a refusal must leave its audit entry.
    stay = stay_open_for_write(
        actor=actor, stay_id=stay_id, action="discharge_notice_send"
    )
    with transaction.atomic():
        council = _notice_checks(stay=stay, kind=kind, council_id=council_id)
        if kind == NoticeKind.DISCHARGE and current_readiness(stay) is None:
            raise InvalidInput.for_field(
                "kind",
                "record the person ready for discharge before a discharge notice",
            )
        notice = (
            Schedule3Notice.objects.select_for_update()
            .filter(stay=stay, kind=kind)
            .first()
        )
        message = (
            NoticeMessage.objects.filter(notice=notice).first() if notice else None
        )
        if notice is not None and (
            message is None or message.status != MessageStatus.FAILED
        ):
            if message is None:
                detail = "This notice has already been sent."
            elif message.status == MessageStatus.QUEUED:
                detail = "This notice is already waiting to be sent over MESH."
            else:
                detail = (
                    "This notice has already been sent over MESH "
                    f"({message.get_status_display().lower()})."
                )
            raise Conflict(detail, fields={"kind": "already sent"})
        now = timezone.now()
        if notice is None:
            notice = Schedule3Notice(stay=stay, kind=kind)
        notice.council = council
        notice.sent_at = None
        notice.acknowledged_at = None
        notice.delivery = "mesh"
        notice.recorded_by_id = actor.user_id
        notice.save()
        if message is not None:
            message.delete()
        NoticeMessage.objects.create(
            notice=notice,
            local_id=f"sch3-{notice.pk}-{int(now.timestamp())}",
            workflow_id=workflow_from_env(),
            queued_at=now,
            next_attempt_at=now,
        )
        return notice


def notice_record(
    *,
    actor: Actor,
    stay_id: int,
    kind: str,
    council_id: int,
    sent_at: dt.datetime,
    acknowledged_at: dt.datetime | None = None,
) -> Schedule3Notice:
    """Record a Care Act 2014 Schedule 3 notice sent to the council (and, when
    known, its acknowledgement), sent some other way than MESH."""
    # Outside the transaction: a refusal must leave its audit entry.
    stay = stay_open_for_write(
        actor=actor, stay_id=stay_id, action="discharge_notice_record"
    )
    with transaction.atomic():
        council = _notice_checks(stay=stay, kind=kind, council_id=council_id)
        if NoticeMessage.objects.filter(notice__stay=stay, notice__kind=kind).exists():
            raise Conflict(
                "This notice is delivered over MESH; its times come from MESH.",
                fields={"kind": "sent over MESH"},
            )
        if sent_at < stay.admitted_at:
            raise InvalidInput.for_field(
                "sent_at", "a notice cannot be sent before admission"
            )
        if sent_at > timezone.now():
            raise InvalidInput.for_field("sent_at", "cannot be in the future")
        if acknowledged_at is not None and acknowledged_at < sent_at:
            raise InvalidInput.for_field(
                "acknowledged_at", "cannot be before the notice was sent"
            )
        notice, _ = Schedule3Notice.objects.update_or_create(
            stay=stay,
            kind=kind,
            defaults={
                "council": council,
                "sent_at": sent_at,
                "acknowledged_at": acknowledged_at,
                "recorded_by_id": actor.user_id,
            },
        )
        return notice
