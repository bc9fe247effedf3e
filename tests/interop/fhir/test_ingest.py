"""FHIR R4 ingest: transaction all-or-nothing, batch per entry, NDJSON, POST."""

from __future__ import annotations

import copy
import json

import pytest

from joinedup.governance.models import Role
from joinedup.governance.services import token_create
from joinedup.interop.fhir.ingest import fhir_json_ingest, fhir_ndjson_ingest
from joinedup.interop.models import QuarantineItem
from joinedup.people.models import Person
from joinedup.record.models import Event, EventKind
from tests.factories import professional, valid_nhs_number

pytestmark = pytest.mark.django_db

NHS = valid_nhs_number(555)
GP_IDS = "https://example.org/gp-system"  # SourceSystemFactory's identifier system
EVENT_IDS = "https://fhir.joinedup.example/Id/event/gp-system"


def bundle(kind: str = "transaction", **patient_changes) -> dict:
    patient = {
        "resourceType": "Patient",
        "identifier": [
            {"system": "https://fhir.nhs.uk/Id/nhs-number", "value": NHS},
            {"system": GP_IDS, "value": "G1"},
        ],
        "name": [{"use": "official", "family": "Lovelace", "given": ["Ada"]}],
        "gender": "female",
        "birthDate": "1940-12-10",
        "address": [{"line": ["1 Mill Lane"], "postalCode": "JU1 2AB"}],
        **patient_changes,
    }
    return {
        "resourceType": "Bundle",
        "type": kind,
        "entry": [
            {"fullUrl": "urn:uuid:p1", "resource": patient,
             "request": {"method": "PUT", "url": f"Patient?identifier={GP_IDS}|G1"}},
            {"fullUrl": "urn:uuid:c1", "resource": {
                "resourceType": "Condition",
                "identifier": [{"system": EVENT_IDS, "value": "E1"}],
                "code": {"coding": [{"system": "http://snomed.info/sct",
                                     "code": "44054006", "display": "Diabetes"}]},
                "subject": {"reference": "urn:uuid:p1"},
                "onsetDateTime": "2025-03-01T10:00:00Z"},
             "request": {"method": "PUT", "url": "Condition?identifier=x|E1"}},
            {"fullUrl": "urn:uuid:e1", "resource": {
                "resourceType": "Encounter", "status": "finished",
                "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                          "code": "AMB"},
                "identifier": [{"system": EVENT_IDS, "value": "E2"}],
                "subject": {"reference": "urn:uuid:p1"},
                "period": {"start": "2025-03-01T10:00:00Z"}},
             "request": {"method": "PUT", "url": "Encounter?identifier=x|E2"}},
        ],
    }  # fmt: skip


def test_transaction_applies_everything(world):
    result = fhir_json_ingest(json.dumps(bundle()), origin="test")
    assert result.ok, result.reason
    person = Person.objects.get(identifiers__value="G1")
    assert person.nhs_number == NHS
    kinds = sorted(Event.objects.filter(person=person).values_list("kind", flat=True))
    assert kinds == [EventKind.DIAGNOSIS, EventKind.GP_CONSULTATION]
    again = fhir_json_ingest(json.dumps(bundle()), origin="test")
    assert [e.status for e in again.entries] == ["200 OK"] * 3
    assert Event.objects.count() == 2


def test_transaction_with_one_invalid_resource_applies_nothing(world):
    data = bundle()
    data["entry"][2]["resource"]["period"]["start"] = "not-a-date"
    result = fhir_json_ingest(json.dumps(data), origin="test")
    assert not result.ok
    assert "entry 3 (Encounter)" in result.reason and "period" in result.reason
    assert not Person.objects.filter(identifiers__value="G1").exists()
    assert not Event.objects.exists()
    item = QuarantineItem.objects.get()
    assert json.loads(item.raw) == data


def test_transaction_failing_while_applying_commits_nothing(world):
    data = bundle()
    data["entry"][1]["resource"]["subject"] = {"reference": "Patient?identifier=a|b"}
    result = fhir_json_ingest(json.dumps(data), origin="test")
    assert not result.ok and "subject" in result.reason
    assert not Person.objects.filter(identifiers__value="G1").exists()


