"""Incremental matching: one arriving record against the person index."""

from __future__ import annotations

import datetime as dt

import pytest

from joinedup.people.matching import engine, store
from joinedup.people.matching.outcomes import Outcome, Thresholds
from joinedup.people.matching.prepare import MatchRecord, rows_build
from joinedup.people.matching.resolve import (
    candidates_find,
    person_resolve,
    resolution_queue,
)
from joinedup.people.models import Address, CandidateStatus, MatchCandidate
from joinedup.synth.generator import area_generate
from joinedup.synth.matching import area_records
from tests.factories import PersonFactory

DOB = dt.date(1941, 2, 3)


@pytest.fixture(scope="module")
def trained_json():
    records, _truth = area_records(area_generate(people=1500))
    return engine.model_train(rows_build(records))


@pytest.fixture
def model(db, trained_json):
    return store.model_save(
        settings_json=trained_json, thresholds=Thresholds(upper=0.95, lower=0.2)
    )


@pytest.fixture
def margaret(db):
    person = PersonFactory(
        given_name="Margaret",
        family_name="Thornton",
        birth_date=DOB,
        postcode="JU1 1AA",
        nhs_number="9990000018",
        sex="female",
    )
    Address.objects.create(person=person, line="1 High St", postcode="JU1 1AA")
    PersonFactory(given_name="Norman", family_name="Baker", birth_date=DOB)
    return person


def _record(**kw) -> MatchRecord:
    base = {
        "id": "council:C1",
        "given_name": "Margaret",
        "family_name": "Thornton",
        "birth_date": DOB,
        "sex": "female",
        "postcode": "JU1 1AA",
    }
    return MatchRecord(**(base | kw))


def test_verified_nhs_number_links_without_a_model(margaret):
    r = person_resolve(
        record=_record(given_name="X", nhs_number="9990000018", nhs_verified=True)
    )
    assert (r.outcome, r.person_id, r.probability) == (
        Outcome.LINK,
        margaret.pk,
        1.0,
    )
    assert r.rule == "verified_nhs_number"


def test_no_model_means_new(margaret):
    assert person_resolve(record=_record()).outcome == Outcome.NEW


def test_same_details_link(model, margaret):
    r = person_resolve(record=_record())
    assert r.outcome == Outcome.LINK
    assert r.person_id == margaret.pk
    assert r.probability >= 0.95
    assert r.model_version == model.version
    assert set(r.contributions) == set(engine.COMPARISONS)


def test_a_mover_with_a_nickname_is_found(model, margaret):
    found = candidates_find(
        _record(given_name="Maggie", postcode="JU9 9ZZ", postcodes=())
    )
    assert margaret.pk in {int(c.id.split(":")[1]) for c in found}


def test_nobody_alike_is_new(model, margaret):
    r = person_resolve(
        record=_record(
            given_name="Zebedee",
            family_name="Quartermain",
            birth_date=dt.date(1990, 7, 7),
            postcode="ZZ9 9ZZ",
        )
    )
    assert r.outcome == Outcome.NEW and r.person_id is None


def test_review_band_is_queued_for_a_created_person(model, margaret):
    # A wide review band, so the outcome does not depend on the trained figures.
    type(model).objects.filter(pk=model.pk).update(
        upper_threshold=1.0, lower_threshold=0.0
    )
    newcomer = PersonFactory(
        given_name="M", family_name="Thornton", birth_date=DOB, nhs_number=None
    )
    record = _record(
        id=f"person:{newcomer.pk}",
        given_name="M",
        postcode="JU5 5XY",
        sex="",
    )
    r = person_resolve(record=record)
    assert r.person_id == margaret.pk
    assert r.outcome == Outcome.REVIEW
    assert r.candidate_id is not None
    candidate = MatchCandidate.objects.get(pk=r.candidate_id)
    assert {candidate.person_a_id, candidate.person_b_id} == {
        newcomer.pk,
        margaret.pk,
    }
    assert candidate.contributions["birth_date"]["weight"] > 0


def test_resolution_queue_skips_rejected_pairs(model, margaret):
    from joinedup.people.matching.resolve import Resolution

    other = PersonFactory(nhs_number=None)
    review = Resolution(Outcome.REVIEW, margaret.pk, 0.5, match_weight=0.1)
    first = resolution_queue(resolution=review, person_id=other.pk)
    assert first is not None
    MatchCandidate.objects.filter(pk=first.pk).update(status=CandidateStatus.REJECTED)
    assert resolution_queue(resolution=review, person_id=other.pk) is None
    link = Resolution(Outcome.LINK, margaret.pk, 0.99)
    assert resolution_queue(resolution=link, person_id=other.pk) is None


def test_merged_people_are_not_candidates(model, margaret):
    survivor = PersonFactory(nhs_number=None)
    type(margaret).objects.filter(pk=margaret.pk).update(merged_into=survivor)
    assert margaret.pk not in {
        int(c.id.split(":")[1]) for c in candidates_find(_record())
    }
