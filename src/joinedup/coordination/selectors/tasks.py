"""Reads of tasks: my tasks, my team's tasks, overdue, with filters; one task
with what is needed to act on it. Lists cost a fixed number of queries however
many tasks there are, show only people the actor may see, and leave one audit
entry."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone

from joinedup.coordination.models import (
    OPEN_TASK_STATUSES,
    CareTeamMember,
    Task,
    TaskSource,
    TaskStatus,
)
from joinedup.coordination.services.tasks import task_may_act
from joinedup.errors import InvalidInput, NotFound
from joinedup.governance.access import Actor, Decision, people_visible_q
from joinedup.governance.models import AccessCategory, Membership, Team
from joinedup.governance.services import audit_record
from joinedup.people.models import Person
from joinedup.people.selectors import PersonAccess, person_access_open

VIEWS = {
    "mine": "My tasks",
    "team": "My team's tasks",
    "overdue": "Overdue",
}
STATUSES = {
    "open": "To do or in progress",
    "completed": "Completed",
    "cancelled": "Cancelled",
    "all": "All",
}
LIST_LIMIT = 500
PAGE_SIZE = 50


@dataclass(frozen=True)
class TaskFilters:
    view: str = "mine"
    status: str = "open"
    source: str = ""
    page: int = 1


def _page_parse(raw: str) -> int:
    raw = raw.strip() or "1"
    if not raw.isdigit() or int(raw) < 1:
        raise InvalidInput.for_field("page", "must be a whole number, 1 or more")
    return int(raw)


def task_filters_parse(params: dict[str, str]) -> TaskFilters:
    view = params.get("view", "") or "mine"
    status = params.get("status", "") or "open"
    source = params.get("source", "")
    if view not in VIEWS:
        raise InvalidInput.for_field("view", f"choose one of {', '.join(VIEWS)}")
    if status not in STATUSES:
        raise InvalidInput.for_field("status", f"choose one of {', '.join(STATUSES)}")
    if source and source not in TaskSource.values:
        raise InvalidInput.for_field("source", "no such source of tasks")
    page = _page_parse(params.get("page", ""))
    return TaskFilters(view=view, status=status, source=source, page=page)


@dataclass
class TaskList:
    filters: TaskFilters
    tasks: list[Task]
    team_names: list[str] = field(default_factory=list)
    total: int = 0
    pages: int = 1

    @property
    def page(self) -> int:
        return self.filters.page


def _my_teams(actor: Actor) -> list[Team]:
    teams = {
        m.team
        for m in Membership.objects.select_related("team").filter(
            user_id=actor.user_id,
            organisation_id=actor.organisation_id,
            active=True,
            team__isnull=False,
        )
    }
    return sorted((t for t in teams if t is not None), key=lambda t: t.name)


def task_list(*, actor: Actor, filters: TaskFilters) -> TaskList:
    """Tasks for the actor: held by them ("mine"), by their team(s) ("team"), or
    either of those and past their due date ("overdue")."""
    today = timezone.localdate()
    teams = _my_teams(actor) if filters.view != "mine" else []
    team_ids = [t.pk for t in teams]
    if actor.team_id and actor.team_id not in team_ids:
        team_ids.append(actor.team_id)
    mine = Q(assignee_user_id=actor.user_id)
    ours = Q(assignee_team_id__in=team_ids) if team_ids else Q(pk__in=[])
    if filters.view == "mine":
        tasks = Task.objects.filter(mine)
    elif filters.view == "team":
        tasks = Task.objects.filter(ours)
    else:
        tasks = Task.objects.filter(
            mine | ours, due_on__lt=today, status__in=OPEN_TASK_STATUSES
        )
    if filters.status == "open":
        tasks = tasks.filter(status__in=OPEN_TASK_STATUSES)
    elif filters.status != "all":
        tasks = tasks.filter(status=filters.status)
    if filters.source:
        tasks = tasks.filter(source=filters.source)
    total = tasks.count()
    pages = max(1, -(-total // PAGE_SIZE))
    if filters.page > pages:
        raise InvalidInput.for_field("page", f"there are only {pages} pages")
    start = (filters.page - 1) * PAGE_SIZE
    rows = list(
        tasks.select_related(
            "person", "assignee_user", "assignee_team", "assignee_organisation"
        ).order_by("due_on", "created_at", "pk")[start : start + PAGE_SIZE]
    )
    # A colleague's own task is their relationship with the person, not the
    # actor's: such a row shows no name unless the actor may see the person
    # (one query for the page's people).
    unsure = {
        t.person_id for t in rows if t.assignee_user_id not in (None, actor.user_id)
    }
    visible = (
        set(
            Person.objects.filter(people_visible_q(actor), pk__in=unsure).values_list(
                "pk", flat=True
            )
        )
        if unsure
        else set()
    )
    for t in rows:
        t.overdue = bool(  # type: ignore[attr-defined]
            t.is_open and t.due_on is not None and t.due_on < today
        )
        t.person_visible = (  # type: ignore[attr-defined]
            t.person_id not in unsure or t.person_id in visible
        )
    audit_record(
        actor=actor,
        person_id=None,
        action=f"list_tasks_{filters.view}",
        category=AccessCategory.DEMOGRAPHICS,
        decision=Decision(True, f"{len(rows)} of {total} tasks"),
    )
    return TaskList(
        filters=filters,
        tasks=rows,
        team_names=[t.name for t in teams],
        total=total,
        pages=pages,
    )


@dataclass
class TaskView:
    task: Task
    access: PersonAccess
    may_act: bool
    care_team: list[CareTeamMember]
    teams: list[Team]
    overdue: bool


def task_detail(*, actor: Actor, task_id: int) -> TaskView:
    task = (
        Task.objects.select_related(
            "assignee_user",
            "assignee_team",
            "assignee_organisation",
            "created_by",
            "completed_by",
        )
        .filter(pk=task_id)
        .first()
    )
    if task is None:
        raise NotFound(
            f"task: there is no task with id {task_id}", fields={"task": "no such task"}
        )
    access = person_access_open(
        actor=actor, person_id=task.person_id, action="view_task"
    )
    may_act = task.is_open and task_may_act(actor, task)
    care_team: list[CareTeamMember] = []
    teams: list[Team] = []
    if may_act:
        care_team = list(
            CareTeamMember.objects.select_related("user", "organisation")
            .filter(person_id=task.person_id, ended_on__isnull=True)
            .order_by("user__last_name", "user__first_name")
        )
        teams = list(
            Team.objects.select_related("organisation").order_by(
                "organisation__name", "name"
            )
        )
    today = timezone.localdate()
    return TaskView(
        task=task,
        access=access,
        may_act=may_act,
        care_team=care_team,
        teams=teams,
        overdue=bool(task.is_open and task.due_on and task.due_on < today),
    )


def tasks_for_person(
    *, actor: Actor, person_id: int
) -> tuple[PersonAccess, list[Task]]:
    """A person's open and recent tasks (one audit entry: the record opened)."""
    access = person_access_open(actor=actor, person_id=person_id, action="view_tasks")
    rows = list(
        Task.objects.filter(person_id=person_id)
        .select_related("assignee_user", "assignee_team", "assignee_organisation")
        .order_by("status", "due_on", "pk")[:LIST_LIMIT]
    )
    return access, rows


