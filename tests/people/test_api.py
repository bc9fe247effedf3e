"""The REST API: bearer tokens, person search, record and timeline, JSON errors."""

import pytest

from joinedup.governance.services import token_create
from tests.factories import EventFactory


@pytest.fixture
def auth(world):
    return {"HTTP_AUTHORIZATION": f"Bearer {token_create(username='sw')}"}


def test_missing_token_is_401_json(client, world):
    response = client.get("/api/v1/people", {"query": "Thornton"})
    assert response.status_code == 401
    body = response.json()
    assert body["error"] == "unauthenticated"
    assert "Authorization" in body["fields"]


def test_search_by_name(client, world, auth):
    response = client.get("/api/v1/people", {"query": "Thornton"}, **auth)
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 1
    assert body["results"][0]["nhs_number"] == world.person.nhs_number


def test_bad_nhs_number_is_400_naming_the_field(client, world, auth):
    response = client.get("/api/v1/people", {"query": "9434765918"}, **auth)
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid"
    assert "check digit" in body["fields"]["query"]


def test_missing_query_parameter_is_400(client, world, auth):
    response = client.get("/api/v1/people", **auth)
    assert response.status_code == 400
    assert "query" in response.json()["fields"]


def test_person_record_and_timeline(client, world, auth):
    EventFactory(person=world.person, source_system=world.pas, summary="Admitted")
    EventFactory(
        person=world.person,
        source_system=world.pas,
        category="safeguarding",
        summary="Sealed one",
    )
    record = client.get(f"/api/v1/people/{world.person.pk}", **auth).json()
    assert record["gp_practice"]["code"] == "J81001"
    assert record["sealed"][0]["category"] == "safeguarding"
    timeline = client.get(f"/api/v1/people/{world.person.pk}/timeline", **auth).json()
    assert [e["summary"] for e in timeline["events"]] == ["Admitted"]


def test_unknown_person_is_404_json(client, world, auth):
    response = client.get("/api/v1/people/424242", **auth)
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_refused_person_is_403_json(client, world, auth):
    response = client.get(f"/api/v1/people/{world.stranger.pk}", **auth)
    assert response.status_code == 403
    assert response.json()["error"] == "access_refused"


def test_page_out_of_range_is_400(client, world, auth):
    response = client.get(
        f"/api/v1/people/{world.person.pk}/timeline", {"page": 5}, **auth
    )
    assert response.status_code == 400
    assert response.json()["fields"]["page"] == "there are only 1 pages"


def test_openapi_documents_the_people_endpoints(client, db):
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/people" in spec["paths"]
    assert "/api/v1/people/{person_id}/timeline" in spec["paths"]
