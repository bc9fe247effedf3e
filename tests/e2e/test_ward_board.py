"""A discharge coordinator filters the ward board to delayed patients, opens one,
records a delay reason (a wrong one first), and sees it on the board."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from joinedup.discharge.models import Readiness
from joinedup.discharge.services import stays_sync
from joinedup.record.models import EventKind
from tests.discharge.conftest import adt
from tests.e2e.conftest import screenshot
from tests.factories import PASSWORD, PersonFactory, involve


@pytest.fixture
def ward(transactional_db, world):
    now = timezone.now()
    other = PersonFactory(given_name="Albert", family_name="Oakley")
    involve(other, world.hospital)
    for person, source_id in ((world.person, "E2E-V1"), (other, "E2E-V2")):
        adt(
            world,
            EventKind.ADMISSION,
            source_id,
            now - dt.timedelta(days=6),
            person=person,
            ward="Ward 7",
            site="RJU01",
        )
    stays_sync(person_ids=[world.person.pk, other.pk])
    Readiness.objects.create(
        stay=world.person.hospital_stays.get(),
        ready_on=timezone.localdate() - dt.timedelta(days=3),
        clinical_agreed=True,
        mdt_agreed=True,
        expected_pathway="1",
        recorded_by=world.discharge_coordinator,
        recorded_at=now - dt.timedelta(days=3),
    )
    return world


def test_coordinator_records_a_delay_reason_from_the_board(page, live_server, ward):
    page.goto(f"{live_server.url}/account/login/")
    page.get_by_label("Username").fill("dc")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.goto(f"{live_server.url}/discharge/board/")
    board = page.get_by_test_id("ward-board")
    expect(page.get_by_test_id("board-count")).to_have_text("2 inpatients")
    page.get_by_label("Delayed").select_option("yes")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_test_id("board-count")).to_have_text("1 inpatient")
    expect(board).not_to_contain_text("OAKLEY")
    board.get_by_role("link", name=re.compile("THORNTON")).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("THORNTON")
    expect(page.get_by_test_id("days-delayed")).to_have_text("3")
    # Reason C (awaiting non-acute NHS care) is always the NHS's.
    page.get_by_label("Reason", exact=True).select_option("C")
    page.get_by_label("Responsible agency").select_option("social_care")
    page.get_by_role("button", name="Record delay reason").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "always the responsibility of the NHS"
    )
    expect(page.get_by_test_id("delay-history")).to_have_count(0)

    page.get_by_label("Reason", exact=True).select_option("E")
    page.get_by_label("Responsible agency").select_option("social_care")
    page.get_by_role("button", name="Record delay reason").click()
    expect(page.get_by_test_id("delay-history")).to_contain_text("social_care")

    page.get_by_role("link", name="Ward board").click()
    page.get_by_label("Delayed").select_option("yes")
    page.get_by_role("button", name="Apply").click()
    row = page.get_by_test_id("ward-board").locator("tbody tr").first
    expect(row).to_contain_text("THORNTON")
    expect(row).to_contain_text("Social care")
    expect(row.locator("abbr")).to_have_text("E")
    screenshot(page, "ward-board-delay")
