"""Issue 8's finance journey: a person's care package moves from council to NHS
funding by a CHC decision; the finance lead (a commissioner) sees the cost shift
in the ledger, the pooled budget's variance, and the outcome charts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from joinedup.discharge.models import HospitalStay
from joinedup.funding.services.packages import funding_change_for_person, package_create
from joinedup.governance.models import OrganisationType, Role
from joinedup.record.models import EventKind
from joinedup.synth.demo_pooled import pooled_seed
from tests.conftest import actor_for
from tests.e2e.conftest import screenshot
from tests.factories import (
    PASSWORD,
    EventFactory,
    OrganisationFactory,
    PersonFactory,
    SourceSystemFactory,
    care_team_add,
    involve,
    professional,
)


@pytest.fixture
def finance(transactional_db):
    today = timezone.localdate()
    council = OrganisationFactory(
        code="JU-ASC",
        name="Joinedup Council",
        type=OrganisationType.COUNCIL_ADULT_SOCIAL_CARE,
    )
    icb = OrganisationFactory(
        code="QJU", name="Joinedup ICB", type=OrganisationType.ICB
    )
    lead = professional(
        Role.COMMISSIONER,
        icb,
        username="finance.lead",
        first_name="Kim",
        last_name="Moss",
    )
    sw = professional(Role.SOCIAL_WORKER, council, username="sw")
    people = [PersonFactory(birth_date=dt.date(1940, 5, 1)) for _ in range(30)]
    for p in people:
        involve(p, council, "social_care_client")
    _hospital_history(people, today)
    pooled_seed(
        name="Joinedup Better Care Fund",
        host=council,
        icb=icb,
        commissioner=lead,
        social_worker=sw,
        person_ids=[p.pk for p in people],
        packages=90,
        today=today,
    )
    # The journey's person: a nursing placement, council-funded, then eligible
    # for NHS continuing healthcare from the ICB's decision two months ago.
    person = PersonFactory(given_name="Edith", family_name="Marsh")
    involve(person, council, "social_care_client")
    care_team_add(person, sw, council, Role.SOCIAL_WORKER)
    start = (today - dt.timedelta(days=200)).replace(day=1)
    package_create(
        actor=actor_for(sw),
        person_id=person.pk,
        kind="nursing_placement",
        provider="Willow Nursing Home",
        cost_per_week="1400",
        start_on=start,
    )
    decided = (today - dt.timedelta(days=60)).replace(day=1)
    funding_change_for_person(
        actor=actor_for(sw),
        person_id=person.pk,
        effective_from=decided,
        funder="nhs_chc",
        reason="ICB decision: eligible for CHC",
    )
    return decided


def _hospital_history(people, today):
    """Emergency admissions and discharges of the older people, ten a month
    over two years, so every outcome chart has points."""
    hospital = OrganisationFactory(
        code="RJU", name="Joinedup General Hospital", type=OrganisationType.ACUTE_TRUST
    )
    pas = SourceSystemFactory(code="acute-pas", organisation=hospital)
    reasons = ["hip_fracture", "copd_exacerbation", "pneumonia", "heart_failure"]
    n = 0
    # Ten a month: five of them to reablement (pathway 1), so a month's figure is
    # never below the small-number suppression threshold, whatever today is.
    for month in range(24, 3, -1):
        for k in range(10):
            person = people[(month * 10 + k) % len(people)]
            at = dt.datetime.combine(
                today - dt.timedelta(days=30 * month + k), dt.time(10), tzinfo=dt.UTC
            )
            n += 1
            EventFactory(
                person=person,
                source_system=pas,
                kind=EventKind.ADMISSION,
                occurred_at=at,
                detail={"admission_method": "emergency", "reason": reasons[k % 4]},
            )
            HospitalStay.objects.create(
                person=person,
                organisation=hospital,
                source_system=pas,
                admission_source_id=f"A{n}",
                admitted_at=at,
                admission_method="emergency",
                discharged_at=at + dt.timedelta(days=4),
                discharge_pathway="01"[k % 2],
                discharge_destination=[
                    "usual_residence",
                    "usual_residence_with_support",
                    "care_home",
                ][k % 3],
            )


def _login(page, live_server, username):
    page.goto(f"{live_server.url}/account/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_finance_lead_sees_cost_shift_variance_and_outcomes(page, live_server, finance):
    decided = finance
    _login(page, live_server, "finance.lead")
    panel = page.get_by_test_id("finance-panel")
    panel.get_by_role("link", name="Cost-shift ledger").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Cost-shift ledger")
    # The decision month shows a shift to the NHS; no person is named.
    row = page.get_by_test_id("ledger-month").filter(has_text=decided.strftime("%b %Y"))
    expect(row.get_by_test_id("shift")).not_to_have_text("0.00")
    expect(page.get_by_test_id("shift-total")).not_to_have_text("£0.00")
    expect(page.locator("body")).not_to_contain_text("MARSH")
    screenshot(page, "finance-ledger")

    page.get_by_role("link", name="Pooled budgets", exact=True).first.click()
    page.get_by_role("link", name="Joinedup Better Care Fund").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Joinedup Better Care Fund"
    )
    expect(page.get_by_test_id("scheme-row")).to_have_count(6)
    expect(page.get_by_test_id("variance-ytd")).to_contain_text("£")
    expect(page.get_by_test_id("risk-share")).to_contain_text(
        "Disabled Facilities Grant"
    )
    expect(page.get_by_test_id("variance-chart").locator("svg")).to_be_visible()
    screenshot(page, "finance-pooled-dashboard")

    page.get_by_test_id("outcomes-link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("The whole area")
    for key in (
        "avoidable_admissions",
        "falls_65",
        "usual_residence",
        "care_home_65",
        "at_home_91",
    ):
        card = page.get_by_test_id(f"bcf-{key}")
        expect(card.locator("svg")).to_be_visible()
        card.get_by_text("Data table").click()
        expect(card.locator("table tbody tr").first).to_be_visible()
    screenshot(page, "finance-outcomes")
