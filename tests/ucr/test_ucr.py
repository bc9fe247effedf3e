"""Urgent community response: the 2-hour clock from when a referral is received,
the team's queue with time left, contact, clinical reason and outcome, admission
within 48 hours from hospital stays, the top risk level flagged, the dashboard's
counts; and virtual ward places counted like beds in the sitrep."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from joinedup.coordination.models import Task, TaskStatus
from joinedup.discharge.models import HospitalStay, StaySetting, VirtualWard
from joinedup.discharge.services import stays_sync
from joinedup.discharge.sitrep import sitrep_get
from joinedup.discharge.virtual_ward import virtual_ward_admit, virtual_ward_discharge
from joinedup.errors import AccessRefused, Conflict, InvalidInput
from joinedup.governance.access import decide
from joinedup.governance.models import OrganisationType, Role, Team
from joinedup.population.models import PersonRisk, Refresh
from joinedup.ucr import rules
from joinedup.ucr.dashboard import ucr_dashboard
from joinedup.ucr.models import UcrReferral
from joinedup.ucr.selectors import admitted_within_48h, ucr_queue
from joinedup.ucr.services import (
    ucr_contact_record,
    ucr_outcome_record,
    ucr_referral_receive,
)
from tests.conftest import actor_for
from tests.coordination.coordb_helpers import team_actor
from tests.factories import OrganisationFactory, professional

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(world):
    trust = OrganisationFactory(
        code="RJC",
        name="Joinedup Community Health",
        type=OrganisationType.COMMUNITY_TRUST,
    )
    ucr = Team.objects.create(organisation=trust, name="Urgent community response")
    matron = professional(Role.COMMUNITY_MATRON, trust, username="ucrmatron")
    matron.memberships.update(team=ucr)
    dc = professional(Role.DISCHARGE_COORDINATOR, trust, username="vwdc")
    return trust, ucr, matron, dc


def _receive(matron, person, minutes_ago=0, source="nhs_111"):
    return ucr_referral_receive(
        actor=team_actor(matron),
        person_id=person.pk,
        source=source,
        reason="Fall at home, cannot get up, no injury seen",
        received_at=timezone.now() - dt.timedelta(minutes=minutes_ago),
    )


def test_the_clock_is_two_hours_from_receipt():
    received = dt.datetime(2026, 3, 2, 9, 15, tzinfo=dt.UTC)
    assert rules.due_at(received) == dt.datetime(2026, 3, 2, 11, 15, tzinfo=dt.UTC)
    now = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
    assert rules.minutes_left(rules.due_at(received), now) == 75
    assert rules.clock_label(rules.due_at(received), now) == "1 h 15 min left"
    late = dt.datetime(2026, 3, 2, 11, 40, tzinfo=dt.UTC)
    assert rules.clock_label(rules.due_at(received), late) == "Overdue by 0 h 25 min"
    assert rules.admitted_within(received, [received + dt.timedelta(hours=47)])
    assert not rules.admitted_within(received, [received + dt.timedelta(hours=49)])


def test_a_referral_from_111_is_the_teams_task_and_shows_in_the_queue(world, team):
    _, ucr, matron, _ = team
    referral = _receive(matron, world.stranger, minutes_ago=30)
    assert referral.task.assignee_team_id == ucr.pk
    assert decide(team_actor(matron), world.stranger, "read", "health").allowed
    rows = ucr_queue(actor=team_actor(matron))
    assert [r.referral.pk for r in rows] == [referral.pk]
    assert 88 <= rows[0].minutes_left <= 90


def test_bad_input_names_the_field_and_saves_nothing(world, team):
    _, _, matron, _ = team
    for kwargs, field in (
        ({"source": "police"}, "source"),
        ({"reason": "  "}, "reason"),
        ({"received_at": timezone.now() + dt.timedelta(hours=1)}, "received_at"),
    ):
        args = {
            "actor": team_actor(matron),
            "person_id": world.person.pk,
            "source": "gp",
            "reason": "Confused since this morning",
            **kwargs,
        }
        with pytest.raises(InvalidInput) as caught:
            ucr_referral_receive(**args)
        assert field in caught.value.fields
    assert not UcrReferral.objects.exists()
    assert not Task.objects.filter(source="urgent_community_response").exists()


def test_a_gp_sends_to_the_community_team(world, team):
    _, ucr, _, _ = team
    referral = ucr_referral_receive(
        actor=actor_for(world.gp),
        person_id=world.person.pk,
        source="gp",
        reason="Urgent catheter problem",
        team_id=ucr.pk,
    )
    assert referral.organisation_id == ucr.organisation_id
    with pytest.raises(AccessRefused):
        ucr_referral_receive(
            actor=actor_for(world.social_worker),
            person_id=world.person.pk,
            source="gp",
            reason="x",
            team_id=ucr.pk,
        )


def test_contact_then_outcome_closes_the_task(world, team):
    _, _, matron, _ = team
    actor = team_actor(matron)
    referral = _receive(matron, world.stranger, minutes_ago=50)
    with pytest.raises(InvalidInput) as caught:
        ucr_outcome_record(
            actor=actor,
            referral_id=referral.pk,
            clinical_reason="falls",
            outcome="remained_at_home",
        )
    assert "contact_at" in caught.value.fields
    ucr_contact_record(actor=actor, referral_id=referral.pk)
    with pytest.raises(Conflict):
        ucr_contact_record(actor=actor, referral_id=referral.pk)
    with pytest.raises(InvalidInput) as caught:
        ucr_outcome_record(
            actor=actor,
            referral_id=referral.pk,
            clinical_reason="flu",
            outcome="conveyed",
        )
    assert "clinical_reason" in caught.value.fields
    ucr_outcome_record(
        actor=actor,
        referral_id=referral.pk,
        clinical_reason="falls",
        outcome="remained_at_home",
    )
    referral.refresh_from_db()
    assert referral.within_two_hours is True
    assert Task.objects.get(pk=referral.task_id).status == TaskStatus.COMPLETED
    assert ucr_queue(actor=actor) == []


def test_other_teams_cannot_record(world, team):
    _, _, matron, _ = team
    referral = _receive(matron, world.stranger)
    with pytest.raises(AccessRefused):
        ucr_contact_record(actor=actor_for(world.gp), referral_id=referral.pk)


def test_admission_within_48_hours_comes_from_hospital_stays(world, team):
    _, _, matron, _ = team
    referral = _receive(matron, world.person, minutes_ago=60)
    assert not admitted_within_48h(referral)
    HospitalStay.objects.create(
        person=world.person,
        organisation=world.hospital,
        source_system=world.pas,
        admission_source_id="V1",
        site="RJU01",
        admitted_at=timezone.now(),
    )
    assert admitted_within_48h(referral)


def test_the_top_risk_level_is_flagged(world, team):
    _, _, matron, _ = team
    refresh = Refresh.objects.create(
        status="complete", is_current=True, started_at=timezone.now()
    )
    PersonRisk.objects.create(
        refresh=refresh,
        person=world.stranger,
        age=85,
        efi_score=0.4,
        efi_category="severe",
        risk=0.6,
        level=3,
        rank=1,
    )
    assert _receive(matron, world.stranger).top_risk is True
    assert _receive(matron, world.person).top_risk is False


def test_the_dashboard_counts_reached_within_two_hours_and_admissions_avoided(
    world, team
):
    _, _, matron, _ = team
    actor = team_actor(matron)
    seen = _receive(matron, world.stranger, minutes_ago=30)
    ucr_contact_record(actor=actor, referral_id=seen.pk)
    ucr_outcome_record(
        actor=actor,
        referral_id=seen.pk,
        clinical_reason="falls",
        outcome="remained_at_home",
    )
    late = _receive(matron, world.person, minutes_ago=180)  # 3 hours, not reached
    board = ucr_dashboard(actor=actor, days=7)
    today = board.days[-1]
    if timezone.localdate(late.received_at) == today.day:
        assert (today.referrals, today.due, today.within_2h) == (2, 2, 1)
    assert board.within_2h == 1 and board.due == 2 and board.share == "50%"
    assert board.avoided == 1
    assert board.share_chart.points[-1].value in (50.0, 100.0)
    with pytest.raises(AccessRefused):
        ucr_dashboard(actor=actor_for(world.gp))


def test_virtual_ward_places_count_like_beds_in_the_sitrep(world, team):
    trust, _, matron, dc = team
    ward = VirtualWard.objects.create(
        organisation=trust, site="VW01", name="Frailty virtual ward", beds=1
    )
    matron_actor = team_actor(matron)
    referral = _receive(matron, world.stranger)
    assert referral.pk
    stay = virtual_ward_admit(
        actor=matron_actor,
        person_id=world.stranger.pk,
        ward_id=ward.pk,
        method="step_up",
    )
    assert stay.setting == StaySetting.VIRTUAL_WARD
    second = _receive(matron, world.person)
    assert second.pk
    with pytest.raises(Conflict) as caught:
        virtual_ward_admit(
            actor=matron_actor,
            person_id=world.person.pk,
            ward_id=ward.pk,
            method="step_up",
        )
    assert "ward" in caught.value.fields  # full
    stays_sync(person_ids=[world.stranger.pk])  # ADT rebuild keeps the place
    assert HospitalStay.objects.filter(pk=stay.pk).exists()
    figures = sitrep_get(actor=actor_for(dc), site="VW01", day=timezone.localdate())
    assert figures["virtual_ward"]["beds"] == 1
    assert figures["virtual_ward"]["occupied"] == 1
    assert figures["virtual_ward"]["admitted"] == 1
    virtual_ward_discharge(actor=matron_actor, stay_id=stay.pk, pathway="0")
    figures = sitrep_get(actor=actor_for(dc), site="VW01", day=timezone.localdate())
    assert figures["virtual_ward"]["occupied"] == 0
    with pytest.raises(InvalidInput):
        virtual_ward_discharge(actor=matron_actor, stay_id=stay.pk, pathway="7")
    # A virtual ward stay's admission does not count as a hospital admission.
    assert not admitted_within_48h(referral)
