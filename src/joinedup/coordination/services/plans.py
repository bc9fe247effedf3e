"""The shared care plan (PRSB personalised care and support plan): create it and
change it. Every change is a new version (who, their organisation and role, and
when); nothing is overwritten.

No lost updates: a change names the version it was based on (optimistic
concurrency). If the plan has moved on since, `PlanChanged` (a Conflict) is
raised and nothing is saved; `plan_merge` (pure) then shows, per field, theirs
against yours, so the professional chooses and saves again on the new version.

Each action has an owner in the care team (a professional and their agency) and
usually a due date; each new action becomes a Task (source care_plan_action) on
the owner's task list. The care team (other than the author) is notified of
every change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import replace

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from joinedup.coordination.models import (
    CarePlan,
    CarePlanVersion,
    CareTeamMember,
    NotificationKind,
    Task,
    TaskSource,
)
from joinedup.coordination.plan_content import (
    BOTH,
    FIELDS,
    SAME,
    THEIRS,
    YOURS,
    ActionIn,
    MergeField,
    MergeUnchosen,
    PlanContent,
    content_of,
    plan_content_parse,
    plan_merge,
    plan_merged,
)
from joinedup.coordination.services.notifications import notify_care_team
from joinedup.coordination.services.tasks import task_cancel, task_create, task_may_act
from joinedup.errors import AccessRefused, Conflict, InvalidInput, NotFound
from joinedup.governance.access import Actor, Decision, Scope
from joinedup.governance.models import AccessCategory
from joinedup.governance.services import audit_record
from joinedup.people.selectors import PersonAccess, person_access_open

PLAN_CATEGORY = AccessCategory.SOCIAL_CARE

__all__ = [
    "BOTH",
    "FIELDS",
    "SAME",
    "THEIRS",
    "YOURS",
    "ActionIn",
    "MergeField",
    "MergeUnchosen",
    "PlanChanged",
    "PlanContent",
    "care_plan_merge_save",
    "care_plan_save",
    "content_of",
    "plan_access_check",
    "plan_content_parse",
    "plan_merge",
    "plan_merged",
]


class PlanChanged(Conflict):
    """The plan moved on since the version the change was based on."""

    def __init__(
        self,
        *,
        plan_id: int,
        current_version: int,
        base_version: int,
        yours: PlanContent | None = None,
    ):
        super().__init__(
            (
                f"Someone changed this plan since you opened it: it is now at "
                f"version {current_version} and you started from version "
                f"{base_version}. Nothing has been saved; compare the changes and "
                "choose."
            )
            if base_version
            else (
                f"This person already has a care plan (now at version "
                f"{current_version}), created since you started. Nothing has been "
                "saved; compare the changes and choose."
            ),
            fields={
                "base_version": f"the plan is now at version {current_version}",
            },
        )
        self.plan_id = plan_id
        self.current_version = current_version
        self.base_version = base_version
        self.yours = yours if yours is not None else PlanContent()  # not saved


# --- Writing ------------------------------------------------------------------


def plan_access_check(access: PersonAccess, action: str) -> None:
    """The plan is social care information shared by the whole care team: reading
    or changing it needs the whole category (not only one organisation's)."""
    decision = access.decisions.get(PLAN_CATEGORY)
    if decision is not None and decision.allowed and decision.scope == Scope.ALL:
        return
    reason = decision.reason if decision else "no decision"
    if decision is not None and decision.allowed:
        reason = "only your organisation's own social care records may be shown"
    audit_record(
        actor=access.actor,
        person_id=access.person.pk,
        action=action,
        category=PLAN_CATEGORY,
        decision=Decision(False, reason),
    )
    raise AccessRefused(
        f"You cannot see or change this person's care plan: {reason}.",
        fields={"plan": "needs access to social care information"},
    )


def _members(person_id: int) -> dict[int, CareTeamMember]:
    return {
        m.user_id: m
        for m in CareTeamMember.objects.filter(
            person_id=person_id, ended_on__isnull=True
        )
    }


def _validate_for_person(
    content: PlanContent,
    *,
    previous: PlanContent,
    members: Mapping[int, CareTeamMember],
    today: dt.date,
) -> None:
    errors: dict[str, str] = {}
    if not content.goals:
        errors["goals"] = "write at least one goal, in the person's words"
    old = {a.ref: a for a in previous.actions}
    for i, a in enumerate(content.actions):
        before = old.get(a.ref)
        # An unchanged owner or date is kept even if no longer valid today.
        owner_new = before is None or before.owner_user_id != a.owner_user_id
        due_new = before is None or before.due_on != a.due_on
        if a.owner_user_id is not None and a.owner_user_id not in members and owner_new:
            errors[f"actions.{i}.owner"] = (
                "is not in the person's care team: add them to the care team first"
            )
        if a.due_on is not None and a.due_on < today and due_new:
            errors[f"actions.{i}.due_on"] = "is in the past"
    refs = [a.ref for a in content.actions if a.ref]
    if len(refs) != len(set(refs)):
        errors["actions"] = "an action appears twice"
    review = content.review_on
    if review is not None and review < today and review != previous.review_on:
        errors["review_on"] = "is in the past"
    if errors:
        raise InvalidInput(
            "; ".join(f"{k}: {v}" for k, v in errors.items()), fields=errors
        )


def _goals(
    content: PlanContent, previous: CarePlanVersion | None, actor: Actor, now: str
) -> list[dict[str, object]]:
    """Goals, keeping who added each one that was already there."""
    known = {
        " ".join(g["text"].split()): g for g in (previous.goals if previous else [])
    }
    return [
        known.get(text)
        or {
            "text": text,
            "added_by": actor.user_id,
            "added_org": actor.organisation_id,
            "added_at": now,
        }
        for text in content.goals
    ]


def _next_ref(taken: set[str]) -> str:
    """A new action's ref: never one used before in this plan (a removed
    action's ref is not reused)."""
    numbers = [int(r[1:]) for r in taken if r[1:].isdigit()]
    return f"A{max(numbers, default=0) + 1}"


def _actions(
    *,
    actor: Actor,
    plan: CarePlan,
    content: PlanContent,
    previous: CarePlanVersion | None,
    members: Mapping[int, CareTeamMember],
    now: str,
) -> list[dict[str, object]]:
    """Actions with their owners' agencies and tasks: a new action (or a new
    owner) gets a task; the task of an action removed or handed on is
    cancelled when the actor may change it (otherwise its holder closes it)."""
    old = {a["ref"]: a for a in (previous.actions if previous else [])}
    out: list[dict[str, object]] = []
    taken: set[str] = {
        str(a["ref"])
        for actions in CarePlanVersion.objects.filter(plan=plan).values_list(
            "actions", flat=True
        )
        for a in actions
    }
    kept_refs: set[str] = set()
    for a in content.actions:
        before = old.get(a.ref)
        ref = a.ref or _next_ref(taken)
        taken.add(ref)
        kept_refs.add(ref)
        owner = a.owner_user_id
        org = (
            members[owner].organisation_id
            if owner is not None and owner in members
            else None
        )
        if before is not None and before["owner_user"] == owner:
            org = before["owner_organisation"]
        row: dict[str, object] = {
            "ref": ref,
            "description": a.description,
            "owner_user": owner,
            "owner_organisation": org,
            "due_on": a.due_on.isoformat() if a.due_on else None,
            "task": before["task"] if before else None,
            "added_by": before["added_by"] if before else actor.user_id,
            "added_org": before.get("added_org") if before else actor.organisation_id,
            "added_at": before["added_at"] if before else now,
        }
        if before is None or before["owner_user"] != owner:
            if before is not None and before.get("task"):
                _task_close(actor, int(before["task"]), "the action was handed on")
            task = task_create(
                actor=actor,
                person_id=plan.person_id,
                title=f"Care plan action: {a.description}"[:200],
                source=TaskSource.CARE_PLAN_ACTION,
                source_ref=f"{plan.pk}:{ref}",
                assignee_user_id=owner,
                due_on=a.due_on,
                check_access=False,
            )
            row["task"] = task.pk
        out.append(row)
    for ref, before in old.items():
        if ref not in kept_refs and before.get("task"):
            _task_close(actor, int(before["task"]), "removed from the care plan")
    return out


def _task_close(actor: Actor, task_id: int, reason: str) -> None:
    task = Task.objects.filter(pk=task_id).first()
    if task is not None and task.is_open and task_may_act(actor, task):
        task_cancel(actor=actor, task_id=task_id, reason=reason)


def _notify(actor: Actor, plan: CarePlan, number: int) -> None:
    notify_care_team(
        person_id=plan.person_id,
        exclude_user_id=actor.user_id,
        kind=NotificationKind.PLAN_CHANGED,
        title=f"Care plan changed (version {number})",
        url=reverse("plan_detail", args=[plan.person_id]),
    )


def care_plan_save(
    *,
    actor: Actor,
    person_id: int,
    base_version: int | None,
    content: PlanContent,
) -> CarePlanVersion:
    """Create the person's care plan (base_version None) or save a new version of
    it based on `base_version`. Raises PlanChanged (409) when the plan has moved
    on since that version; InvalidInput naming each field at fault. Saving what
    is already there changes nothing and returns the current version."""
    access = person_access_open(
        actor=actor, person_id=person_id, action="care_plan_save"
    )
    plan_access_check(access, "care_plan_save")
    return _plan_save(
        actor=actor, person_id=person_id, base_version=base_version, content=content
    )


def care_plan_merge_save(
    *,
    actor: Actor,
    person_id: int,
    base_version: int | None,
    yours: PlanContent,
    choices: Mapping[str, str],
) -> CarePlanVersion:
    """Save what the professional chose on the merge page: per field `theirs`
    (version `base_version`, the one they compared against) or `yours` (their own
    change). Raises NotFound when the person has no care plan, MergeUnchosen
    naming each field still without a choice, and PlanChanged when the plan moved
    on again meanwhile; nothing is saved then."""
    access = person_access_open(
        actor=actor, person_id=person_id, action="care_plan_save"
    )
    plan_access_check(access, "care_plan_save")
    plan = CarePlan.objects.filter(person_id=person_id).first()
    if plan is None:
        raise NotFound("care plan: there is no care plan to merge with")
    compared = plan.versions.filter(number=base_version or 0).first()
    theirs = content_of(compared) if compared is not None else PlanContent()
    content = plan_merged(theirs=theirs, yours=yours, choices=choices)
    return _plan_save(
        actor=actor, person_id=person_id, base_version=base_version, content=content
    )


def _plan_save(
    *,
    actor: Actor,
    person_id: int,
    base_version: int | None,
    content: PlanContent,
) -> CarePlanVersion:
    today = timezone.localdate()
    with transaction.atomic():
        plan = CarePlan.objects.select_for_update().filter(person_id=person_id).first()
        if plan is None and base_version not in (None, 0):
            raise InvalidInput.for_field(
                "base_version", "this person has no care plan yet"
            )
        if plan is not None and base_version != plan.current_version:
            raise PlanChanged(
                plan_id=plan.pk,
                current_version=plan.current_version,
                base_version=base_version or 0,
                yours=content,
            )
        previous = (
            plan.versions.get(number=plan.current_version) if plan is not None else None
        )
        previous_content = content_of(previous)
        # An action the current version no longer has (someone removed it while
        # you kept it, say) comes back as a new action, not an error.
        current_refs = {a.ref for a in previous_content.actions}
        content = replace(
            content,
            actions=tuple(
                a if a.ref in current_refs else replace(a, ref="")
                for a in content.actions
            ),
        )
        members = _members(person_id)
        _validate_for_person(
            content,
            previous=previous_content,
            members=members,
            today=today,
        )
        changed = [
            n for n in FIELDS if content.comparable(n) != previous_content.comparable(n)
        ]
        if previous is not None and not changed:
            return previous
        now = timezone.now()
        if plan is None:
            plan = CarePlan.objects.create(
                person_id=person_id, current_version=1, created_at=now, updated_at=now
            )
            number = 1
        else:
            number = plan.current_version + 1
            plan.current_version = number
            plan.updated_at = now
            plan.save(update_fields=["current_version", "updated_at"])
        stamp = now.isoformat()
        version = CarePlanVersion.objects.create(
            plan=plan,
            number=number,
            goals=_goals(content, previous, actor, stamp),
            actions=_actions(
                actor=actor,
                plan=plan,
                content=content,
                previous=previous,
                members=members,
                now=stamp,
            ),
            contingency=content.contingency,
            review_on=content.review_on,
            author_id=actor.user_id,
            author_organisation_id=actor.organisation_id,
            author_role=actor.role,
            created_at=now,
            changed=changed,
        )
        _notify(actor, plan, number)
    return version
