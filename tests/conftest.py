"""Shared fixtures: a small area with three agencies and professionals in each."""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest
from django.db import connection
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from joinedup.governance.access import Actor
from joinedup.governance.models import (
    AuditEntry,
    AuditMaintenance,
    Organisation,
    OrganisationType,
    Role,
    User,
)
from joinedup.people.models import InvolvementKind, Person
from joinedup.record.models import SourceKind, SourceSystem
from tests.factories import (
    OrganisationFactory,
    PersonFactory,
    SourceSystemFactory,
    care_team_add,
    involve,
    professional,
)


@dataclass
class World:
    hospital: Organisation
    council: Organisation
    practice: Organisation
    icb: Organisation
    pas: SourceSystem
    gp_system: SourceSystem
    council_system: SourceSystem
    social_worker: User
    discharge_coordinator: User
    gp: User
    commissioner: User
    ig_lead: User
    person: Person  # known to hospital, council and GP; social worker in care team
    stranger: Person  # known to no one in the fixture's organisations


def actor_for(user: User, channel: str = "web") -> Actor:
    m = user.memberships.get()
    return Actor(
        user_id=user.pk, role=m.role, organisation_id=m.organisation_id, channel=channel
    )


# In CI the property-based tests draw the same examples every run, so a green
# run stays green for the same code; elsewhere they explore new examples.
# Both tolerate a busy machine: generating examples may be slow, never wrong.
hypothesis_settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
hypothesis_settings.register_profile(
    "local", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "local")


@pytest.fixture(autouse=True)
def _audit_rows_removable_at_teardown(request):
    """Tests on a real transaction (browser, live server) end by emptying every
    table; on SQLite the append-only trigger allows that only in maintenance mode.
    Depending on transactional_db here makes this teardown run before the flush."""
    transactional = bool(
        {"transactional_db", "live_server"} & set(request.fixturenames)
    )
    if transactional:
        request.getfixturevalue("transactional_db")
    yield
    if transactional and connection.vendor == "sqlite":
        AuditMaintenance.objects.create()
        AuditEntry.objects.all().delete()


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Ingest and matching keep per-process look-up caches (organisation ids,
    source systems, the loaded matching model). Each test's database is rolled
    back, so a cache filled by one test must not reach the next."""
    from joinedup.interop.hl7v2 import ingest as hl7_ingest
    from joinedup.people import services as people_services
    from joinedup.people.matching import resolve

    for clear in (
        hl7_ingest.caches_clear,
        people_services.caches_clear,
        resolve.caches_clear,
    ):
        clear()
    yield
    for clear in (
        hl7_ingest.caches_clear,
        people_services.caches_clear,
        resolve.caches_clear,
    ):
        clear()


@pytest.fixture(autouse=True)
def _test_settings(settings):
    # Real hashing is deliberately slow; the tests exercise login, not PBKDF2.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Two-factor sign-in and lock-out have tests of their own (tests/web/); the
    # rest sign in with the test client's login(), which those would get in the
    # way of.
    settings.JOINEDUP_REQUIRE_2FA = False
    settings.AXES_ENABLED = False
    # The person's one-time sign-in codes stay in this process (portal tests).
    from joinedup.portal.auth.senders import OUTBOX

    settings.JOINEDUP_PORTAL_CODE_SENDER = (
        "joinedup.portal.auth.senders.OutboxCodeSender"
    )
    OUTBOX.clear()


@pytest.fixture
def world(db) -> World:
    hospital = OrganisationFactory(
        code="RJU", name="Joinedup General Hospital", type=OrganisationType.ACUTE_TRUST
    )
    council = OrganisationFactory(
        code="JU-ASC",
        name="Joinedup Council Adult Social Care",
        type=OrganisationType.COUNCIL_ADULT_SOCIAL_CARE,
    )
    practice = OrganisationFactory(
        code="J81001", name="Riverside Surgery", type=OrganisationType.GP_PRACTICE
    )
    icb = OrganisationFactory(
        code="QJU", name="Joinedup ICB", type=OrganisationType.ICB
    )
    other = OrganisationFactory(
        code="RXX", name="Faraway Hospital", type=OrganisationType.ACUTE_TRUST
    )
    pas = SourceSystemFactory(
        code="acute-pas", name="Hospital PAS", organisation=hospital
    )
    gp_system = SourceSystemFactory(
        code="gp-system", name="GP system", organisation=practice, kind=SourceKind.FHIR
    )
    council_system = SourceSystemFactory(
        code="council-sc",
        name="Council social care",
        organisation=council,
        kind=SourceKind.CSV,
    )
    social_worker = professional(Role.SOCIAL_WORKER, council, username="sw")
    person = PersonFactory(
        given_name="Margaret", family_name="Thornton", registered_gp=practice
    )
    for org, kind in (
        (hospital, InvolvementKind.HOSPITAL_PATIENT),
        (council, InvolvementKind.SOCIAL_CARE_CLIENT),
        (practice, InvolvementKind.REGISTERED_GP),
    ):
        involve(person, org, kind)
    care_team_add(person, social_worker, council, Role.SOCIAL_WORKER)
    stranger = PersonFactory(given_name="Norman", family_name="Thornbury")
    involve(stranger, other)
    return World(
        hospital=hospital,
        council=council,
        practice=practice,
        icb=icb,
        pas=pas,
        gp_system=gp_system,
        council_system=council_system,
        social_worker=social_worker,
        discharge_coordinator=professional(
            Role.DISCHARGE_COORDINATOR, hospital, username="dc"
        ),
        gp=professional(Role.GP, practice, username="gp"),
        commissioner=professional(Role.COMMISSIONER, icb, username="comm"),
        ig_lead=professional(Role.IG_LEAD, icb, username="ig"),
        person=person,
        stranger=stranger,
    )