def test_invalid_nhs_number_is_reported(world):
    data = bundle()
    data["entry"][0]["resource"]["identifier"][0]["value"] = "9990000001"
    result = fhir_json_ingest(json.dumps(data), origin="test")
    assert "Modulus 11" in result.reason
    assert "9990000001" not in result.reason


def test_batch_quarantines_only_the_bad_entry(world):
    data = bundle("batch")
    data["entry"][1]["resource"]["onsetDateTime"] = "2025-13-45"
    result = fhir_json_ingest(json.dumps(data), origin="test")
    assert [e.status for e in result.entries] == [
        "201 Created", "400 Bad Request", "201 Created"
    ]  # fmt: skip
    assert QuarantineItem.objects.get().record_type == "entry"
    assert Event.objects.count() == 1


def test_malformed_json_is_quarantined(world):
    result = fhir_json_ingest('{"resourceType": "Bundle", ', origin="test")
    assert not result.ok and "malformed JSON" in result.reason
    assert QuarantineItem.objects.get().raw == '{"resourceType": "Bundle", '


def test_ndjson_lines(world, tmp_path):
    path = tmp_path / "gp.ndjson"
    second = copy.deepcopy(bundle())
    second["entry"][0]["resource"]["identifier"][1]["value"] = "G2"
    second["entry"][0]["resource"]["identifier"].pop(0)
    for i, entry in enumerate(second["entry"][1:], start=3):
        entry["resource"]["identifier"][0]["value"] = f"E{i}"
    path.write_text(
        json.dumps(bundle()) + "\n{broken\n" + json.dumps(second) + "\n",
        encoding="utf-8",
    )
    tally = fhir_ndjson_ingest(path)
    assert (tally.applied, tally.quarantined) == (6, 1)
    item = QuarantineItem.objects.get()
    assert item.row_number == 2 and "line 2: malformed JSON" in item.reason


@pytest.fixture
def admin_token(world):
    professional(Role.ADMIN, world.icb, username="integration")
    return token_create(username="integration", name="feeds")


def test_post_transaction_bundle(client, world, admin_token):
    response = client.post(
        "/fhir/R4", data=json.dumps(bundle()), content_type="application/fhir+json",
        HTTP_AUTHORIZATION=f"Bearer {admin_token}",
    )  # fmt: skip
    assert response.status_code == 200
    body = response.json()
    assert body["type"] == "transaction-response"
    assert [e["response"]["status"] for e in body["entry"]] == ["201 Created"] * 3


def test_post_invalid_bundle_gives_operation_outcome(client, world, admin_token):
    data = bundle()
    data["entry"][0]["resource"]["gender"] = "robot"
    response = client.post(
        "/fhir/R4/", data=json.dumps(data), content_type="application/fhir+json",
        HTTP_AUTHORIZATION=f"Bearer {admin_token}",
    )  # fmt: skip
    assert response.status_code == 400
    assert response.json()["resourceType"] == "OperationOutcome"
    assert "gender" in response.json()["issue"][0]["diagnostics"]


