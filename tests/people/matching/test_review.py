"""The review queue: candidates from the pipeline, the pages, accept and reject."""

from __future__ import annotations

import pytest
from django.urls import reverse

from joinedup.errors import AccessRefused, Conflict, InvalidInput, NotFound
from joinedup.governance.models import AuditEntry, Role
from joinedup.people.matching.outcomes import Outcome
from joinedup.people.matching.pipeline import SPLINK_RULE, PairDecision
from joinedup.people.matching.review import (
    candidate_accept,
    candidate_list,
    candidate_propose,
    candidate_reject,
    candidate_review_open,
    candidates_queue,
)
from joinedup.people.models import (
    CandidateStatus,
    MatchCandidate,
    MatchingModel,
    PersonMerge,
)
from tests.conftest import actor_for
from tests.factories import PASSWORD, PersonFactory, involve, professional

pytestmark = pytest.mark.urls("tests.people.matching.urls_review")

CONTRIBUTIONS = {
    "name": ("Family exact, given a nickname variant", 9.5),
    "birth_date": ("Exact", 11.2),
    "address": ("Different", -4.1),
    "sex": ("Exact", 0.6),
    "nhs_number": ("Missing", 0.0),
}


@pytest.fixture
def model(db):
    return MatchingModel.objects.create(
        version=3, settings_json={}, upper_threshold=0.95, lower_threshold=0.2
    )


@pytest.fixture
def pair(world, model):
    other = PersonFactory(given_name="Maggie", family_name="Thornton", nhs_number=None)
    involve(other, world.council, "social_care_client")
    candidate = candidate_propose(
        person_a_id=other.pk,
        person_b_id=world.person.pk,
        model=model,
        match_probability=0.62,
        match_weight=0.7,
        contributions=CONTRIBUTIONS,
    )
    assert candidate is not None
    return candidate


def _decision(a: int, b: int, outcome: Outcome, p: float = 0.5) -> PairDecision:
    return PairDecision(
        f"person:{a}", f"person:{b}", p, 0.0, outcome, SPLINK_RULE, CONTRIBUTIONS
    )


def test_queue_takes_review_outcomes_only_and_never_reproposes(world, model):
    a, b, c = (PersonFactory() for _ in range(3))
    queued = candidates_queue(
        decisions=[
            _decision(b.pk, a.pk, Outcome.REVIEW),
            _decision(a.pk, c.pk, Outcome.LINK, 0.99),
            _decision(b.pk, c.pk, Outcome.NEW, 0.01),
        ],
        model=model,
    )
    assert [(q.person_a_id, q.person_b_id) for q in queued] == [(a.pk, b.pk)]
    assert queued[0].contributions["birth_date"] == {"level": "Exact", "weight": 11.2}
    MatchCandidate.objects.filter(pk=queued[0].pk).update(
        status=CandidateStatus.REJECTED
    )
    again = candidates_queue(
        decisions=[_decision(a.pk, b.pk, Outcome.REVIEW, 0.7)], model=model
    )
    assert again == []
    assert MatchCandidate.objects.get().match_probability == 0.5


def test_pending_pair_is_rescored_not_duplicated(world, model):
    a, b = PersonFactory(), PersonFactory()
    candidates_queue(decisions=[_decision(a.pk, b.pk, Outcome.REVIEW)], model=model)
    candidates_queue(
        decisions=[_decision(a.pk, b.pk, Outcome.REVIEW, 0.8)], model=model
    )
    assert MatchCandidate.objects.get().match_probability == 0.8


def test_waterfall_bars_start_where_the_running_total_ended(world, pair):
    review = candidate_review_open(
        actor=actor_for(world.social_worker), candidate_id=pair.pk
    )
    bars = {bar.key: bar for bar in review.waterfall}
    assert list(bars) == [
        "prior", "name", "birth_date", "address", "sex", "nhs_number", "total"
    ]  # fmt: skip
    # prior -16.5 bits, then +9.5, +11.2, -4.1, +0.6, 0: the running total spans
    # -16.5..4.2, so zero lies at 16.5/20.7 of the width
    assert bars["prior"].x == 0 and bars["prior"].end == pytest.approx(79.71)
    assert bars["name"].x == 0 and bars["name"].end == pytest.approx(45.89)
    assert bars["birth_date"].x == pytest.approx(bars["name"].end)
    assert bars["birth_date"].end == pytest.approx(100)
    assert not bars["address"].up and bars["address"].end == pytest.approx(100)
    assert bars["total"].x == pytest.approx(bars["total"].zero, abs=0.01)
    assert bars["total"].width == pytest.approx(0.7 * 100 / 20.7, abs=0.01)


def test_review_shows_both_records_and_audits_each(world, pair):
    actor = actor_for(world.social_worker)
    review = candidate_review_open(actor=actor, candidate_id=pair.pk)
    assert {review.person_a.pk, review.person_b.pk} == {
        pair.person_a_id,
        pair.person_b_id,
    }
    assert [r.key for r in review.rows][:2] == ["name", "birth_date"]
    assert review.rows[2].agrees is False
    assert review.prior_weight == pytest.approx(0.7 - 17.2)
    opened = AuditEntry.objects.filter(action="review_candidate")
    assert sorted(opened.values_list("person_id", flat=True)) == sorted(
        [pair.person_a_id, pair.person_b_id]
    )


