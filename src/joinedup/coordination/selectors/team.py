"""Reads for the care team page: current and former members across
organisations, and the professionals who could join (anyone with an active
direct-care role). Functions take an opened record (already audited)."""

from __future__ import annotations

from dataclasses import dataclass

from joinedup.coordination.models import CareTeamMember
from joinedup.errors import InvalidInput
from joinedup.governance.models import DIRECT_CARE_ROLES, Membership
from joinedup.people.selectors import PersonAccess

CANDIDATES_MAX = 500


@dataclass(frozen=True)
class CareTeam:
    current: list[CareTeamMember]
    former: list[CareTeamMember]

    @property
    def lead(self) -> CareTeamMember | None:
        return next((m for m in self.current if m.is_lead), None)

    @property
    def organisations(self) -> list[str]:
        return sorted({m.organisation.name for m in self.current})


def care_team_get(*, access: PersonAccess) -> CareTeam:
    members = list(
        CareTeamMember.objects.select_related("user", "organisation")
        .filter(person_id=access.person.pk)
        .order_by("-is_lead", "started_on", "pk")
    )
    return CareTeam(
        current=[m for m in members if m.ended_on is None],
        former=sorted(
            (m for m in members if m.ended_on is not None),
            key=lambda m: (m.ended_on, m.pk),
            reverse=True,
        ),
    )


def care_team_candidates(*, access: PersonAccess) -> list[Membership]:
    """Professionals with a direct-care role who are not in the team yet."""
    in_team = CareTeamMember.objects.filter(
        person_id=access.person.pk, ended_on__isnull=True
    ).values("user_id")
    return list(
        Membership.objects.select_related("user", "organisation")
        .filter(active=True, role__in=DIRECT_CARE_ROLES)
        .exclude(user_id__in=in_team)
        .order_by("user__last_name", "user__first_name", "organisation__name", "pk")[
            :CANDIDATES_MAX
        ]
    )


def care_team_member_id_check(*, person_id: int, member_id: int) -> int:
    """The id of a member of this person's care team (current or former), or
    InvalidInput naming the field: a form cannot act on another person's team."""
    if not CareTeamMember.objects.filter(pk=member_id, person_id=person_id).exists():
        raise InvalidInput.for_field("member", "is not in this person's care team")
    return member_id


def membership_active_get(*, membership_id: int) -> Membership:
    """A professional's active role at an organisation (for joining a team)."""
    membership = Membership.objects.filter(pk=membership_id, active=True).first()
    if membership is None:
        raise InvalidInput.for_field("membership", "choose a professional to add")
    return membership
