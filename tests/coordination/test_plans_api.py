"""REST /api/v1/care-plans: read a person's plan, create it, save new versions
with base_version (409 when the plan moved on), bad input named, strangers
refused and audited."""

import datetime as dt

import pytest
from django.utils import timezone

from joinedup.coordination.models import CarePlan, Task
from joinedup.governance.models import AuditEntry, OrganisationType, Role
from joinedup.governance.services import token_create
from tests.factories import OrganisationFactory, care_team_add, professional

BASE = "/api/v1/care-plans"
SOON = (timezone.localdate() + dt.timedelta(days=10)).isoformat()


@pytest.fixture
def nurse(world):
    trust = OrganisationFactory(
        code="RCT",
        name="Joinedup Community Trust",
        type=OrganisationType.COMMUNITY_TRUST,
    )
    user = professional(
        Role.COMMUNITY_MATRON,
        trust,
        username="nurse",
        first_name="Nia",
        last_name="Nurse",
    )
    care_team_add(world.person, user, trust, Role.COMMUNITY_MATRON)
    return user


def auth(username):
    return {"HTTP_AUTHORIZATION": f"Bearer {token_create(username=username)}"}


def post(client, url, body, headers):
    return client.post(url, body, content_type="application/json", **headers)


@pytest.fixture
def plan(client, world, nurse):
    response = post(
        client,
        BASE,
        {
            "person_id": world.person.pk,
            "goals": ["I want to keep my allotment"],
            "actions": [
                {
                    "description": "Review pain relief",
                    "owner_user_id": nurse.pk,
                    "due_on": SOON,
                }
            ],
            "contingency": "Ring my daughter",
            "review_on": SOON,
        },
        auth("sw"),
    )
    assert response.status_code == 201, response.json()
    return response.json()


def test_create_read_and_new_version(client, world, nurse, plan):
    assert plan["version"] == 1
    assert plan["actions"][0]["agency"] == "Joinedup Community Trust"
    assert plan["actions"][0]["task_status"] == "To do"
    assert Task.objects.get().assignee_user == nurse

    empty = client.get(f"{BASE}/people/{world.stranger.pk}", **auth("sw"))
    assert empty.status_code == 403
    got = client.get(f"{BASE}/people/{world.person.pk}", **auth("gp")).json()
    assert got["readable"] and got["plan"]["id"] == plan["id"]

    body = {
        "base_version": 1,
        "goals": ["I want to keep my allotment", "I want to cook for myself"],
        "actions": [
            {
                "ref": "A1",
                "description": "Review pain relief",
                "owner_user_id": nurse.pk,
                "due_on": SOON,
            }
        ],
        "contingency": "Ring my daughter",
        "review_on": SOON,
    }
    response = post(client, f"{BASE}/{plan['id']}/versions", body, auth("nurse"))
    assert response.status_code == 201
    updated = response.json()
    assert updated["version"] == 2
    assert [h["author_organisation"] for h in updated["history"]] == [
        "Joinedup Community Trust",
        "Joinedup Council Adult Social Care",
    ]
    assert updated["history"][0]["changed"] == ["goals"]
    assert [g["added_by"] for g in updated["goals"]] == [
        "Pat Professional",
        "Nia Nurse",
    ]
    assert Task.objects.count() == 1  # the unchanged action keeps its task

    stale = post(
        client,
        f"{BASE}/{plan['id']}/versions",
        {**body, "contingency": "x"},
        auth("sw"),
    )
    assert stale.status_code == 409
    assert stale.json()["fields"] == {"base_version": "the plan is now at version 2"}
    assert client.get(f"{BASE}/{plan['id']}", **auth("sw")).json()["version"] == 2


def test_person_without_plan_reads_null(client, world):
    response = client.get(f"{BASE}/people/{world.person.pk}", **auth("sw"))
    assert response.status_code == 200
    assert response.json() == {
        "person_id": world.person.pk,
        "readable": True,
        "refused_reason": "",
        "plan": None,
    }


def test_a_second_plan_is_409(client, world, plan):
    response = post(
        client, BASE, {"person_id": world.person.pk, "goals": ["x"]}, auth("sw")
    )
    assert response.status_code == 409
    assert CarePlan.objects.count() == 1


def test_bad_input_names_the_fields(client, world, nurse):
    response = post(
        client,
        BASE,
        {
            "person_id": world.person.pk,
            "goals": [],
            "actions": [{"description": "", "owner_user_id": 424242}],
        },
        auth("sw"),
    )
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"goals", "actions.0.description"}
    response = post(
        client,
        BASE,
        {
            "person_id": world.person.pk,
            "goals": ["x"],
            "actions": [{"description": "Visit", "owner_user_id": world.gp.pk}],
        },
        auth("sw"),
    )
    assert response.status_code == 400
    assert "care team" in response.json()["fields"]["actions.0.owner"]
    response = post(
        client, f"{BASE}/999/versions", {"base_version": 1, "goals": ["x"]}, auth("sw")
    )
    assert response.status_code == 404
    assert not CarePlan.objects.exists()


def test_a_stranger_is_refused_and_audited(client, world):
    before = AuditEntry.objects.filter(outcome="refused").count()
    response = post(
        client, BASE, {"person_id": world.stranger.pk, "goals": ["x"]}, auth("sw")
    )
    assert response.status_code == 403
    assert AuditEntry.objects.filter(outcome="refused").count() == before + 1
    assert not CarePlan.objects.exists()