def test_refused_when_either_record_is_refused(world, pair):
    # The GP practice is involved with the world's person, not the other record.
    with pytest.raises(AccessRefused):
        candidate_review_open(actor=actor_for(world.gp), candidate_id=pair.pk)
    assert candidate_list(actor=actor_for(world.gp)) == []
    with pytest.raises(AccessRefused):
        candidate_list(actor=actor_for(world.commissioner))


def test_admin_sees_every_pair(world, pair):
    admin = actor_for(professional(Role.ADMIN, world.icb, username="adm"))
    assert candidate_list(actor=admin) == [pair]
    review = candidate_review_open(actor=admin, candidate_id=pair.pk)
    assert review.model_version == 3


def test_accept_merges_and_reject_is_final(world, pair):
    actor = actor_for(world.social_worker)
    merge = candidate_accept(
        actor=actor,
        candidate_id=pair.pk,
        reason="Council confirmed",
        survivor_id=world.person.pk,
    )
    assert merge.survivor_id == world.person.pk and merge.candidate_id == pair.pk
    pair.refresh_from_db()
    assert pair.status == CandidateStatus.ACCEPTED
    assert pair.decided_by_id == world.social_worker.pk
    with pytest.raises(Conflict):
        candidate_reject(actor=actor, candidate_id=pair.pk, reason="oops")


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_reason_is_required(world, pair, reason):
    actor = actor_for(world.social_worker)
    with pytest.raises(InvalidInput):
        candidate_reject(actor=actor, candidate_id=pair.pk, reason=reason)
    with pytest.raises(InvalidInput):
        candidate_accept(actor=actor, candidate_id=pair.pk, reason=reason)
    pair.refresh_from_db()
    assert pair.status == CandidateStatus.PENDING
    assert not PersonMerge.objects.exists()


def test_unknown_candidate_and_foreign_survivor(world, pair):
    actor = actor_for(world.social_worker)
    with pytest.raises(NotFound):
        candidate_reject(actor=actor, candidate_id=999999, reason="x")
    with pytest.raises(InvalidInput):
        candidate_accept(
            actor=actor, candidate_id=pair.pk, reason="x", survivor_id=world.stranger.pk
        )
    assert not PersonMerge.objects.exists()


# ---------------------------------------------------------------- pages


@pytest.fixture
def sw_client(client, world):
    client.login(username="sw", password=PASSWORD)
    return client


def test_list_and_detail_pages(sw_client, pair):
    listing = sw_client.get(reverse("review_list"))
    assert listing.status_code == 200
    assert reverse("review_detail", args=[pair.pk]).encode() in listing.content
    detail = sw_client.get(reverse("review_detail", args=[pair.pk]))
    assert detail.status_code == 200
    body = detail.content.decode()
    assert "Maggie THORNTON" in body and "Margaret THORNTON" in body
    assert "Family exact, given a nickname variant" in body
    # the waterfall: date of birth (+11.2 bits) starts where the name ended
    assert 'data-testid="waterfall-birth_date"' in body
    assert '<rect class="jp-waterfall__bar jp-waterfall__bar--for" x="45.89"' in body
    assert 'data-testid="model-version">v3' in body
    assert "0.6200" in body


def test_post_without_reason_shows_an_error_summary(sw_client, pair):
    response = sw_client.post(
        reverse("review_detail", args=[pair.pk]), {"decision": "reject"}
    )
    assert response.status_code == 400
    assert b"There is a problem" in response.content
    assert b'href="#reason"' in response.content
    pair.refresh_from_db()
    assert pair.status == CandidateStatus.PENDING


def test_post_without_decision(sw_client, pair):
    response = sw_client.post(
        reverse("review_detail", args=[pair.pk]), {"reason": "looked"}
    )
    assert response.status_code == 400
    assert b'href="#decision"' in response.content


def test_post_accept_then_again_conflicts(sw_client, world, pair):
    url = reverse("review_detail", args=[pair.pk])
    response = sw_client.post(
        url,
        {"decision": "accept", "reason": "same", "survivor": str(world.person.pk)},
    )
    assert response.status_code == 302
    assert PersonMerge.objects.get().survivor_id == world.person.pk
    again = sw_client.post(url, {"decision": "reject", "reason": "no"})
    assert again.status_code == 409
    assert b"already been decided" in again.content


def test_post_reject(sw_client, pair):
    response = sw_client.post(
        reverse("review_detail", args=[pair.pk]),
        {"decision": "reject", "reason": "different middle names"},
    )
    assert response.status_code == 302
    pair.refresh_from_db()
    assert pair.status == CandidateStatus.REJECTED
    assert pair.reason == "different middle names"


def test_unknown_candidate_page(sw_client):
    assert sw_client.get(reverse("review_detail", args=[999999])).status_code == 404


def test_refused_page(client, world, pair):
    client.login(username="gp", password=PASSWORD)
    assert client.get(reverse("review_detail", args=[pair.pk])).status_code == 403
