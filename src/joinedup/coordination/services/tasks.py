"""Tasks: create, reassign, start, complete, cancel. Whoever holds an open task
has a legitimate relationship with the person (the access policy), so a task
can only be given to someone in the person's care team, or to a team or an
organisation (a referral's receiving team, say), never to an outsider."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from joinedup.coordination.models import (
    OPEN_TASK_STATUSES,
    CareTeamMember,
    Task,
    TaskSource,
    TaskStatus,
)
from joinedup.coordination.services.notifications import task_notify
from joinedup.errors import AccessRefused, Conflict, InvalidInput, NotFound
from joinedup.governance.access import Actor, Decision
from joinedup.governance.models import (
    DIRECT_CARE_ROLES,
    AccessCategory,
    Membership,
    Organisation,
    Team,
)
from joinedup.governance.services import (
    audit_record,
    relationships_close,
    relationships_open,
)
from joinedup.people.selectors import person_access_open


def _assignee(
    *,
    person_id: int,
    user_id: int | None,
    team_id: int | None,
    organisation_id: int | None,
) -> tuple[int, int | None, int | None]:
    """(organisation, team, user) for a new holder, checked."""
    if user_id is None and team_id is None and organisation_id is None:
        raise InvalidInput.for_field(
            "assignee", "name a person in the care team, a team or an organisation"
        )
    if team_id is not None:
        team = Team.objects.filter(pk=team_id).first()
        if team is None:
            raise InvalidInput.for_field("assignee_team", "no such team")
        if organisation_id is not None and organisation_id != team.organisation_id:
            raise InvalidInput.for_field(
                "assignee_team", "is not part of the organisation named"
            )
        organisation_id = team.organisation_id
    if user_id is not None:
        member = (
            CareTeamMember.objects.filter(
                person_id=person_id, user_id=user_id, ended_on__isnull=True
            )
            .order_by("pk")
            .first()
        )
        if member is None:
            raise InvalidInput.for_field(
                "assignee_user",
                "is not in this person's care team: add them to the care team "
                "first, or give the task to their team",
            )
        if organisation_id is not None and organisation_id != member.organisation_id:
            raise InvalidInput.for_field(
                "assignee_user", "works for a different organisation in this care team"
            )
        organisation_id = member.organisation_id
    if organisation_id is None:  # unreachable: one of the three was given
        raise InvalidInput.for_field("assignee", "name who holds the task")
    if not Organisation.objects.filter(pk=organisation_id).exists():
        raise InvalidInput.for_field("assignee_organisation", "no such organisation")
    return organisation_id, team_id, user_id


def _task_fields_check(title: str, source: str, due_on: dt.date | None) -> str:
    """The checks of a new task's own fields (no queries). Returns the title."""
    title = title.strip()
    if not title:
        raise InvalidInput.for_field("title", "enter what needs doing")
    if len(title) > 200:
        raise InvalidInput.for_field("title", "must be 200 characters or fewer")
    if source not in TaskSource.values:
        raise InvalidInput.for_field("source", f"unknown source {source!r}")
    if due_on is not None and due_on < timezone.localdate() - dt.timedelta(days=1):
        raise InvalidInput.for_field("due_on", "is in the past")
    return title


def task_create(
    *,
    actor: Actor,
    person_id: int,
    title: str,
    detail: str = "",
    source: str = TaskSource.MANUAL,
    source_ref: str = "",
    assignee_user_id: int | None = None,
    assignee_team_id: int | None = None,
    assignee_organisation_id: int | None = None,
    due_on: dt.date | None = None,
    check_access: bool = True,
) -> Task:
    """A new task for a person. `check_access=False` is for services that have
    already opened the person's record in the same operation (one audit entry
    for the whole operation, not two)."""
    title = _task_fields_check(title, source, due_on)
    if check_access:
        person_access_open(actor=actor, person_id=person_id, action="task_create")
    organisation_id, team_id, user_id = _assignee(
        person_id=person_id,
        user_id=assignee_user_id,
        team_id=assignee_team_id,
        organisation_id=assignee_organisation_id,
    )
    now = timezone.now()
    with transaction.atomic():
        task = Task.objects.create(
            person_id=person_id,
            title=title,
            detail=detail,
            source=source,
            source_ref=source_ref,
            assignee_organisation_id=organisation_id,
            assignee_team_id=team_id,
            assignee_user_id=user_id,
            due_on=due_on,
            created_by_id=actor.user_id,
            created_at=now,
            updated_at=now,
        )
        task_notify(task=task, actor_user_id=actor.user_id)
    return task


