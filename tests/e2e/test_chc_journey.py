"""NHS continuing healthcare from referral to a disputed decision, in the
browser: the discharge coordinator refers a patient in hospital; the ICB's CHC
nurse completes a positive Checklist and the Decision Support Tool, records the
MDT's recommendation and the ICB's decision (the person's care package moves
from the council to the NHS from the decision's date); the council disputes and
agrees interim funding."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from joinedup.funding.models import FundingSplit
from joinedup.funding.rules.chc import CHECKLIST_DOMAINS, DST_DOMAINS
from joinedup.funding.services.packages import package_create
from joinedup.governance.models import Role
from tests.conftest import actor_for
from tests.e2e.conftest import screenshot
from tests.factories import PASSWORD, professional


@pytest.fixture
def area(transactional_db, world):
    professional(
        Role.CHC_ASSESSOR,
        world.icb,
        username="chc",
        first_name="Chris",
        last_name="Hale",
        job_title="CHC nurse assessor",
    )
    package = package_create(
        actor=actor_for(world.social_worker),
        person_id=world.person.pk,
        kind="nursing_placement",
        provider="Elm House Nursing Home",
        cost_per_week=Decimal("1400"),
        start_on=timezone.localdate() - dt.timedelta(days=30),
    )
    return world, package


def login(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/account/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_chc_from_referral_to_dispute_with_interim_funding(page, live_server, area):
    world, package = area
    base = live_server.url
    person_url = f"{base}/funding/chc/people/{world.person.pk}/"

    # The discharge coordinator refers the patient in hospital.
    login(page, base, "dc")
    page.goto(person_url)
    expect(page.get_by_test_id("no-cases")).to_be_visible()
    page.get_by_label("Integrated care board").select_option(label="Joinedup ICB")
    page.get_by_role("button", name="Refer for a Checklist").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Checklist")

    # The ICB's CHC nurse sees the case on the dashboard.
    login(page, base, "chc")
    page.get_by_role("link", name="Continuing healthcare").first.click()
    expect(page.get_by_test_id("open-count")).to_contain_text("1 open case")
    screenshot(page, "chc-dashboard")
    page.get_by_test_id("open-cases").get_by_role(
        "link", name=re.compile("THORNTON")
    ).click()
    page.get_by_role("link", name="Complete the Checklist").click()

    # A Checklist with a domain left out is refused with the error summary.
    for domain in CHECKLIST_DOMAINS[1:]:
        page.locator(f'input[name="domains.{domain}"][value="C"]').check()
    page.get_by_role("button", name="Save the Checklist").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "Choose a score for behaviour"
    )
    page.locator('input[name="domains.behaviour"][value="C"]').check()
    page.locator('input[name="domains.breathing"][value="A"]').check()
    page.get_by_role("button", name="Save the Checklist").click()
    expect(page.get_by_test_id("checklist-result")).to_contain_text("Positive")
    expect(page.get_by_test_id("clock").first).to_contain_text("28-day clock")

    # The Decision Support Tool with its MDT.
    page.get_by_role("link", name="Record the Decision Support Tool").click()
    page.get_by_role("button", name="Save the Decision Support Tool").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "the MDT needs at least two professionals"
    )
    screenshot(page, "chc-dst-errors")
    for domain in DST_DOMAINS:
        page.locator(f'select[name="domains.{domain}"]').select_option("no_needs")
    page.locator('select[name="domains.breathing"]').select_option("priority")
    page.locator('textarea[name="evidence.breathing"]').fill(
        "Unstable airway; suction several times a night"
    )
    page.locator('select[name="domains.cognition"]').select_option("high")
    page.locator('textarea[name="evidence.cognition"]').fill("Moderate dementia")
    for name, text in (
        ("nature", "Needs arise from end-stage respiratory disease"),
        ("intensity", "Skilled intervention day and night"),
        ("complexity", "Interacting respiratory and cognitive needs"),
        ("unpredictability", "Sudden desaturation without warning"),
    ):
        page.locator(f'textarea[name="{name}"]').fill(text)
    page.locator('input[name="members.0.name"]').fill("Nia Nurse")
    page.locator('select[name="members.0.profession"]').select_option("nurse")
    page.locator('input[name="members.1.name"]').fill("Sam Walker")
    page.locator('select[name="members.1.profession"]').select_option("social_worker")
    page.get_by_role("button", name="Save the Decision Support Tool").click()
    expect(page.get_by_test_id("dst-indication")).to_contain_text(
        "Primary health need indicated"
    )

    # The MDT recommends; the ICB decides.
    page.get_by_role("link", name="Record the MDT's recommendation").click()
    page.locator('input[name="primary_health_need"][value="yes"]').check()
    page.get_by_label("The MDT's reasons").fill("A priority need in breathing")
    page.get_by_role("button", name="Save the recommendation").click()
    page.get_by_role("link", name="Record the ICB's decision").click()
    page.get_by_label("Outcome").select_option("chc")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_test_id("decision")).to_contain_text(
        "Fully NHS funded (continuing healthcare)"
    )
    expect(page.get_by_test_id("reviews")).to_be_visible()
    screenshot(page, "chc-decided")
    split = FundingSplit.objects.filter(package=package).order_by("-pk").first()
    assert split.funder == "nhs_chc" and split.effective_from == timezone.localdate()

    # The council disputes and agrees to pay meanwhile.
    login(page, base, "sw")
    page.goto(person_url)
    page.get_by_role("link", name="Record a dispute about the decision").click()
    page.get_by_label("Who disputes the decision").select_option("interagency")
    page.get_by_label("Grounds").fill("The council considers the split unfair")
    page.get_by_role("button", name="Record the dispute").click()
    expect(page.get_by_test_id("stages")).to_contain_text(
        "Local joint dispute procedure"
    )
    page.get_by_label("Who pays meanwhile").select_option("council")
    page.get_by_role("button", name="Agree interim funding").click()
    expect(page.get_by_test_id("interim")).to_contain_text("Council pays from")
    split = FundingSplit.objects.filter(package=package).order_by("-pk").first()
    assert split.funder == "council" and split.source_ref.startswith("chc_dispute:")
    screenshot(page, "chc-dispute")
