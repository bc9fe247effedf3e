"""MDT meetings: scheduling by the coordinator, the list of people proposed
(referrals, delays, case finding; only people the coordinator may see),
discussion and decisions, actions as tasks in two organisations, closing, and
minutes as PDF and DOCX with an audit entry per person."""

from __future__ import annotations

import datetime as dt
import html
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from joinedup.coordination.models import (
    MdtItem,
    MeetingStatus,
    Task,
    TaskSource,
)
from joinedup.coordination.selectors.mdt import mdt_candidates, mdt_minutes
from joinedup.coordination.services import referral_accept, referral_send
from joinedup.coordination.services.mdt import (
    mdt_action_add,
    mdt_attendee_add,
    mdt_item_add,
    mdt_item_record,
    mdt_meeting_close,
    mdt_meeting_schedule,
)
from joinedup.discharge.models import HospitalStay, Readiness
from joinedup.errors import AccessRefused, Conflict, InvalidInput
from joinedup.governance.models import AuditEntry
from tests.coordination.coordb_helpers import login, partners_make, team_actor
from tests.factories import PersonFactory, care_team_add, involve

pytestmark = pytest.mark.django_db


@pytest.fixture
def partners(world):
    return partners_make(world)


@pytest.fixture
def referred(world, partners):
    """Margaret referred to the nursing team, accepted by Nia (who joins her
    care team)."""
    referral = referral_send(
        actor=team_actor(world.social_worker),
        person_id=world.person.pk,
        referral_type="community_nursing",
        urgency="routine",
        reason="Wound care",
        consent_basis="consent",
        to_team_id=partners.nursing.pk,
    )
    return referral


def _meeting(partners, **overrides):
    kwargs = {
        "actor": team_actor(partners.coordinator),
        "team_id": partners.nursing.pk,
        "title": "Neighbourhood MDT",
        "starts_at": timezone.now() + dt.timedelta(days=1),
        "place": "Riverside Surgery, room 2",
    }
    kwargs.update(overrides)
    return mdt_meeting_schedule(**kwargs)


def test_only_a_coordinator_schedules_and_bad_input_names_the_field(world, partners):
    with pytest.raises(AccessRefused):
        _meeting(partners, actor=team_actor(partners.nurse))
    for overrides, field in [
        ({"team_id": None}, "team"),
        ({"starts_at": None}, "starts_at"),
        ({"place": "", "link": ""}, "place"),
        ({"link": "http://insecure.example.org"}, "link"),
    ]:
        with pytest.raises(InvalidInput) as exc:
            _meeting(partners, **overrides)
        assert field in exc.value.fields
    meeting = _meeting(partners, place="", link="https://meet.example.org/mdt")
    assert meeting.attendees.get().user_id == partners.coordinator.pk


def test_the_list_proposes_referrals_delays_and_case_finding_the_coordinator_sees(
    world, partners, referred
):
    meeting = _meeting(partners)
    coordinator = team_actor(partners.coordinator)
    delayed = PersonFactory(family_name="Delayed")
    involve(delayed, world.hospital)
    care_team_add(delayed, partners.coordinator, partners.trust, "mdt_coordinator")
    stay = HospitalStay.objects.create(
        person=delayed,
        organisation=world.hospital,
        source_system=world.pas,
        admission_source_id="V1",
        admitted_at=timezone.now() - dt.timedelta(days=10),
    )
    Readiness.objects.create(
        stay=stay,
        ready_on=timezone.localdate() - dt.timedelta(days=3),
        clinical_agreed=True,
        mdt_agreed=True,
        expected_pathway="1",
        recorded_by=world.discharge_coordinator,
        recorded_at=timezone.now(),
    )
    found = PersonFactory(family_name="Casefound")
    hidden = PersonFactory(family_name="Hiddenperson")
    now = timezone.now()
    for person, team, user in (
        (found, partners.nursing, None),
        (hidden, None, partners.nurse),  # Nia's own: not the coordinator's
    ):
        if user is not None:
            care_team_add(person, user, partners.trust, "community_matron")
        Task.objects.create(
            person=person,
            title="Case finding: proactive care",
            source=TaskSource.CASE_FINDING,
            assignee_organisation=partners.trust,
            assignee_team=team,
            assignee_user=user,
            created_at=now,
            updated_at=now,
        )
    candidates = mdt_candidates(actor=coordinator, meeting=meeting)
    names = {c.person.family_name: c.source for c in candidates}
    assert names == {
        "Thornton": "referral",
        "Delayed": "discharge_delay",
        "Casefound": "case_finding",
    }
    mdt_item_add(
        actor=coordinator,
        meeting_id=meeting.pk,
        person_id=world.person.pk,
        source="referral",
        source_ref=str(referred.pk),
    )
    again = mdt_candidates(actor=coordinator, meeting=meeting)
    assert "Thornton" not in {c.person.family_name for c in again}
    with pytest.raises(Conflict):
        mdt_item_add(
            actor=coordinator, meeting_id=meeting.pk, person_id=world.person.pk
        )
    with pytest.raises(AccessRefused):
        mdt_item_add(
            actor=coordinator, meeting_id=meeting.pk, person_id=world.stranger.pk
        )