def test_post_needs_an_integration_account(client, world):
    token = token_create(username=world.gp.username, name="x")
    response = client.post(
        "/fhir/R4", data=json.dumps(bundle()), content_type="application/fhir+json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )  # fmt: skip
    assert response.status_code == 403
    assert client.post("/fhir/R4", data="{}", content_type="application/json"
                       ).status_code == 401  # fmt: skip


def _ndjson_lines() -> list[str]:
    """New patients, an update of a patient of an earlier line, the same bundle
    again, an invalid resource, malformed JSON, a batch bundle, a bare resource and
    an event whose patient is found by identifier (outside its bundle)."""

    def variant(gp_id: str, first_event: int, **changes) -> dict:
        data = copy.deepcopy(bundle(**changes))
        ids = data["entry"][0]["resource"]["identifier"]
        ids[1]["value"] = gp_id
        for i, entry in enumerate(data["entry"][1:]):
            entry["resource"]["identifier"][0]["value"] = f"E{first_event + i}"
        return data

    def without_nhs(data: dict) -> dict:
        data["entry"][0]["resource"]["identifier"].pop(0)
        return data

    invalid = variant("G9", 90)
    invalid["entry"][0]["resource"]["gender"] = "robot"
    by_identifier = {
        "resourceType": "Condition",
        "identifier": [{"system": EVENT_IDS, "value": "E70"}],
        "code": {"coding": [{"system": "http://snomed.info/sct", "code": "1"}]},
        "subject": {"reference": f"Patient?identifier={GP_IDS}|G2"},
        "onsetDateTime": "2025-04-01T10:00:00Z",
    }
    lines = [
        variant("G1", 1),
        without_nhs(variant("G2", 10)),
        variant("G3", 20),  # the verified NHS number of G1: the same person
        variant(
            "G1", 1, name=[{"use": "official", "family": "Byron", "given": ["Ada"]}]
        ),
        variant("G1", 1),  # and back: name history twice
        without_nhs(variant("G2", 10)),  # the same again: duplicates
        invalid,
        "{broken",
        variant("G4", 40, gender="male") | {"type": "batch"},
        by_identifier,
        without_nhs(variant("G5", 50, birthDate="1950-01-01")),
        {
            "resourceType": "Bundle",
            "type": "transaction",
            "entry": [
                {
                    "fullUrl": "urn:uuid:x",
                    "resource": by_identifier
                    | {"identifier": [{"system": EVENT_IDS, "value": "E71"}]},
                }
            ],
        },
        without_nhs(
            variant(
                "G2", 10, address=[{"line": ["2 New Road"], "postalCode": "JU9 9ZZ"}]
            )
        ),
    ]
    return [x if isinstance(x, str) else json.dumps(x) for x in lines]


@pytest.mark.parametrize("workers", [1, 2])
def test_ndjson_set_wise_gives_the_same_as_line_by_line(
    world, tmp_path, monkeypatch, workers
):
    from django.db import transaction

    from joinedup.interop.fhir import ingest_ndjson
    from joinedup.interop.services import Tally, totals_add
    from tests.interop.hl7v2.test_batch import _snapshot, _Undo

    lines = _ndjson_lines()
    path = tmp_path / "gp.ndjson"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setattr(ingest_ndjson, "LINES_PER_TRANSACTION", 5)  # 3 groups
    monkeypatch.setattr(ingest_ndjson, "POOL_MIN_LINES", 0)

    def run(set_wise: bool) -> tuple[tuple[int, ...], dict]:
        outcome: tuple[tuple[int, ...], dict] = ((), {})
        try:
            with transaction.atomic():
                if set_wise:
                    tally = fhir_ndjson_ingest(path, workers=workers)
                else:
                    tally = Tally()
                    for number, line in enumerate(lines, start=1):
                        ingest_ndjson._line_apply(number, line, path.name, tally)
                    totals_add(tally=tally)
                counts = (tally.received, tally.applied, tally.duplicate,
                          tally.quarantined)  # fmt: skip
                outcome = (counts, _snapshot(seen_times=False))
                raise _Undo
        except _Undo:
            pass
        return outcome

    set_wise, single = run(True), run(False)
    assert set_wise[0] == single[0]
    assert single[0][3] == 4  # the invalid bundle (3 entries), the broken line
    for table in single[1]:
        assert set_wise[1][table] == single[1][table], table
    assert len({name[3] for name in set_wise[1]["names"]}) == 2  # official, old


ETHNIC_URL = (
    "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-EthnicCategory"
)
ETHNIC_SYSTEM = "https://fhir.hl7.org.uk/CodeSystem/UKCore-EthnicCategoryEngland"


def _ethnic(code: str) -> list[dict]:
    return [{"url": ETHNIC_URL, "valueCodeableConcept": {
        "coding": [{"system": ETHNIC_SYSTEM, "code": code}]}}]  # fmt: skip


def test_ndjson_set_wise_keeps_ethnic_category_and_ignores_unmapped(world, tmp_path):
    first = bundle()
    later = bundle(extension=_ethnic("N"))  # the same patient, now with a category
    other = copy.deepcopy(bundle(extension=_ethnic("R")))
    other["entry"][0]["resource"]["identifier"] = [{"system": GP_IDS, "value": "G7"}]
    for i, entry in enumerate(other["entry"][1:], start=1):
        entry["resource"]["identifier"][0]["value"] = f"E7{i}"
    other["entry"].append({"fullUrl": "urn:uuid:org", "resource": {
        "resourceType": "Organization", "identifier": [{
            "system": "https://fhir.nhs.uk/Id/ods-organization-code",
            "value": "J81001"}]}})  # fmt: skip
    other["entry"][0]["resource"]["generalPractitioner"] = [
        {"reference": "urn:uuid:org"}
    ]
    path = tmp_path / "gp.ndjson"
    path.write_text(
        "\n".join(json.dumps(b) for b in (first, later, other)) + "\n", "utf-8"
    )
    tally = fhir_ndjson_ingest(path, workers=1)
    assert tally.quarantined == 0
    assert tally.applied == 6  # two patients and four events; the Organization not
    person = Person.objects.get(identifiers__value="G1")
    assert person.ethnic_category == "N"
    seventh = Person.objects.get(identifiers__value="G7")
    assert seventh.ethnic_category == "R"
    assert seventh.registered_gp == world.practice


def test_a_relative_patient_reference_is_to_this_server_unless_sent_from_another(
    world,
):
    condition = copy.deepcopy(bundle()["entry"][1])
    condition["resource"]["subject"] = {"reference": f"Patient/{world.person.pk}"}
    data = {"resourceType": "Bundle", "type": "transaction", "entry": [condition]}
    result = fhir_json_ingest(json.dumps(data), origin="test")
    assert result.ok, result.reason
    assert Event.objects.get().person == world.person

    # The same reference from an entry of another server means its own patient.
    condition["fullUrl"] = "https://fhir.elsewhere.example.nhs.uk/R4/Condition/1"
    condition["resource"]["identifier"][0]["value"] = "E-elsewhere"
    result = fhir_json_ingest(json.dumps(data), origin="test")
    assert not result.ok and "subject is not a patient" in result.reason
    assert Event.objects.count() == 1


def test_a_bundle_over_the_entry_limit_is_refused_whole(world, settings):
    assert settings.JOINEDUP_FHIR_BUNDLE_MAX_ENTRIES == 100_000  # the default
    settings.JOINEDUP_FHIR_BUNDLE_MAX_ENTRIES = 2
    result = fhir_json_ingest(json.dumps(bundle("batch")), origin="test")
    assert not result.ok and result.too_large
    assert result.reason.startswith("Bundle.entry: 3 entries, more than the 2")
    assert not Person.objects.filter(identifiers__value="G1").exists()
    assert QuarantineItem.objects.get().reason == result.reason


def test_ignored_entries_are_counted_not_quarantined(world):
    data = bundle()
    data["entry"].append({"fullUrl": "urn:uuid:a1", "resource": {
        "resourceType": "AllergyIntolerance",
        "patient": {"reference": "urn:uuid:p1"}}})  # fmt: skip
    result = fhir_json_ingest(json.dumps(data), origin="test")
    assert result.ok
    assert (result.created, result.updated, result.ignored) == (3, 0, 1)
    assert result.entries[3].reason == (
        "ignored: JoinedUp does not map AllergyIntolerance resources"
    )
    assert not QuarantineItem.objects.exists()


def test_ethnic_category_goes_out_as_it_came_in(world):
    from joinedup.interop.fhir import mappers_out

    result = fhir_json_ingest(json.dumps(bundle(extension=_ethnic("K"))), origin="t")
    assert result.ok, result.reason
    person = Person.objects.get(identifiers__value="G1")
    resource = mappers_out.patient_resource(person)
    mappers_out.resource_validate(resource)
    assert resource["extension"] == [{"url": ETHNIC_URL, "valueCodeableConcept": {
        "coding": [{"system": ETHNIC_SYSTEM, "code": "K",
                    "display": "Asian or Asian British - Bangladeshi"}]}}]  # fmt: skip


def test_uk_core_codes_match_the_person_index():
    from joinedup.interop.fhir.mappers_in import uk_core
    from joinedup.people.models import EthnicCategory, NhsNumberStatus

    assert set(EthnicCategory.values) == uk_core._ETHNIC_CATEGORIES
    assert set(NhsNumberStatus.values) == uk_core._STATUSES
