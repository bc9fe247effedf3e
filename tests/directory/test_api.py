"""REST for the directory and UCR: ORUK JSON out and in (errors name the field),
a UCR referral through its clock, and JSON errors."""

from __future__ import annotations

import json

import pytest

from joinedup.directory.models import Service
from joinedup.governance.models import OrganisationType, Role, Team
from joinedup.governance.services import token_create
from tests.directory.conftest import ORUK_FILE
from tests.factories import OrganisationFactory, professional

pytestmark = pytest.mark.django_db


def _auth(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {token_create(username=user.username)}"}


def test_directory_search_export_and_import(client, world, level1):
    gp = _auth(world.gp)
    found = client.get(
        "/api/v1/directory/services",
        {"need": "loneliness", "age": 80, "postcode": "JU9 5AB"},
        **gp,
    ).json()
    assert [s["name"] for s in found] == ["Telephone befriending"]
    assert found[0]["distance_km"] < 1
    exported = client.get("/api/v1/directory/export", **gp).json()
    assert len(exported) == 3
    editor = _auth(level1.editor)
    data = json.loads(ORUK_FILE.read_text())
    data["contents"][1]["service_at_locations"][0]["location"]["longitude"] = "west"
    bad = client.post(
        "/api/v1/directory/import",
        json.dumps(data),
        content_type="application/json",
        **editor,
    )
    assert bad.status_code == 400
    body = bad.json()
    assert body["error"] == "invalid"
    assert "services[1].service_at_locations[0].location.longitude" in body["fields"]
    refused = client.post(
        "/api/v1/directory/import",
        ORUK_FILE.read_text(),
        content_type="application/json",
        **gp,
    )
    assert refused.status_code == 403
    assert Service.objects.count() == 3


def test_a_ucr_referral_through_the_api(client, world):
    trust = OrganisationFactory(
        code="RJC",
        name="Joinedup Community Health",
        type=OrganisationType.COMMUNITY_TRUST,
    )
    team = Team.objects.create(organisation=trust, name="UCR")
    matron = professional(Role.COMMUNITY_MATRON, trust, username="apimatron")
    matron.memberships.update(team=team)
    auth = _auth(matron)
    bad = client.post(
        "/api/v1/ucr/referrals",
        {"person_id": world.stranger.pk, "source": "pigeon", "reason": "Fall"},
        content_type="application/json",
        **auth,
    )
    assert bad.status_code == 400 and "source" in bad.json()["fields"]
    made = client.post(
        "/api/v1/ucr/referrals",
        {"person_id": world.stranger.pk, "source": "ambulance", "reason": "Fall"},
        content_type="application/json",
        **auth,
    )
    assert made.status_code == 201
    rid = made.json()["id"]
    assert client.get("/api/v1/ucr/queue", **auth).json()[0]["minutes_left"] >= 119
    client.post(f"/api/v1/ucr/referrals/{rid}/contact", **auth)
    done = client.post(
        f"/api/v1/ucr/referrals/{rid}/outcome",
        {"clinical_reason": "confusion_delirium", "outcome": "remained_at_home"},
        content_type="application/json",
        **auth,
    ).json()
    assert done["within_two_hours"] is True
    board = client.get("/api/v1/ucr/dashboard", {"days": 7}, **auth).json()
    assert board["within_2h"] == 1 and board["admissions_avoided"] == 1
