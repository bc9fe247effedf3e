"""REST /api/v1/assessments and the FHIR Questionnaire / QuestionnaireResponse:
list, read, start, prefill, complete (409 on a second submission), amend; the
access policy (a stranger is refused and audited); every FHIR resource valid R4."""

import datetime as dt

import pytest

from joinedup.coordination.models import Assessment
from joinedup.governance.models import AuditEntry, ConsentRecord
from joinedup.governance.services import token_create
from joinedup.interop.fhir.mappers_out import resource_validate
from joinedup.record.models import EventKind
from tests.factories import EventFactory

BASE = "/api/v1/assessments"
OUTCOMES = {
    "needs_from_impairment_or_illness": True,
    "significant_impact_on_wellbeing": True,
    "outcome_nutrition": ["needs_assistance"],
    "outcome_being_clothed": ["takes_significantly_longer"],
}


@pytest.fixture
def sw(world):
    return {"HTTP_AUTHORIZATION": f"Bearer {token_create(username='sw')}"}


@pytest.fixture
def gp(world):
    return {"HTTP_AUTHORIZATION": f"Bearer {token_create(username='gp')}"}


def post(client, url, body, auth):
    return client.post(url, body, content_type="application/json", **auth)


@pytest.fixture
def assessment(client, world, sw):
    response = post(client, BASE, {"person_id": world.person.pk, "kind": "adult"}, sw)
    assert response.status_code == 201, response.json()
    return response.json()


def test_start_complete_and_read_with_eligibility(client, world, sw, gp, assessment):
    assert assessment["kind"] == "adult" and assessment["sections_completed"] == 0
    assert [s["key"] for s in assessment["sections"]][:2] == [
        "about_me",
        "care_act_outcomes",
    ]
    url = f"{BASE}/{assessment['id']}/sections/care_act_outcomes/complete"
    response = post(client, url, {"answers": OUTCOMES}, sw)
    assert response.status_code == 201
    body = response.json()
    assert body["eligibility"]["eligible"] is True
    assert [u["outcome"] for u in body["eligibility"]["unmet_outcomes"]] == [
        "nutrition",
        "being_clothed",
    ]
    section = next(s for s in body["sections"] if s["key"] == "care_act_outcomes")
    assert section["completed_by_organisation"] == "Joinedup Council Adult Social Care"
    assert section["completed_by_role"] == "social_worker"
    assert section["provenance"]["outcome_nutrition"]["status"] == "new"

    listed = client.get(f"{BASE}/people/{world.person.pk}", **gp).json()
    assert [(a["id"], a["sections_completed"]) for a in listed["assessments"]] == [
        (assessment["id"], 1)
    ]
    read = client.get(f"{BASE}/{assessment['id']}", **gp).json()
    assert (
        read["eligibility"]["summary"]
        == "The adult's needs meet the eligibility criteria"
    )


def test_a_second_submission_is_409_and_amend_keeps_the_first(
    client, sw, gp, assessment
):
    url = f"{BASE}/{assessment['id']}/sections/risks"
    assert (
        post(
            client, f"{url}/complete", {"answers": {"risks": "Lives alone"}}, sw
        ).status_code
        == 201
    )
    again = post(client, f"{url}/complete", {"answers": {"risks": "Other"}}, gp)
    assert again.status_code == 409
    assert again.json()["error"] == "conflict"
    assert again.json()["fields"] == {"section": "already completed: amend it instead"}
    no_reason = post(client, f"{url}/amend", {"answers": {"risks": "Falls"}}, gp)
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["fields"]
    amended = post(
        client, f"{url}/amend", {"answers": {"risks": "Falls"}, "reason": "Fell"}, gp
    )
    assert amended.status_code == 201
    risks = next(s for s in amended.json()["sections"] if s["key"] == "risks")
    assert risks["answers"] == {
        "risks": "Falls",
        "risk_to_others": None,
        "risk_plan": None,
    }
    assert risks["amended"] and risks["earlier_versions"] == 1
    assert risks["completed_by_organisation"] == "Riverside Surgery"


def test_bad_input_names_the_field(client, world, sw, assessment):
    response = post(client, BASE, {"person_id": world.person.pk, "kind": "child"}, sw)
    assert response.status_code == 400
    assert any(k.endswith("kind") for k in response.json()["fields"])
    url = f"{BASE}/{assessment['id']}/sections/care_act_outcomes/complete"
    response = post(client, url, {"answers": {"outcome_nutrition": ["hungry"]}}, sw)
    assert response.status_code == 400
    assert {"outcome_nutrition", "needs_from_impairment_or_illness"} <= set(
        response.json()["fields"]
    )
    response = post(
        client,
        f"{BASE}/{assessment['id']}/sections/hobbies/complete",
        {"answers": {}},
        sw,
    )
    assert response.status_code == 400 and "section" in response.json()["fields"]
    assert client.get(f"{BASE}/999999", **sw).status_code == 404


