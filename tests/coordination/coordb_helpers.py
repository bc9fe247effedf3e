"""Shared set-up for the referral, task, MDT and notification tests: a
community trust with a nursing team, a council team, and an MDT coordinator."""

from __future__ import annotations

from dataclasses import dataclass

from joinedup.governance.access import Actor
from joinedup.governance.models import Organisation, OrganisationType, Role, Team, User
from tests.factories import PASSWORD, OrganisationFactory, professional


def team_actor(user: User, channel: str = "web") -> Actor:
    m = user.memberships.get()
    return Actor(
        user_id=user.pk,
        role=m.role,
        organisation_id=m.organisation_id,
        team_id=m.team_id,
        channel=channel,
    )


def login(client, user: User) -> None:
    assert client.login(username=user.username, password=PASSWORD)


@dataclass
class Partners:
    trust: Organisation
    nursing: Team  # community trust team
    nurse: User  # community matron in the nursing team
    nurse2: User  # another matron in the nursing team
    council_team: Team
    coordinator: User  # MDT coordinator at the community trust, nursing team


def partners_make(world) -> Partners:
    trust = OrganisationFactory(
        code="RJC",
        name="Joinedup Community Health",
        type=OrganisationType.COMMUNITY_TRUST,
    )
    nursing = Team.objects.create(organisation=trust, name="Neighbourhood nursing")
    council_team = Team.objects.create(
        organisation=world.council, name="Hospital social work"
    )
    world.social_worker.memberships.update(team=council_team)
    nurse = professional(
        Role.COMMUNITY_MATRON,
        trust,
        username="matron",
        first_name="Nia",
        last_name="Nurse",
        email="nia@example.org",
    )
    nurse.memberships.update(team=nursing)
    nurse2 = professional(Role.COMMUNITY_MATRON, trust, username="matron2")
    nurse2.memberships.update(team=nursing)
    coordinator = professional(Role.MDT_COORDINATOR, trust, username="mdtc")
    coordinator.memberships.update(team=nursing)
    return Partners(trust, nursing, nurse, nurse2, council_team, coordinator)
