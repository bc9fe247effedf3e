"""The care team: joining creates the legitimate relationship of the access
policy, leaving ends it; one member may be the lead professional."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from joinedup.coordination.models import CareTeamMember
from joinedup.errors import AccessRefused, Conflict, InvalidInput, NotFound
from joinedup.governance.access import Actor, Decision
from joinedup.governance.models import (
    DIRECT_CARE_ROLES,
    AccessCategory,
    Membership,
)
from joinedup.governance.services import audit_record
from joinedup.people.models import Person


def _membership_for(user_id: int, organisation_id: int | None) -> Membership:
    memberships = Membership.objects.filter(
        user_id=user_id, active=True, role__in=DIRECT_CARE_ROLES
    )
    if organisation_id is not None:
        memberships = memberships.filter(organisation_id=organisation_id)
    membership = memberships.order_by("pk").first()
    if membership is None:
        raise InvalidInput.for_field(
            "user", "has no direct-care role in that organisation"
        )
    return membership


def care_team_join(
    *,
    actor: Actor,
    person_id: int,
    user_id: int,
    organisation_id: int | None = None,
    lead: bool = False,
    started_on: dt.date | None = None,
    reason: str = "joined care team",
) -> CareTeamMember:
    """Add a professional to a person's care team (in their direct-care role at
    `organisation_id`, or their first one). Joining twice returns the open
    membership unchanged (except that `lead=True` makes them lead)."""
    if not Person.objects.filter(pk=person_id).exists():
        raise NotFound(
            f"person: there is no person with id {person_id}",
            fields={"person": "no such person"},
        )
    membership = _membership_for(user_id, organisation_id)
    with transaction.atomic():
        member = (
            CareTeamMember.objects.select_for_update()
            .filter(person_id=person_id, user_id=user_id, ended_on__isnull=True)
            .first()
        )
        if member is None:
            member = CareTeamMember.objects.create(
                person_id=person_id,
                user_id=user_id,
                organisation_id=membership.organisation_id,
                role=membership.role,
                started_on=started_on or timezone.localdate(),
            )
        if lead and not member.is_lead:
            _lead_set(person_id=person_id, member=member)
        audit_record(
            actor=actor,
            person_id=person_id,
            action="care_team_join",
            category=AccessCategory.DEMOGRAPHICS,
            decision=Decision(True, reason, "care_team"),
        )
    return member


def _lead_set(*, person_id: int, member: CareTeamMember) -> None:
    CareTeamMember.objects.filter(
        person_id=person_id, ended_on__isnull=True, is_lead=True
    ).exclude(pk=member.pk).update(is_lead=False)
    member.is_lead = True
    member.save(update_fields=["is_lead"])


def _open_member(member_id: int) -> CareTeamMember:
    member = (
        CareTeamMember.objects.select_for_update()
        .filter(pk=member_id, ended_on__isnull=True)
        .first()
    )
    if member is None:
        raise NotFound(
            f"care team member: no current member with id {member_id}",
            fields={"member": "no such current member"},
        )
    return member


def _may_change_team(actor: Actor, person_id: int, member: CareTeamMember) -> None:
    """Members of the care team manage it; anyone may leave it themselves."""
    if member.user_id == actor.user_id:
        return
    if not CareTeamMember.objects.filter(
        person_id=person_id, user_id=actor.user_id, ended_on__isnull=True
    ).exists():
        raise AccessRefused(
            "Only members of the person's care team can change it.",
            fields={"member": "you are not in this care team"},
        )


def lead_professional_set(*, actor: Actor, member_id: int) -> CareTeamMember:
    with transaction.atomic():
        member = _open_member(member_id)
        _may_change_team(actor, member.person_id, member)
        _lead_set(person_id=member.person_id, member=member)
        audit_record(
            actor=actor,
            person_id=member.person_id,
            action="lead_professional_set",
            category=AccessCategory.DEMOGRAPHICS,
            decision=Decision(True, "lead professional changed", "care_team"),
        )
    return member


def care_team_leave(
    *, actor: Actor, member_id: int, ended_on: dt.date | None = None
) -> CareTeamMember:
    """End a membership: the relationship (and so the access) ends with it."""
    with transaction.atomic():
        member = _open_member(member_id)
        _may_change_team(actor, member.person_id, member)
        ended_on = ended_on or timezone.localdate()
        if ended_on < member.started_on:
            raise InvalidInput.for_field("ended_on", "is before the member joined")
        if (
            member.is_lead
            and CareTeamMember.objects.filter(
                person_id=member.person_id, ended_on__isnull=True
            )
            .exclude(pk=member.pk)
            .exists()
        ):
            raise Conflict(
                "Choose another lead professional before the lead leaves.",
                fields={"member": "is the lead professional"},
            )
        member.ended_on = ended_on
        member.is_lead = False
        member.save(update_fields=["ended_on", "is_lead"])
        audit_record(
            actor=actor,
            person_id=member.person_id,
            action="care_team_leave",
            category=AccessCategory.DEMOGRAPHICS,
            decision=Decision(True, "left care team", "care_team"),
        )
    return member
