"""Reads of referrals: incoming and outgoing lists with their clocks, one
referral, and a person's referrals. Each takes the actor, shows only people the
actor may see and leaves an audit entry."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from joinedup.coordination.models import (
    OPEN_REFERRAL_STATUSES,
    RESPONSE_STANDARDS,
    Referral,
    ReferralStatus,
)
from joinedup.coordination.services.referrals import (
    referral_on_receiving_side,
    referral_on_sending_side,
    working_days_between,
)
from joinedup.errors import InvalidInput, NotFound
from joinedup.governance.access import Actor, Decision, people_visible_q
from joinedup.governance.models import (
    DIRECT_CARE_ROLES,
    AccessCategory,
    Membership,
    Organisation,
    Team,
)
from joinedup.governance.services import audit_record
from joinedup.people.models import Person
from joinedup.people.selectors import PersonAccess, person_access_open

STATUS_FILTERS = {
    "open": OPEN_REFERRAL_STATUSES,
    "waiting": (ReferralStatus.SENT,),
    "closed": (
        ReferralStatus.DECLINED,
        ReferralStatus.COMPLETED,
        ReferralStatus.WITHDRAWN,
    ),
    "all": tuple(ReferralStatus.values),
}


@dataclass(frozen=True)
class Clock:
    """Where a referral stands against its response standard."""

    respond_by: dt.date
    state: str  # "responded" | "due" | "overdue"
    working_days: int  # left when due; late by when overdue; late by at response

    @property
    def label(self) -> str:
        if self.state == "responded":
            if self.working_days > 0:
                return f"Responded {self.working_days} working days late"
            return "Responded within the standard"
        if self.state == "overdue":
            days = self.working_days
            return f"Overdue by {days} working day{'s' if days != 1 else ''}"
        if self.working_days == 0:
            return "Response due today"
        days = self.working_days
        return f"{days} working day{'s' if days != 1 else ''} left to respond"


def referral_clock(referral: Referral, today: dt.date) -> Clock:
    if referral.responded_at is not None or referral.status == ReferralStatus.WITHDRAWN:
        answered = (
            timezone.localdate(referral.responded_at)
            if referral.responded_at
            else referral.respond_by
        )
        late = max(0, working_days_between(referral.respond_by, answered))
        return Clock(referral.respond_by, "responded", late)
    if today > referral.respond_by:
        return Clock(
            referral.respond_by,
            "overdue",
            working_days_between(referral.respond_by, today),
        )
    return Clock(
        referral.respond_by, "due", working_days_between(today, referral.respond_by)
    )


def standards_table() -> list[tuple[str, str, int, int]]:
    """(key, label, urgent days, routine days) for every referral type."""
    from joinedup.coordination.models import ReferralType

    return [
        (k, ReferralType(k).label, s.urgent, s.routine)
        for k, s in RESPONSE_STANDARDS.items()
    ]


def _statuses(status: str) -> tuple[str, ...]:
    if status not in STATUS_FILTERS:
        raise InvalidInput.for_field(
            "status", f"choose one of {', '.join(STATUS_FILTERS)}"
        )
    return STATUS_FILTERS[status]


def _list(actor: Actor, referrals: QuerySet, action: str) -> list[Referral]:
    rows = list(
        referrals.filter(
            person__in=Person.objects.filter(people_visible_q(actor)).values("pk")
        )
        .select_related(
            "person",
            "from_organisation",
            "from_team",
            "to_organisation",
            "to_team",
            "sent_by",
            "assigned_user",
        )
        .order_by("respond_by", "sent_at", "pk")[:500]
    )
    today = timezone.localdate()
    for r in rows:
        r.clock = referral_clock(r, today)
    audit_record(
        actor=actor,
        person_id=None,
        action=action,
        category=AccessCategory.DEMOGRAPHICS,
        decision=Decision(True, f"{len(rows)} referrals"),
    )
    return rows


def referrals_incoming(*, actor: Actor, status: str = "open") -> list[Referral]:
    """Referrals to the actor's team (and to their organisation as a whole)."""
    statuses = _statuses(status)
    if actor.role not in DIRECT_CARE_ROLES:
        return []
    teams = set(
        Membership.objects.filter(
            user_id=actor.user_id,
            organisation_id=actor.organisation_id,
            active=True,
            team__isnull=False,
        ).values_list("team_id", flat=True)
    )
    if actor.team_id:
        teams.add(actor.team_id)
    referrals = Referral.objects.filter(
        to_organisation_id=actor.organisation_id, status__in=statuses
    )
    if teams:
        from django.db.models import Q

        referrals = referrals.filter(Q(to_team__isnull=True) | Q(to_team_id__in=teams))
    return _list(actor, referrals, "list_referrals_incoming")


