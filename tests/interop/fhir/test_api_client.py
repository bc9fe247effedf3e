"""The FHIR API through a real FHIR client library (fhirpy's SyncFHIRClient) against
a running server (pytest-django's live_server)."""

from __future__ import annotations

from typing import Any

import pytest
from fhirpy import SyncFHIRClient
from fhirpy.base.exceptions import AuthorizationError, ForbiddenError, OperationOutcome

from joinedup.governance.services import token_create
from joinedup.people.nhs_number import NHS_NUMBER_SYSTEM
from tests.factories import EventFactory
from tests.interop.fhir.test_api import record_build, valid


@pytest.fixture
def fhir(transactional_db, live_server, world) -> SyncFHIRClient:
    record_build(world)
    return SyncFHIRClient(
        f"{live_server.url}/fhir/R4",
        authorization=f"Bearer {token_create(username='sw')}",
    )


def _as_dict(resource: Any) -> dict[str, Any]:
    return resource.serialize()


def test_search_patient_by_nhs_number_and_read(fhir, world):
    nhs = world.person.nhs_number
    found = fhir.resources("Patient").search(identifier=f"{NHS_NUMBER_SYSTEM}|{nhs}")
    [patient] = found.fetch()
    assert patient.id == str(world.person.pk)
    valid(_as_dict(patient))
    again = fhir.reference("Patient", patient.id).to_resource()
    assert again["birthDate"] == "1941-02-03"
    assert again["identifier"][0]["value"] == nhs


def test_paging_through_a_search_with_next_links(fhir, world):
    for _ in range(7):
        EventFactory(person=world.person, source_system=world.gp_system)
    search = fhir.resources("Encounter").search(patient=world.person.pk).limit(3)
    assert len(search.fetch()) == 3
    everything = search.fetch_all()  # follows the Bundle's next links
    ids = [e.id for e in everything]
    assert len(ids) == len(set(ids)) == 7 + 4  # 7 consultations + the record's 4
    assert search.fetch_raw()["total"] == 11


def test_everything(fhir, world):
    bundle = fhir.execute(f"Patient/{world.person.pk}/$everything", method="get")
    types = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert types[0] == "Patient"
    assert {
        "Organization",
        "CareTeam",
        "Practitioner",
        "Encounter",
        "Condition",
    } <= set(types)
    assert bundle["total"] == len(types)
    for entry in bundle["entry"]:
        valid(entry["resource"])


def test_errors_reach_the_client_as_operation_outcomes(fhir, world, live_server):
    with pytest.raises(ForbiddenError):
        fhir.reference("Patient", str(world.stranger.pk)).to_resource()
    with pytest.raises(OperationOutcome) as bad:
        fhir.resources("Encounter").fetch()
    assert "patient parameter is required" in str(bad.value)
    anonymous = SyncFHIRClient(f"{live_server.url}/fhir/R4")
    with pytest.raises(AuthorizationError):
        anonymous.resources("Patient").search(family="Thornton").fetch()