def test_decisions_and_actions_land_on_two_organisations_lists(
    world, partners, referred
):
    # The coordinator is in Margaret's care team (the team's task passes to Nia
    # once she accepts, and with it the team's relationship).
    care_team_add(world.person, partners.coordinator, partners.trust, "mdt_coordinator")
    nurse = team_actor(partners.nurse)
    referral_accept(
        actor=nurse, referral_id=referred.pk, assign_user_id=partners.nurse.pk
    )
    coordinator = team_actor(partners.coordinator)
    meeting = _meeting(partners)
    sw_membership = world.social_worker.memberships.get()
    mdt_attendee_add(
        actor=coordinator, meeting_id=meeting.pk, membership_id=sw_membership.pk
    )
    item = mdt_item_add(
        actor=coordinator, meeting_id=meeting.pk, person_id=world.person.pk
    )
    with pytest.raises(InvalidInput) as exc:
        mdt_item_record(
            actor=coordinator, item_id=item.pk, discussion="", decisions=" "
        )
    assert "discussion" in exc.value.fields
    mdt_item_record(
        actor=coordinator,
        item_id=item.pk,
        discussion="Ulcer healing slowly; carer exhausted",
        decisions="Increase visits; carer's assessment",
    )
    nursing_action = mdt_action_add(
        actor=coordinator,
        item_id=item.pk,
        title="Visit twice weekly",
        assignee_user_id=partners.nurse.pk,
    )
    council_action = mdt_action_add(
        actor=coordinator,
        item_id=item.pk,
        title="Carer's assessment",
        assignee_user_id=world.social_worker.pk,
        due_on=timezone.localdate() + dt.timedelta(days=14),
    )
    assert nursing_action.assignee_organisation_id == partners.trust.pk
    assert council_action.assignee_organisation_id == world.council.pk
    assert {t.source for t in (nursing_action, council_action)} == {"mdt_action"}
    # An owner outside the care team: a clear error, no task.
    with pytest.raises(InvalidInput) as exc:
        mdt_action_add(
            actor=coordinator,
            item_id=item.pk,
            title="Review",
            assignee_user_id=world.gp.pk,
        )
    assert "care team" in exc.value.fields["assignee_user"]
    with pytest.raises(InvalidInput) as exc:
        mdt_action_add(actor=coordinator, item_id=item.pk, title="Review")
    assert "assignee" in exc.value.fields
    assert Task.objects.filter(source="mdt_action").count() == 2

    mdt_meeting_close(actor=coordinator, meeting_id=meeting.pk)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CLOSED
    with pytest.raises(Conflict):
        mdt_item_record(
            actor=coordinator, item_id=item.pk, discussion="x", decisions=""
        )
    # The social worker, an attendee, was told the minutes are ready.
    assert world.social_worker.notifications.filter(kind="mdt").exists()


