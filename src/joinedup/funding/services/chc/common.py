"""Shared parts of the CHC case services: input checks, access to a case for a
write, the ICB's relationship task, outcomes and their NHS share."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone

from joinedup.coordination.models import (
    Task,
    TaskStatus,
)
from joinedup.coordination.services import tasks_close
from joinedup.errors import AccessRefused, InvalidInput, NotFound
from joinedup.funding.models.chc import (
    OUTCOME_NHS_SHARE,
    PROFESSION_KIND,
    ChcCase,
    Outcome,
    Profession,
    ProfessionKind,
)
from joinedup.governance.access import Actor, Decision
from joinedup.governance.models import (
    DIRECT_CARE_ROLES,
    AccessCategory,
    Role,
)
from joinedup.governance.services import audit_record
from joinedup.people.models import Person
from joinedup.people.selectors import person_access_open

# Reviews (Framework 2022): 3 months after eligibility, then at least yearly.
FIRST_REVIEW_MONTHS = 3
REVIEW_INTERVAL_DAYS = 365
TEXT_MAX = 4000
FAST_TRACK_PROFESSIONS = (Profession.NURSE, Profession.DOCTOR)


def errors_raise(errors: dict[str, str]) -> None:
    if errors:
        raise InvalidInput(
            "; ".join(f"{k}: {v}" for k, v in errors.items()), fields=errors
        )


def text_clean(errors: dict[str, str], name: str, value: str, what: str) -> str:
    value = (value or "").strip()
    if not value:
        errors[name] = f"enter {what}"
    elif len(value) > TEXT_MAX:
        errors[name] = f"use {TEXT_MAX} characters or fewer"
    return value


def not_future(errors: dict[str, str], name: str, day: dt.date | None) -> None:
    if day is None:
        errors[name] = "enter a date"
    elif day > timezone.localdate():
        errors[name] = "cannot be in the future"


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the month's last day when it has fewer)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=d)
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def mdt_composition_check(professions: Iterable[str]) -> str:
    """The MDT rule (Framework 2022; DESIGN 4.3): at least two professionals who
    are from different health professions, or one from health and one from
    social care. Returns the problem, or "" when the MDT is valid."""
    found = list(professions)
    if len(found) < 2:
        return "the MDT needs at least two professionals"
    health = {p for p in found if PROFESSION_KIND[p] == ProfessionKind.HEALTH}
    social = {p for p in found if PROFESSION_KIND[p] == ProfessionKind.SOCIAL_CARE}
    if len(health) >= 2 or (health and social):
        return ""
    return (
        "the MDT needs two professionals from different health professions, "
        "or one from health and one from social care"
    )


# --- access -------------------------------------------------------------------


def refuse(actor: Actor, person_id: int, action: str, reason: str) -> AccessRefused:
    # The refusal is audited against the person only when there is one: an
    # unknown id is recorded as an attempt without a person, never as a dangling
    # reference.
    known = Person.objects.filter(pk=person_id).exists()
    audit_record(
        actor=actor,
        person_id=person_id if known else None,
        action=action,
        category=AccessCategory.HEALTH,
        decision=Decision(False, reason),
    )
    return AccessRefused(f"You cannot record this: {reason}.")


def open_for_write(actor: Actor, person_id: int, action: str) -> None:
    """Open the person's record (one audit entry); CHC data is health and
    finance, so both must be readable."""
    access = person_access_open(actor=actor, person_id=person_id, action=action)
    if not (
        access.may_read(AccessCategory.HEALTH)
        and access.may_read(AccessCategory.FINANCE)
    ):
        raise AccessRefused(
            "You cannot record this: health and finance information about this "
            "person is not shared with you."
        )


def is_icb_assessor(actor: Actor, case: ChcCase) -> bool:
    return actor.role == Role.CHC_ASSESSOR and actor.organisation_id == case.icb_id


def case_get_for_write(
    actor: Actor, case_id: int, action: str, *, icb_only: bool = False
) -> ChcCase:
    """The case after the access checks: the ICB's CHC nurse assessors work
    cases (`icb_only`); other steps (referral, Checklist, Fast Track) may be
    taken by any professional in direct care with a relationship."""
    case = ChcCase.objects.filter(pk=case_id).first()
    if case is None:
        raise NotFound(
            f"case: there is no CHC case with id {case_id}",
            fields={"case": "no such case"},
        )
    if icb_only and not is_icb_assessor(actor, case):
        raise refuse(
            actor,
            case.person_id,
            action,
            "only a CHC nurse assessor at the case's ICB records this",
        )
    if actor.role not in DIRECT_CARE_ROLES:
        raise refuse(actor, case.person_id, action, "not a direct-care role")
    open_for_write(actor, case.person_id, action)
    return case


def case_locked(case_id: int) -> ChcCase:
    return ChcCase.objects.select_for_update().get(pk=case_id)


def task_finish(task_id: int | None, *, actor: Actor, outcome: str) -> None:
    """Complete the case's relationship task. The case service has already
    checked that the actor may act on the case, so this does not go through
    coordination's task_may_act (a hospital clinician's Fast Track completes
    the ICB's task)."""
    if task_id is None:
        return
    tasks_close(
        Task.objects.filter(pk=task_id),
        status=TaskStatus.COMPLETED,
        outcome=outcome,
        closed_by_user_id=actor.user_id,
    )


# --- outcomes -----------------------------------------------------------------


def outcome_share(
    errors: dict[str, str],
    outcome: str,
    nhs_share_percent: int | None,
    *,
    prefix: str = "",
) -> int:
    """The NHS's share of package costs for an outcome; a joint package names
    its share (1 to 99 per cent)."""
    if outcome not in Outcome.values:
        errors[f"{prefix}outcome"] = "choose the outcome"
        return 0
    if outcome == Outcome.JOINT:
        if nhs_share_percent is None:
            errors[f"{prefix}nhs_share_percent"] = (
                "enter the NHS's share of a joint package"
            )
            return 0
        if not 1 <= nhs_share_percent <= 99:
            errors[f"{prefix}nhs_share_percent"] = (
                "a joint package's NHS share is between 1 and 99 per cent"
            )
        return nhs_share_percent
    return OUTCOME_NHS_SHARE[outcome]  # type: ignore[index]
