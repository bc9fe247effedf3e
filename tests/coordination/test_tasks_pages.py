"""Task pages: my tasks, my team's tasks, overdue, filters; acting on a task;
a fixed number of queries however many tasks there are."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from joinedup.coordination.models import Task, TaskStatus
from joinedup.coordination.services import task_create
from joinedup.governance.models import Role
from tests.coordination.coordb_helpers import login, partners_make, team_actor
from tests.factories import PersonFactory, care_team_add, involve, professional

pytestmark = pytest.mark.django_db


@pytest.fixture
def partners(world):
    return partners_make(world)


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _task(world, person, title, *, user=None, team=None, due_on=None, source="manual"):
    now = timezone.now()
    return Task.objects.create(
        person=person,
        title=title,
        source=source,
        assignee_organisation=team.organisation if team else world.council,
        assignee_team=team,
        assignee_user=user,
        due_on=due_on,
        created_at=now,
        updated_at=now,
    )


def test_my_team_and_overdue_views(client, world, partners):
    today = timezone.localdate()
    sw = world.social_worker
    _task(world, world.person, "Mine on time", user=sw, due_on=today)
    _task(world, world.person, "Mine late", user=sw, due_on=today - dt.timedelta(2))
    _task(world, world.person, "Team task", team=partners.council_team)
    other_team = _task(world, world.person, "Nursing task", team=partners.nursing)
    login(client, sw)
    mine = _text(client.get(reverse("tasks")))
    assert "Mine on time" in mine and "Mine late" in mine
    assert "Team task" not in mine and "Nursing task" not in mine
    assert "Overdue" in mine
    team = _text(client.get(reverse("tasks"), {"view": "team"}))
    assert "Team task" in team and "Mine on time" not in team
    assert other_team.title not in team
    overdue = _text(client.get(reverse("tasks"), {"view": "overdue"}))
    assert "Mine late" in overdue and "Mine on time" not in overdue


def test_filters_and_bad_filters(client, world, partners):
    sw = world.social_worker
    _task(world, world.person, "From a referral", user=sw, source="referral")
    _task(world, world.person, "By hand", user=sw)
    login(client, sw)
    body = _text(client.get(reverse("tasks"), {"source": "referral"}))
    assert "From a referral" in body and "By hand" not in body
    response = client.get(reverse("tasks"), {"status": "sideways"})
    assert response.status_code == 400
    assert "choose one of" in _text(response)


def test_team_tasks_hide_people_the_actor_cannot_see(client, world, partners):
    # A colleague's own task is their relationship with the person, not ours.
    colleague = professional(Role.SOCIAL_WORKER, world.council, username="sw2")
    colleague.memberships.update(team=partners.council_team)
    _task(
        world,
        world.stranger,
        "Stranger's task",
        user=colleague,
        team=partners.council_team,
    )
    _task(
        world, world.person, "Visible task", user=colleague, team=partners.council_team
    )
    login(client, world.social_worker)
    body = _text(client.get(reverse("tasks"), {"view": "team"}))
    assert "Thornbury" not in body and "Stranger's task" not in body
    assert "A person not in your records" in body
    assert "Visible task" in body


def test_start_reassign_complete_and_cancel(client, world, partners):
    care_team_add(world.person, world.gp, world.practice, "gp")
    sw = world.social_worker
    task = task_create(
        actor=team_actor(sw),
        person_id=world.person.pk,
        title="Check the hoist",
        assignee_user_id=sw.pk,
    )
    login(client, sw)
    url = reverse("task_detail", args=[task.pk])
    assert "Check the hoist" in _text(client.get(url))
    client.post(reverse("task_start", args=[task.pk]))
    task.refresh_from_db()
    assert task.status == TaskStatus.IN_PROGRESS
    response = client.post(
        reverse("task_reassign", args=[task.pk]),
        {"assignee": f"user:{partners.nurse.pk}"},
    )
    assert response.status_code == 400
    assert "is not in this person's care team" in _text(response)
    client.post(
        reverse("task_reassign", args=[task.pk]), {"assignee": f"user:{world.gp.pk}"}
    )
    task.refresh_from_db()
    assert task.assignee_user_id == world.gp.pk
    response = client.post(reverse("task_cancel", args=[task.pk]), {"reason": ""})
    assert response.status_code == 400
    assert "say why the task is no longer needed" in _text(response)
    client.post(reverse("task_complete", args=[task.pk]), {"outcome": "Done"})
    task.refresh_from_db()
    assert task.status == TaskStatus.COMPLETED
    response = client.post(reverse("task_complete", args=[task.pk]))
    assert response.status_code == 409


def _queries(client, url, params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("view", ["mine", "team", "overdue"])
def test_task_lists_cost_a_fixed_number_of_queries(client, world, partners, view):
    sw = world.social_worker
    yesterday = timezone.localdate() - dt.timedelta(days=1)

    def add(n):
        for _ in range(n):
            p = PersonFactory()
            involve(p, world.council, "social_care_client")
            care_team_add(p, sw, world.council, "social_worker")
            _task(world, p, "A", user=sw, due_on=yesterday)
            _task(world, p, "B", team=partners.council_team, due_on=yesterday)

    add(2)
    login(client, sw)
    url = reverse("tasks")
    _queries(client, url, {"view": view})  # the audit chain's first entry
    few = _queries(client, url, {"view": view})
    add(20)
    many = _queries(client, url, {"view": view})
    assert many == few
    assert many <= 16


def test_my_caseload_shows_my_open_and_overdue_tasks(client, world, partners):
    sw = world.social_worker
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    _task(world, world.person, "Late", user=sw, due_on=yesterday)
    _task(world, world.person, "Later", user=sw)
    login(client, sw)
    body = _text(client.get(reverse("caseload")))
    assert "Margaret" in body
    assert "1 overdue" in body
    assert "Thornbury" not in body


def test_my_caseload_costs_a_fixed_number_of_queries(client, world, partners):
    sw = world.social_worker

    def add(n):
        for _ in range(n):
            p = PersonFactory()
            care_team_add(p, sw, world.council, "social_worker")
            _task(world, p, "A", user=sw)

    add(2)
    login(client, sw)
    url = reverse("caseload")
    _queries(client, url, {})
    few = _queries(client, url, {})
    add(30)
    assert _queries(client, url, {}) == few


def test_long_lists_come_a_page_at_a_time(client, world, partners):
    sw = world.social_worker
    for i in range(55):
        _task(world, world.person, f"Task number {i:02d}", user=sw)
    login(client, sw)
    first = _text(client.get(reverse("tasks")))
    assert "55 tasks, page 1 of 2" in first
    assert "Task number 49" in first and "Task number 50" not in first
    second = _text(client.get(reverse("tasks"), {"page": "2"}))
    assert "Task number 54" in second and "Task number 00" not in second
    assert client.get(reverse("tasks"), {"page": "3"}).status_code == 400
