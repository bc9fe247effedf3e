"""The FHIR R4 API (read side) with Django's test client: every resource type,
paging, errors as OperationOutcome, the access policy and its audit, sealed
categories, and every returned resource valid against fhir.resources (R4B)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.operationoutcome import OperationOutcome

from joinedup.governance.models import AuditEntry
from joinedup.governance.services import token_create
from joinedup.interop.fhir.mappers_out import NOT_YET_SUPPORTED
from joinedup.people.models import Address, Identifier, PersonName
from joinedup.people.nhs_number import NHS_NUMBER_SYSTEM
from tests.factories import EventFactory, PersonFactory, involve

BASE = "/fhir/R4"
ODS = "https://fhir.nhs.uk/Id/ods-organization-code"
SEALED = {"safeguarding", "sexual_health"}


def record_build(world: Any) -> dict[str, Any]:
    """A history for world.person across three systems, with sealed events, an
    unmapped kind, a previous name and address and a local identifier."""
    p = world.person
    Identifier.objects.create(
        person=p, system="https://example.org/acute-pas", value="RJU123456"
    )
    PersonName.objects.create(
        person=p,
        given_name="Margaret",
        family_name="Ellis",
        use="old",
        period_start=dt.date(1962, 1, 1),
        period_end=dt.date(1965, 6, 1),
    )
    Address.objects.create(
        person=p,
        line="2 Old Road, Joinedup",
        postcode="JU2 2BB",
        period_start=dt.date(2000, 1, 1),
        period_end=dt.date(2020, 1, 1),
    )
    t0 = dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC)

    def ev(system: Any, kind: str, category: str = "health", **kw: Any) -> Any:
        return EventFactory(
            person=p, source_system=system, kind=kind, category=category, **kw
        )

    return {
        "admission": ev(
            world.pas,
            "admission",
            occurred_at=t0,
            ended_at=t0 + dt.timedelta(days=4),
            detail={"ward": "Ward 7", "site": "RJU01"},
            summary="Emergency admission",
        ),
        "discharge": ev(
            world.pas,
            "discharge",
            occurred_at=t0 + dt.timedelta(days=4),
            detail={"destination": "Usual place of residence", "pathway": "1"},
            summary="Discharged home",
        ),
        "gp": ev(world.gp_system, "gp_consultation", detail={"mode": "telephone"}),
        "diagnosis": ev(
            world.gp_system,
            "diagnosis",
            code="49436004",
            code_display="Atrial fibrillation",
            code_system="http://snomed.info/sct",
            summary="Atrial fibrillation",
        ),
        "fall": ev(
            world.gp_system,
            "fall",
            code="217082002",
            code_display="Accidental fall",
            summary="Fall at home",
        ),
        "medication": ev(
            world.gp_system,
            "medication",
            detail={"medication": "Apixaban 5mg tablets", "course": "repeat"},
            summary="Apixaban",
        ),
        "assessment": ev(
            world.council_system,
            "social_care_assessment",
            category="social_care",
            detail={"assessment_type": "care_act"},
            summary="Care Act assessment",
        ),
        "service": ev(world.council_system, "service_start", category="social_care"),
        "safeguarding": ev(
            world.council_system, "safeguarding_concern", category="safeguarding"
        ),
        "sexual_health": ev(
            world.gp_system, "sexual_health_contact", category="sexual_health"
        ),
    }


@pytest.fixture
def auth(world) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token_create(username='sw')}"}


@pytest.fixture
def record(world) -> dict[str, Any]:
    return record_build(world)


def valid(resource: dict[str, Any]) -> dict[str, Any]:
    """Validate with the fhir.resources R4B model of its type, then return it."""
    get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    return resource


def fhir_get(client, path: str, auth: dict[str, str], **params: Any) -> Any:
    response = client.get(f"{BASE}/{path}", params, **auth)
    assert response["Content-Type"].startswith("application/fhir+json")
    return response


def bundle_resources(body: dict[str, Any]) -> list[dict[str, Any]]:
    Bundle.model_validate(body)
    assert body["type"] == "searchset"
    for entry in body.get("entry", []):
        r = valid(entry["resource"])
        assert entry["fullUrl"].endswith(f"/fhir/R4/{r['resourceType']}/{r['id']}")
        assert entry["search"]["mode"] == "match"
    return [e["resource"] for e in body.get("entry", [])]


def outcome(response, status: int, code: str) -> str:
    assert response.status_code == status, response.content
    body = response.json()
    OperationOutcome.model_validate(body)
    assert body["issue"][0]["code"] == code
    return body["issue"][0]["diagnostics"]


def tags(resource: dict[str, Any]) -> set[str]:
    return {t["code"] for t in resource.get("meta", {}).get("tag", [])}


# --- metadata and authentication ----------------------------------------------------


def test_capability_statement_lists_exactly_what_is_supported(client, db):
    response = client.get(f"{BASE}/metadata")
    assert response.status_code == 200
    body = response.json()
    CapabilityStatement.model_validate(body)
    rest = body["rest"][0]["resource"]
    types = {r["type"] for r in rest}
    assert types == {
        "Patient",
        "Encounter",
        "Condition",
        "Observation",
        "MedicationStatement",
        "CareTeam",
        "Organization",
        "Practitioner",
        "Questionnaire",
        "QuestionnaireResponse",
        "Flag",
        "EpisodeOfCare",
    }
    assert not types & NOT_YET_SUPPORTED
    patient = next(r for r in rest if r["type"] == "Patient")
    assert {p["name"] for p in patient["searchParam"]} >= {
        "identifier",
        "family",
        "given",
        "birthdate",
        "_count",
    }
    assert patient["operation"][0]["name"] == "everything"
    assert all(r["profile"].startswith("https://fhir.hl7.org.uk/") for r in rest)


@pytest.mark.parametrize("header", [None, "Bearer nope", "Basic abc"])
def test_missing_or_bad_token_is_401_operation_outcome(client, world, header):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    response = client.get(f"{BASE}/Patient", {"family": "Thornton"}, **extra)
    outcome(response, 401, "login")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_post_is_405(client, world, auth):
    response = client.post(f"{BASE}/Patient", {}, **auth)
    outcome(response, 405, "not-supported")


# --- Patient --------------------------------------------------------------------------


def test_patient_search_by_nhs_number(client, world, auth):
    nhs = world.person.nhs_number
    response = fhir_get(
        client, "Patient", auth, identifier=f"{NHS_NUMBER_SYSTEM}|{nhs}"
    )
    assert response.status_code == 200
    body = response.json()
    [patient] = bundle_resources(body)
    assert body["total"] == 1
    assert patient["id"] == str(world.person.pk)
    nhs_id = patient["identifier"][0]
    assert nhs_id["system"] == NHS_NUMBER_SYSTEM and nhs_id["value"] == nhs
    status = nhs_id["extension"][0]["valueCodeableConcept"]["coding"][0]
    assert status["code"] == "01"
    assert AuditEntry.objects.filter(action="search", channel="api").exists()


def test_patient_search_by_name_and_birthdate_hides_strangers(client, world, auth):
    found = fhir_get(client, "Patient", auth, family="thorn").json()
    assert [p["id"] for p in bundle_resources(found)] == [str(world.person.pk)]
    found = fhir_get(
        client, "Patient", auth, family="Thornton", given="Marg", birthdate="1941-02-03"
    ).json()
    assert found["total"] == 1
    none = fhir_get(client, "Patient", auth, birthdate="1950-01-01").json()
    assert (none["total"] == 0 and "entry" not in none) or none["entry"] == []


def test_patient_read_follows_uk_core(client, world, auth, record):
    response = fhir_get(client, f"Patient/{world.person.pk}", auth)
    patient = valid(response.json())
    assert patient["meta"]["profile"] == [
        "https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient"
    ]
    assert patient["meta"]["lastUpdated"]
    assert {"system": "https://example.org/acute-pas", "value": "RJU123456"} in patient[
        "identifier"
    ]
    old = [n for n in patient["name"] if n["use"] == "old"]
    assert old[0]["family"] == "Ellis" and old[0]["period"]["end"] == "1965-06-01"
    assert any(
        a.get("period", {}).get("end") == "2020-01-01" for a in patient["address"]
    )
    gp = patient["generalPractitioner"][0]
    assert gp["reference"] == f"Organization/{world.practice.pk}"
    assert gp["identifier"] == {"system": ODS, "value": "J81001"}


def test_refused_patient_is_403_and_audited(client, world, auth):
    response = fhir_get(client, f"Patient/{world.stranger.pk}", auth)
    reason = outcome(response, 403, "forbidden")
    assert "no legitimate relationship" in reason
    refused = AuditEntry.objects.filter(
        person=world.stranger, outcome="refused", channel="api", action="fhir_read"
    )
    assert refused.exists()


def test_unknown_patient_is_404(client, world, auth):
    outcome(fhir_get(client, "Patient/424242", auth), 404, "not-found")
    outcome(fhir_get(client, "Patient/abc", auth), 404, "not-found")


def test_commissioner_sees_no_one(client, world):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_create(username='comm')}"}
    assert fhir_get(client, "Patient", auth, family="Thornton").json()["total"] == 0
    outcome(fhir_get(client, f"Patient/{world.person.pk}", auth), 403, "forbidden")


# --- search parameter errors ---------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "params", "named"),
    [
        ("Patient", {"family": "Thornton", "colour": "blue"}, "colour"),
        ("Patient", {"birthdate": "03/02/1941"}, "birthdate"),
        ("Patient", {"birthdate": "ge1941-02-03"}, "birthdate"),
        ("Patient", {"identifier": f"{NHS_NUMBER_SYSTEM}|9434765918"}, "identifier"),
        ("Patient", {"identifier": "https://other|1"}, "identifier"),
        ("Patient", {}, "identifier"),
        ("Patient", {"family": "Thornton", "_count": "0"}, "_count"),
        ("Patient", {"family": "Thornton", "_count": "101"}, "_count"),
        ("Patient", {"family": "Thornton", "_page": "x"}, "_page"),
        ("Encounter", {}, "patient"),
        ("Encounter", {"patient": "Person/1"}, "patient"),
        ("Condition", {"patient": "1", "_lastUpdated": "yesterday"}, "_lastUpdated"),
        ("Condition", {"patient": "1", "_lastUpdated": "sa2026-01-01"}, "_lastUpdated"),
        ("Observation", {"patient": "1", "code": "x"}, "code"),
    ],
)
def test_bad_search_parameters_are_400_naming_the_parameter(
    client, world, auth, path, params, named
):
    diagnostics = outcome(fhir_get(client, path, auth, **params), 400, "invalid")
    assert named in diagnostics


def test_event_search_without_patient_says_why(client, world, auth):
    diagnostics = outcome(fhir_get(client, "Encounter", auth), 400, "invalid")
    assert "patient parameter is required" in diagnostics


@pytest.mark.parametrize("rtype", [*sorted(NOT_YET_SUPPORTED), "Banana"])
def test_types_without_a_domain_are_404_not_supported(client, world, auth, rtype):
    diagnostics = outcome(fhir_get(client, rtype, auth), 404, "not-supported")
    assert "not supported" in diagnostics
    outcome(fhir_get(client, f"{rtype}/1", auth), 404, "not-supported")


def test_unknown_path_is_404_operation_outcome(client, world, auth):
    outcome(fhir_get(client, "Patient/1/_history/2", auth), 404, "not-found")


# --- event-based resources ------------------------------------------------------------


EXPECTED = {
    "Encounter": {"admission", "discharge", "gp", "assessment"},
    "Condition": {"diagnosis"},
    "Observation": {"fall"},
    "MedicationStatement": {"medication"},
}


@pytest.mark.parametrize("rtype", sorted(EXPECTED))
def test_event_resources_by_patient(client, world, auth, record, rtype):
    body = fhir_get(client, rtype, auth, patient=f"Patient/{world.person.pk}").json()
    found = bundle_resources(body)
    assert {r["id"] for r in found} == {f"ev-{record[k].pk}" for k in EXPECTED[rtype]}
    for r in found:
        assert r["resourceType"] == rtype
        assert r["subject"] == {"reference": f"Patient/{world.person.pk}"}
        assert r["meta"]["profile"][0].endswith(f"UKCore-{rtype}")
        assert not tags(r) & SEALED


def test_encounter_details(client, world, auth, record):
    admission = fhir_get(client, f"Encounter/ev-{record['admission'].pk}", auth).json()
    valid(admission)
    assert admission["class"]["code"] == "IMP"
    assert admission["period"]["end"].startswith("2026-03-05")
    assert admission["location"][0]["location"]["display"] == "Ward 7"
    assert admission["serviceProvider"]["identifier"]["value"] == "RJU"
    discharge = fhir_get(client, f"Encounter/ev-{record['discharge'].pk}", auth).json()
    disposition = discharge["hospitalization"]["dischargeDisposition"]["text"]
    assert disposition == "Usual place of residence"
    gp = fhir_get(client, f"Encounter/ev-{record['gp'].pk}", auth).json()
    assert gp["class"]["code"] == "VR"
    condition = fhir_get(client, f"Condition/ev-{record['diagnosis'].pk}", auth).json()
    assert condition["code"]["coding"][0]["code"] == "49436004"


def test_event_read_of_the_wrong_type_or_unmapped_kind_is_404(
    client, world, auth, record
):
    outcome(fhir_get(client, f"Condition/ev-{record['gp'].pk}", auth), 404, "not-found")
    service = record["service"].pk
    outcome(fhir_get(client, f"Encounter/ev-{service}", auth), 404, "not-found")
    outcome(fhir_get(client, "Encounter/12", auth), 404, "not-found")


def test_sealed_event_read_is_403_with_the_reason(client, world, auth, record):
    response = fhir_get(client, f"Encounter/ev-{record['sexual_health'].pk}", auth)
    assert "sealed" in outcome(response, 403, "forbidden")


def test_event_search_of_a_stranger_is_403(client, world, auth):
    EventFactory(person=world.stranger, source_system=world.pas)
    response = fhir_get(client, "Encounter", auth, patient=str(world.stranger.pk))
    outcome(response, 403, "forbidden")
    assert AuditEntry.objects.filter(
        person=world.stranger, action="fhir_search", outcome="refused"
    ).exists()


def test_search_paging_with_next_links(client, world, auth):
    for _ in range(7):
        EventFactory(person=world.person, source_system=world.gp_system)
    seen: list[str] = []
    body = fhir_get(client, "Encounter", auth, patient=world.person.pk, _count=3).json()
    pages = 0
    while True:
        pages += 1
        assert body["total"] == 7
        seen += [r["id"] for r in bundle_resources(body)]
        links = {link["relation"]: link["url"] for link in body["link"]}
        assert f"_page={pages}" in links["self"]
        if "next" not in links:
            break
        assert "_count=3" in links["next"]
        body = client.get(links["next"], **auth).json()
    assert pages == 3 and len(seen) == len(set(seen)) == 7
    over = fhir_get(client, "Encounter", auth, patient=world.person.pk, _page=4)
    assert "_page" in outcome(over, 400, "invalid")


def test_last_updated_filters_on_ingestion_time(client, world, auth):
    old = EventFactory(
        person=world.person,
        source_system=world.gp_system,
        ingested_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
    )
    new = EventFactory(
        person=world.person,
        source_system=world.gp_system,
        ingested_at=dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC),
    )

    def ids(**params: Any) -> set[str]:
        body = fhir_get(
            client, "Encounter", auth, patient=world.person.pk, **params
        ).json()
        return {r["id"] for r in bundle_resources(body)}

    assert ids(_lastUpdated="ge2026-01-01") == {f"ev-{new.pk}"}
    assert ids(_lastUpdated="lt2026") == {f"ev-{old.pk}"}
    assert ids(_lastUpdated="2026-06-01") == {f"ev-{new.pk}"}
    assert ids(_lastUpdated="gt2026-06-01T12:00:00Z") == set()
    both = f"ev-{old.pk}", f"ev-{new.pk}"
    assert ids(_lastUpdated=["ge2024-12-31", "le2026-06-01"]) == set(both)
    new_meta = fhir_get(client, f"Encounter/ev-{new.pk}", auth).json()["meta"]
    assert new_meta["lastUpdated"].startswith("2026-06-01T12:00:00")


# --- CareTeam, Organization, Practitioner --------------------------------------------


def test_care_team_read_and_search(client, world, auth):
    team = fhir_get(client, f"CareTeam/ct-{world.person.pk}", auth).json()
    valid(team)
    [member] = team["participant"]
    assert member["member"]["reference"] == f"Practitioner/{world.social_worker.pk}"
    assert member["onBehalfOf"]["identifier"]["value"] == "JU-ASC"
    found = fhir_get(client, "CareTeam", auth, patient=world.person.pk).json()
    assert [r["id"] for r in bundle_resources(found)] == [f"ct-{world.person.pk}"]
    lonely = PersonFactory()
    involve(lonely, world.council)
    outcome(fhir_get(client, f"CareTeam/ct-{lonely.pk}", auth), 404, "not-found")


def test_organization_read_and_search(client, world, auth):
    org = valid(fhir_get(client, f"Organization/{world.hospital.pk}", auth).json())
    assert org["identifier"] == [{"system": ODS, "value": "RJU"}]
    found = fhir_get(client, "Organization", auth, identifier=f"{ODS}|J81001").json()
    assert [o["name"] for o in bundle_resources(found)] == ["Riverside Surgery"]
    found = fhir_get(client, "Organization", auth, name="council").json()
    assert found["total"] == 1
    assert AuditEntry.objects.filter(action="fhir_read_organization").exists()


def test_practitioner_read_and_search(client, world, auth):
    sw = world.social_worker
    doc = valid(fhir_get(client, f"Practitioner/{sw.pk}", auth).json())
    assert doc["identifier"][0]["value"] == "sw"
    found = fhir_get(client, "Practitioner", auth, identifier="sw").json()
    assert [p["id"] for p in bundle_resources(found)] == [str(sw.pk)]
    # Professionals in no care team are not a directory to browse.
    outcome(fhir_get(client, f"Practitioner/{world.gp.pk}", auth), 404, "not-found")


# --- $everything ---------------------------------------------------------------


def test_everything_holds_the_readable_record(client, world, auth, record):
    response = fhir_get(client, f"Patient/{world.person.pk}/$everything", auth)
    body = response.json()
    found = bundle_resources(body)
    assert body["total"] == len(found)
    by_type: dict[str, list[str]] = {}
    for r in found:
        by_type.setdefault(r["resourceType"], []).append(r["id"])
        assert not tags(r) & SEALED
    assert by_type["Patient"] == [str(world.person.pk)]
    assert str(world.practice.pk) in by_type["Organization"]
    assert by_type["CareTeam"] == [f"ct-{world.person.pk}"]
    assert by_type["Practitioner"] == [str(world.social_worker.pk)]
    event_ids = {i for t in EXPECTED for i in by_type.get(t, [])}
    readable = set().union(*EXPECTED.values())
    assert event_ids == {f"ev-{record[k].pk}" for k in readable}
    # every reference resolves inside the bundle
    present = {f"{r['resourceType']}/{r['id']}" for r in found}
    for r in found:
        for ref in _references(r):
            assert ref in present, ref


def _references(value: Any) -> list[str]:
    if isinstance(value, dict):
        own = [value["reference"]] if isinstance(value.get("reference"), str) else []
        return own + [x for v in value.values() for x in _references(v)]
    if isinstance(value, list):
        return [x for v in value for x in _references(v)]
    return []


def test_everything_pages_over_header_and_events(client, world, auth, record):
    path = f"Patient/{world.person.pk}/$everything"
    whole = [r["id"] for r in bundle_resources(fhir_get(client, path, auth).json())]
    paged: list[str] = []
    body = fhir_get(client, path, auth, _count=2).json()
    while True:
        paged += [r["id"] for r in bundle_resources(body)]
        nxt = [link["url"] for link in body["link"] if link["relation"] == "next"]
        if not nxt:
            break
        body = client.get(nxt[0], **auth).json()
    assert paged == whole
    outcome(fhir_get(client, path, auth, _count=1001), 400, "invalid")
    outcome(fhir_get(client, path, auth, family="x"), 400, "invalid")


def test_everything_uses_a_fixed_number_of_queries(client, world, auth):
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = fhir_get(client, f"Patient/{world.person.pk}/$everything", auth)
        assert response.status_code == 200
        return len(ctx.captured_queries)

    EventFactory(person=world.person, source_system=world.pas)
    few = queries()
    for system in (world.pas, world.gp_system, world.council_system) * 10:
        EventFactory(person=world.person, source_system=system, category="health")
    assert queries() == few


def test_everything_of_a_stranger_is_403(client, world, auth):
    response = fhir_get(client, f"Patient/{world.stranger.pk}/$everything", auth)
    outcome(response, 403, "forbidden")
    assert AuditEntry.objects.filter(
        person=world.stranger, action="fhir_everything", outcome="refused"
    ).exists()


def test_validation_on_the_hot_path_when_switched_on(
    client, world, auth, record, settings
):
    settings.JOINEDUP_FHIR_VALIDATE = True
    response = fhir_get(client, f"Patient/{world.person.pk}/$everything", auth)
    assert response.status_code == 200
