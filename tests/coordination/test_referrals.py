"""Referrals between agencies: sending (with its checks), the receiving side's
task and relationship, accepting, declining, completing, withdrawing, and the
clock against the response standard."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from joinedup.coordination.models import (
    CareTeamMember,
    Notification,
    Referral,
    ReferralStatus,
    Task,
    TaskSource,
    TaskStatus,
)
from joinedup.coordination.selectors.referrals import (
    referral_clock,
    referrals_incoming,
    referrals_outgoing,
)
from joinedup.coordination.services import (
    referral_accept,
    referral_complete,
    referral_decline,
    referral_send,
    referral_withdraw,
)
from joinedup.coordination.services.referrals import (
    working_days_add,
    working_days_between,
)
from joinedup.errors import AccessRefused, Conflict, InvalidInput
from joinedup.governance.access import decide
from joinedup.governance.models import AccessCategory, AuditEntry, ConsentRecord
from tests.coordination.coordb_helpers import partners_make, team_actor

pytestmark = pytest.mark.django_db


@pytest.fixture
def partners(world):
    return partners_make(world)


def _send(world, partners, **overrides):
    kwargs = {
        "actor": team_actor(world.social_worker),
        "person_id": world.person.pk,
        "referral_type": "community_nursing",
        "urgency": "routine",
        "reason": "Leg ulcer dressings after discharge",
        "consent_basis": "consent",
        "to_team_id": partners.nursing.pk,
    }
    kwargs.update(overrides)
    return referral_send(**kwargs)


def test_working_days_skip_weekends():
    friday = dt.date(2026, 3, 13)
    assert working_days_add(friday, 1) == dt.date(2026, 3, 16)  # Monday
    assert working_days_add(friday, 5) == dt.date(2026, 3, 20)
    assert working_days_between(friday, dt.date(2026, 3, 16)) == 1
    assert working_days_between(dt.date(2026, 3, 16), friday) == -1


def test_sending_gives_the_receiving_team_a_task_and_so_a_relationship(
    world, partners, django_capture_on_commit_callbacks
):
    nurse = team_actor(partners.nurse)
    assert not decide(nurse, world.person, "read", AccessCategory.HEALTH).allowed
    with django_capture_on_commit_callbacks(execute=True):
        referral = _send(world, partners)
    assert referral.status == ReferralStatus.SENT
    task = Task.objects.get(pk=referral.task_id)
    assert task.source == TaskSource.REFERRAL
    assert task.source_ref == str(referral.pk)
    assert task.assignee_team_id == partners.nursing.pk
    assert task.due_on == referral.respond_by
    assert decide(nurse, world.person, "read", AccessCategory.HEALTH).allowed
    # Both nurses in the team (not the sender) are told, in the app and by email
    # that holds no personal data.
    told = set(Notification.objects.values_list("user_id", flat=True))
    assert told == {partners.nurse.pk, partners.nurse2.pk, partners.coordinator.pk}
    assert any(m.to == ["nia@example.org"] for m in mail.outbox)
    for m in mail.outbox:
        assert "Thornton" not in m.body and "Margaret" not in m.body
        assert "Leg ulcer" not in m.body
        assert f"/care/referrals/{referral.pk}/" in m.body


def test_the_response_standard_sets_the_deadline(world, partners):
    referral = _send(world, partners, urgency="urgent")
    sent_on = timezone.localdate(referral.sent_at)
    assert referral.respond_by == working_days_add(sent_on, 1)
    routine = _send(world, partners, referral_type="social_care_assessment")
    assert routine.respond_by == working_days_add(sent_on, 20)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"reason": "   "}, "reason"),
        ({"consent_basis": ""}, "consent_basis"),
        ({"referral_type": "astrology"}, "referral_type"),
        ({"urgency": "whenever"}, "urgency"),
        ({"to_team_id": None}, "to_organisation"),
        ({"to_team_id": 999999}, "to_team"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(
    world, partners, overrides, field
):
    with pytest.raises(InvalidInput) as exc:
        _send(world, partners, **overrides)
    assert field in exc.value.fields
    assert not Referral.objects.exists()
    assert not Task.objects.exists()


def test_a_referral_to_your_own_team_is_refused(world, partners):
    with pytest.raises(InvalidInput) as exc:
        _send(world, partners, to_team_id=partners.council_team.pk)
    assert "own team" in exc.value.fields["to_team"]
    assert not Referral.objects.exists()


def test_an_objection_to_sharing_with_the_receiver_refuses_the_referral(
    world, partners
):
    ConsentRecord.objects.create(
        person=world.person,
        category="health",
        organisation=partners.trust,
        decision="objection",
        method="verbal",
        recorded_by=world.social_worker,
        recorded_at=timezone.now(),
    )
    with pytest.raises(AccessRefused) as exc:
        _send(world, partners)
    assert "objected" in exc.value.detail
    assert partners.trust.name in exc.value.detail
    assert not Referral.objects.exists() and not Task.objects.exists()
    # An objection about another kind of information does not stop it.
    referral = _send(world, partners, referral_type="carers_support")
    assert referral.pk


def test_someone_without_a_relationship_cannot_send(world, partners):
    with pytest.raises(AccessRefused):
        _send(world, partners, person_id=world.stranger.pk)
    assert not Referral.objects.exists()
    refused = AuditEntry.objects.get(action="referral_send")
    assert refused.outcome == "refused" and refused.person_id == world.stranger.pk


def test_accept_assigns_a_professional_who_joins_the_care_team(
    world, partners, django_capture_on_commit_callbacks
):
    referral = _send(world, partners)
    with django_capture_on_commit_callbacks(execute=True):
        accepted = referral_accept(
            actor=team_actor(partners.nurse2),
            referral_id=referral.pk,
            assign_user_id=partners.nurse.pk,
        )
    assert accepted.status == ReferralStatus.ACCEPTED
    assert accepted.assigned_user_id == partners.nurse.pk
    assert CareTeamMember.objects.filter(
        person=world.person, user=partners.nurse, ended_on__isnull=True
    ).exists()
    task = Task.objects.get(pk=referral.task_id)
    assert task.assignee_user_id == partners.nurse.pk
    assert task.status == TaskStatus.IN_PROGRESS
    # The sender hears without chasing; the assignee hears of the task.
    assert Notification.objects.filter(
        user=world.social_worker, kind="referral_update"
    ).exists()
    assert Notification.objects.filter(
        user=partners.nurse, kind="task_assigned"
    ).exists()
    rows = referrals_outgoing(actor=team_actor(world.social_worker))
    assert [(r.pk, r.status) for r in rows] == [(referral.pk, "accepted")]


def test_accepting_twice_is_a_conflict(world, partners):
    referral = _send(world, partners)
    referral_accept(actor=team_actor(partners.nurse), referral_id=referral.pk)
    with pytest.raises(Conflict) as exc:
        referral_accept(actor=team_actor(partners.nurse2), referral_id=referral.pk)
    assert "already accepted" in exc.value.detail


def test_only_the_receiving_team_responds(world, partners):
    referral = _send(world, partners)
    with pytest.raises(AccessRefused):
        referral_accept(actor=team_actor(world.gp), referral_id=referral.pk)
    with pytest.raises(AccessRefused):
        referral_accept(actor=team_actor(world.social_worker), referral_id=referral.pk)
    assert Referral.objects.get().status == ReferralStatus.SENT


def test_assigning_someone_outside_the_receiving_team_is_refused(world, partners):
    referral = _send(world, partners)
    with pytest.raises(InvalidInput) as exc:
        referral_accept(
            actor=team_actor(partners.nurse),
            referral_id=referral.pk,
            assign_user_id=world.gp.pk,
        )
    assert "assign_user" in exc.value.fields
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT
    assert not CareTeamMember.objects.filter(user=world.gp).exists()


def test_decline_needs_a_reason_and_ends_the_relationship(world, partners):
    referral = _send(world, partners)
    nurse = team_actor(partners.nurse)
    with pytest.raises(InvalidInput) as exc:
        referral_decline(actor=nurse, referral_id=referral.pk, reason=" ")
    assert "decline_reason" in exc.value.fields
    referral_decline(
        actor=nurse, referral_id=referral.pk, reason="Not housebound: use clinic"
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DECLINED
    assert Task.objects.get(pk=referral.task_id).status == TaskStatus.CANCELLED
    assert not decide(nurse, world.person, "read", AccessCategory.HEALTH).allowed
    with pytest.raises(Conflict):
        referral_accept(actor=nurse, referral_id=referral.pk)


def test_complete_after_accept(world, partners):
    referral = _send(world, partners)
    nurse = team_actor(partners.nurse)
    with pytest.raises(Conflict):
        referral_complete(actor=nurse, referral_id=referral.pk)
    referral_accept(actor=nurse, referral_id=referral.pk)
    referral_complete(actor=nurse, referral_id=referral.pk, outcome="Healed")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.COMPLETED
    assert Task.objects.get(pk=referral.task_id).status == TaskStatus.COMPLETED


def test_the_sender_withdraws(world, partners):
    referral = _send(world, partners)
    with pytest.raises(AccessRefused):
        referral_withdraw(
            actor=team_actor(partners.nurse), referral_id=referral.pk, reason="x"
        )
    referral_withdraw(
        actor=team_actor(world.social_worker),
        referral_id=referral.pk,
        reason="Admitted again",
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.WITHDRAWN
    assert Task.objects.get(pk=referral.task_id).status == TaskStatus.CANCELLED


def test_the_clock_shows_due_overdue_and_responded(world, partners):
    referral = _send(world, partners, urgency="urgent")
    due = referral.respond_by
    assert referral_clock(referral, due).label == "Response due today"
    late = working_days_add(due, 2)
    clock = referral_clock(referral, late)
    assert clock.state == "overdue" and clock.label == "Overdue by 2 working days"
    referral_accept(actor=team_actor(partners.nurse), referral_id=referral.pk)
    referral.refresh_from_db()
    assert referral_clock(referral, late).state == "responded"


def test_incoming_lists_the_teams_referrals_with_clocks(world, partners):
    referral = _send(world, partners)
    rows = referrals_incoming(actor=team_actor(partners.nurse))
    assert [r.pk for r in rows] == [referral.pk]
    assert rows[0].clock.state == "due"
    assert referrals_incoming(actor=team_actor(world.gp)) == []
