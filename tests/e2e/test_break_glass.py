"""A GP with no recorded relationship uses emergency access; the IG lead reviews
it."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import screenshot
from tests.factories import PASSWORD, EventFactory


@pytest.fixture
def stranger_record(transactional_db, world):
    EventFactory(
        person=world.stranger,
        summary="Allergy to penicillin recorded",
        source_id="E2E-BG-1",
    )
    return world


def _login(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/account/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_break_glass_journey(browser, live_server, stranger_record):
    gp = browser.new_context()
    page = gp.new_page()
    try:
        _login(page, live_server, "gp")
        page.goto(f"{live_server.url}/people/{stranger_record.stranger.pk}/")
        assert page.get_by_role(
            "heading", name="You cannot see this record"
        ).is_visible()
        page.get_by_role("link", name="use emergency access (break-glass)").click()

        page.get_by_role("button", name="Open the record with emergency access").click()
        summary = page.locator(".nhsuk-error-summary").inner_text()
        assert "Select the reason you need emergency access" in summary

        page.get_by_label("Vital interests: risk to life or serious harm").check()
        page.get_by_label("Explain the situation").fill(
            "Collapsed at the surgery, no records available"
        )
        page.get_by_role("button", name="Open the record with emergency access").click()
        assert page.get_by_test_id("break-glass-banner").is_visible()
        assert (
            "Allergy to penicillin recorded"
            in page.get_by_test_id("timeline").inner_text()
        )
        screenshot(page, "break-glass-record")
    finally:
        gp.close()

    ig = browser.new_context()
    page = ig.new_page()
    try:
        _login(page, live_server, "ig")
        page.get_by_role("link", name="Emergency access reviews").first.click()
        card = page.get_by_test_id("break-glass-review")
        assert "Collapsed at the surgery" in card.inner_text()
        card.get_by_label("Review note").fill("Confirmed with the practice manager")
        card.get_by_role("button", name="Mark appropriate").click()
        assert "Nothing is waiting for review" in page.locator("main").inner_text()
    finally:
        ig.close()
