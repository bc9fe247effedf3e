"""Referral (opening a case and the ICB's task), the Checklist, a breach reason
and closing a case without a decision."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone

from joinedup.coordination.models import (
    TaskSource,
)
from joinedup.coordination.services import task_create
from joinedup.errors import Conflict, InvalidInput
from joinedup.funding.models.chc import (
    DECISION_DAYS,
    OPEN_CASE_STATUSES,
    CaseStatus,
    ChcCase,
    ChcChecklist,
)
from joinedup.funding.rules.chc import checklist_evaluate
from joinedup.funding.services.chc.common import (
    case_get_for_write,
    case_locked,
    errors_raise,
    not_future,
    open_for_write,
    refuse,
    task_finish,
    text_clean,
)
from joinedup.governance.access import Actor
from joinedup.governance.models import (
    DIRECT_CARE_ROLES,
    Organisation,
    OrganisationType,
    Role,
)

# --- referral -----------------------------------------------------------------


def icb_choose(actor: Actor, icb_id: int | None) -> Organisation:
    if icb_id is None:
        if actor.role == Role.CHC_ASSESSOR:
            icb_id = actor.organisation_id
        else:
            icbs = list(Organisation.objects.filter(type=OrganisationType.ICB)[:2])
            if len(icbs) == 1:
                return icbs[0]
            raise InvalidInput.for_field("icb", "choose the ICB to refer to")
    icb = Organisation.objects.filter(pk=icb_id, type=OrganisationType.ICB).first()
    if icb is None:
        raise InvalidInput.for_field("icb", "choose an integrated care board")
    return icb


def case_create(actor: Actor, person_id: int, icb: Organisation) -> ChcCase:
    if ChcCase.objects.filter(
        person_id=person_id, status__in=OPEN_CASE_STATUSES
    ).exists():
        raise Conflict(
            "This person already has an open CHC case: continue that one.",
            fields={"case": "already open"},
        )
    case = ChcCase.objects.create(
        person_id=person_id,
        icb=icb,
        opened_by_id=actor.user_id,
        opened_by_organisation_id=actor.organisation_id,
        opened_at=timezone.now(),
    )
    task = task_create(
        actor=actor,
        person_id=person_id,
        title="NHS continuing healthcare: Checklist, assessment and decision",
        source=TaskSource.REFERRAL,
        source_ref=f"chc_case:{case.pk}",
        assignee_organisation_id=icb.pk,
        check_access=False,
    )
    case.task = task
    case.save(update_fields=["task"])
    return case


def chc_case_open(
    *, actor: Actor, person_id: int, icb_id: int | None = None
) -> ChcCase:
    """Refer a person for NHS continuing healthcare: a case at the ICB, awaiting
    the Checklist, and the ICB's task that lets its CHC nurses see the person."""
    if actor.role not in DIRECT_CARE_ROLES:
        raise refuse(actor, person_id, "chc_case_open", "not a direct-care role")
    open_for_write(actor, person_id, "chc_case_open")
    icb = icb_choose(actor, icb_id)
    with transaction.atomic():
        return case_create(actor, person_id, icb)


# --- Checklist ----------------------------------------------------------------


def checklist_record(
    *,
    actor: Actor,
    case_id: int,
    scores: Mapping[str, str],
    completed_on: dt.date | None,
) -> ChcChecklist:
    """The Checklist (11 domains, A/B/C). Positive: the case goes to full
    assessment and the 28-day clock starts on the Checklist's date. Negative:
    the case is closed (no full assessment)."""
    case = case_get_for_write(actor, case_id, "chc_checklist_record")
    errors: dict[str, str] = {}
    not_future(errors, "completed_on", completed_on)
    if completed_on is not None and completed_on < timezone.localdate(
        case.opened_at
    ) - dt.timedelta(days=30):
        errors["completed_on"] = "is more than 30 days before the referral"
    try:
        result = checklist_evaluate(scores)
    except InvalidInput as exc:
        errors.update(exc.fields)
    errors_raise(errors)
    assert completed_on is not None  # noqa: S101 - checked above
    with transaction.atomic():
        case = case_locked(case_id)
        if case.status != CaseStatus.CHECKLIST:
            raise Conflict(
                "The Checklist for this case is already recorded.",
                fields={"case": case.get_status_display()},
            )
        checklist = ChcChecklist.objects.create(
            case=case,
            scores=dict(scores),
            positive=result.positive,
            rule=result.rule,
            reasons=result.reasons,
            completed_on=completed_on,
            completed_by_id=actor.user_id,
            completed_by_organisation_id=actor.organisation_id,
            recorded_at=timezone.now(),
        )
        if result.positive:
            case.status = CaseStatus.ASSESSMENT
            case.clock_started_on = completed_on
            case.due_on = completed_on + dt.timedelta(days=DECISION_DAYS)
            case.save(update_fields=["status", "clock_started_on", "due_on"])
        else:
            _case_closed(case, actor, "Checklist negative: no full assessment")
        return checklist


def _case_closed(case: ChcCase, actor: Actor, reason: str) -> None:
    case.status = CaseStatus.CLOSED
    case.closed_at = timezone.now()
    case.closed_reason = reason[:200]
    case.save(update_fields=["status", "closed_at", "closed_reason", "breach_reason"])
    task_finish(case.task_id, actor=actor, outcome=reason)


# --- breach reason, closing ---------------------------------------------------


def breach_reason_record(*, actor: Actor, case_id: int, reason: str) -> ChcCase:
    """Why a case ran (or is running) past the 28 days."""
    case_get_for_write(actor, case_id, "chc_breach_reason", icb_only=True)
    errors: dict[str, str] = {}
    reason = text_clean(errors, "breach_reason", reason, "the reason for the delay")
    errors_raise(errors)
    with transaction.atomic():
        case = case_locked(case_id)
        if not case.breached(timezone.localdate()):
            raise InvalidInput.for_field(
                "breach_reason", "this case is within its 28 days"
            )
        case.breach_reason = reason
        case.save(update_fields=["breach_reason"])
        return case


def chc_case_close(
    *, actor: Actor, case_id: int, reason: str, breach_reason: str = ""
) -> ChcCase:
    """Close an open case without a decision (the person died, withdrew
    consent, or moved away). A case past its 28 days needs the breach reason."""
    case_get_for_write(actor, case_id, "chc_case_close", icb_only=True)
    errors: dict[str, str] = {}
    reason = text_clean(errors, "reason", reason, "why the case is closed")
    if len(reason) > 200:
        errors["reason"] = "use 200 characters or fewer"
    breach_reason = (breach_reason or "").strip()
    with transaction.atomic():
        case = case_locked(case_id)
        if not case.is_open:
            raise Conflict(
                "This case is already decided or closed.",
                fields={"case": case.get_status_display()},
            )
        if case.breached(timezone.localdate()) and not (
            breach_reason or case.breach_reason
        ):
            errors["breach_reason"] = (
                "this case is past its 28 days: record the reason for the delay"
            )
        errors_raise(errors)
        if breach_reason:
            case.breach_reason = breach_reason
        _case_closed(case, actor, reason)
        return case