def referrals_outgoing(*, actor: Actor, status: str = "open") -> list[Referral]:
    """Referrals the actor (or their team) sent: their status without chasing."""
    from django.db.models import Q

    statuses = _statuses(status)
    if actor.role not in DIRECT_CARE_ROLES:
        return []
    mine = Q(sent_by_id=actor.user_id)
    if actor.team_id:
        mine |= Q(
            from_organisation_id=actor.organisation_id, from_team_id=actor.team_id
        )
    referrals = Referral.objects.filter(mine, status__in=statuses)
    return _list(actor, referrals, "list_referrals_outgoing")


@dataclass
class ReferralView:
    referral: Referral
    access: PersonAccess
    clock: Clock
    receiving: bool
    sending: bool
    assignable: list[Membership]


def referral_detail(*, actor: Actor, referral_id: int) -> ReferralView:
    referral = (
        Referral.objects.select_related(
            "from_organisation",
            "from_team",
            "to_organisation",
            "to_team",
            "sent_by",
            "responded_by",
            "assigned_user",
            "closed_by",
        )
        .filter(pk=referral_id)
        .first()
    )
    if referral is None:
        raise NotFound(
            f"referral: there is no referral with id {referral_id}",
            fields={"referral": "no such referral"},
        )
    access = person_access_open(
        actor=actor, person_id=referral.person_id, action="view_referral"
    )
    receiving = referral_on_receiving_side(actor, referral)
    assignable: list[Membership] = []
    if receiving and referral.status == ReferralStatus.SENT:
        members = Membership.objects.select_related("user").filter(
            organisation_id=referral.to_organisation_id,
            active=True,
            role__in=DIRECT_CARE_ROLES,
        )
        if referral.to_team_id is not None:
            members = members.filter(team_id=referral.to_team_id)
        assignable = list(members.order_by("user__last_name", "user__first_name"))
    return ReferralView(
        referral=referral,
        access=access,
        clock=referral_clock(referral, timezone.localdate()),
        receiving=receiving,
        sending=referral_on_sending_side(actor, referral),
        assignable=assignable,
    )


def referrals_for_person(
    *, actor: Actor, person_id: int
) -> tuple[PersonAccess, list[Referral]]:
    """A person's referrals (one audit entry: the record opened)."""
    access = person_access_open(
        actor=actor, person_id=person_id, action="view_referrals"
    )
    rows = list(
        Referral.objects.filter(person_id=person_id)
        .select_related("from_organisation", "to_organisation", "to_team", "sent_by")
        .order_by("-sent_at", "-pk")
    )
    today = timezone.localdate()
    for r in rows:
        r.clock = referral_clock(r, today)  # type: ignore[attr-defined]
    return access, rows


def referral_destinations(*, actor: Actor) -> tuple[list[Organisation], list[Team]]:
    """Organisations and teams a referral can go to (not the actor's own team)."""
    organisations = list(Organisation.objects.order_by("name"))
    teams = list(
        Team.objects.select_related("organisation")
        .exclude(pk=actor.team_id or 0)
        .order_by("organisation__name", "name")
    )
    return organisations, teams
