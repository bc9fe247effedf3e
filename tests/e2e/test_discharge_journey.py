"""The discharge journey end to end (issue 6, "Done when"): the patient arrives
over MLLP; a discharge coordinator records them ready, pathway 1, and a delay
waiting for a care package at home (E, social care); the council's brokerage
team sees the task; the A03 discharge arrives over MLLP; the ward board, the
sitrep and the dashboard reflect the discharge and the task is completed."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db.models import F
from django.utils import timezone
from playwright.sync_api import expect

from joinedup.coordination.models import Task, TaskStatus
from joinedup.discharge.models import DelayReason, Readiness
from joinedup.governance.models import Membership, Role, Team
from tests.discharge.conftest import hl7_adt, mllp_listener, mllp_send
from tests.e2e.conftest import screenshot
from tests.factories import PASSWORD, UserFactory


@pytest.fixture
def area(transactional_db, world):
    brokerage = Team.objects.create(organisation=world.council, name="Brokerage")
    broker = UserFactory(username="broker")
    Membership.objects.create(
        user=broker, organisation=world.council, team=brokerage, role=Role.SOCIAL_WORKER
    )
    return world


def _login(page, base, username):
    page.goto(f"{base}/account/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def _sitrep_row(page, measure, breakdown):
    return (
        page.get_by_test_id("sitrep")
        .locator("tr")
        .filter(has=page.get_by_role("cell", name=measure, exact=True))
        .filter(has=page.get_by_role("cell", name=breakdown, exact=True))
        .locator("td")
        .last
    )


def test_ready_delay_handoff_then_discharge_over_mllp(browser, live_server, area):
    base = live_server.url
    admitted = timezone.now().replace(microsecond=0) - dt.timedelta(days=5)
    with mllp_listener() as port:
        ack = mllp_send(port, hl7_adt(area, "A01", "J-ADM", visit="J1", when=admitted))
        assert "MSA|AA|J-ADM" in ack, ack

        # The discharge coordinator, on the ward board.
        dc = browser.new_context(viewport={"width": 1280, "height": 900})
        page = dc.new_page()
        page.set_default_timeout(10_000)
        _login(page, base, "dc")
        page.goto(f"{base}/discharge/board/")
        expect(page.get_by_test_id("board-count")).to_have_text("1 inpatient")
        page.get_by_test_id("ward-board").get_by_role(
            "link", name=re.compile("THORNTON")
        ).click()

        ready_on = timezone.localdate() - dt.timedelta(days=3)
        page.get_by_label("Date no longer meets the criteria to reside").fill(
            ready_on.strftime("%d/%m/%Y")
        )
        page.get_by_label("The responsible clinician agrees").check()
        page.get_by_label("The multidisciplinary team agrees").check()
        page.get_by_label("Expected pathway").select_option("1")
        page.get_by_role("button", name="Record ready for discharge").click()
        expect(page.get_by_test_id("ready")).to_contain_text("pathway 1")
        expect(page.get_by_test_id("days-delayed")).to_have_text("3")

        page.get_by_label("Reason", exact=True).select_option("E")
        page.get_by_label("Responsible agency").select_option("social_care")
        page.get_by_role("button", name="Record delay reason").click()
        handoffs = page.get_by_test_id("handoffs")
        expect(handoffs).to_contain_text("Arrange a package of care at home")
        expect(handoffs).to_contain_text("Brokerage")
        expect(handoffs).to_contain_text("To do")

        page.get_by_role("link", name="Ward board").click()
        row = page.get_by_test_id("ward-board").locator("tbody tr").first
        expect(row.get_by_test_id("handoff")).to_contain_text("To do")
        expect(row.get_by_test_id("days-delayed")).to_contain_text("3")
        screenshot(page, "discharge-journey-board-delayed")

        # The council's brokerage team holds the task.
        task = Task.objects.get()
        assert (task.assignee_organisation, task.assignee_team.name) == (
            area.council,
            "Brokerage",
        )
        council = browser.new_context(viewport={"width": 1280, "height": 900})
        broker = council.new_page()
        broker.set_default_timeout(10_000)
        _login(broker, base, "broker")
        broker.goto(f"{base}/care/tasks/{task.pk}/")
        expect(broker.locator("main")).to_contain_text(
            "Arrange a package of care at home for discharge"
        )
        council.close()

        # Two days pass (the sitrep of a past day and the dashboard count what
        # was on record by the end of each whole day): what the coordinator
        # recorded moves two days back, and the patient leaves yesterday. The
        # PAS sends the A03 now, over MLLP.
        for model in (Readiness, DelayReason):
            model.objects.update(recorded_at=F("recorded_at") - dt.timedelta(days=2))
        left = timezone.now().replace(microsecond=0) - dt.timedelta(days=1)
        ack = mllp_send(port, hl7_adt(area, "A03", "J-DIS", visit="J1", when=left))
        assert "MSA|AA|J-DIS" in ack, ack

    task.refresh_from_db()
    assert task.status == TaskStatus.COMPLETED

    page.goto(f"{base}/discharge/board/")
    expect(page.get_by_test_id("board-count")).to_have_text("0 inpatients")

    page.goto(f"{base}/discharge/people/{area.person.pk}/")
    expect(page.get_by_test_id("handoffs")).to_contain_text("Completed")
    expect(page.get_by_test_id("stay")).to_contain_text("pathway 1")

    yesterday = timezone.localdate() - dt.timedelta(days=1)
    page.goto(f"{base}/discharge/sitrep/?site=RJU01&date={yesterday.isoformat()}")
    expect(_sitrep_row(page, "Discharged", "all")).to_have_text("1")
    expect(_sitrep_row(page, "Discharged by pathway", "1")).to_have_text("1")
    expect(_sitrep_row(page, "Remaining", "all")).to_have_text("0")

    page.goto(f"{base}/discharge/dashboard/")
    mix = page.get_by_test_id("pathway-mix").locator("#mix-table tbody tr")
    expect(mix.filter(has_text="Pathway 1").locator("td").first).to_have_text("1")
    screenshot(page, "discharge-journey-dashboard")
    dc.close()
