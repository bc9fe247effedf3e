"""A person signs in to their own view with a one-time code, edits About me,
sees an emergency (break-glass) access to their record and asks the IG lead
about it."""

from __future__ import annotations

import pytest

from joinedup.coordination.models import Task
from joinedup.governance.models import OrganisationType, Role
from joinedup.governance.services import break_glass_start
from joinedup.people.models import AboutMe
from joinedup.people.selectors import person_access_open
from joinedup.portal.auth.senders import OUTBOX
from tests.conftest import actor_for
from tests.e2e.conftest import screenshot
from tests.factories import OrganisationFactory, professional


@pytest.fixture
def emergency_access(transactional_db, world):
    world.person.email = "margaret@example.org"
    world.person.save(update_fields=["email"])
    centre = OrganisationFactory(
        code="WIC", name="Town Walk-in Centre", type=OrganisationType.COMMUNITY_TRUST
    )
    gp = professional(Role.GP, centre, username="wic-gp")
    break_glass_start(
        actor=actor_for(gp),
        person_id=world.person.pk,
        reason="vital_interests",
        justification="Collapsed in the waiting room",
    )
    person_access_open(
        actor=actor_for(gp), person_id=world.person.pk, action="view_record"
    )
    ig_lead = professional(Role.IG_LEAD, centre, username="wic-ig")
    return world, ig_lead


def test_person_signs_in_edits_about_me_and_asks_about_a_break_glass_access(
    page, live_server, emergency_access
):
    world, ig_lead = emergency_access
    person = world.person
    page.goto(f"{live_server.url}/me/sign-in/")
    page.get_by_label("NHS number").fill(person.nhs_number)
    page.get_by_label("Day").fill(str(person.birth_date.day))
    page.get_by_label("Month").fill(str(person.birth_date.month))
    page.get_by_label("Year").fill(str(person.birth_date.year))
    page.get_by_label("Email address or mobile number").fill("margaret@example.org")
    page.get_by_role("button", name="Send me a code").click()
    assert page.get_by_role("heading", name="Enter your code").is_visible()
    assert OUTBOX, "no code was sent"

    # A wrong code first: the error names the field; then the right one.
    right = OUTBOX[-1].code
    page.get_by_label("Security code").fill("000000" if right != "000000" else "1" * 6)
    page.get_by_role("button", name="Sign in").click()
    assert "The code is not right" in page.locator(".nhsuk-error-summary").inner_text()
    page.get_by_label("Security code").fill(right)
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("heading", name="Your care record").is_visible()

    page.get_by_role("link", name="About me").first.click()
    page.get_by_label("What matters to me").fill("My garden and my cat, Biscuit")
    page.get_by_role("button", name="Save About me").click()
    assert page.get_by_test_id("saved").is_visible()
    assert "changed by you" in page.get_by_test_id("about-me-changes").inner_text()
    assert (
        AboutMe.objects.get(person=person).what_matters_to_me
        == "My garden and my cat, Biscuit"
    )
    screenshot(page, "portal-about-me")

    page.get_by_role("link", name="Who has seen my record").first.click()
    rows = page.get_by_test_id("accesses").locator(
        "tr", has=page.get_by_test_id("break-glass")
    )
    assert rows.count() == 2
    first = rows.first
    assert "GP, Town Walk-in Centre" in first.inner_text()
    screenshot(page, "portal-who-has-seen")
    first.get_by_role("button", name="Ask about this").click()
    assert page.get_by_test_id("asked").is_visible()
    task = Task.objects.get(source_ref__startswith="audit:")
    assert task.assignee_user == ig_lead
