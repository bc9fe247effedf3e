"""Loading a synthetic area into the database, and the demo accounts on it."""

import datetime as dt

import pytest
from django.urls import reverse

from joinedup.coordination.models import CareTeamMember
from joinedup.governance.models import Membership, Role
from joinedup.governance.services import relationships_differences
from joinedup.people.models import Identifier, Involvement, Person
from joinedup.people.nhs_number import nhs_number_is_valid
from joinedup.record.models import Event, SourceSystem
from joinedup.synth.demo import DEMO_ACCOUNTS, demo_users_create
from joinedup.synth.generator import area_generate
from joinedup.synth.load import area_load

PEOPLE = 120


@pytest.fixture
def loaded(db):
    area = area_generate(people=PEOPLE, seed=11, end=dt.date(2026, 11, 20))
    stats = area_load(area=area, batch=50)
    return area, stats


def test_every_person_and_event_is_loaded(loaded):
    area, stats = loaded
    expected_events = sum(len(p.events) for p in area.iter_people())
    assert Person.objects.count() == stats.people == PEOPLE
    assert Event.objects.count() == stats.events == expected_events
    assert SourceSystem.objects.count() >= 4
    assert all(
        nhs_number_is_valid(n)
        for n in Person.objects.values_list("nhs_number", flat=True)
    )


def test_source_records_become_identifiers_and_involvements(loaded):
    area, _ = loaded
    spec = next(p for p in area.iter_people() if len(p.records) >= 3)
    person = Person.objects.get(nhs_number=spec.nhs_number)
    local_ids = set(
        Identifier.objects.filter(
            person=person, source_system__isnull=False
        ).values_list("value", flat=True)
    )
    assert local_ids == {r.local_id for r in spec.records}
    assert Involvement.objects.filter(person=person).count() >= 2
    assert person.registered_gp.code == spec.gp_practice_code


def test_events_come_from_at_least_four_source_systems(loaded):
    systems = set(
        Event.objects.values_list("source_system__code", flat=True).distinct()
    )
    assert {"acute-pas", "gp-system", "council-sc"} <= systems
    assert len(systems) >= 4


def test_demo_accounts_one_per_role_with_caseloads(loaded, client):
    made = demo_users_create(password="joinedup-demo-2026")
    assert {m.role for m in Membership.objects.all()} == set(Role.values)
    # One account per role, and the voluntary sector's and UCR team's accounts of
    # the three levels (link worker, directory editor, leisure centre referrals).
    expected = {account[0] for account in DEMO_ACCOUNTS} | {
        "link.worker",
        "directory.editor",
        "leisure.referrals",
    }
    assert sorted(username for username, _, _ in made) == sorted(expected)
    assert CareTeamMember.objects.filter(user__username="social.worker").count() > 0
    demo_users_create(password="joinedup-demo-2026")  # idempotent
    assert Membership.objects.count() == len(expected)
    # Every seeder kept the register of relationships in line with its sources.
    assert relationships_differences() == (set(), set())
    assert client.login(username="social.worker", password="joinedup-demo-2026")
    member = CareTeamMember.objects.filter(user__username="social.worker").first()
    response = client.get(reverse("person_detail", args=[member.person_id]))
    assert response.status_code == 200
    assert response.content.decode().count('data-testid="timeline-event"') > 0


def test_the_demo_names_a_person_who_can_sign_in_to_their_own_view(loaded, client):
    from joinedup.synth.demo import demo_portal_person
    from tests.portal.helpers import sign_in

    demo_users_create(password="joinedup-demo-2026")
    number, born, email = demo_portal_person()
    assert demo_portal_person() == (number, born, email)  # the same person again
    response = sign_in(client, nhs_number=number, birth_date=born, contact=email)
    assert response.status_code == 302 and response["Location"] == "/me/"
    person = Person.objects.get(nhs_number=number.replace(" ", ""))
    page = client.get("/me/").content.decode()
    assert person.family_name.title() in page or person.family_name in page