def test_prefill_endpoint_gives_values_and_provenance(client, world, sw, assessment):
    EventFactory(
        person=world.person,
        source_system=world.gp_system,
        kind=EventKind.DIAGNOSIS,
        code_display="COPD",
        occurred_at=dt.datetime(2026, 3, 3, 10, tzinfo=dt.UTC),
    )
    response = client.get(
        f"{BASE}/{assessment['id']}/sections/health_conditions/prefill", **sw
    )
    assert response.status_code == 200
    conditions = response.json()["prefill"]["conditions"]
    assert conditions["value"] == "COPD"
    assert conditions["text"] == "from GP system, 3 March 2026; confirm or change"


def test_a_stranger_is_refused_and_audited(client, world, sw):
    before = AuditEntry.objects.filter(outcome="refused").count()
    response = client.get(f"{BASE}/people/{world.stranger.pk}", **sw)
    assert response.status_code == 403
    response = post(client, BASE, {"person_id": world.stranger.pk, "kind": "adult"}, sw)
    assert response.status_code == 403 and not Assessment.objects.exists()
    assert AuditEntry.objects.filter(outcome="refused").count() == before + 2


def test_openapi_documents_the_endpoints(client):
    from joinedup.config.api import api

    paths = api.get_openapi_schema()["paths"]
    assert "/api/v1/assessments/people/{person_id}" in paths
    complete = paths[
        "/api/v1/assessments/{assessment_id}/sections/{section_key}/complete"
    ]
    assert {201, 400, 403, 404, 409} <= set(complete["post"]["responses"])
    assert "amend it" in complete["post"]["responses"][409]["description"]


# --- FHIR -----------------------------------------------------------------------


def test_the_form_is_a_valid_questionnaire(client, sw):
    for kind in ("adult", "carer"):
        response = client.get(f"/fhir/R4/Questionnaire/shared-assessment-{kind}", **sw)
        assert response.status_code == 200
        resource = response.json()
        resource_validate(resource)
        assert [i["linkId"] for i in resource["item"]][:2] == [
            "about_me",
            "care_act_outcomes",
        ]
    bundle = client.get("/fhir/R4/Questionnaire", **sw).json()
    assert bundle["total"] == 2
    assert client.get("/fhir/R4/Questionnaire/nope", **sw).status_code == 404


def test_an_assessment_is_a_valid_questionnaire_response(
    client, world, sw, gp, assessment
):
    post(
        client,
        f"{BASE}/{assessment['id']}/sections/care_act_outcomes/complete",
        {"answers": OUTCOMES},
        sw,
    )
    post(
        client,
        f"{BASE}/{assessment['id']}/sections/mobility_falls/complete",
        {"answers": {"falls_last_year": 2, "mobility": "Frame"}},
        sw,
    )
    response = client.get(f"/fhir/R4/QuestionnaireResponse/qr-{assessment['id']}", **gp)
    assert response.status_code == 200
    resource = response.json()
    resource_validate(resource)
    assert resource["subject"] == {"reference": f"Patient/{world.person.pk}"}
    assert resource["status"] == "in-progress"
    falls = next(i for i in resource["item"] if i["linkId"] == "mobility_falls")
    answer = falls["item"][0]["answer"][0]
    assert answer["valueInteger"] == 2
    assert answer["extension"][0]["valueString"] == "Entered at this assessment"
    assert falls["extension"][0]["valueReference"]["display"] == "Pat Professional"

    bundle = client.get(
        f"/fhir/R4/QuestionnaireResponse?patient=Patient/{world.person.pk}", **gp
    ).json()
    assert bundle["total"] == 1
    assert bundle["entry"][0]["resource"]["id"] == f"qr-{assessment['id']}"


def test_questionnaire_response_leaves_out_sections_not_shared(
    client, world, sw, gp, assessment
):
    from django.utils import timezone

    post(
        client,
        f"{BASE}/{assessment['id']}/sections/finances/complete",
        {"answers": {"receives_benefits": True}},
        sw,
    )
    ConsentRecord.objects.create(
        person=world.person,
        category="finance",
        organisation=world.practice,
        decision="objection",
        method="verbal",
        recorded_by=world.social_worker,
        recorded_at=timezone.now(),
    )
    resource = client.get(
        f"/fhir/R4/QuestionnaireResponse/qr-{assessment['id']}", **gp
    ).json()
    assert "item" not in resource
    own = client.get(
        f"/fhir/R4/QuestionnaireResponse/qr-{assessment['id']}", **sw
    ).json()
    assert [i["linkId"] for i in own["item"]] == ["finances"]


def test_fhir_stranger_is_refused(client, world, sw):
    before = AuditEntry.objects.filter(outcome="refused").count()
    response = client.get(
        f"/fhir/R4/QuestionnaireResponse?patient=Patient/{world.stranger.pk}", **sw
    )
    assert response.status_code == 403
    assert response.json()["resourceType"] == "OperationOutcome"
    assert AuditEntry.objects.filter(outcome="refused").count() == before + 1
