"""REST: the shared care plan. Read a person's plan (current version, every
contribution's author, the history), create it, and save a new version based on
the version you read (`base_version`): 409 when the plan has moved on since, so
no update is ever lost. Thin: the same selectors and services as the pages."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from joinedup.config.api import ErrorOut, RecordId, RecordRef
from joinedup.coordination.selectors.plans import (
    PlanView,
    care_plan_get,
    care_plan_person_id,
    plan_readable,
)
from joinedup.coordination.services.plans import (
    PlanContent,
    care_plan_save,
    plan_access_check,
    plan_content_parse,
)
from joinedup.errors import InvalidInput
from joinedup.people.selectors import person_access_open

router = Router(tags=["care plans"])

_ERRORS = {
    401: "No valid bearer token.",
    400: "Invalid input: `fields` names each field at fault "
    "(goals, actions.N.description, actions.N.owner, actions.N.due_on, "
    "contingency, review_on, base_version).",
    403: "The access policy refuses the person, or social care information.",
    404: "No such person or care plan.",
    409: "The plan has moved on since base_version (or already exists): read it "
    "again, merge your change and send it with the new version.",
}
# The 4xx answers, described in the OpenAPI spec (merged into each operation).
ERRORS = {code: {"description": text} for code, text in _ERRORS.items()}
ERROR_CODES = frozenset({400, 401, 403, 404, 409})


class GoalOut(Schema):
    text: str
    added_by: str
    added_by_organisation: str


class PlanActionOut(Schema):
    ref: str
    description: str
    owner_user_id: RecordRef | None
    owner: str
    agency: str
    due_on: dt.date | None
    task_id: RecordRef | None
    task_status: str
    added_by: str


class VersionOut(Schema):
    number: int
    author: str
    author_role: str
    author_organisation: str
    created_at: dt.datetime
    changed: list[str]


class PlanOut(Schema):
    id: int
    person_id: RecordRef
    version: int
    goals: list[GoalOut]
    actions: list[PlanActionOut]
    contingency: str
    review_on: dt.date | None
    history: list[VersionOut]


class PersonPlanOut(Schema):
    person_id: RecordRef
    readable: bool = Field(..., description="false: social care is not shared with you")
    refused_reason: str
    plan: PlanOut | None


class PlanActionIn(Schema):
    ref: str = Field("", description="An existing action's ref; empty for a new one")
    description: str = ""
    owner_user_id: RecordRef | None = Field(
        None, description="A professional in the person's care team"
    )
    due_on: dt.date | None = None


class PlanIn(Schema):
    goals: list[str] = Field(default_factory=list, description="In the person's words")
    actions: list[PlanActionIn] = Field(default_factory=list)
    contingency: str = ""
    review_on: dt.date | None = None


class PlanCreateIn(PlanIn):
    person_id: RecordRef


class PlanVersionIn(PlanIn):
    base_version: int = Field(..., description="The version your change is based on")


def _plan_out(view: PlanView) -> dict[str, object]:
    v = view.current
    return {
        "id": view.plan.pk,
        "person_id": view.plan.person_id,
        "version": v.number,
        "goals": [
            {
                "text": g.text,
                "added_by": g.added_by,
                "added_by_organisation": g.added_org,
            }
            for g in view.goals
        ],
        "actions": [
            {
                "ref": a.ref,
                "description": a.description,
                "owner_user_id": a.owner_user_id,
                "owner": a.owner,
                "agency": a.agency,
                "due_on": a.due_on,
                "task_id": a.task_id,
                "task_status": a.task_status,
                "added_by": a.added_by,
            }
            for a in view.actions
        ],
        "contingency": v.contingency,
        "review_on": v.review_on,
        "history": [
            {
                "number": h.version.number,
                "author": h.author,
                "author_role": h.role,
                "author_organisation": h.organisation,
                "created_at": h.version.created_at,
                "changed": h.changed,
            }
            for h in view.history
        ],
    }


def _content(body: PlanIn) -> PlanContent:
    return plan_content_parse(
        {
            "goals": body.goals,
            "actions": [a.dict() for a in body.actions],
            "contingency": body.contingency,
            "review_on": body.review_on,
        }
    )


def _read(request: HttpRequest, person_id: RecordId, action: str) -> PlanView | None:
    access = person_access_open(
        actor=request.actor,  # type: ignore[attr-defined]
        person_id=person_id,
        action=action,
    )
    plan_access_check(access, action)
    return care_plan_get(access=access)


@router.get(
    "/people/{person_id}",
    response={200: PersonPlanOut, ERROR_CODES: ErrorOut},
    summary="A person's care plan (plan is null when there is none yet)",
    openapi_extra={"responses": ERRORS},
)
def person_plan(request: HttpRequest, person_id: RecordId) -> dict[str, object]:
    access = person_access_open(
        actor=request.actor,  # type: ignore[attr-defined]
        person_id=person_id,
        action="api_care_plan",
    )
    readable, reason = plan_readable(access)
    view = care_plan_get(access=access) if readable else None
    return {
        "person_id": person_id,
        "readable": readable,
        "refused_reason": reason,
        "plan": _plan_out(view) if view else None,
    }


@router.get(
    "/{plan_id}",
    response={200: PlanOut, ERROR_CODES: ErrorOut},
    summary="A care plan: current version, contributions and history",
    openapi_extra={"responses": ERRORS},
)
def plan_read(request: HttpRequest, plan_id: RecordId) -> dict[str, object]:
    view = _read(request, care_plan_person_id(plan_id=plan_id), "api_care_plan")
    assert view is not None  # noqa: S101 - the plan exists
    return _plan_out(view)


@router.post(
    "",
    response={201: PlanOut, ERROR_CODES: ErrorOut},
    summary="Create a person's care plan (409 if they already have one)",
    openapi_extra={"responses": ERRORS},
)
def plan_create(request: HttpRequest, body: PlanCreateIn) -> Status:
    care_plan_save(
        actor=request.actor,  # type: ignore[attr-defined]
        person_id=body.person_id,
        base_version=None,
        content=_content(body),
    )
    view = _read(request, body.person_id, "api_care_plan")
    assert view is not None  # noqa: S101 - just created
    return Status(201, _plan_out(view))


@router.post(
    "/{plan_id}/versions",
    response={201: PlanOut, ERROR_CODES: ErrorOut},
    summary="Save a new version based on base_version (409 if the plan moved on)",
    openapi_extra={"responses": ERRORS},
)
def plan_version_create(
    request: HttpRequest, plan_id: RecordId, body: PlanVersionIn
) -> Status:
    if body.base_version < 1:
        raise InvalidInput.for_field("base_version", "must be 1 or more")
    person_id = care_plan_person_id(plan_id=plan_id)
    care_plan_save(
        actor=request.actor,  # type: ignore[attr-defined]
        person_id=person_id,
        base_version=body.base_version,
        content=_content(body),
    )
    view = _read(request, person_id, "api_care_plan")
    assert view is not None  # noqa: S101 - the plan exists
    return Status(201, _plan_out(view))
