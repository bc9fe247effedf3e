"""An area for safeguarding: a GP practice, a hospital with an ED, the council's
adult and children's services, a community trust; professionals in each."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from joinedup.governance.models import Organisation, OrganisationType, Role, Team, User
from joinedup.people.models import InvolvementKind, Person
from joinedup.record.models import SourceSystem
from tests.factories import (
    OrganisationFactory,
    PersonFactory,
    SourceSystemFactory,
    care_team_add,
    involve,
    professional,
)


@dataclass
class Area:
    practice: Organisation
    hospital: Organisation
    adults: Organisation
    children: Organisation
    community: Organisation
    pas: SourceSystem
    gp: User
    ed: User
    asc_worker: User
    asc_officer: User
    csc_worker: User
    health_visitor: User
    lead: User
    mdt: Team
    adult: Person
    child: Person
    parent: Person


@pytest.fixture
def area(db) -> Area:
    practice = OrganisationFactory(code="J82001", type=OrganisationType.GP_PRACTICE)
    hospital = OrganisationFactory(code="RJV", type=OrganisationType.ACUTE_TRUST)
    adults = OrganisationFactory(
        code="JU-ASC2",
        type=OrganisationType.COUNCIL_ADULT_SOCIAL_CARE,
        contact_phone="01632 960001",
    )
    children = OrganisationFactory(
        code="JU-CSC",
        name="Joinedup Children's Services",
        type=OrganisationType.COUNCIL_CHILDRENS_SERVICES,
        contact_phone="01632 960002",
    )
    community = OrganisationFactory(code="RYX", type=OrganisationType.COMMUNITY_TRUST)
    pas = SourceSystemFactory(code="ed-pas", name="Hospital PAS", organisation=hospital)
    adult = PersonFactory(
        given_name="Edith", family_name="Marlow", registered_gp=practice
    )
    child = PersonFactory(given_name="Tom", family_name="Ashby", registered_gp=practice)
    parent = PersonFactory(
        given_name="Dean", family_name="Ashby", registered_gp=practice
    )
    for person in (adult, child, parent):
        involve(person, practice, InvolvementKind.REGISTERED_GP)
    gp = professional(Role.GP, practice, username="sg-gp")
    care_team_add(adult, gp, practice, Role.GP)
    mdt = Team.objects.create(organisation=children, name="Front door")
    csc_worker = professional(Role.CHILDRENS_SOCIAL_WORKER, children, username="sg-csw")
    csc_worker.memberships.update(team=mdt)
    return Area(
        practice=practice,
        hospital=hospital,
        adults=adults,
        children=children,
        community=community,
        pas=pas,
        gp=gp,
        ed=professional(Role.DISCHARGE_COORDINATOR, hospital, username="sg-ed"),
        asc_worker=professional(Role.SOCIAL_WORKER, adults, username="sg-asc"),
        asc_officer=professional(Role.SOCIAL_WORKER, adults, username="sg-officer"),
        csc_worker=csc_worker,
        health_visitor=professional(Role.HEALTH_VISITOR, community, username="sg-hv"),
        lead=professional(Role.SAFEGUARDING_LEAD, practice, username="sg-lead"),
        mdt=mdt,
        adult=adult,
        child=child,
        parent=parent,
    )