@dataclass(frozen=True)
class OrganisationTask:
    """A task for a team of an organisation, or for the organisation, that a
    service gives on its own (the system, no user): the holder comes from a
    record that names it already (a flag's council and contact team)."""

    person_id: int
    title: str
    source_ref: str
    organisation_id: int
    team_id: int | None = None
    due_on: dt.date | None = None


def tasks_create_many(*, source: str, tasks: Sequence[OrganisationTask]) -> list[Task]:
    """Give many organisation tasks at once: one insert for the tasks and one
    for their rows in the register of relationships (open work), the rows their
    saves would have opened one by one. For services that have opened the
    records already and name holders that exist (the team being the
    organisation's is the caller's to know). It tells no one: the caller sends
    the task notices (`task_team_notice`) with its own notifications, in one
    statement."""
    if not tasks:
        return []
    now = timezone.now()
    rows = [
        Task(
            person_id=t.person_id,
            title=_task_fields_check(t.title, source, t.due_on),
            source=source,
            source_ref=t.source_ref,
            assignee_organisation_id=t.organisation_id,
            assignee_team_id=t.team_id,
            due_on=t.due_on,
            created_at=now,
            updated_at=now,
        )
        for t in tasks
    ]
    with transaction.atomic(savepoint=False):
        made = Task.objects.bulk_create(rows)
        relationships_open("coordination.task", made)
    return made


def task_may_act(actor: Actor, task: Task) -> bool:
    """The holder (the user; else anyone in direct care in the team or
    organisation holding it) and the creator may change a task."""
    if actor.user_id in (task.assignee_user_id, task.created_by_id):
        return True
    if task.assignee_user_id is not None:
        return False
    memberships = Membership.objects.filter(
        user_id=actor.user_id,
        active=True,
        role__in=DIRECT_CARE_ROLES,
        organisation_id=task.assignee_organisation_id,
    )
    if task.assignee_team_id is not None:
        memberships = memberships.filter(team_id=task.assignee_team_id)
    return memberships.exists()


def _task_for_change(actor: Actor, task_id: int, action: str) -> Task:
    task = Task.objects.select_for_update().filter(pk=task_id).first()
    if task is None:
        raise NotFound(
            f"task: there is no task with id {task_id}", fields={"task": "no such task"}
        )
    if not task_may_act(actor, task):
        audit_record(
            actor=actor,
            person_id=task.person_id,
            action=action,
            category=AccessCategory.DEMOGRAPHICS,
            decision=Decision(False, "not the holder or creator of the task"),
        )
        raise AccessRefused(
            "Only the person or team holding this task, or who created it, can "
            "change it.",
            fields={"task": "not yours"},
        )
    if task.status not in OPEN_TASK_STATUSES:
        raise Conflict(
            f"This task is already {task.get_status_display().lower()}.",
            fields={"status": task.status},
        )
    return task


def _audit_change(actor: Actor, task: Task, action: str, reason: str) -> None:
    audit_record(
        actor=actor,
        person_id=task.person_id,
        action=action,
        category=AccessCategory.DEMOGRAPHICS,
        decision=Decision(True, reason, "open_task"),
    )


