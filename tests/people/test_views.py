"""The web pages a professional uses: search and the shared record."""

import datetime as dt
import html as htmllib

import pytest
from django.db import connection
from django.urls import reverse

from joinedup.governance.models import AuditEntry
from joinedup.people.models import AboutMe
from tests.factories import PASSWORD, EventFactory


@pytest.fixture
def sw_client(client, world):
    client.login(username="sw", password=PASSWORD)
    return client


def test_pages_need_login(client, world):
    response = client.get(reverse("person_detail", args=[world.person.pk]))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_wrong_password_shows_an_error_summary(client, world):
    response = client.post(reverse("login"), {"username": "sw", "password": "nope"})
    assert response.status_code == 200
    assert b"There is a problem" in response.content
    assert b"Enter a correct username and password" in response.content


def test_search_by_nhs_number_finds_the_person(sw_client, world):
    spaced = world.person.nhs_number_display
    response = sw_client.get(reverse("person_search"), {"q": spaced})
    assert response.status_code == 200
    assert b"1 person found" in response.content
    assert b"Margaret THORNTON" in response.content
    assert spaced.encode() in response.content


def test_search_by_name_hides_people_without_a_relationship(sw_client, world):
    response = sw_client.get(reverse("person_search"), {"q": "Thorn"})
    assert b"1 person found" in response.content
    assert b"Thornbury" not in response.content


def test_search_by_date_of_birth(sw_client, world):
    response = sw_client.get(reverse("person_search"), {"q": "03/02/1941"})
    assert b"Margaret THORNTON" in response.content


def test_bad_nhs_number_is_a_field_error_not_a_crash(sw_client, world):
    response = sw_client.get(reverse("person_search"), {"q": "943 476 5918"})
    assert response.status_code == 400
    assert b"There is a problem" in response.content
    assert b"the check digit does not match" in response.content


def test_person_page_shows_the_shared_record(sw_client, world):
    EventFactory(
        person=world.person,
        source_system=world.pas,
        kind="admission",
        summary="Emergency admission to Ward 7",
    )
    EventFactory(
        person=world.person,
        source_system=world.gp_system,
        summary="Seen by GP about breathlessness",
    )
    EventFactory(
        person=world.person,
        source_system=world.council_system,
        kind="social_care_assessment",
        category="social_care",
        summary="Care Act assessment completed",
    )
    EventFactory(
        person=world.person,
        source_system=world.pas,
        kind="safeguarding_concern",
        category="safeguarding",
        summary="Concern raised",
    )
    AboutMe.objects.create(
        person=world.person,
        what_matters_to_me="My garden",
        updated_at=dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
    )
    response = sw_client.get(reverse("person_detail", args=[world.person.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert world.person.nhs_number_display in html
    assert "Verified" in html
    assert "Riverside Surgery" in html
    assert "Joinedup General Hospital" in html  # organisations involved
    assert "My garden" in html  # About me
    assert "Emergency admission to Ward 7" in html
    assert "Care Act assessment completed" in html
    assert "Concern raised" not in html  # sealed
    assert "Sealed safeguarding information" in html
    assert "3 events" in html
    # newest first
    assert html.index("Care Act assessment") < html.index("Emergency admission")


def test_timeline_filters_by_source_and_category(sw_client, world):
    EventFactory(person=world.person, source_system=world.pas, summary="From PAS")
    EventFactory(
        person=world.person,
        source_system=world.council_system,
        category="social_care",
        summary="From council",
    )
    url = reverse("person_timeline", args=[world.person.pk])
    by_source = sw_client.get(url, {"source": "acute-pas"}).content.decode()
    assert "From PAS" in by_source and "From council" not in by_source
    by_category = sw_client.get(url, {"category": "social_care"}).content.decode()
    assert "From council" in by_category and "From PAS" not in by_category


def test_timeline_is_paginated(sw_client, world, settings):
    settings.JOINEDUP_PAGE_SIZE = 5
    EventFactory.create_batch(12, person=world.person, source_system=world.pas)
    url = reverse("person_detail", args=[world.person.pk])
    assert "page 1 of 3" in sw_client.get(url).content.decode()
    assert "page 3 of 3" in sw_client.get(url, {"page": 3}).content.decode()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"page": 99}, "there are only 1 pages"),
        ({"page": "two"}, "page: must be a whole number"),
        ({"category": "gossip"}, "unknown category 'gossip'"),
        ({"source": "nowhere"}, "unknown source system 'nowhere'"),
    ],
)
def test_bad_timeline_parameters_are_clear_400s(sw_client, world, params, message):
    response = sw_client.get(reverse("person_detail", args=[world.person.pk]), params)
    assert response.status_code == 400
    assert message in htmllib.unescape(response.content.decode())


