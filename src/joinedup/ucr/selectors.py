"""Reading urgent community response: the team's queue with the time left on
each 2-hour clock (people they may see only), one referral (the record opened
and audited), and admission within 48 hours from hospital stays."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone

from joinedup.discharge.models import HospitalStay, StaySetting
from joinedup.errors import NotFound
from joinedup.governance.access import Actor, Decision, people_visible_q
from joinedup.governance.models import AccessCategory, Role
from joinedup.governance.services import audit_record
from joinedup.people.models import Person
from joinedup.people.selectors import PersonAccess, person_access_open
from joinedup.ucr import rules
from joinedup.ucr.models import UcrReferral

QUEUE_ROLES = frozenset({Role.COMMUNITY_MATRON})


@dataclass(frozen=True)
class QueueRow:
    referral: UcrReferral
    minutes_left: int
    clock: str

    @property
    def overdue(self) -> bool:
        return self.minutes_left < 0


def ucr_queue(*, actor: Actor, now: dt.datetime | None = None) -> list[QueueRow]:
    """Open referrals of the actor's organisation, most urgent first: not yet
    contacted (by time left), then contacted and waiting for an outcome."""
    if actor.role not in QUEUE_ROLES:
        return []
    now = now or timezone.now()
    referrals = list(
        UcrReferral.objects.filter(
            organisation_id=actor.organisation_id,
            closed_at__isnull=True,
            person__in=Person.objects.filter(people_visible_q(actor)).values("pk"),
        )
        .select_related("person", "team")
        .order_by("due_at", "pk")[:500]
    )
    rows = [
        QueueRow(r, rules.minutes_left(r.due_at, now), rules.clock_label(r.due_at, now))
        for r in referrals
    ]
    rows.sort(key=lambda row: (row.referral.contact_at is not None, row.minutes_left))
    audit_record(
        actor=actor,
        person_id=None,
        action="list_ucr_queue",
        category=AccessCategory.DEMOGRAPHICS,
        decision=Decision(True, f"{len(rows)} referrals"),
    )
    return rows


def admissions_by_person(person_ids: Iterable[int], *, since: dt.datetime) -> dict:
    """Hospital (not virtual ward) admission times per person since `since`."""
    out: dict[int, list[dt.datetime]] = defaultdict(list)
    for person_id, admitted_at in HospitalStay.objects.filter(
        person_id__in=list(set(person_ids)),
        setting=StaySetting.INPATIENT,
        admitted_at__gte=since,
    ).values_list("person_id", "admitted_at"):
        out[person_id].append(admitted_at)
    return out


def admitted_within_48h(referral: UcrReferral) -> bool:
    admissions = admissions_by_person([referral.person_id], since=referral.received_at)
    return rules.admitted_within(
        referral.received_at, admissions.get(referral.person_id, [])
    )


@dataclass(frozen=True)
class ReferralView:
    access: PersonAccess
    referral: UcrReferral
    admitted_48h: bool
    clock: str


def ucr_referral_detail(*, actor: Actor, referral_id: int) -> ReferralView:
    referral = (
        UcrReferral.objects.select_related("team", "recorded_by", "contacted_by")
        .filter(pk=referral_id)
        .first()
    )
    if referral is None:
        raise NotFound(
            f"referral: there is no UCR referral with id {referral_id}",
            fields={"referral": "no such referral"},
        )
    access = person_access_open(
        actor=actor, person_id=referral.person_id, action="ucr_referral"
    )
    return ReferralView(
        access,
        referral,
        admitted_within_48h(referral),
        rules.clock_label(referral.due_at, timezone.now()),
    )


def _visible_referrals(access: PersonAccess):
    """The person's UCR referrals the viewer may see: they are health
    information; an objection to sharing health with the viewer's organisation
    leaves only the organisation's own referrals."""
    referrals = UcrReferral.objects.filter(person_id=access.person.pk)
    if not access.may_read(AccessCategory.HEALTH):
        return referrals.none()
    if AccessCategory.HEALTH in access.own_organisation_categories:
        referrals = referrals.filter(organisation_id=access.actor.organisation_id)
    return referrals


def ucr_person_has_referrals(*, access: PersonAccess) -> bool:
    """Whether the person opened in `access` (already decided and audited) has
    UCR referrals the viewer may see."""
    return _visible_referrals(access).exists()


def ucr_person_referrals(
    *, actor: Actor, person_id: int
) -> tuple[PersonAccess, list[UcrReferral]]:
    access = person_access_open(
        actor=actor, person_id=person_id, action="ucr_person_referrals"
    )
    return access, list(_visible_referrals(access).order_by("-received_at"))


def person_id_by_nhs_number(nhs_number: str) -> int | None:
    """The person a caller's NHS number names (an id only, nothing shown), so the
    team can record a referral; None when it names no one here."""
    digits = "".join(ch for ch in (nhs_number or "") if ch.isdigit())
    if len(digits) != 10:
        return None
    return (
        Person.objects.filter(nhs_number=digits, merged_into__isnull=True)
        .values_list("pk", flat=True)
        .first()
    )
