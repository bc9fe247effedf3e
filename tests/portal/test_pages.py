"""The pages of the person's own view: About me (changes marked as the person's
or the proxy's), the plan with who owns each action, appointments, the care team,
the budget, who has seen the record (break-glass marked, ask the IG lead) and
sharing choices the access policy then applies."""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.test import TestCase
from django.utils import timezone

from joinedup.coordination.models import Notification, Task
from joinedup.coordination.services.plans import ActionIn, PlanContent, care_plan_save
from joinedup.errors import AccessRefused
from joinedup.funding.models import CarePackage, DirectPayment
from joinedup.governance.models import (
    AuditEntry,
    ConsentRecord,
    Organisation,
    Role,
    User,
)
from joinedup.governance.services import break_glass_start
from joinedup.people.models import AboutMe
from joinedup.people.selectors import person_access_open
from joinedup.portal.models import AboutMeChange, AccessQuestion
from joinedup.record.selectors import TimelineFilters, timeline_page
from tests.conftest import actor_for
from tests.factories import EventFactory, OrganisationFactory, professional
from tests.portal.helpers import person_sign_in, proxy_make, proxy_sign_in

SOON = timezone.localdate() + dt.timedelta(days=14)


def _body(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def signed_in(client, world):
    person_sign_in(client, world.person, "margaret@example.org")
    return client


def test_the_person_edits_about_me_and_the_change_is_marked_as_theirs(signed_in, world):
    response = signed_in.post(
        "/me/about-me/",
        {
            "what_matters_to_me": "My garden and my cat, Biscuit",
            "how_to_communicate_with_me": "Speak slowly; I wear a hearing aid",
        },
    )
    assert response.status_code == 302
    about = AboutMe.objects.get(person=world.person)
    assert about.what_matters_to_me == "My garden and my cat, Biscuit"
    change = AboutMeChange.objects.get()
    assert change.changed_by == "person" and change.authority is None
    assert change.changed_fields == ["what_matters_to_me", "how_to_communicate_with_me"]
    page = _body(signed_in.get("/me/about-me/?saved=1"))
    assert "Your changes are saved" in page and "changed by you" in page
    # The professionals' shared record shows the person's words.
    access = person_access_open(
        actor=actor_for(world.social_worker), person_id=world.person.pk, action="t"
    )
    assert access.person.about_me.what_matters_to_me.startswith("My garden")


def test_a_proxy_edit_of_about_me_is_marked_as_the_proxys(client, world):
    authority = proxy_make(world.person, recorded_by=world.social_worker)
    proxy_sign_in(client, authority)
    client.post("/me/about-me/", {"daily_routine": "Up at seven, tea first"})
    change = AboutMeChange.objects.get()
    assert change.changed_by == "proxy" and change.authority == authority
    page = _body(client.get("/me/about-me/"))
    assert "changed by Peter Proxyson (lasting power of attorney" in page


def test_about_me_too_long_names_the_field_and_saves_nothing(signed_in, world):
    response = signed_in.post(
        "/me/about-me/",
        {"what_matters_to_me": "fine", "my_wellbeing": "x" * 4001},
    )
    body = _body(response)
    assert response.status_code == 400
    assert "My wellbeing must be 4000 characters or fewer" in body
    assert 'href="#my_wellbeing"' in body
    assert "x" * 4001 in body  # what was typed is kept on the page
    assert not AboutMe.objects.filter(person=world.person).exists()
    assert not AboutMeChange.objects.exists()


def test_the_plan_shows_each_action_and_who_owns_it(signed_in, world):
    care_plan_save(
        actor=actor_for(world.social_worker),
        person_id=world.person.pk,
        base_version=None,
        content=PlanContent(
            goals=("I want to stay in my own home",),
            actions=(
                ActionIn("", "Arrange a grab rail", world.social_worker.pk, SOON),
            ),
            review_on=SOON + dt.timedelta(days=60),
        ),
    )
    body = _body(signed_in.get("/me/plan/"))
    assert "I want to stay in my own home" in body
    assert "Arrange a grab rail" in body and "Pat Professional" in body
    assert "Joinedup Council Adult Social Care" in body and "To do" in body
    upcoming = _body(signed_in.get("/me/appointments/"))
    assert "Review of your care and support plan" in upcoming
    assert "Care plan action" in upcoming  # the action's task, with its due date


def test_appointments_come_from_the_record_soonest_first(signed_in, world):
    for days, kind in ((9, "gp_consultation"), (2, "community_contact")):
        EventFactory(
            person=world.person,
            source_system=world.gp_system,
            category="health",
            kind=kind,
            occurred_at=timezone.now() + dt.timedelta(days=days),
        )
    EventFactory(
        person=world.person,
        source_system=world.gp_system,
        category="health",
        kind="diagnosis",
        occurred_at=timezone.now() - dt.timedelta(days=2),
    )
    body = _body(signed_in.get("/me/appointments/"))
    assert body.index("Community contact") < body.index("GP consultation")
    assert "Diagnosis" not in body


def test_the_care_team_shows_how_to_contact_each_member(signed_in, world):
    body = _body(signed_in.get("/me/care-team/"))
    assert "Pat Professional" in body and "Social worker" in body
    assert "Joinedup Council Adult Social Care" in body and "0300 555 0100" in body


def test_the_direct_payment_balance(signed_in, world):
    today = timezone.localdate()
    package = CarePackage.objects.create(
        person=world.person,
        kind="direct_payment",
        provider="Own personal assistant",
        cost_per_week=Decimal("70.00"),
        start_on=today - dt.timedelta(days=13),
        organisation=world.council,
        created_by=world.social_worker,
        created_at=timezone.now(),
    )
    DirectPayment.objects.create(
        package=package,
        paid_on=today,
        amount=Decimal("100.00"),
        recorded_by=world.social_worker,
        recorded_at=timezone.now(),
    )
    body = _body(signed_in.get("/me/budget/"))
    # 14 days at £10 a day = £140 to date; £100 paid; £40 still to be paid.
    assert "£140.00" in body and "£100.00" in body and "£40.00" in body


@dataclass
class BreakGlassScene:
    organisation: Organisation
    gp: User
    ig_lead: User


@pytest.fixture
def break_glass_access(world) -> BreakGlassScene:
    """A GP at a walk-in centre with no relationship opens Margaret's record with
    emergency access; the centre has an IG lead."""
    centre = OrganisationFactory(
        code="WIC", name="Town Walk-in Centre", type="community_trust"
    )
    gp = professional(Role.GP, centre, username="wic-gp", first_name="Gus")
    break_glass_start(
        actor=actor_for(gp),
        person_id=world.person.pk,
        reason="vital_interests",
        justification="Collapsed in the waiting room",
    )
    person_access_open(
        actor=actor_for(gp), person_id=world.person.pk, action="view_record"
    )
    ig_lead = professional(Role.IG_LEAD, centre, username="wic-ig", first_name="Ida")
    return BreakGlassScene(centre, gp, ig_lead)


def test_who_has_seen_my_record_marks_break_glass_and_hides_names(
    signed_in, world, break_glass_access
):
    person_access_open(
        actor=actor_for(world.social_worker),
        person_id=world.person.pk,
        action="view_record",
    )
    response = signed_in.get("/me/who-has-seen-my-record/")
    body = _body(response)
    assert "GP, Town Walk-in Centre" in body
    assert "Joinedup Council Adult Social Care" in body and "Social worker" in body
    assert body.count('data-testid="break-glass"') == 2  # the start and the read
    assert "Gus" not in body and "Pat" not in body  # names only if policy says
    # The person's own views are not listed; the report itself is audited.
    assert "The person" not in body
    assert AuditEntry.objects.order_by("-seq").first().action == "portal_accesses"


def test_staff_names_are_shown_where_local_policy_says_so(
    signed_in, world, settings, break_glass_access
):
    settings.JOINEDUP_PORTAL_SHOW_STAFF_NAMES = True
    body = _body(signed_in.get("/me/who-has-seen-my-record/"))
    assert "Gus Professional, GP, Town Walk-in Centre" in body


def test_asking_about_an_access_gives_the_ig_lead_a_task(
    signed_in, world, break_glass_access
):
    ig_lead = break_glass_access.ig_lead
    entry = AuditEntry.objects.filter(
        person=world.person, action="break_glass_start"
    ).get()
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = signed_in.post(f"/me/who-has-seen-my-record/{entry.seq}/ask/")
    assert response.status_code == 302
    task = Task.objects.get(source_ref=f"audit:{entry.seq}")
    assert task.assignee_user == ig_lead
    assert task.assignee_organisation == break_glass_access.organisation
    assert "break-glass" in task.detail and "Margaret" not in task.title
    assert Notification.objects.filter(user=ig_lead).count() == 1
    assert AccessQuestion.objects.get().asked_by == "person"
    assert AuditEntry.objects.filter(
        action="portal_ask_ig_lead", role="person"
    ).exists()
    page = _body(signed_in.get("/me/who-has-seen-my-record/?asked=1"))
    assert "information governance lead to explain" in page

    # Once per access.
    again = signed_in.post(f"/me/who-has-seen-my-record/{entry.seq}/ask/")
    assert again.status_code == 400 and "already asked" in _body(again)
    assert Task.objects.filter(source_ref=f"audit:{entry.seq}").count() == 1


def test_asking_about_someone_elses_access_is_refused(signed_in, world):
    # The GP tried to open the stranger's record (refused, audited).
    with pytest.raises(AccessRefused):
        person_access_open(
            actor=actor_for(world.gp), person_id=world.stranger.pk, action="view_record"
        )
    other = AuditEntry.objects.get(person=world.stranger)
    response = signed_in.post(f"/me/who-has-seen-my-record/{other.seq}/ask/")
    assert response.status_code == 404
    assert not AccessQuestion.objects.exists()


def test_an_organisation_without_an_ig_lead_is_named_with_its_phone(signed_in, world):
    person_access_open(
        actor=actor_for(world.social_worker),
        person_id=world.person.pk,
        action="view_record",
    )
    entry = AuditEntry.objects.filter(person=world.person, role="social_worker").first()
    response = signed_in.post(f"/me/who-has-seen-my-record/{entry.seq}/ask/")
    assert response.status_code == 400
    assert "has no information governance lead" in _body(response)
    assert "0300 555 0100" in _body(response)
    assert not AccessQuestion.objects.exists()


def test_an_objection_made_online_limits_that_organisation_to_its_own_records(
    signed_in, world
):
    own = EventFactory(
        person=world.person,
        source_system=world.council_system,
        category="health",
        summary="Council's own health note",
    )
    partner = EventFactory(
        person=world.person,
        source_system=world.pas,
        category="health",
        summary="Hospital health note",
    )
    sw = actor_for(world.social_worker)
    before = person_access_open(actor=sw, person_id=world.person.pk, action="t")
    assert before.decisions["health"].scope == "all"

    response = signed_in.post(
        "/me/sharing/",
        {"decision": "objection", "category": "health", "organisation": "JU-ASC"},
    )
    assert response.status_code == 302
    record = ConsentRecord.objects.get()
    assert record.method == "online" and record.recorded_by is None
    page = _body(signed_in.get("/me/sharing/?saved=1"))
    assert "Objects to sharing" in page and "made online" in page

    after = person_access_open(actor=sw, person_id=world.person.pk, action="t")
    assert after.decisions["health"].scope == "own_organisation"
    page = timeline_page(access=after, filters=TimelineFilters())
    shown = {e.summary for e in page.object_list}
    assert own.summary in shown and partner.summary not in shown
    # Another organisation is not affected.
    gp = person_access_open(
        actor=actor_for(world.gp), person_id=world.person.pk, action="t"
    )
    assert gp.decisions["health"].scope == "all"
    # Changing one's mind: the newest choice is in force.
    signed_in.post(
        "/me/sharing/",
        {"decision": "consent", "category": "health", "organisation": "JU-ASC"},
    )
    again = person_access_open(actor=sw, person_id=world.person.pk, action="t")
    assert again.decisions["health"].scope == "all"


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"category": "health", "organisation": "JU-ASC"}, "decision"),
        ({"decision": "objection", "category": "gossip"}, "category"),
        ({"decision": "objection", "organisation": "NOPE"}, "organisation"),
    ],
)
def test_a_bad_sharing_choice_names_the_field_and_saves_nothing(
    signed_in, world, form, field
):
    response = signed_in.post("/me/sharing/", form)
    assert response.status_code == 400
    assert f'href="#{field}"' in response.content.decode()
    assert not ConsentRecord.objects.exists()


def test_a_proxy_does_not_see_sealed_categories_in_the_sharing_choices(client, world):
    OrganisationFactory(code="X1", name="Extra Org")
    authority = proxy_make(world.person, recorded_by=world.social_worker)
    proxy_sign_in(client, authority)
    body = _body(client.get("/me/sharing/"))
    assert 'value="health"' in body
    assert 'value="safeguarding"' not in body and 'value="sexual_health"' not in body
    # Nor can a proxy change how they are shared.
    response = client.post(
        "/me/sharing/", {"decision": "objection", "category": "safeguarding"}
    )
    assert (
        response.status_code == 400 and 'href="#category"' in response.content.decode()
    )
    assert not ConsentRecord.objects.exists()
