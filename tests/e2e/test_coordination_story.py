"""The story of issue 7, in the browser: a social worker starts a shared
assessment and refers to community nursing; the community nurse accepts the
referral, opens the assessment and finds the health sections pre-filled from
the GP record, completes them; eligibility is shown with its reasons; the MDT
meets and records decisions, and its actions land on task lists in two
organisations; the care plan shows every contribution with its author."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from joinedup.record.models import EventKind
from tests.coordination.coordb_helpers import partners_make
from tests.e2e.conftest import screenshot
from tests.factories import PASSWORD, EventFactory, care_team_add


@pytest.fixture
def story(transactional_db, world):
    partners = partners_make(world)
    EventFactory(
        person=world.person,
        source_system=world.gp_system,
        kind=EventKind.DIAGNOSIS,
        code_display="Heart failure",
        summary="Diagnosis recorded: Heart failure",
        occurred_at=dt.datetime(2026, 3, 3, 10, tzinfo=dt.UTC),
    )
    # The neighbourhood team's MDT coordinator is in Margaret's care team.
    care_team_add(world.person, partners.coordinator, partners.trust, "mdt_coordinator")
    for user, first, last in (
        (world.social_worker, "Sam", "Social"),
        (partners.coordinator, "Cora", "Coordinator"),
    ):
        user.first_name, user.last_name = first, last
        user.save(update_fields=["first_name", "last_name"])
    return world, partners


def _login(page, live_server, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_tell_your_story_once(page, live_server, story):
    world, partners = story
    person = world.person
    base = live_server.url
    # A long journey on a shared machine: allow slow first pages.
    page.set_default_timeout(30_000)

    # 1. The social worker starts the shared assessment and records the Care Act
    # outcomes.
    _login(page, live_server, "sw")
    page.goto(f"{base}/care/people/{person.pk}/assessments/")
    page.get_by_test_id("start-assessment").click()
    page.wait_for_url(re.compile(r"/care/assessments/\d+/$"))
    assessment_url = page.url
    page.get_by_role("link", name="Care Act outcomes").first.click()
    page.locator("#needs_from_impairment_or_illness-yes").check()
    page.locator("#significant_impact_on_wellbeing-yes").check()
    page.locator("#outcome_nutrition-needs_assistance").check()
    page.locator("#outcome_toilet_needs-endangers_health_safety").check()
    page.get_by_test_id("complete-section").click()
    page.wait_for_url(re.compile(r"#section-care_act_outcomes$"))

    # 2. ... and refers Margaret to community nursing.
    page.goto(f"{base}/care/people/{person.pk}/referrals/")
    page.get_by_label("Kind of referral").select_option("community_nursing")
    page.get_by_label("Refer to").select_option(f"team:{partners.nursing.pk}")
    page.get_by_label("Routine").check()
    page.get_by_label("Reason for the referral").fill(
        "Leg ulcer dressings; please contribute the health sections"
    )
    page.get_by_label("The person consents to the referral").check()
    page.get_by_role("button", name="Send referral").click()
    page.wait_for_url(re.compile(r"/care/referrals/\d+/$"))
    expect(page.get_by_test_id("referral-status")).to_have_text(
        "Waiting for a response"
    )

    # 3. The community nurse hears of it, accepts it and so joins the care team.
    _login(page, live_server, "matron")
    expect(page.get_by_test_id("bell-count")).to_contain_text("1")
    page.get_by_role("link", name="Referrals").first.click()
    page.get_by_role("link", name="Margaret THORNTON").click()
    page.get_by_label("Who will do it (optional)").select_option(str(partners.nurse.pk))
    page.get_by_role("button", name="Accept referral").click()
    expect(page.get_by_test_id("referral-status")).to_have_text("Accepted")

    # 4. She opens the assessment: the health sections are pre-filled from the
    # GP record, with where each answer came from.
    page.goto(assessment_url)
    page.get_by_role("link", name="Health conditions and medication").click()
    expect(page.get_by_test_id("prefill-conditions")).to_contain_text(
        "From GP system, 3 March 2026; confirm or change"
    )
    expect(page.locator("#conditions")).to_have_value("Heart failure")
    page.locator("#medications").fill("Bisoprolol 2.5 mg")
    page.get_by_test_id("complete-section").click()
    page.wait_for_url(re.compile(r"#section-health_conditions$"))
    expect(page.get_by_test_id("eligibility-summary")).to_have_text("Eligible")
    expect(page.get_by_test_id("unmet-outcomes")).to_contain_text(
        "Managing toilet needs"
    )
    expect(page.get_by_test_id("section-health_conditions")).to_contain_text(
        "Nia Nurse, Community matron, Joinedup Community Health"
    )
    expect(page.get_by_test_id("section-care_act_outcomes")).to_contain_text(
        "Sam Social, Social worker, Joinedup Council Adult Social Care"
    )
    screenshot(page, "story-assessment")

    # 5. The social worker writes the care plan with Margaret's goals.
    _login(page, live_server, "sw")
    page.goto(f"{base}/care/people/{person.pk}/plan/")
    page.get_by_test_id("create-plan").click()
    page.get_by_label("Goals, in the person's own words").fill(
        "I want to stay in my own home"
    )
    page.get_by_label("Contingency plan").fill("Call the neighbourhood team")
    page.get_by_test_id("save-plan").click()
    page.wait_for_url(re.compile(r"/plan/$"))

    # 6. The MDT meets: the coordinator schedules it, adds attendees from two
    # organisations, takes Margaret from the referrals proposed, records the
    # decisions and two actions.
    _login(page, live_server, "mdtc")
    page.get_by_role("link", name="MDT", exact=True).click()
    page.get_by_role("link", name="Schedule a meeting").click()
    page.get_by_label("Team that meets").select_option(str(partners.nursing.pk))
    tomorrow = dt.date.today() + dt.timedelta(days=1)  # noqa: DTZ011
    page.get_by_label("Date", exact=True).fill(tomorrow.strftime("%d/%m/%Y"))
    page.get_by_label("Time", exact=True).fill("10:00")
    page.get_by_label("Place", exact=True).fill("Riverside Surgery")
    page.get_by_role("button", name="Schedule meeting").click()
    for who in ("Sam Social", "Nia Nurse"):
        option = page.locator("#attendee option", has_text=who)
        page.get_by_label("Add an attendee").select_option(
            option.get_attribute("value")
        )
        page.get_by_role("button", name="Add attendee").click()
        expect(page.get_by_test_id("attendees")).to_contain_text(who)
    expect(page.get_by_test_id("attendees")).to_contain_text(
        "Joinedup Community Health"
    )
    expect(page.get_by_test_id("attendees")).to_contain_text(
        "Joinedup Council Adult Social Care"
    )
    page.get_by_label("Proposed for discussion").select_option(index=0)
    page.get_by_role("button", name="Add to the list").click()
    page.wait_for_url(re.compile(r"/care/mdt/\d+/$"))
    meeting_url = page.url
    page.get_by_role("link", name="Margaret THORNTON").click()
    page.get_by_label("Discussion").fill(
        "Ulcer slow to heal; her daughter is exhausted"
    )
    page.get_by_label("Decisions").fill("Twice-weekly visits; carer's assessment")
    page.get_by_role("button", name="Save discussion").click()
    expect(page.get_by_text("Recorded by Cora Coordinator")).to_be_visible()
    for title, who in (
        ("Visit twice weekly for dressings", "Nia Nurse"),
        ("Carer's assessment for her daughter", "Sam Social"),
    ):
        page.get_by_label("What needs doing").fill(title)
        option = page.locator("#assignee option", has_text=who)
        page.get_by_label("Owner").select_option(option.get_attribute("value"))
        page.get_by_role("button", name="Add action").click()
        expect(page.get_by_test_id("mdt-actions")).to_contain_text(title)
    expect(page.get_by_test_id("mdt-actions")).to_contain_text(
        "Joinedup Community Health"
    )
    page.goto(meeting_url)
    page.get_by_role("button", name="Close meeting").click()
    expect(page.get_by_role("button", name="Close meeting")).to_have_count(0)
    with page.expect_download() as download:
        page.get_by_test_id("minutes-pdf").click()
    assert download.value.suggested_filename.endswith(".pdf")
    screenshot(page, "story-mdt")

    # 7. The actions are on the right people's lists, in two organisations.
    _login(page, live_server, "matron")
    page.get_by_role("link", name="Tasks").first.click()
    expect(page.get_by_test_id("tasks")).to_contain_text(
        "Visit twice weekly for dressings"
    )
    expect(page.get_by_test_id("tasks")).not_to_contain_text("Carer's assessment")
    # The nurse adds her own action to the plan.
    page.goto(f"{base}/care/people/{person.pk}/plan/edit/")
    page.locator("#action-0-description").fill("Dressings twice a week")
    owner = page.locator("#action-0-owner option", has_text="Nia Nurse")
    page.locator("#action-0-owner").select_option(owner.get_attribute("value"))
    page.get_by_test_id("save-plan").click()
    page.wait_for_url(re.compile(r"/plan/$"))

    _login(page, live_server, "sw")
    page.get_by_role("link", name="Tasks").first.click()
    expect(page.get_by_test_id("tasks")).to_contain_text(
        "Carer's assessment for her daughter"
    )
    expect(page.get_by_test_id("tasks")).not_to_contain_text("Visit twice weekly")

    # 8. The care plan shows every contribution with its author.
    page.goto(f"{base}/care/people/{person.pk}/plan/")
    expect(page.get_by_test_id("goal")).to_contain_text("I want to stay in my own home")
    expect(page.get_by_test_id("goal")).to_contain_text("Sam Social")
    expect(page.get_by_test_id("action").first).to_contain_text("Nia Nurse")
    history = page.get_by_test_id("plan-history")
    expect(history).to_contain_text("Sam Social, Social worker")
    expect(history).to_contain_text("Nia Nurse, Community matron")
    screenshot(page, "story-plan")
