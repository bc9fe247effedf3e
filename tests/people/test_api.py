"""The REST API: bearer tokens, person search, record and timeline, JSON errors."""

import pytest

from joinedup.governance.models import AuditEntry, Organisation, Role
from joinedup.governance.services import token_create
from tests.factories import EventFactory, PersonFactory, involve, professional


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


def test_blank_query_is_400_naming_the_field(client, world, auth):
    response = client.get("/api/v1/people", {"query": "  "}, **auth)
    assert response.status_code == 400
    assert "query" in response.json()["fields"]


def _names(body):
    return [(r["family_name"], r["given_name"]) for r in body["results"]]


def test_without_a_query_each_professional_lists_the_people_they_may_see(client, world):
    other = Organisation.objects.get(code="RXX")  # where the stranger is known
    faraway = professional(Role.DISCHARGE_COORDINATOR, other, username="far")
    seen = {}
    for user in (world.social_worker, faraway):
        token = token_create(username=user.username)
        response = client.get("/api/v1/people", HTTP_AUTHORIZATION=f"Bearer {token}")
        assert response.status_code == 200
        seen[user.username] = response.json()
    assert _names(seen["sw"]) == [("Thornton", "Margaret")]
    assert _names(seen["far"]) == [("Thornbury", "Norman")]
    assert seen["sw"]["total"] == 1 and seen["sw"]["next"] is None


def test_a_commissioner_lists_nobody(client, world):
    token = token_create(username="comm")
    body = client.get("/api/v1/people", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert body["total"] == 0 and body["results"] == []


def test_the_list_pages_in_a_stable_order_with_links(client, world, auth):
    for family, given in [
        ("Abbott", "Zoe"),
        ("abbott", "Adam"),
        ("Young", "Yusuf"),
        ("Baker", "Bea"),
        ("Carter", "Cy"),
    ]:
        involve(PersonFactory(family_name=family, given_name=given), world.council)
    PersonFactory(family_name="Aaron", given_name="Unseen")  # nobody's

    first = client.get("/api/v1/people", {"page_size": 2}, **auth).json()
    assert (first["total"], first["pages"], first["page"]) == (6, 3, 1)
    assert first["previous"] is None
    pages = [first]
    while pages[-1]["next"]:
        pages.append(client.get(pages[-1]["next"], **auth).json())
    assert [p["page"] for p in pages] == [1, 2, 3]
    assert pages[1]["previous"] == "/api/v1/people?page=1&page_size=2"
    listed = [name for p in pages for name in _names(p)]
    assert listed == [
        ("abbott", "Adam"),
        ("Abbott", "Zoe"),
        ("Baker", "Bea"),
        ("Carter", "Cy"),
        ("Thornton", "Margaret"),
        ("Young", "Yusuf"),
    ]


def test_a_page_of_the_list_is_one_audit_entry_naming_nobody(client, world, auth):
    for i in range(3):
        involve(PersonFactory(family_name=f"Listed{'abc'[i]}"), world.council)
    before = AuditEntry.objects.count()
    response = client.get("/api/v1/people", {"page_size": 2, "page": 2}, **auth)
    assert response.status_code == 200
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry.action == "list"
    assert entry.person_id is None
    assert entry.actor_id == world.social_worker.pk
    assert entry.channel == "api" and entry.outcome == "allowed"
    assert entry.reason == "page 2 of 2: 2 of 4 people"


@pytest.mark.parametrize(
    ("params", "field", "problem"),
    [
        ({"page": 0}, "page", "must be 1 or more"),
        ({"page": "two"}, "page", "integer"),
        ({"page": 3}, "page", "there are only 1 pages"),
        ({"page_size": 0}, "page_size", "must be between 1 and 100"),
        ({"page_size": 101}, "page_size", "must be between 1 and 100"),
        ({"page_size": "many"}, "page_size", "integer"),
    ],
)
def test_bad_page_parameters_are_400_naming_the_field(
    client, world, auth, params, field, problem
):
    before = AuditEntry.objects.count()
    response = client.get("/api/v1/people", params, **auth)
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid"
    assert problem in body["fields"][field]
    assert AuditEntry.objects.count() == before  # nothing was read


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


@pytest.mark.parametrize("bad", ["0", "-3", str(2**63), "1" * 30])
def test_an_id_no_record_can_have_is_refused_naming_the_parameter(
    client, world, auth, bad
):
    response = client.get(f"/api/v1/people/{bad}", **auth)
    assert response.status_code in (400, 422)
    body = response.json()
    assert any("person_id" in field for field in body["fields"]), body


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
