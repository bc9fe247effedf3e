"""Incremental matching wired into ingest (issue 5): a record arriving from a
source system without a verified NHS number is linked to the person already
known, sent to review, or made a new person; the single and the batch path
decide the same way."""

from __future__ import annotations

import datetime as dt

import pytest

from joinedup.people import services
from joinedup.people.matching import engine, store
from joinedup.people.matching.outcomes import Thresholds
from joinedup.people.matching.prepare import rows_build
from joinedup.people.models import (
    CandidateStatus,
    Identifier,
    MatchCandidate,
    NhsNumberStatus,
    Person,
)
from joinedup.people.services import SourceDemographics, SourceRecordBatch
from joinedup.people.services import source as services_source
from joinedup.synth.generator import area_generate
from joinedup.synth.matching import area_records
from tests.factories import SourceSystemFactory, valid_nhs_number

DOB = dt.date(1941, 2, 3)
NHS = valid_nhs_number(77)
SEEN = dt.datetime(2026, 1, 10, 9, 30, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def trained_json():
    records, _truth = area_records(area_generate(people=1500))
    return engine.model_train(rows_build(records))


@pytest.fixture(autouse=True)
def _fresh_caches():
    services.caches_clear()
    yield
    services.caches_clear()


@pytest.fixture
def model(db, trained_json):
    return store.model_save(
        settings_json=trained_json, thresholds=Thresholds(upper=0.95, lower=0.2)
    )


@pytest.fixture
def hospital(db):
    return SourceSystemFactory(code="pas")


@pytest.fixture
def council(db):
    return SourceSystemFactory(code="council")


def _demographics(**kw) -> SourceDemographics:
    base = {
        "nhs_number": None,
        "nhs_number_status": NhsNumberStatus.NOT_PRESENT,
        "given_name": "Margaret",
        "family_name": "Thornbury",
        "birth_date": DOB,
        "sex": "female",
        "address_line": "1 High Street",
        "postcode": "JU1 1AA",
    }
    return SourceDemographics(**(base | kw))


@pytest.fixture
def patient(hospital):
    """Known to the hospital, with a verified NHS number."""
    return services.person_from_source_upsert(
        source_system=hospital,
        local_id="M100",
        demographics=_demographics(
            nhs_number=NHS, nhs_number_status=NhsNumberStatus.VERIFIED
        ),
        seen_at=SEEN,
    )


def _arrive(path: str, council, local_id: str, d: SourceDemographics) -> Person:
    if path == "single":
        return services.person_from_source_upsert(
            source_system=council, local_id=local_id, demographics=d, seen_at=SEEN
        )
    batch = SourceRecordBatch()
    person = batch.upsert(
        source_system=council, local_id=local_id, demographics=d, seen_at=SEEN
    )
    batch.flush()
    return person


PATHS = ["single", "batch"]


@pytest.mark.parametrize("path", PATHS)
def test_council_record_without_nhs_number_links_to_the_patient(
    path, model, patient, council
):
    person = _arrive(path, council, "C1", _demographics())
    assert person.pk == patient.pk
    assert Person.objects.count() == 1
    assert Identifier.objects.filter(person=patient, value="C1").exists()
    assert not MatchCandidate.objects.exists()


@pytest.mark.parametrize("path", PATHS)
def test_a_typo_and_a_transposed_date_go_to_review(path, model, patient, council):
    unsure = _demographics(
        given_name="Margret",
        family_name="Thornbury",
        birth_date=dt.date(1941, 3, 2),  # day and month transposed
        postcode="JU7 4QP",  # and moved
        sex="",
    )
    person = _arrive(path, council, "C2", unsure)
    assert person.pk != patient.pk
    assert Person.objects.count() == 2
    candidate = MatchCandidate.objects.get()
    assert {candidate.person_a_id, candidate.person_b_id} == {patient.pk, person.pk}
    assert candidate.status == CandidateStatus.PENDING
    assert 0.2 <= candidate.match_probability < 0.95
    assert candidate.contributions["birth_date"]["level"] == "Day and month transposed"


@pytest.mark.parametrize("path", PATHS)
def test_a_stranger_is_a_new_person(path, model, patient, council):
    stranger = _demographics(
        given_name="Zebedee",
        family_name="Quartermain",
        birth_date=dt.date(1990, 7, 7),
        postcode="ZZ9 9ZZ",
        sex="male",
    )
    person = _arrive(path, council, "C3", stranger)
    assert person.pk != patient.pk
    assert Person.objects.count() == 2
    assert not MatchCandidate.objects.exists()


@pytest.mark.parametrize("path", PATHS)
def test_merged_people_are_never_linked(path, model, patient, council, hospital):
    survivor = services.person_from_source_upsert(
        source_system=hospital,
        local_id="M200",
        demographics=_demographics(given_name="Norman", family_name="Baker"),
        seen_at=SEEN,
    )
    Person.objects.filter(pk=patient.pk).update(merged_into=survivor)
    person = _arrive(path, council, "C4", _demographics())
    assert person.pk not in (patient.pk, survivor.pk)


@pytest.mark.parametrize("path", PATHS)
def test_without_a_model_only_the_deterministic_steps_run(
    path, patient, council, monkeypatch
):
    said: list[str] = []
    monkeypatch.setattr(
        services_source.log, "info", lambda msg, *args: said.append(msg % args)
    )
    services.caches_clear()  # the patient's ingest said it already: forget that
    first = _arrive(path, council, "C5", _demographics())
    second = _arrive(path, council, "C6", _demographics())
    assert first.pk != patient.pk and second.pk not in (patient.pk, first.pk)
    assert len([m for m in said if "no matching model" in m]) == 1
    assert not any("Thornbury" in m or "1941" in m for m in said)
    # A verified NHS number still links without a model.
    again = _arrive(
        path,
        council,
        "C7",
        _demographics(
            given_name="Peggy",
            nhs_number=NHS,
            nhs_number_status=NhsNumberStatus.VERIFIED,
        ),
    )
    assert again.pk == patient.pk


def test_a_batch_links_a_record_to_a_person_created_earlier_in_it(model, council):
    batch = SourceRecordBatch()
    first = batch.upsert(
        source_system=council, local_id="C8", demographics=_demographics(),
        seen_at=SEEN,
    )  # fmt: skip
    second = batch.upsert(
        source_system=SourceSystemFactory(code="gp"),
        local_id="G8",
        demographics=_demographics(),
        seen_at=SEEN,
    )
    batch.flush()
    assert first is second
    assert Person.objects.count() == 1
