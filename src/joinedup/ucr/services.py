"""Urgent community response: receive a referral (the community team records a
call from 111, the ambulance service or a care home; or a GP sends one to the
team), record first contact, then the clinical reason and the outcome. Each
referral is a task for the team (their relationship with the person while it is
open); the 2-hour clock runs from when the referral was received."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from joinedup.coordination.models import TaskSource
from joinedup.coordination.services import task_complete, task_create
from joinedup.coordination.services.tasks import task_may_act
from joinedup.errors import AccessRefused, Conflict, InvalidInput, NotFound
from joinedup.governance.access import Actor
from joinedup.governance.models import Role, Team
from joinedup.people.models import Person
from joinedup.people.selectors import person_access_open
from joinedup.population.models import PersonRisk
from joinedup.ucr import rules
from joinedup.ucr.models import ClinicalReason, UcrOutcome, UcrReferral, UcrSource

REASON_MAX = 4000
TEAM_ROLES = frozenset({Role.COMMUNITY_MATRON})
# How long after a call a referral may still be recorded as received.
RECORD_LATE = dt.timedelta(hours=24)
TOP_LEVEL = 3


def person_top_risk(person_id: int) -> bool:
    """The person is at the top risk level in the current population refresh."""
    return PersonRisk.objects.filter(
        person_id=person_id, refresh__is_current=True, level=TOP_LEVEL
    ).exists()


def _when(raw: dt.datetime | None, field: str, *, earliest: dt.datetime) -> dt.datetime:
    now = timezone.now()
    if raw is None:
        return now
    if raw > now + dt.timedelta(minutes=1):
        raise InvalidInput.for_field(field, "cannot be in the future")
    if raw < earliest:
        raise InvalidInput.for_field(field, "is too early")
    return raw


def ucr_referral_receive(
    *,
    actor: Actor,
    person_id: int,
    source: str,
    reason: str,
    team_id: int | None = None,
    received_at: dt.datetime | None = None,
) -> UcrReferral:
    """A UCR referral. A community matron records one arriving at their own team
    (any source); a GP sends one to a community team (source GP). The 2-hour
    clock starts at `received_at` (now, or when the call came in today)."""
    if source not in UcrSource.values:
        raise InvalidInput.for_field(
            "source", "choose who referred: NHS 111, GP, ambulance or care home"
        )
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput.for_field("reason", "say what is happening to the person")
    if len(reason) > REASON_MAX:
        raise InvalidInput.for_field(
            "reason", f"must be {REASON_MAX} characters or fewer"
        )
    received = _when(received_at, "received_at", earliest=timezone.now() - RECORD_LATE)
    if not Person.objects.filter(pk=person_id).exists():
        raise NotFound(
            f"person: there is no person with id {person_id}",
            fields={"person": "no such person"},
        )
    if actor.role in TEAM_ROLES:
        wanted = team_id or actor.team_id
        team = Team.objects.filter(pk=wanted).first() if wanted else None
        if team is not None and team.organisation_id != actor.organisation_id:
            raise InvalidInput.for_field("team", "is not a team of your organisation")
        organisation_id = actor.organisation_id
        opened_first = False
    elif actor.role == Role.GP:
        if source != UcrSource.GP:
            raise InvalidInput.for_field("source", "a GP's referral has source GP")
        team = Team.objects.filter(pk=team_id).first() if team_id else None
        if team is None:
            raise InvalidInput.for_field("team", "choose the community team")
        organisation_id = team.organisation_id
        # The sender's own relationship is checked (and audited) first.
        person_access_open(actor=actor, person_id=person_id, action="ucr_refer")
        opened_first = True
    else:
        raise AccessRefused(
            "Urgent community response referrals are recorded by the community "
            "team or sent by a GP.",
            fields={"role": "cannot make a UCR referral"},
        )
    with transaction.atomic():
        referral = UcrReferral.objects.create(
            person_id=person_id,
            source=source,
            organisation_id=organisation_id,
            team=team,
            reason=reason,
            received_at=received,
            due_at=rules.due_at(received),
            recorded_by_id=actor.user_id,
            top_risk=person_top_risk(person_id),
        )
        task = task_create(
            actor=actor,
            person_id=person_id,
            title="Urgent community response (2 hours)",
            source=TaskSource.URGENT_COMMUNITY_RESPONSE,
            source_ref=str(referral.pk),
            assignee_team_id=team.pk if team else None,
            assignee_organisation_id=organisation_id,
            due_on=timezone.localdate(referral.due_at),
            check_access=False,
        )
        referral.task = task
        referral.save(update_fields=["task"])
        if not opened_first:
            # The team's task is now their relationship; this opening is audited.
            person_access_open(actor=actor, person_id=person_id, action="ucr_receive")
    return referral


def _for_team(actor: Actor, referral_id: int, action: str) -> UcrReferral:
    referral = (
        UcrReferral.objects.select_for_update(of=("self",))
        .select_related("task")
        .filter(pk=referral_id)
        .first()
    )
    if referral is None:
        raise NotFound(
            f"referral: there is no UCR referral with id {referral_id}",
            fields={"referral": "no such referral"},
        )
    in_team = (
        actor.role in TEAM_ROLES and actor.organisation_id == referral.organisation_id
    )
    if not in_team or (
        referral.task is not None and not task_may_act(actor, referral.task)
    ):
        raise AccessRefused(
            "Only the community team the referral was sent to can record this.",
            fields={"referral": "not your team's referral"},
        )
    person_access_open(actor=actor, person_id=referral.person_id, action=action)
    return referral


def ucr_contact_record(
    *, actor: Actor, referral_id: int, contact_at: dt.datetime | None = None
) -> UcrReferral:
    """When the team reached the person (first face-to-face contact)."""
    with transaction.atomic():
        referral = _for_team(actor, referral_id, "ucr_contact")
        if referral.contact_at is not None:
            raise Conflict(
                "Contact is already recorded for this referral.",
                fields={"contact_at": "already recorded"},
            )
        referral.contact_at = _when(
            contact_at, "contact_at", earliest=referral.received_at
        )
        referral.contacted_by_id = actor.user_id
        referral.save(update_fields=["contact_at", "contacted_by"])
    return referral


def ucr_outcome_record(
    *, actor: Actor, referral_id: int, clinical_reason: str, outcome: str
) -> UcrReferral:
    """The clinical reason and outcome; closes the referral and the team's task."""
    if clinical_reason not in ClinicalReason.values:
        raise InvalidInput.for_field(
            "clinical_reason", "choose one of the nine clinical conditions"
        )
    if outcome not in UcrOutcome.values:
        raise InvalidInput.for_field(
            "outcome", "choose remained at home, conveyed or admitted"
        )
    with transaction.atomic():
        referral = _for_team(actor, referral_id, "ucr_outcome")
        if referral.closed_at is not None:
            raise Conflict(
                "The outcome is already recorded.", fields={"outcome": "recorded"}
            )
        if referral.contact_at is None:
            raise InvalidInput.for_field(
                "contact_at", "record when you reached the person first"
            )
        referral.clinical_reason = clinical_reason
        referral.outcome = outcome
        referral.closed_at = timezone.now()
        referral.save(update_fields=["clinical_reason", "outcome", "closed_at"])
        if referral.task is not None and referral.task.is_open:
            task_complete(actor=actor, task_id=referral.task.pk, outcome="")
    return referral
