"""A social worker logs in, finds a person by NHS number and reads their timeline,
assembled from three source systems."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.factories import PASSWORD, EventFactory


@pytest.fixture
def record(transactional_db, world):
    for i, (system, kind, category, summary) in enumerate(
        [
            (world.pas, "admission", "health", "Emergency admission to Ward 7"),
            (world.pas, "discharge", "health", "Discharged home, pathway 1"),
            (world.gp_system, "gp_consultation", "health", "Breathlessness reviewed"),
            (
                world.council_system,
                "social_care_assessment",
                "social_care",
                "Care Act assessment completed",
            ),
            (
                world.council_system,
                "service_start",
                "social_care",
                "Home care started: 10 hours a week",
            ),
        ]
    ):
        EventFactory(
            person=world.person,
            source_system=system,
            kind=kind,
            category=category,
            summary=summary,
            source_id=f"E2E-{i}",
        )
    return world


def _login(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_social_worker_finds_person_by_nhs_number_and_sees_timeline(
    page, live_server, record
):
    _login(page, live_server, "sw")
    assert "Social worker" in page.get_by_test_id("acting-as").inner_text()

    page.get_by_label("NHS number, name or date of birth").first.fill(
        record.person.nhs_number_display
    )
    page.get_by_role("button", name="Search").first.click()
    assert page.get_by_test_id("result-count").inner_text() == "1 person found"
    page.get_by_role("link", name="Margaret THORNTON").click()

    assert page.get_by_test_id("person-name").inner_text() == "Margaret THORNTON"
    assert (
        page.get_by_test_id("nhs-number").inner_text()
        == record.person.nhs_number_display
    )
    rows = page.get_by_test_id("timeline-event")
    assert rows.count() == 5
    sources = {rows.nth(i).get_attribute("data-source") for i in range(rows.count())}
    assert sources == {"acute-pas", "gp-system", "council-sc"}
    screenshot(page, "shared-record")

    # Filtering by source swaps the timeline in place (htmx).
    page.get_by_label("Source system").select_option("council-sc")
    # (a locator wait: the page's Content-Security-Policy forbids eval)
    expect(page.get_by_test_id("timeline-event")).to_have_count(2)
    assert re.search(r"2 events", page.get_by_test_id("timeline-count").inner_text())


def test_timeline_filters_work_without_javascript(browser, live_server, record):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        _login(page, live_server, "sw")
        page.goto(f"{live_server.url}/people/{record.person.pk}/")
        page.get_by_label("Category").select_option("social_care")
        page.get_by_role("button", name="Filter").click()
        assert page.get_by_test_id("timeline-event").count() == 2
    finally:
        context.close()


def test_wrong_password_is_explained(page, live_server, record):
    page.goto(f"{live_server.url}/account/login/")
    page.get_by_label("Username").fill("sw")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    assert (
        "Enter a correct username and password"
        in page.locator(".nhsuk-error-summary").inner_text()
    )
