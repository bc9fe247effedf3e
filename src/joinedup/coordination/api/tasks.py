"""REST: tasks. My tasks, my team's, overdue (with filters), one task, a
person's tasks, create, and the transitions assign, start, complete, cancel,
through the same selectors and services as the pages."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.responses import codes_4xx

from joinedup.config.api import ErrorOut, RecordId, RecordRef
from joinedup.coordination.models import Task
from joinedup.coordination.selectors.tasks import (
    task_detail,
    task_filters_parse,
    task_list,
    tasks_for_person,
)
from joinedup.coordination.services.tasks import (
    task_assign,
    task_cancel,
    task_complete,
    task_create,
    task_start,
)

router = Router(tags=["tasks"])


class TaskOut(Schema):
    id: int
    person_id: RecordRef
    title: str
    detail: str
    source: str
    source_ref: str
    status: str
    assignee_organisation_id: RecordRef
    assignee_team_id: RecordRef | None
    assignee_user_id: RecordRef | None
    due_on: dt.date | None
    created_by_id: RecordRef | None
    created_at: dt.datetime
    completed_at: dt.datetime | None
    outcome: str


class TasksOut(Schema):
    total: int
    tasks: list[TaskOut]


class TaskIn(Schema):
    person_id: RecordRef
    title: str = ""
    detail: str = ""
    assignee_user_id: RecordRef | None = None
    assignee_team_id: RecordRef | None = None
    assignee_organisation_id: RecordRef | None = None
    due_on: dt.date | None = None


class AssignIn(Schema):
    assignee_user_id: RecordRef | None = None
    assignee_team_id: RecordRef | None = None
    assignee_organisation_id: RecordRef | None = None


class TaskCompleteIn(Schema):
    outcome: str = ""


class CancelIn(Schema):
    reason: str = ""


def out(t: Task) -> dict[str, object]:
    if not getattr(t, "person_visible", True):  # a colleague's, for someone unseen
        return {**_out_all(t), "title": "", "detail": "", "outcome": ""}
    return _out_all(t)


def _out_all(t: Task) -> dict[str, object]:
    return {
        "id": t.pk,
        "person_id": t.person_id,
        "title": t.title,
        "detail": t.detail,
        "source": t.source,
        "source_ref": t.source_ref,
        "status": t.status,
        "assignee_organisation_id": t.assignee_organisation_id,
        "assignee_team_id": t.assignee_team_id,
        "assignee_user_id": t.assignee_user_id,
        "due_on": t.due_on,
        "created_by_id": t.created_by_id,
        "created_at": t.created_at,
        "completed_at": t.completed_at,
        "outcome": t.outcome,
    }


@router.get(
    "",
    response={200: TasksOut, codes_4xx: ErrorOut},
    summary="My tasks, my team's tasks, or overdue ones",
)
def tasks_list(
    request: HttpRequest, view: str = "mine", status: str = "open", source: str = ""
) -> dict[str, object]:
    filters = task_filters_parse({"view": view, "status": status, "source": source})
    result = task_list(actor=request.actor, filters=filters)  # type: ignore[attr-defined]
    return {"total": len(result.tasks), "tasks": [out(t) for t in result.tasks]}


@router.get(
    "/people/{person_id}",
    response={200: TasksOut, codes_4xx: ErrorOut},
    summary="A person's tasks",
)
def person_tasks(request: HttpRequest, person_id: RecordId) -> dict[str, object]:
    _, rows = tasks_for_person(
        actor=request.actor,  # type: ignore[attr-defined]
        person_id=person_id,
    )
    return {"total": len(rows), "tasks": [out(t) for t in rows]}


@router.get(
    "/{task_id}", response={200: TaskOut, codes_4xx: ErrorOut}, summary="One task"
)
def task_read(request: HttpRequest, task_id: RecordId) -> dict[str, object]:
    view = task_detail(actor=request.actor, task_id=task_id)  # type: ignore[attr-defined]
    return out(view.task)


@router.post(
    "",
    response={201: TaskOut, codes_4xx: ErrorOut},
    summary="A task for someone in the care team, a team or an organisation",
)
def task_new(request: HttpRequest, body: TaskIn) -> Status:
    task = task_create(
        actor=request.actor,  # type: ignore[attr-defined]
        person_id=body.person_id,
        title=body.title,
        detail=body.detail,
        assignee_user_id=body.assignee_user_id,
        assignee_team_id=body.assignee_team_id,
        assignee_organisation_id=body.assignee_organisation_id,
        due_on=body.due_on,
    )
    return Status(201, out(task))


@router.post(
    "/{task_id}/assign",
    response={200: TaskOut, codes_4xx: ErrorOut},
    summary="Reassign an open task",
)
def assign(
    request: HttpRequest, task_id: RecordId, body: AssignIn
) -> dict[str, object]:
    return out(
        task_assign(
            actor=request.actor,  # type: ignore[attr-defined]
            task_id=task_id,
            assignee_user_id=body.assignee_user_id,
            assignee_team_id=body.assignee_team_id,
            assignee_organisation_id=body.assignee_organisation_id,
        )
    )


@router.post(
    "/{task_id}/start",
    response={200: TaskOut, codes_4xx: ErrorOut},
    summary="Start an open task",
)
def start(request: HttpRequest, task_id: RecordId) -> dict[str, object]:
    return out(task_start(actor=request.actor, task_id=task_id))  # type: ignore[attr-defined]


@router.post(
    "/{task_id}/complete",
    response={200: TaskOut, codes_4xx: ErrorOut},
    summary="Complete a task",
)
def complete(
    request: HttpRequest, task_id: RecordId, body: TaskCompleteIn
) -> dict[str, object]:
    return out(
        task_complete(
            actor=request.actor,  # type: ignore[attr-defined]
            task_id=task_id,
            outcome=body.outcome,
        )
    )


@router.post(
    "/{task_id}/cancel",
    response={200: TaskOut, codes_4xx: ErrorOut},
    summary="Cancel a task, with the reason",
)
def cancel(
    request: HttpRequest, task_id: RecordId, body: CancelIn
) -> dict[str, object]:
    return out(
        task_cancel(
            actor=request.actor,  # type: ignore[attr-defined]
            task_id=task_id,
            reason=body.reason,
        )
    )
