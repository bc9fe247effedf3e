"""Reads of the shared care plan: the current version with who added each goal
and action, each action's owner, agency and task status, and the history of
every version with its author. Functions take an opened record (`access`,
already audited) and add no audit entry of their own."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from joinedup.coordination.models import (
    CarePlan,
    CarePlanVersion,
    CareTeamMember,
    Task,
)
from joinedup.errors import AccessRefused, NotFound
from joinedup.governance.access import Scope
from joinedup.governance.models import Organisation, User
from joinedup.people.selectors import PersonAccess

PLAN_CATEGORY = "social_care"


@dataclass(frozen=True)
class GoalView:
    text: str
    added_by: str
    added_org: str
    added_at: str


@dataclass(frozen=True)
class ActionView:
    ref: str
    description: str
    owner: str
    owner_user_id: int | None
    agency: str
    due_on: dt.date | None
    task_id: int | None
    task_status: str
    added_by: str
    added_org: str


@dataclass(frozen=True)
class VersionView:
    version: CarePlanVersion
    author: str
    organisation: str
    role: str
    changed: list[str]


@dataclass(frozen=True)
class PlanView:
    plan: CarePlan
    current: CarePlanVersion
    goals: list[GoalView]
    actions: list[ActionView]
    history: list[VersionView]  # newest first


def plan_readable(access: PersonAccess) -> tuple[bool, str]:
    """The plan is shared social care information: the whole category is needed."""
    decision = access.decisions.get(PLAN_CATEGORY)
    if decision is None or not decision.allowed:
        return False, decision.reason if decision else "no decision"
    if decision.scope != Scope.ALL:
        return False, decision.reason
    return True, ""


def _name(user: User | None) -> str:
    if user is None:
        return "Unknown"
    return user.get_full_name() or user.username


def care_plan_get(*, access: PersonAccess) -> PlanView | None:
    """The person's care plan, or None when there is none yet. Raises
    AccessRefused when the actor may not read social care information."""
    readable, reason = plan_readable(access)
    if not readable:
        raise AccessRefused(
            f"You cannot see this person's care plan: {reason}.",
            fields={"plan": "needs access to social care information"},
        )
    plan = CarePlan.objects.filter(person_id=access.person.pk).first()
    if plan is None:
        return None
    versions = list(
        CarePlanVersion.objects.select_related("author", "author_organisation")
        .filter(plan=plan)
        .order_by("-number")
    )
    current = versions[0]
    user_ids = {v.author_id for v in versions}
    org_ids: set[int] = set()
    task_ids = set()
    for g in current.goals:
        user_ids.add(g["added_by"])
        org_ids.add(g.get("added_org") or 0)
    for a in current.actions:
        user_ids |= {a["added_by"], a["owner_user"] or 0}
        org_ids |= {a.get("added_org") or 0, a["owner_organisation"] or 0}
        if a.get("task"):
            task_ids.add(a["task"])
    users = User.objects.in_bulk(user_ids)
    orgs = Organisation.objects.in_bulk(org_ids)
    tasks = Task.objects.in_bulk(task_ids)

    def org_name(pk: int | None) -> str:
        org = orgs.get(pk or 0)
        return org.name if org else ""

    return PlanView(
        plan=plan,
        current=current,
        goals=[
            GoalView(
                g["text"],
                _name(users.get(g["added_by"])),
                org_name(g.get("added_org")),
                g["added_at"],
            )
            for g in current.goals
        ],
        actions=[
            ActionView(
                ref=a["ref"],
                description=a["description"],
                owner=_name(users.get(a["owner_user"])),
                owner_user_id=a["owner_user"],
                agency=org_name(a["owner_organisation"]),
                due_on=dt.date.fromisoformat(a["due_on"]) if a["due_on"] else None,
                task_id=a.get("task"),
                task_status=(
                    tasks[a["task"]].get_status_display()
                    if a.get("task") in tasks
                    else ""
                ),
                added_by=_name(users.get(a["added_by"])),
                added_org=org_name(a.get("added_org")),
            )
            for a in current.actions
        ],
        history=[
            VersionView(
                v,
                _name(v.author),
                v.author_organisation.name,
                v.get_author_role_display(),
                list(v.changed),
            )
            for v in versions
        ],
    )


def care_plan_person_id(*, plan_id: int) -> int:
    person_id = (
        CarePlan.objects.filter(pk=plan_id).values_list("person_id", flat=True).first()
    )
    if person_id is None:
        raise NotFound(
            f"care plan: there is no care plan with id {plan_id}",
            fields={"plan": "no such care plan"},
        )
    return person_id


def care_team_owners(*, person_id: int) -> list[CareTeamMember]:
    """Who may own an action: the person's current care team."""
    return list(
        CareTeamMember.objects.select_related("user", "organisation")
        .filter(person_id=person_id, ended_on__isnull=True)
        .order_by("-is_lead", "started_on", "pk")
    )
