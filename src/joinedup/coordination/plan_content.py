"""The content of a shared care plan as plain data, and merging two changes of
it: pure functions (no database), tested case by case. A version's content is
goals (in the person's words), actions (ref, description, owner, due date), a
contingency plan and a review date.

`plan_merge` compares, field by field, your change and theirs (both made on the
same base version): a field only one side changed keeps that side's value; a
field both changed needs a choice (`plan_merged`). Nothing is lost."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from joinedup.errors import InvalidInput

if TYPE_CHECKING:
    from joinedup.coordination.models import CarePlanVersion

GOALS_MAX = 30
GOAL_MAX = 1000
ACTIONS_MAX = 50
ACTION_MAX = 500
CONTINGENCY_MAX = 4000

FIELDS = {
    "goals": "Goals (in the person's words)",
    "actions": "Actions",
    "contingency": "Contingency plan",
    "review_on": "Review date",
}


@dataclass(frozen=True)
class ActionIn:
    ref: str  # "" for a new action; kept across versions
    description: str
    owner_user_id: int | None
    due_on: dt.date | None


@dataclass(frozen=True)
class PlanContent:
    goals: tuple[str, ...] = ()
    actions: tuple[ActionIn, ...] = ()
    contingency: str = ""
    review_on: dt.date | None = None

    def as_json(self) -> dict[str, object]:
        return {
            "goals": list(self.goals),
            "actions": [
                {
                    "ref": a.ref,
                    "description": a.description,
                    "owner_user_id": a.owner_user_id,
                    "due_on": a.due_on.isoformat() if a.due_on else None,
                }
                for a in self.actions
            ],
            "contingency": self.contingency,
            "review_on": self.review_on.isoformat() if self.review_on else None,
        }

    def comparable(self, name: str) -> object:
        if name == "goals":
            return tuple(" ".join(g.split()) for g in self.goals)
        if name == "actions":
            return tuple(
                (a.ref, " ".join(a.description.split()), a.owner_user_id, a.due_on)
                for a in self.actions
            )
        if name == "contingency":
            return " ".join(self.contingency.split())
        return self.review_on


def content_of(version: CarePlanVersion | None) -> PlanContent:
    if version is None:
        return PlanContent()
    return PlanContent(
        goals=tuple(g["text"] for g in version.goals),
        actions=tuple(
            ActionIn(
                a["ref"],
                a["description"],
                a["owner_user"],
                dt.date.fromisoformat(a["due_on"]) if a.get("due_on") else None,
            )
            for a in version.actions
        ),
        contingency=version.contingency,
        review_on=version.review_on,
    )


def _date(raw: object, name: str) -> dt.date | None:
    if raw in (None, ""):
        return None
    if isinstance(raw, dt.date):
        return raw
    text = str(raw).strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a date
        except ValueError:
            continue
    raise InvalidInput.for_field(name, "enter a real date, for example 15/3/2026")


def plan_content_parse(data: Mapping[str, object]) -> PlanContent:
    """A plan's content from plain data (a form, a REST body, the merge form's
    carried copy); every problem names its field: goals, actions.N.description,
    actions.N.owner, actions.N.due_on, contingency, review_on."""
    errors: dict[str, str] = {}
    raw_goals: Any = data.get("goals") or []
    if isinstance(raw_goals, str):
        raw_goals = raw_goals.splitlines()
    if not isinstance(raw_goals, list | tuple):
        errors["goals"] = "must be a list of goals"
        raw_goals = []
    goals = tuple(g for g in (" ".join(str(x).split()) for x in raw_goals) if g)
    if not goals:
        errors["goals"] = "write at least one goal, in the person's words"
    elif len(goals) > GOALS_MAX:
        errors["goals"] = f"write {GOALS_MAX} goals or fewer"
    elif any(len(g) > GOAL_MAX for g in goals):
        errors["goals"] = f"each goal must be {GOAL_MAX} characters or fewer"
    actions: list[ActionIn] = []
    raw_actions = data.get("actions") or []
    if not isinstance(raw_actions, list):
        errors["actions"] = "must be a list"
        raw_actions = []
    if len(raw_actions) > ACTIONS_MAX:
        errors["actions"] = f"{ACTIONS_MAX} actions or fewer"
    for i, raw in enumerate(raw_actions):
        if not isinstance(raw, Mapping):
            errors[f"actions.{i}"] = "must be an object"
            continue
        description = " ".join(str(raw.get("description") or "").split())
        owner = raw.get("owner_user_id")
        if not description:
            errors[f"actions.{i}.description"] = "say what will be done"
        elif len(description) > ACTION_MAX:
            errors[f"actions.{i}.description"] = (
                f"must be {ACTION_MAX} characters or fewer"
            )
        owner_id: int | None = None
        if owner in (None, ""):
            errors[f"actions.{i}.owner"] = "choose who will do it"
        else:
            try:
                owner_id = int(str(owner))
            except ValueError:
                errors[f"actions.{i}.owner"] = "choose someone in the care team"
        try:
            due_on = _date(raw.get("due_on"), f"actions.{i}.due_on")
        except InvalidInput as exc:
            errors.update(exc.fields)
            due_on = None
        actions.append(
            ActionIn(str(raw.get("ref") or "")[:10], description, owner_id, due_on)
        )
    contingency = str(data.get("contingency") or "").strip().replace("\r\n", "\n")
    if len(contingency) > CONTINGENCY_MAX:
        errors["contingency"] = f"must be {CONTINGENCY_MAX} characters or fewer"
    try:
        review_on = _date(data.get("review_on"), "review_on")
    except InvalidInput as exc:
        errors.update(exc.fields)
        review_on = None
    if errors:
        raise InvalidInput(
            "; ".join(f"{k}: {v}" for k, v in errors.items()), fields=errors
        )
    return PlanContent(goals, tuple(actions), contingency, review_on)


# --- Merging (pure) -----------------------------------------------------------

SAME = "same"  # theirs and yours agree
THEIRS = "theirs"  # only they changed it: theirs is kept
YOURS = "yours"  # only you changed it: yours is kept
BOTH = "both"  # both changed it: choose


@dataclass(frozen=True)
class MergeField:
    name: str
    label: str
    theirs: object
    yours: object
    status: str

    @property
    def needs_choice(self) -> bool:
        return self.status == BOTH


def plan_merge(
    *, base: PlanContent, theirs: PlanContent, yours: PlanContent
) -> list[MergeField]:
    """Per field, how your change and theirs (both made on `base`) combine."""
    out = []
    for name, label in FIELDS.items():
        b, t, y = (c.comparable(name) for c in (base, theirs, yours))
        if t == y:
            status = SAME
        elif y == b:
            status = THEIRS
        elif t == b:
            status = YOURS
        else:
            status = BOTH
        out.append(
            MergeField(name, label, getattr(theirs, name), getattr(yours, name), status)
        )
    return out


class MergeUnchosen(InvalidInput):
    """A field on the merge page has no choice yet: the merge page is shown again."""


def plan_merged(
    *, theirs: PlanContent, yours: PlanContent, choices: Mapping[str, str]
) -> PlanContent:
    """The content chosen field by field (`theirs` or `yours` per field); raises
    MergeUnchosen naming each field without a choice."""
    errors = {
        f"choose_{n}": "choose theirs or yours"
        for n in FIELDS
        if choices.get(n) not in (THEIRS, YOURS)
    }
    if errors:
        raise MergeUnchosen(
            "; ".join(f"{k}: {v}" for k, v in errors.items()), fields=errors
        )
    picked = {n: getattr(theirs if choices[n] == THEIRS else yours, n) for n in FIELDS}
    return PlanContent(**picked)