def test_minutes_export_as_pdf_and_docx_and_each_read_is_audited(
    client, world, partners, referred
):
    from docx import Document

    coordinator = team_actor(partners.coordinator)
    meeting = _meeting(partners)
    item = mdt_item_add(
        actor=coordinator, meeting_id=meeting.pk, person_id=world.person.pk
    )
    mdt_item_record(
        actor=coordinator,
        item_id=item.pk,
        discussion="Ulcer healing \u2013 slowly",
        decisions="Increase visits",
    )
    login(client, partners.coordinator)
    before = AuditEntry.objects.filter(action="export_mdt_minutes").count()
    pdf = client.get(reverse("mdt_minutes", args=[meeting.pk, "pdf"]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    docx = client.get(reverse("mdt_minutes", args=[meeting.pk, "docx"]))
    assert docx.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert "Margaret Thornton" in text.replace("THORNTON", "Thornton") or (
        "Thornton" in text
    )
    assert "Increase visits" in text
    after = AuditEntry.objects.filter(
        action="export_mdt_minutes", person_id=world.person.pk
    ).count()
    assert after == before + 2
    assert (
        client.get(reverse("mdt_minutes", args=[meeting.pk, "txt"])).status_code == 404
    )


def test_people_a_reader_cannot_see_are_left_out_of_the_minutes(
    world, partners, referred
):
    coordinator = team_actor(partners.coordinator)
    meeting = _meeting(partners)
    mdt_item_add(actor=coordinator, meeting_id=meeting.pk, person_id=world.person.pk)
    # The GP attends but has no relationship with Margaret in this fixture
    # other than registration; a stranger to her (an ICB nurse) sees no name.
    outsider = partners.nurse2
    outsider.memberships.update(team=None, organisation=world.icb)
    gp_membership = outsider.memberships.get()
    mdt_attendee_add(
        actor=coordinator, meeting_id=meeting.pk, membership_id=gp_membership.pk
    )
    minutes = mdt_minutes(actor=team_actor(outsider), meeting_id=meeting.pk)
    assert [row.visible for row in minutes.items] == [False]
    assert not AuditEntry.objects.filter(
        actor_id=outsider.pk, person_id=world.person.pk
    ).exists()


def test_meeting_pages(client, world, partners, referred):
    login(client, partners.coordinator)
    response = client.post(
        reverse("mdt_meeting_new"),
        {
            "team": partners.nursing.pk,
            "starts_on": "",
            "starts_time": "10:00",
            "place": "Hub",
        },
    )
    assert response.status_code == 400
    assert "enter a date" in html.unescape(response.content.decode())
    response = client.post(
        reverse("mdt_meeting_new"),
        {
            "team": partners.nursing.pk,
            "starts_on": (timezone.localdate() + dt.timedelta(days=2)).strftime(
                "%d/%m/%Y"
            ),
            "starts_time": "10:00",
            "place": "Hub",
        },
    )
    assert response.status_code == 302
    meeting_url = response["Location"]
    page = html.unescape(client.get(meeting_url).content.decode())
    assert "Referral: community nursing" in page  # proposed
    meeting_id = int(meeting_url.rstrip("/").split("/")[-1])
    client.post(
        reverse("mdt_item_add", args=[meeting_id]),
        {"candidate": f"referral:{world.person.pk}:{referred.pk}"},
    )
    item = MdtItem.objects.get()
    item_url = reverse("mdt_item", args=[meeting_id, item.pk])
    response = client.post(
        reverse("mdt_action_add", args=[meeting_id, item.pk]),
        {"title": "Visit", "assignee": f"user:{world.gp.pk}"},
    )
    assert response.status_code == 400
    assert "is not in this person's care team" in html.unescape(
        response.content.decode()
    )
    client.post(item_url, {"discussion": "Talked", "decisions": "Visit weekly"})
    assert "Visit weekly" in client.get(meeting_url).content.decode()
    # Someone with no part in the meeting cannot open it.
    client.logout()
    login(client, world.gp)
    assert client.get(meeting_url).status_code == 403
