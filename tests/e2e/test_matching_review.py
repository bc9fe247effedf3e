"""A social worker works through the identity review queue in the browser: sees
two records side by side with each field's agreement and the waterfall of the
match weight, merges one pair with a reason, rejects another (a reason is
required), and the rejected pair is not proposed again when matching runs."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from joinedup.people.matching.outcomes import Outcome
from joinedup.people.matching.pipeline import SPLINK_RULE, PairDecision
from joinedup.people.matching.review import candidate_propose, candidates_queue
from joinedup.people.models import (
    CandidateStatus,
    MatchCandidate,
    MatchingModel,
    Person,
    PersonMerge,
)
from tests.e2e.conftest import screenshot
from tests.factories import PASSWORD, PersonFactory, involve

SAME = {
    "name": ("Family name exact, given name a variant (nickname)", 9.5),
    "birth_date": ("Exact date of birth", 11.2),
    "address": ("A postcode in the address history agrees (moved)", 3.9),
    "sex": ("Same sex", 0.6),
    "nhs_number": ("Missing", 0.0),
}
DIFFERENT = {
    "name": ("Exact name", 12.0),
    "birth_date": ("Same year of birth", -3.2),
    "address": ("Same postcode", 6.8),
    "sex": ("Same sex", 0.6),
    "nhs_number": ("Missing", 0.0),
}


@pytest.fixture
def queue(transactional_db, world):
    model = MatchingModel.objects.create(
        version=4, settings_json={}, upper_threshold=0.95, lower_threshold=0.2
    )
    # Margaret Thornton (world.person, known to the council) and "Maggie", a
    # social care record of the same woman without an NHS number.
    maggie = PersonFactory(given_name="Maggie", family_name="Thornton", nhs_number=None)
    involve(maggie, world.council, "social_care_client")
    # Two Arthur Pikes at one address, born in the same year: father and son.
    father = PersonFactory(given_name="Arthur", family_name="Pike", nhs_number=None)
    son = PersonFactory(
        given_name="Arthur",
        family_name="Pike",
        nhs_number=None,
        birth_date=father.birth_date.replace(day=1 if father.birth_date.day > 1 else 2),
    )
    for p in (father, son):
        involve(p, world.council, "social_care_client")
    same = candidate_propose(
        person_a_id=maggie.pk, person_b_id=world.person.pk, model=model,
        match_probability=0.71, match_weight=1.3, contributions=SAME,
    )  # fmt: skip
    different = candidate_propose(
        person_a_id=father.pk, person_b_id=son.pk, model=model,
        match_probability=0.43, match_weight=-0.4, contributions=DIFFERENT,
    )  # fmt: skip
    assert same is not None and different is not None
    return world, model, same, different, maggie


def test_review_queue_merge_one_reject_another(page, live_server, queue):
    world, model, same, different, maggie = queue
    page.goto(f"{live_server.url}/account/login/")
    page.get_by_label("Username").fill("sw")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.goto(f"{live_server.url}/matching/")
    listing = page.get_by_test_id("review-list")
    expect(listing).to_contain_text("2 pairs waiting for review")
    expect(listing.get_by_role("row")).to_have_count(3)  # header + 2 pairs
    # most probable first
    expect(listing.get_by_role("row").nth(1)).to_contain_text("71%")
    listing.get_by_role("link", name=f"Records {same.person_a_id} and").click()

    # the two records side by side, each field's agreement and weight
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Are these the same person?"
    )
    expect(page.get_by_test_id("model-version")).to_have_text("v4")
    name = page.get_by_test_id("row-name")
    expect(name).to_contain_text("Maggie THORNTON")
    expect(name).to_contain_text("Margaret THORNTON")
    expect(name).to_contain_text("given name a variant (nickname)")
    expect(name).to_contain_text("9.50")
    expect(page.get_by_test_id("row-address")).to_contain_text(
        "address history agrees (moved)"
    )
    # the waterfall: a bar for the prior, each comparison and the total; each
    # comparison's bar starts where the running total ended
    comparison = page.get_by_test_id("comparison")
    expect(comparison.locator("svg.jp-waterfall")).to_have_count(7)
    name_bar = page.get_by_test_id("waterfall-name").locator("rect")
    dob_bar = page.get_by_test_id("waterfall-birth_date").locator("rect")
    name_end = float(name_bar.get_attribute("x")) + float(
        name_bar.get_attribute("width")
    )
    assert float(dob_bar.get_attribute("x")) == pytest.approx(name_end, abs=0.02)
    assert name_bar.bounding_box()["width"] > 0
    screenshot(page, "matching-review-detail")

    # same person: merge, keeping the record the GP system verified
    page.get_by_label("Yes, the same person: merge the records").check()
    page.get_by_label(f"Record {world.person.pk}", exact=True).check()
    page.get_by_label("Reason for your decision").fill(
        "Council confirmed Maggie is Margaret Thornton; moved into Oak House."
    )
    page.get_by_role("button", name="Save decision").click()
    expect(page.get_by_role("status")).to_contain_text("The records were merged.")
    expect(page.get_by_test_id("review-list")).to_contain_text(
        "1 pair waiting for review"
    )
    merge = PersonMerge.objects.get()
    assert (merge.survivor_id, merge.merged_id) == (world.person.pk, maggie.pk)
    assert Person.objects.get(pk=maggie.pk).merged_into_id == world.person.pk

    # different people: a reason is required, then the pair is rejected
    page.get_by_role("link", name=f"Records {different.person_a_id} and").click()
    expect(page.get_by_test_id("row-birth_date")).to_contain_text("Same year of birth")
    page.get_by_label("No, different people: never propose this pair again").check()
    page.get_by_role("button", name="Save decision").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "Enter a reason for your decision"
    )
    expect(page).to_have_title(re.compile("^Error: "))
    page.get_by_label("Reason for your decision").fill(
        "Father and son at the same address; different dates of birth."
    )
    page.get_by_role("button", name="Save decision").click()
    expect(page.get_by_role("status")).to_contain_text("The pair was rejected.")
    expect(page.get_by_test_id("review-empty")).to_be_visible()
    different.refresh_from_db()
    assert different.status == CandidateStatus.REJECTED

    # matching runs again and scores the pair in the review band: not proposed
    again = candidates_queue(
        decisions=[
            PairDecision(
                f"person:{different.person_b_id}",
                f"person:{different.person_a_id}",
                0.6,
                0.6,
                Outcome.REVIEW,
                SPLINK_RULE,
                DIFFERENT,
            )
        ],
        model=model,
    )
    assert again == []
    assert MatchCandidate.objects.filter(status=CandidateStatus.PENDING).count() == 0
    page.reload()
    expect(page.get_by_test_id("review-empty")).to_be_visible()
    screenshot(page, "matching-review-empty")