def task_assign(
    *,
    actor: Actor,
    task_id: int,
    assignee_user_id: int | None = None,
    assignee_team_id: int | None = None,
    assignee_organisation_id: int | None = None,
) -> Task:
    """Reassign an open task (to someone in the care team, a team or an
    organisation)."""
    with transaction.atomic():
        task = _task_for_change(actor, task_id, "task_assign")
        holder_before = (task.assignee_team_id, task.assignee_user_id)
        organisation_id, team_id, user_id = _assignee(
            person_id=task.person_id,
            user_id=assignee_user_id,
            team_id=assignee_team_id,
            organisation_id=assignee_organisation_id,
        )
        task.assignee_organisation_id = organisation_id
        task.assignee_team_id = team_id
        task.assignee_user_id = user_id
        task.updated_at = timezone.now()
        task.save(
            update_fields=[
                "assignee_organisation",
                "assignee_team",
                "assignee_user",
                "updated_at",
            ]
        )
        _audit_change(actor, task, "task_assign", "task reassigned")
        if (team_id, user_id) != holder_before:
            task_notify(task=task, actor_user_id=actor.user_id)
    return task


def task_start(*, actor: Actor, task_id: int) -> Task:
    with transaction.atomic():
        task = _task_for_change(actor, task_id, "task_start")
        task.status = TaskStatus.IN_PROGRESS
        if (
            task.assignee_user_id is None
            and CareTeamMember.objects.filter(
                person_id=task.person_id, user_id=actor.user_id, ended_on__isnull=True
            ).exists()
        ):
            task.assignee_user_id = actor.user_id
        task.updated_at = timezone.now()
        task.save(update_fields=["status", "assignee_user", "updated_at"])
        _audit_change(actor, task, "task_start", "task started")
    return task


def task_complete(*, actor: Actor, task_id: int, outcome: str = "") -> Task:
    with transaction.atomic():
        task = _task_for_change(actor, task_id, "task_complete")
        now = timezone.now()
        task.status = TaskStatus.COMPLETED
        task.completed_at = now
        task.completed_by_id = actor.user_id
        task.outcome = outcome.strip()
        task.updated_at = now
        task.save(
            update_fields=[
                "status",
                "completed_at",
                "completed_by",
                "outcome",
                "updated_at",
            ]
        )
        _audit_change(actor, task, "task_complete", "task completed")
    return task


def task_cancel(*, actor: Actor, task_id: int, reason: str) -> Task:
    reason = reason.strip()
    if not reason:
        raise InvalidInput.for_field("reason", "say why the task is no longer needed")
    with transaction.atomic():
        task = _task_for_change(actor, task_id, "task_cancel")
        now = timezone.now()
        task.status = TaskStatus.CANCELLED
        task.completed_at = now
        task.completed_by_id = actor.user_id
        task.outcome = reason
        task.updated_at = now
        task.save(
            update_fields=[
                "status",
                "completed_at",
                "completed_by",
                "outcome",
                "updated_at",
            ]
        )
        _audit_change(actor, task, "task_cancel", "task cancelled")
    return task


def tasks_close(
    tasks: QuerySet[Task],
    *,
    status: str,
    outcome: str,
    closed_by_user_id: int | None = None,
) -> int:
    """Close the open ones among `tasks` as the system does when their reason
    has gone (the patient left hospital, a CHC case was decided): completed or
    cancelled, with the outcome given, in one statement. The caller has already
    decided that this may happen; no holder check. Returns how many closed."""
    if status not in (TaskStatus.COMPLETED, TaskStatus.CANCELLED):
        raise ValueError(f"tasks close as completed or cancelled, not {status!r}")
    now = timezone.now()
    with transaction.atomic():
        closing = list(
            tasks.filter(status__in=OPEN_TASK_STATUSES).values_list("pk", flat=True)
        )
        count = Task.objects.filter(pk__in=closing).update(
            status=status,
            completed_at=now,
            completed_by_id=closed_by_user_id,
            outcome=outcome,
            updated_at=now,
        )
        relationships_close("coordination.task", closing, at=now)
    return count
