"""Levels 1 and 2 of joined-up care in the browser: a GP refers a person to a
social prescribing link worker, who records what matters and ONS4 before,
connects the person to a leisure service found in the directory and records ONS4
after, and the commissioners' figures count it with small numbers suppressed; a
UCR referral is reached within 2 hours and the team's dashboard counts it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from joinedup.directory.models import (
    Connection,
    ConnectionStatus,
    DirectoryOrganization,
    PrescribingCase,
)
from joinedup.directory.services import directory_import
from joinedup.governance.models import OrganisationType, Role, Team
from joinedup.ucr.models import UcrReferral
from tests.conftest import actor_for
from tests.directory.conftest import ORUK_FILE, level1_make
from tests.e2e.conftest import screenshot
from tests.factories import PASSWORD, OrganisationFactory, professional


def _login(browser, live_server, username: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/account/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    return context, page


@pytest.fixture
def level1(transactional_db, world):
    made = level1_make()
    directory_import(actor=actor_for(made.editor), content=ORUK_FILE.read_text())
    DirectoryOrganization.objects.filter(name="Joinedup Leisure Trust").update(
        organisation=made.leisure
    )
    return world, made


def test_gp_to_link_worker_to_leisure_with_ons4_and_the_figures(
    browser, live_server, level1
):
    world, made = level1
    person = world.person

    gp, page = _login(browser, live_server, "gp")
    try:
        page.goto(f"{live_server.url}/people/{person.pk}/")
        page.get_by_test_id("coordination-links").get_by_role(
            "link", name="Referrals", exact=True
        ).click()
        page.get_by_label("Kind of referral").select_option("social_prescribing")
        page.get_by_label("Refer to").select_option(f"team:{made.sp_team.pk}")
        page.get_by_label("Routine").check()
        page.get_by_label("Reason for the referral").fill(
            "Lonely since her husband died; would like to get out more"
        )
        page.locator("input[name=consent_basis][value=consent]").check()
        page.get_by_role("button", name="Send referral").click()
        expect(page.locator("main")).to_contain_text("Social prescribing")
    finally:
        gp.close()

    lw, page = _login(browser, live_server, "linkworker")
    try:
        page.get_by_role("link", name="Social prescribing").first.click()
        waiting = page.get_by_test_id("sp-waiting")
        expect(waiting).to_contain_text(person.display_name)
        waiting.get_by_role("button", name=re.compile("Take on")).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(
            person.display_name
        )
        expect(page.get_by_test_id("case-status")).to_have_text("Open")

        page.get_by_label("What matters to the person, in their words").fill(
            "Seeing people again; being able to walk to the shops"
        )
        page.get_by_role("button", name="Save what matters").click()
        expect(page.get_by_test_id("what-matters")).to_contain_text("walk to the shops")

        before = page.get_by_test_id("ons4-before")
        # A score out of range names the question and records nothing.
        for name, value in (
            ("before_life_satisfaction", "4"),
            ("before_worthwhile", "5"),
            ("before_happiness", "3"),
            ("before_anxiety", "11"),
        ):
            before.locator(f"input[name={name}]").fill(value)
        before.get_by_role("button", name="Record wellbeing before").click()
        expect(page.locator(".nhsuk-error-summary")).to_contain_text(
            "whole number from 0 to 10"
        )
        before = page.get_by_test_id("ons4-before")
        for name, value in (
            ("before_life_satisfaction", "4"),
            ("before_worthwhile", "5"),
            ("before_happiness", "3"),
            ("before_anxiety", "7"),
        ):
            before.locator(f"input[name={name}]").fill(value)
        before.get_by_role("button", name="Record wellbeing before").click()
        expect(page.get_by_test_id("ons4-after")).to_be_visible()

        # Find the leisure service in the directory by need, then connect to it.
        page.get_by_role("link", name="Search the whole directory").click()
        page.get_by_label("Need").select_option("physical_activity")
        page.locator("main").get_by_role("button", name="Search").click()
        results = page.get_by_test_id("directory-results")
        expect(results).to_contain_text("Active Lives")
        page.go_back()
        page.go_back()
        choice = page.locator("#service option", has_text="Active Lives")
        page.get_by_label("Service", exact=True).select_option(
            choice.get_attribute("value")
        )
        page.get_by_label("What you are asking the service for").fill(
            "Gentle exercise class, Tuesday mornings"
        )
        page.locator("input[name=consent_basis][value=consent]").check()
        page.get_by_role("button", name="Connect", exact=True).click()
        connections = page.get_by_test_id("connections")
        expect(connections).to_contain_text("Active Lives")
        expect(connections).to_contain_text("Referral: waiting for a response")
        took_up = re.compile("Took up the service")
        connections.get_by_role("button", name=took_up).click()
        expect(page.get_by_test_id("connections")).to_contain_text(
            "Took up the service"
        )

        after = page.get_by_test_id("ons4-after")
        for name, value in (
            ("after_life_satisfaction", "7"),
            ("after_worthwhile", "7"),
            ("after_happiness", "6"),
            ("after_anxiety", "4"),
        ):
            after.locator(f"input[name={name}]").fill(value)
        after.get_by_role("button", name="Record wellbeing after").click()
        ons4 = page.get_by_test_id("ons4")
        expect(ons4.locator("tr", has_text="satisfied")).to_contain_text("+3 (better)")
        expect(ons4.locator("tr", has_text="anxious")).to_contain_text("-3 (better)")
        screenshot(page, "social-prescribing-case")
    finally:
        lw.close()

    case = PrescribingCase.objects.get(person=person)
    assert case.referral is not None and case.what_matters
    connection = Connection.objects.get(case=case)
    assert connection.status == ConnectionStatus.TOOK_UP
    assert connection.referral.to_organisation_id == made.leisure.pk

    comm, page = _login(browser, live_server, "comm")
    try:
        page.get_by_role("link", name="Social prescribing").first.click()
        row = page.get_by_test_id("sp-figures").locator("tr", has_text="Active Lives")
        # One person: counted, but shown as "<5"; no mean change for one person.
        expect(row.locator("td").nth(1)).to_have_text("<5")
        expect(row.locator("td").nth(3)).to_have_text("<5")
        expect(row.locator("td").nth(6)).to_have_text("\N{EN DASH}")
        expect(page.get_by_test_id("sp-figures")).not_to_contain_text(
            person.display_name
        )
    finally:
        comm.close()


@pytest.fixture
def ucr_team(transactional_db, world):
    trust = OrganisationFactory(
        code="RJC",
        name="Joinedup Community Health",
        type=OrganisationType.COMMUNITY_TRUST,
    )
    team = Team.objects.create(organisation=trust, name="Urgent community response")
    matron = professional(Role.COMMUNITY_MATRON, trust, username="ucrmatron")
    matron.memberships.update(team=team)
    return world


def test_ucr_referral_reached_within_two_hours_counts_on_the_dashboard(
    browser, live_server, ucr_team
):
    person = ucr_team.stranger
    ctx, page = _login(browser, live_server, "ucrmatron")
    try:
        page.get_by_role("link", name="Urgent response").click()
        expect(page.locator("main")).to_contain_text("No open referrals")
        page.get_by_label("NHS number", exact=True).fill("123")
        page.get_by_label("NHS 111").check()
        page.get_by_label("What is happening").fill("Fell at home, cannot get up")
        page.get_by_role("button", name="Record referral and start the clock").click()
        expect(page.locator(".nhsuk-error-summary")).to_contain_text(
            "valid 10-digit NHS number"
        )
        assert not UcrReferral.objects.exists()

        page.get_by_label("NHS number", exact=True).fill(person.nhs_number)
        page.get_by_label("NHS 111").check()
        page.get_by_label("What is happening").fill("Fell at home, cannot get up")
        page.get_by_role("button", name="Record referral and start the clock").click()
        expect(page.get_by_test_id("ucr-clock")).to_contain_text(
            re.compile(r"1 h 5\d min left|2 h 00 min left")
        )
        page.get_by_role("link", name="Back to the queue").click()
        queue = page.get_by_test_id("ucr-queue")
        expect(queue).to_contain_text(person.display_name)
        queue.get_by_role("link", name=person.display_name).click()

        page.get_by_role("button", name="Record contact now").click()
        expect(page.get_by_test_id("ucr-clock")).to_contain_text("within 2 hours")
        page.get_by_role("button", name="Record outcome").click()
        expect(page.locator(".nhsuk-error-summary")).to_contain_text(
            "nine clinical conditions"
        )
        page.get_by_label("Clinical reason").select_option("falls")
        page.get_by_label("Remained at home").check()
        page.get_by_role("button", name="Record outcome").click()
        # Closed, and with it the team's task: back to the queue.
        expect(page.get_by_test_id("ucr-closed")).to_contain_text("Outcome recorded")
        expect(page.locator("main")).to_contain_text("No open referrals")
        closed = UcrReferral.objects.get()
        assert (closed.clinical_reason, closed.outcome) == ("falls", "remained_at_home")
        page.get_by_role("link", name="Dashboard").click()
        expect(page.get_by_test_id("ucr-within")).to_have_text("1 of 1 (100%)")
        expect(page.get_by_test_id("ucr-avoided")).to_have_text("1")
        screenshot(page, "ucr-dashboard")
    finally:
        ctx.close()
