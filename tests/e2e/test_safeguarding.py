"""Safeguarding in the browser: (1) a GP raises an adult concern, the council
decides a s42 enquiry, actions land in two organisations and the outcome is
recorded with the person's view; (2) a child on a plan attends ED (HL7 A04 over
MLLP), the ED clinician sees the flag, children's social care is notified;
(3) an early help assessment with a team around the family, stepped up to s47."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from joinedup.coordination.models import Task
from joinedup.governance.models import Role
from joinedup.people.models import Identifier, InvolvementKind
from joinedup.safeguarding.models import ChildCase, FlagAttendance
from joinedup.safeguarding.services import children, families
from tests.conftest import actor_for
from tests.discharge.conftest import mllp_listener, mllp_send
from tests.e2e.conftest import screenshot
from tests.factories import PASSWORD, care_team_add, involve, professional
from tests.safeguarding.conftest import area as _area  # noqa: F401
from tests.safeguarding.test_flag_ingest import _a04

TODAY = timezone.localdate()


@pytest.fixture
def sg(transactional_db, _area):  # noqa: F811
    return _area


def _login(browser, base, username):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{base}/account/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    return context, page


def _d(day: dt.date) -> str:
    return f"{day.day}/{day.month}/{day.year}"


def test_adult_concern_to_s42_enquiry_outcome(browser, live_server, sg):
    base = live_server.url
    involve(sg.adult, sg.adults, InvolvementKind.SOCIAL_CARE_CLIENT)
    ctx, page = _login(browser, base, sg.gp.username)
    try:
        page.goto(f"{base}/safeguarding/people/{sg.adult.pk}/")
        page.get_by_role("link", name="Raise an adult safeguarding concern").click()
        page.fill("#what_happened", "Bruises on her arms; says her carer grabs her")
        page.fill("#where_happened", "At home")
        page.fill("#when_happened", "Last week")
        page.select_option("#consent", "given")
        page.select_option("#council", str(sg.adults.pk))
        page.get_by_role("button", name="Raise the concern").click()
        summary = page.locator(".nhsuk-error-summary").inner_text()
        assert "views" in summary  # Making Safeguarding Personal
        page.fill("#person_views", "Wants a different carer, not to move")
        page.get_by_role("button", name="Raise the concern").click()
        expect(page.get_by_test_id("safeguarding-notice")).to_contain_text("sealed")
    finally:
        ctx.close()

    ctx, page = _login(browser, base, sg.asc_worker.username)
    try:
        page.goto(f"{base}/safeguarding/people/{sg.adult.pk}/")
        page.get_by_role("link", name="Open the concern").click()
        page.get_by_role("link", name="Decide on the concern").click()
        for field in ("care_and_support_needs", "experiencing_or_at_risk",
                      "unable_to_protect_self"):  # fmt: skip
            page.select_option(f"#{field}", "yes")
        page.check("#categories-physical")
        page.select_option("#decision", "s42_enquiry")
        page.fill("#reasons", "All three parts of the test are met")
        page.select_option("#enquiry_officer", str(sg.asc_officer.pk))
        page.get_by_role("button", name="Record the decision").click()
        expect(page.get_by_test_id("concern-status")).to_have_text(
            "Enquiry in progress"
        )
        for org, title in ((sg.practice, "Review her medication"),
                           (sg.adults, "Change of carer")):  # fmt: skip
            page.get_by_role("link", name="Add an action").click()
            page.fill("#title", title)
            page.select_option("#organisation", str(org.pk))
            page.get_by_role("button", name="Add the action").click()
        actions = page.get_by_test_id("enquiry-actions")
        expect(actions).to_contain_text(sg.practice.name)
        expect(actions).to_contain_text(sg.adults.name)
        page.get_by_role("link", name="Close the enquiry").click()
        page.select_option("#outcomes_met", "fully")
        page.fill("#person_view_on_outcome", "Happy with her new carer")
        page.get_by_role("button", name="Close the enquiry").click()
        assert (
            "Outcome for the risk" in page.locator(".nhsuk-error-summary").inner_text()
        )
        page.select_option("#risk_outcome", "removed")
        page.get_by_role("button", name="Close the enquiry").click()
        outcome = page.get_by_test_id("enquiry-outcome")
        expect(outcome).to_contain_text("Risk removed")
        expect(outcome).to_contain_text("Happy with her new carer")
        screenshot(page, "safeguarding-enquiry-outcome")
    finally:
        ctx.close()
    assert set(
        Task.objects.filter(source_ref__endswith=":action").values_list(
            "assignee_organisation_id", flat=True
        )
    ) == {sg.practice.pk, sg.adults.pk}


def test_child_on_a_plan_attends_ed(browser, live_server, sg):
    base = live_server.url
    with mllp_listener() as port:
        assert "|AA|" in mllp_send(port, _a04("E2E-REG", "V0", event="A28"))
        person_id = Identifier.objects.get(value="700001").person_id
        case = children.child_referral_make(
            actor=actor_for(sg.ed), person_id=person_id, council_id=sg.children.pk,
            reason="Bruising", consent="given", received_on=TODAY - dt.timedelta(3),
        )  # fmt: skip
        csc = actor_for(sg.csc_worker)
        children.child_referral_decide(
            actor=csc, case_id=case.pk, decision="strategy_discussion", reasons="x",
            social_worker_id=sg.csc_worker.pk,
        )  # fmt: skip
        children.strategy_discussion_record(
            actor=csc, case_id=case.pk, held_on=TODAY - dt.timedelta(2),
            agencies=["health", "police", "social_care"], s47=True,
        )  # fmt: skip
        children.s47_outcome_record(
            actor=csc, case_id=case.pk, outcome="concerns_substantiated"
        )
        children.initial_conference_record(
            actor=csc, case_id=case.pk, held_on=TODAY, plan=True, category="emotional"
        )
        # The child arrives in ED: the PAS sends an A04 over MLLP.
        assert "|AA|" in mllp_send(port, _a04("E2E-ED", "V9"))
    assert FlagAttendance.objects.filter(person_id=person_id).count() == 1

    ctx, page = _login(browser, base, sg.ed.username)
    try:
        page.goto(f"{base}/people/{person_id}/")
        flag = page.get_by_test_id("protection-flag")
        expect(flag).to_contain_text("Child protection plan")
        expect(flag).to_contain_text("01632 960002")
        assert "Emotional abuse" not in page.content()
        screenshot(page, "safeguarding-ed-flag")
    finally:
        ctx.close()

    ctx, page = _login(browser, base, sg.csc_worker.username)
    try:
        page.goto(f"{base}/care/notifications/")
        expect(page.get_by_test_id("notifications")).to_contain_text(
            "A child with a protection flag attended unscheduled care"
        )
        page.goto(f"{base}/safeguarding/cases/{case.pk}/")
        expect(page.get_by_test_id("plan")).to_contain_text("Emotional abuse")
    finally:
        ctx.close()


def test_early_help_team_around_family_stepped_up_to_s47(browser, live_server, sg):
    base = live_server.url
    hv = sg.health_visitor
    for person in (sg.child, sg.parent):
        care_team_add(person, hv, sg.community, Role.HEALTH_VISITOR)
    involve(sg.child, sg.children, InvolvementKind.SOCIAL_CARE_CLIENT)
    family = families.family_create(
        actor=actor_for(hv), reference="EH-E2E",
        members=[(sg.child.pk, "child"), (sg.parent.pk, "parent")],
        lead_practitioner_id=hv.pk,
    )  # fmt: skip
    school_nurse = professional(Role.COMMUNITY_MATRON, sg.community, username="sn")
    school_nurse.first_name, school_nurse.last_name = "Sian", "Nurse"
    school_nurse.save()

    ctx, page = _login(browser, base, hv.username)
    try:
        page.goto(f"{base}/safeguarding/families/{family.pk}/")
        expect(page.get_by_test_id("family-members")).to_contain_text("Tom")
        page.get_by_role("link", name="Early help assessment").click()
        page.select_option("#person", str(sg.child.pk))
        page.fill("#basic_care", "Home cold; little food in the house")
        page.fill("#strengths", "Grandmother nearby")
        page.get_by_role("button", name="Save the assessment").click()
        assert (
            "Health and development"
            in page.locator(".nhsuk-error-summary").inner_text()
        )
        page.fill("#health", "Missed the 1 year review")
        page.get_by_role("button", name="Save the assessment").click()
        expect(page.get_by_test_id("family-assessments")).to_contain_text("Assessment")
        page.get_by_role("link", name="Add to the team around the family").click()
        page.select_option("#user", str(school_nurse.pk))
        page.select_option("#service", "school_nurse")
        page.get_by_role("button", name="Add to the team").click()
        expect(page.get_by_test_id("family-team")).to_contain_text("Sian Nurse")
        page.get_by_role("link", name="Step up to children's social care").click()
        page.select_option("#child", str(sg.child.pk))
        page.select_option("#council", str(sg.children.pk))
        page.fill("#reason", "Neglect escalating despite early help")
        page.select_option("#consent", "given")
        page.get_by_role("button", name="Step up").click()
        expect(page.get_by_test_id("family-status")).to_have_text(
            "Stepped up to children's social care"
        )
    finally:
        ctx.close()

    case = ChildCase.objects.get(family=family)
    ctx, page = _login(browser, base, sg.csc_worker.username)
    try:
        page.goto(f"{base}/safeguarding/cases/{case.pk}/")
        page.get_by_role("link", name="Decide the response").click()
        page.select_option("#decision", "strategy_discussion")
        page.fill("#reasons", "Likely significant harm")
        page.select_option("#social_worker", str(sg.csc_worker.pk))
        page.get_by_role("button", name="Record the decision").click()
        page.get_by_role("link", name="Record the strategy discussion").click()
        page.fill("#held_on", _d(TODAY))
        for agency in ("health", "police", "social_care"):
            page.check(f"#agencies-{agency}")
        page.select_option("#s47", "yes")
        page.check(f"#members-{hv.pk}")
        page.get_by_role("button", name="Record the strategy discussion").click()
        expect(page.get_by_test_id("case-status")).to_have_text("Section 47 enquiry")
        expect(page.get_by_test_id("icpc")).to_contain_text("15 working days")
        screenshot(page, "safeguarding-step-up-s47")
    finally:
        ctx.close()
    assert ChildCase.objects.get(pk=case.pk).status == "s47"