@dataclass
class CaseloadRow:
    member: CareTeamMember
    open_tasks: int
    overdue_tasks: int


@dataclass
class Caseload:
    rows: list[CaseloadRow]
    total: int
    page: int
    pages: int


def caseload_with_tasks(*, actor: Actor, page: int = 1) -> Caseload:
    """The actor's caseload (the people whose care team they are in), a page at
    a time, with, for each, the open tasks the actor holds and how many are
    overdue: a fixed number of queries and one audit entry however long the
    caseload."""
    from django.db.models import Count

    members = CareTeamMember.objects.filter(
        user_id=actor.user_id, ended_on__isnull=True
    )
    total = members.count()
    pages = max(1, -(-total // PAGE_SIZE))
    if page < 1 or page > pages:
        raise InvalidInput.for_field("page", f"choose a page from 1 to {pages}")
    start = (page - 1) * PAGE_SIZE
    shown = list(
        members.select_related("person").order_by(
            "person__family_name_norm", "person__given_name_norm", "pk"
        )[start : start + PAGE_SIZE]
    )
    today = timezone.localdate()
    counts: dict[int, Any] = {
        row["person_id"]: row
        for row in Task.objects.filter(
            assignee_user_id=actor.user_id,
            status__in=OPEN_TASK_STATUSES,
            person_id__in=[m.person_id for m in shown],
        )
        .values("person_id")
        .annotate(
            open=Count("pk"),
            overdue=Count("pk", filter=Q(due_on__lt=today)),
        )
    }
    audit_record(
        actor=actor,
        person_id=None,
        action="list_caseload",
        category=AccessCategory.DEMOGRAPHICS,
        decision=Decision(True, f"{len(shown)} of {total} people in care team"),
    )
    return Caseload(
        rows=[
            CaseloadRow(
                m,
                counts.get(m.person_id, {}).get("open", 0),
                counts.get(m.person_id, {}).get("overdue", 0),
            )
            for m in shown
        ],
        total=total,
        page=page,
        pages=pages,
    )


__all__ = [
    "STATUSES",
    "VIEWS",
    "Caseload",
    "CaseloadRow",
    "TaskFilters",
    "TaskList",
    "TaskStatus",
    "TaskView",
    "caseload_with_tasks",
    "task_detail",
    "task_filters_parse",
    "task_list",
    "tasks_for_person",
]
