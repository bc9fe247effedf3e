"""Resolving references inside a Bundle (FHIR R4, Bundle "Resolving references
in Bundles"), case by case: pure functions, no database."""

from __future__ import annotations

import pytest

from joinedup.interop.fhir.references import Index, on_this_server, parse

BASE = "https://fhir.community.example.nhs.uk/R4"
PATIENT = {"resourceType": "Patient", "id": "123"}


@pytest.fixture
def index() -> Index:
    found = Index()
    found.add(f"{BASE}/Patient/123", PATIENT)
    found.add(
        "urn:uuid:0A1B2C3D-0000-4000-8000-000000000001",
        {"resourceType": "Organization"},
    )
    found.add("", {"resourceType": "Practitioner", "id": "dr-1"})
    return found


@pytest.mark.parametrize(
    ("reference", "referring"),
    [
        (f"{BASE}/Patient/123", ""),
        (f"{BASE}/Patient/123/_history/7", ""),
        ("https://FHIR.Community.example.nhs.uk/R4/Patient/123", ""),
        ("Patient/123", f"{BASE}/Condition/9"),
        ("Patient/123", "urn:uuid:7c1e9a3b-5d2f-4b6a-9e8c-1f2a3b4c5d6e"),
        ("Patient/123", ""),
    ],
)
def test_references_that_find_the_patient(index, reference, referring):
    assert index.resolve(reference, referring_full_url=referring) is PATIENT


@pytest.mark.parametrize(
    ("reference", "referring"),
    [
        ("https://fhir.other.example.nhs.uk/R4/Patient/123", ""),
        ("Patient/124", ""),
        ("Organization/123", ""),
        ("#123", ""),
        ("Patient?identifier=x|123", ""),
    ],
)
def test_references_that_do_not(index, reference, referring):
    assert index.resolve(reference, referring_full_url=referring) is None


def test_a_relative_reference_from_another_server_is_relative_to_it(index):
    # Condition/9 on the other server means *its* Patient/123, not this one.
    other = "https://fhir.other.example.nhs.uk/R4/Condition/9"
    assert index.resolve("Patient/123", referring_full_url=other) is None
    assert index.resolve("Practitioner/dr-1", referring_full_url=other) is not None
    assert on_this_server("Patient/123", other) is None
    assert on_this_server("Patient/123", "urn:uuid:abc") == "123"
    assert on_this_server(f"{BASE}/Patient/123") is None


def test_urn_uuids_are_matched_without_regard_to_case(index):
    found = index.resolve("urn:uuid:0a1b2c3d-0000-4000-8000-000000000001")
    assert found == {"resourceType": "Organization"}


def test_an_entry_without_full_url_is_found_by_type_and_id(index):
    assert index.resolve("Practitioner/dr-1") == {
        "resourceType": "Practitioner",
        "id": "dr-1",
    }


def test_contained_resources_are_found_in_the_referring_resource(index):
    referring = {"contained": [{"resourceType": "Medication", "id": "med1"}]}
    assert index.resolve("#med1", referring=referring)["resourceType"] == "Medication"
    assert index.resolve("#med2", referring=referring) is None


def test_parse():
    assert parse("Patient/123/_history/2") == parse("Patient/123")
    assert parse(f"{BASE}/Patient/123").base == BASE
    assert parse("urn:uuid:abc") is None
    assert parse("Patient?identifier=a|b") is None
    assert parse("patient/123") is None  # types start with a capital letter
