"""Notifications: rows and emails on commit (none on rollback), the bell's
count, the page, marking read, and tasks telling their holder."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse

from joinedup.coordination.models import Notification
from joinedup.coordination.services import (
    notifications_mark_read,
    notify,
    notify_care_team,
    task_assign,
    task_create,
)
from joinedup.errors import InvalidInput, NotFound
from tests.conftest import actor_for
from tests.coordination.coordb_helpers import login, partners_make, team_actor
from tests.factories import care_team_add

pytestmark = pytest.mark.django_db


@pytest.fixture
def partners(world):
    return partners_make(world)


def test_notify_writes_rows_and_emails_without_personal_data(
    world, django_capture_on_commit_callbacks
):
    world.gp.email = "gp@example.org"
    world.gp.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            user_ids=[world.gp.pk, world.gp.pk],
            kind="referral_new",
            person_id=world.person.pk,
            title="New referral: falls service",
            url="/care/referrals/7/",
        )
    assert Notification.objects.filter(user=world.gp).count() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "JoinedUp: you have a new referral"
    assert "/care/referrals/7/" in message.body
    assert "Thornton" not in message.body + message.subject


def test_nothing_is_sent_when_the_change_rolls_back(
    world, django_capture_on_commit_callbacks
):
    world.gp.email = "gp@example.org"
    world.gp.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                notify(
                    user_ids=[world.gp.pk],
                    kind="task_assigned",
                    person_id=None,
                    title="x",
                    url="/care/tasks/1/",
                )
                raise RuntimeError("the change failed")
        except RuntimeError:
            pass
    assert callbacks == []
    assert mail.outbox == []
    assert not Notification.objects.exists()


def test_bad_notifications_are_refused(world):
    with pytest.raises(InvalidInput):
        notify(user_ids=[1], kind="gossip", person_id=None, title="x", url="/x/")
    with pytest.raises(InvalidInput):
        notify(user_ids=[1], kind="mdt", person_id=None, title="x", url="https://x.org")


def test_care_team_hears_of_plan_changes_except_the_author(world):
    care_team_add(world.person, world.gp, world.practice, "gp")
    notify_care_team(
        person_id=world.person.pk,
        exclude_user_id=world.social_worker.pk,
        kind="plan_changed",
        title="Care plan changed",
        url="/care/",
    )
    assert list(Notification.objects.values_list("user_id", flat=True)) == [world.gp.pk]


def test_a_new_task_and_a_reassignment_tell_the_holder(world, partners):
    care_team_add(world.person, world.gp, world.practice, "gp")
    sw = team_actor(world.social_worker)
    task = task_create(
        actor=sw,
        person_id=world.person.pk,
        title="Review medication",
        assignee_user_id=world.gp.pk,
    )
    assert Notification.objects.filter(user=world.gp, kind="task_assigned").count() == 1
    task_assign(actor=sw, task_id=task.pk, assignee_team_id=partners.nursing.pk)
    told = set(
        Notification.objects.filter(kind="task_assigned").values_list(
            "user_id", flat=True
        )
    )
    assert {partners.nurse.pk, partners.nurse2.pk} <= told
    assert world.social_worker.pk not in told


def test_the_bell_counts_and_the_page_marks_read(client, world):
    login(client, world.gp)
    for n in range(3):
        notify(
            user_ids=[world.gp.pk],
            kind="referral_new",
            person_id=None,
            title=f"New referral {n}",
            url="/care/referrals/",
        )
    home = client.get(reverse("home")).content.decode()
    assert 'data-testid="bell-count">3' in home
    page = client.get(reverse("notifications")).content.decode()
    assert page.count('data-testid="notification"') == 3
    first = Notification.objects.filter(user=world.gp).first()
    response = client.post(reverse("notifications_read"), {"notification": first.pk})
    assert response["Location"] == "/care/referrals/"
    assert 'data-testid="bell-count">2' in client.get(reverse("home")).content.decode()
    client.post(reverse("notifications_read"), {})
    assert (
        'data-testid="bell-count"' not in client.get(reverse("home")).content.decode()
    )


def test_no_one_marks_anothers_notifications(world):
    [row] = notify(
        user_ids=[world.gp.pk], kind="mdt", person_id=None, title="x", url="/x/"
    )
    with pytest.raises(NotFound):
        notifications_mark_read(
            user_id=world.social_worker.pk, notification_ids=[row.pk]
        )
    row.refresh_from_db()
    assert row.read_at is None
    assert actor_for(world.gp).user_id == world.gp.pk