def test_unknown_person_is_a_404_page(sw_client, world):
    response = sw_client.get(reverse("person_detail", args=[999999]))
    assert response.status_code == 404
    assert b"there is no person with id 999999" in response.content


def test_person_without_relationship_is_refused_and_audited(sw_client, world):
    response = sw_client.get(reverse("person_detail", args=[world.stranger.pk]))
    assert response.status_code == 403
    assert b"no legitimate relationship" in response.content
    assert AuditEntry.objects.filter(person=world.stranger, outcome="refused").exists()


def test_person_page_query_count_is_fixed(sw_client, world, django_assert_num_queries):
    """The record page costs the same number of queries however long the history."""
    url = reverse("person_detail", args=[world.person.pk])
    EventFactory.create_batch(3, person=world.person, source_system=world.pas)
    sw_client.get(url)  # warm the session
    with django_assert_num_queries(PERSON_PAGE_QUERIES):
        sw_client.get(url)
    EventFactory.create_batch(40, person=world.person, source_system=world.gp_system)
    with django_assert_num_queries(PERSON_PAGE_QUERIES):
        sw_client.get(url)


# session (4), user, membership, person with its relationship facts, the request's
# savepoint and release, audit (chain head, then on PostgreSQL one statement that
# inserts and moves the head; two on SQLite), record sections (7), timeline (2),
# the unread notifications count in the header (1), the safeguarding flag (that
# a child protection plan exists, and whom to contact) (1), whether the person has a
# social prescribing case and an urgent community response referral, for the links
# to them (2)
PERSON_PAGE_QUERIES = 24 if connection.vendor == "postgresql" else 25


def test_home_page_fits_the_role(client, world):
    client.login(username="sw", password=PASSWORD)
    html = client.get(reverse("home")).content.decode()
    assert "People in your care team" in html
    assert "Margaret THORNTON" in html
    client.logout()
    client.login(username="comm", password=PASSWORD)
    html = client.get(reverse("home")).content.decode()
    assert "The area at a glance" in html
    assert "Margaret" not in html
    assert "Find a person" not in html


def test_search_query_count_is_fixed(sw_client, world, django_assert_num_queries):
    from tests.factories import PersonFactory, care_team_add

    url = reverse("person_search")
    sw_client.get(url, {"q": "Thornton"})
    with django_assert_num_queries(SEARCH_QUERIES):
        sw_client.get(url, {"q": "Thornton"})
    for _ in range(10):
        p = PersonFactory(family_name="Thornton", registered_gp=world.practice)
        care_team_add(p, world.social_worker, world.council, "social_worker")
    with django_assert_num_queries(SEARCH_QUERIES):
        html = sw_client.get(url, {"q": "Thornton"}).content.decode()
    assert "11 people found" in html


# session (4), user, membership, agreements, count, page, the request's savepoint
# and release, audit (chain head, then one statement on PostgreSQL, two on SQLite),
# the unread notifications count in the header
SEARCH_QUERIES = 14 if connection.vendor == "postgresql" else 15


def test_a_merged_record_sends_you_to_the_record_in_use(sw_client, world):
    from joinedup.people.merge import person_merge
    from tests.conftest import actor_for
    from tests.factories import PersonFactory, care_team_add

    duplicate = PersonFactory(given_name="Margaret", family_name="Thornton")
    care_team_add(duplicate, world.social_worker, world.council, "social_worker")
    person_merge(
        actor=actor_for(world.social_worker),
        survivor_id=world.person.pk,
        merged_id=duplicate.pk,
        reason="Same person: council record without NHS number",
    )
    response = sw_client.get(reverse("person_detail", args=[duplicate.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("person_detail", args=[world.person.pk])
