"""REST: referrals, tasks and MDT meetings through the API, with 4xx answers
that name the field, and the same access policy as the pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from joinedup.config.api import api
from joinedup.coordination.models import Referral, Task
from joinedup.governance.services import token_create
from tests.coordination.coordb_helpers import partners_make
from tests.factories import care_team_add

pytestmark = pytest.mark.django_db


@pytest.fixture
def partners(world):
    return partners_make(world)


def _auth(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {token_create(username=user.username)}"}


def _body(world, partners, **overrides):
    data = {
        "person_id": world.person.pk,
        "referral_type": "falls_service",
        "urgency": "routine",
        "reason": "Two falls this month",
        "consent_basis": "consent",
        "to_team_id": partners.nursing.pk,
    }
    data.update(overrides)
    return data


def test_referral_lifecycle_over_rest(client, world, partners):
    sw, nurse = _auth(world.social_worker), _auth(partners.nurse)
    response = client.post(
        "/api/v1/referrals",
        _body(world, partners),
        content_type="application/json",
        **sw,
    )
    assert response.status_code == 201, response.content
    referral = response.json()
    assert referral["status"] == "sent" and referral["clock"] == "due"
    incoming = client.get("/api/v1/referrals?box=incoming", **nurse).json()
    assert [r["id"] for r in incoming["referrals"]] == [referral["id"]]
    url = f"/api/v1/referrals/{referral['id']}"
    response = client.post(
        url + "/decline", {}, content_type="application/json", **nurse
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {
        "decline_reason": "say why the referral is declined, so the sender can act"
    }
    response = client.post(
        url + "/accept",
        {"assign_user_id": partners.nurse.pk},
        content_type="application/json",
        **nurse,
    )
    assert response.json()["status"] == "accepted"
    again = client.post(url + "/accept", {}, content_type="application/json", **nurse)
    assert again.status_code == 409 and again.json()["error"] == "conflict"
    assert client.get(url, **sw).json()["assigned_user_id"] == partners.nurse.pk
    stranger = client.get(url, **_auth(world.gp))
    assert stranger.status_code == 200  # the GP practice holds her registration
    assert client.get("/api/v1/referrals/999999", **sw).status_code == 404


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"reason": ""}, "reason"),
        ({"consent_basis": "because"}, "consent_basis"),
        ({"to_team_id": None}, "to_organisation"),
    ],
)
def test_bad_referrals_are_400_naming_the_field(
    client, world, partners, overrides, field
):
    response = client.post(
        "/api/v1/referrals",
        _body(world, partners, **overrides),
        content_type="application/json",
        **_auth(world.social_worker),
    )
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not Referral.objects.exists()


def test_tasks_over_rest(client, world, partners):
    sw = _auth(world.social_worker)
    care_team_add(world.person, world.gp, world.practice, "gp")
    response = client.post(
        "/api/v1/tasks",
        {
            "person_id": world.person.pk,
            "title": "Order a commode",
            "assignee_user_id": partners.nurse.pk,
        },
        content_type="application/json",
        **sw,
    )
    assert response.status_code == 400
    assert "assignee_user" in response.json()["fields"]
    response = client.post(
        "/api/v1/tasks",
        {
            "person_id": world.person.pk,
            "title": "Order a commode",
            "assignee_user_id": world.gp.pk,
            "due_on": (timezone.localdate() + dt.timedelta(days=3)).isoformat(),
        },
        content_type="application/json",
        **sw,
    )
    assert response.status_code == 201
    task_id = response.json()["id"]
    gp = _auth(world.gp)
    mine = client.get("/api/v1/tasks?view=mine", **gp).json()
    assert [t["id"] for t in mine["tasks"]] == [task_id]
    assert client.get("/api/v1/tasks?view=sideways", **gp).status_code == 400
    assert client.post(f"/api/v1/tasks/{task_id}/start", **gp).json()["status"] == (
        "in_progress"
    )
    response = client.post(
        f"/api/v1/tasks/{task_id}/cancel", {}, content_type="application/json", **gp
    )
    assert response.status_code == 400 and "reason" in response.json()["fields"]
    response = client.post(
        f"/api/v1/tasks/{task_id}/complete",
        {"outcome": "Delivered"},
        content_type="application/json",
        **gp,
    )
    assert response.json()["status"] == "completed"
    person = client.get(f"/api/v1/tasks/people/{world.person.pk}", **gp).json()
    assert person["total"] == 1
    refused = client.get(f"/api/v1/tasks/people/{world.stranger.pk}", **gp)
    assert refused.status_code == 403
    assert Task.objects.get().status == "completed"


def test_mdt_over_rest(client, world, partners):
    coordinator = _auth(partners.coordinator)
    care_team_add(world.person, partners.coordinator, partners.trust, "mdt_coordinator")
    response = client.post(
        "/api/v1/mdt-meetings",
        {"team_id": partners.nursing.pk, "starts_at": None, "place": "Hub"},
        content_type="application/json",
        **coordinator,
    )
    assert response.status_code == 400 and "starts_at" in response.json()["fields"]
    response = client.post(
        "/api/v1/mdt-meetings",
        {
            "team_id": partners.nursing.pk,
            "starts_at": (timezone.now() + dt.timedelta(days=1)).isoformat(),
            "link": "https://meet.example.org/x",
        },
        content_type="application/json",
        **coordinator,
    )
    assert response.status_code == 201
    meeting_id = response.json()["id"]
    response = client.post(
        f"/api/v1/mdt-meetings/{meeting_id}/items",
        {"person_id": world.person.pk},
        content_type="application/json",
        **coordinator,
    )
    item_id = response.json()["id"]
    response = client.post(
        f"/api/v1/mdt-meetings/{meeting_id}/items/{item_id}/actions",
        {"title": "Visit", "assignee_user_id": world.social_worker.pk},
        content_type="application/json",
        **coordinator,
    )
    assert response.status_code == 201 and response.json()["source"] == "mdt_action"
    wrong = client.post(
        f"/api/v1/mdt-meetings/{meeting_id + 1}/items/{item_id}/record",
        {"discussion": "x"},
        content_type="application/json",
        **coordinator,
    )
    assert wrong.status_code == 404
    detail = client.get(f"/api/v1/mdt-meetings/{meeting_id}", **coordinator).json()
    assert detail["items"][0]["person_id"] == world.person.pk
    assert detail["items"][0]["actions"][0]["title"] == "Visit"
    nurse = client.post(
        "/api/v1/mdt-meetings",
        {"team_id": partners.nursing.pk},
        content_type="application/json",
        **_auth(partners.nurse),
    )
    assert nurse.status_code == 403
    closed = client.post(f"/api/v1/mdt-meetings/{meeting_id}/close", **coordinator)
    assert closed.json()["status"] == "closed"


def test_every_new_path_documents_its_4xx():
    paths = api.get_openapi_schema()["paths"]
    mine = [
        p for p in paths if p.split("/")[3] in {"referrals", "tasks", "mdt-meetings"}
    ]
    assert len(mine) >= 14
    for path in mine:
        for op in paths[path].values():
            assert any(str(code).startswith("4") for code in op["responses"]), path
