"""Care plan pages: the plan with every contribution and its author, and the
form to change it. The form carries the version it was based on; if the plan
moved on meanwhile, nothing is saved and a merge page shows theirs against yours
per field, so nothing is lost. Thin: parse, call services and selectors, render."""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from joinedup.coordination.selectors.plans import (
    PlanView,
    care_plan_get,
    care_team_owners,
    plan_readable,
)
from joinedup.coordination.services.plans import (
    BOTH,
    FIELDS,
    THEIRS,
    YOURS,
    MergeUnchosen,
    PlanChanged,
    PlanContent,
    care_plan_merge_save,
    care_plan_save,
    content_of,
    plan_content_parse,
    plan_merge,
)
from joinedup.coordination.views.assessment import TITLES
from joinedup.errors import InvalidInput
from joinedup.people.selectors import PersonAccess, person_access_open
from joinedup.web.actors import request_actor
from joinedup.web.problems import problem_pages

BLANK_ACTION_ROWS = 2


@login_required
@require_GET
@problem_pages(titles=TITLES)
def plan_detail(request: HttpRequest, person_id: int) -> HttpResponse:
    access = person_access_open(
        actor=request_actor(request), person_id=person_id, action="view_care_plan"
    )
    readable, reason = plan_readable(access)
    view = care_plan_get(access=access) if readable else None
    return render(
        request,
        "coordination/plan_detail.html",
        {
            "person": access.person,
            "readable": readable,
            "reason": reason,
            "view": view,
            "fields": FIELDS,
        },
    )


@dataclass(frozen=True)
class ActionRow:
    index: int
    ref: str
    description: str
    owner: str
    due: str
    errors: tuple[str, ...] = ()


def _rows_from_content(content: PlanContent) -> list[ActionRow]:
    rows = [
        ActionRow(
            i,
            a.ref,
            a.description,
            str(a.owner_user_id or ""),
            a.due_on.strftime("%d/%m/%Y") if a.due_on else "",
        )
        for i, a in enumerate(content.actions)
    ]
    n = len(rows)
    return rows + [ActionRow(n + i, "", "", "", "") for i in range(BLANK_ACTION_ROWS)]


def _rows_from_post(request: HttpRequest) -> list[ActionRow]:
    try:
        count = min(int(request.POST.get("action_count", "0")), 60)
    except ValueError:
        count = 0
    p = request.POST
    return [
        ActionRow(
            i,
            p.get(f"action-{i}-ref", "").strip(),
            p.get(f"action-{i}-description", "").strip(),
            p.get(f"action-{i}-owner", "").strip(),
            p.get(f"action-{i}-due", "").strip(),
        )
        for i in range(count)
    ]


def _content_from_post(
    request: HttpRequest,
) -> tuple[dict[str, object], dict[int, int]]:
    """The plan's content as plain data, and which form row each action came
    from (for naming errors). An action whose description is cleared is
    removed; an empty new row is ignored."""
    actions: list[dict[str, object]] = []
    row_of: dict[int, int] = {}
    for row in _rows_from_post(request):
        if not row.description and (row.ref or not row.owner):
            continue
        row_of[len(actions)] = row.index
        actions.append(
            {
                "ref": row.ref,
                "description": row.description,
                "owner_user_id": row.owner or None,
                "due_on": row.due or None,
            }
        )
    data: dict[str, object] = {
        "goals": request.POST.get("goals", ""),
        "actions": actions,
        "contingency": request.POST.get("contingency", ""),
        "review_on": request.POST.get("review_on", ""),
    }
    return data, row_of


def _form_errors(fields: dict[str, str], row_of: dict[int, int]) -> dict[str, str]:
    """Service field names (actions.0.owner) as the form's ids (action-3-owner)."""
    out = {}
    for name, problem_text in fields.items():
        parts = name.split(".")
        if parts[0] == "actions" and len(parts) == 3 and parts[1].isdigit():
            row = row_of.get(int(parts[1]), int(parts[1]))
            suffix = "due" if parts[2] == "due_on" else parts[2]
            out[f"action-{row}-{suffix}"] = f"Action {row + 1}: {problem_text}"
        else:
            out[name] = problem_text
    return out


def _edit_page(
    request: HttpRequest,
    access: PersonAccess,
    view: PlanView | None,
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
    rows: list[ActionRow] | None = None,
) -> HttpResponse:
    content = content_of(view.current if view else None)
    posted = request.method == "POST"
    rows = rows if rows is not None else _rows_from_content(content)
    errors = errors or {}
    rows = [
        ActionRow(
            r.index,
            r.ref,
            r.description,
            r.owner,
            r.due,
            tuple(v for k, v in errors.items() if k.startswith(f"action-{r.index}-")),
        )
        for r in rows
    ]
    context = {
        "person": access.person,
        "view": view,
        "owners": care_team_owners(person_id=access.person.pk),
        "base_version": request.POST.get("base_version", "")
        if posted
        else (view.current.number if view else ""),
        "goals": request.POST.get("goals", "") if posted else "\n".join(content.goals),
        "contingency": request.POST.get("contingency", "")
        if posted
        else content.contingency,
        "review_on": request.POST.get("review_on", "")
        if posted
        else (content.review_on.strftime("%d/%m/%Y") if content.review_on else ""),
        "rows": rows,
        "errors": errors,
    }
    return render(request, "coordination/plan_edit.html", context, status=status)


def _display(name: str, value: object, owners: dict[int, str]) -> list[str]:
    if name == "goals":
        return list(value) or ["None"]  # type: ignore[call-overload]
    if name == "actions":
        lines = []
        for a in value:  # type: ignore[attr-defined]
            due = f", by {a.due_on:%d/%m/%Y}" if a.due_on else ""
            lines.append(
                f"{a.description} ({owners.get(a.owner_user_id, 'no owner')}{due})"
            )
        return lines or ["None"]
    if name == "review_on":
        return [f"{value:%d/%m/%Y}"] if value else ["Not set"]
    return [str(value)] if value else ["None"]


@dataclass(frozen=True)
class MergeRow:
    name: str
    label: str
    theirs: list[str]
    yours: list[str]
    status: str


def _merge_page(
    request: HttpRequest,
    access: PersonAccess,
    view: PlanView,
    *,
    base: PlanContent,
    yours: PlanContent,
    errors: dict[str, str] | None = None,
) -> HttpResponse:
    theirs = content_of(view.current)
    owners = {
        m.user_id: f"{m.user.get_full_name() or m.user.username}, {m.organisation.name}"
        for m in care_team_owners(person_id=access.person.pk)
    }
    for a in view.actions:
        if a.owner_user_id is not None:
            owners.setdefault(a.owner_user_id, f"{a.owner}, {a.agency}")
    rows = [
        MergeRow(
            f.name,
            f.label,
            _display(f.name, f.theirs, owners),
            _display(f.name, f.yours, owners),
            f.status,
        )
        for f in plan_merge(base=base, theirs=theirs, yours=yours)
    ]
    since = [v for v in view.history if v.version.number > _base_number(request)]
    return render(
        request,
        "coordination/plan_merge.html",
        {
            "person": access.person,
            "view": view,
            "rows": rows,
            "since": since,
            "yours_json": json.dumps(yours.as_json()),
            "errors": errors or {},
            "THEIRS": THEIRS,
            "YOURS": YOURS,
            "BOTH": BOTH,
        },
        status=409,
    )


def _base_number(request: HttpRequest) -> int:
    raw = request.POST.get("original_base", "") or request.POST.get("base_version", "")
    return int(raw) if raw.isdigit() else 0


def _version_content(view: PlanView | None, number: int) -> PlanContent:
    if view is None:
        return PlanContent()
    for v in view.history:
        if v.version.number == number:
            return content_of(v.version)
    return PlanContent()


@login_required
@require_http_methods(["GET", "POST"])
@problem_pages(titles=TITLES)
def plan_edit(request: HttpRequest, person_id: int) -> HttpResponse:
    actor = request_actor(request)
    access = person_access_open(
        actor=actor, person_id=person_id, action="edit_care_plan"
    )
    readable, reason = plan_readable(access)
    if not readable:
        return render(
            request,
            "coordination/plan_detail.html",
            {"person": access.person, "readable": False, "reason": reason},
        )
    view = care_plan_get(access=access)
    if request.method == "GET":
        return _edit_page(request, access, view)
    raw_base = request.POST.get("base_version", "")
    base_version = int(raw_base) if raw_base.isdigit() else None
    merging = request.POST.get("merge") == "1"
    carried = _carried_copy(request) if merging else {}
    row_of: dict[int, int] = {}
    try:
        if merging:  # theirs or yours, field by field, on the merge page
            yours = plan_content_parse(carried)
            care_plan_merge_save(
                actor=actor,
                person_id=person_id,
                base_version=base_version,
                yours=yours,
                choices={n: request.POST.get(f"choose_{n}", "") for n in FIELDS},
            )
        else:
            data, row_of = _content_from_post(request)
            care_plan_save(
                actor=actor,
                person_id=person_id,
                base_version=base_version,
                content=plan_content_parse(data),
            )
    except PlanChanged as exc:  # moved on meanwhile: compare theirs with yours
        fresh = care_plan_get(access=access)
        assert fresh is not None  # noqa: S101 - a plan that moved on exists
        return _merge_page(
            request,
            access,
            fresh,
            base=_version_content(fresh, _base_number(request)),
            yours=exc.yours,
        )
    except MergeUnchosen as exc:  # the merge page again, saying what to choose
        assert view is not None  # noqa: S101 - only a plan that exists is merged
        return _merge_page(
            request,
            access,
            view,
            base=_version_content(view, _base_number(request)),
            yours=yours,
            errors=exc.fields,
        )
    except InvalidInput as exc:
        return _edit_page(
            request,
            access,
            view,
            status=400,
            errors=_form_errors(exc.fields, row_of),
            rows=_rows_from_post(request) or None,
        )
    return HttpResponseRedirect(reverse("plan_detail", args=[person_id]))


def _carried_copy(request: HttpRequest) -> dict[str, object]:
    """Your change as the merge page carried it; unreadable means the page was
    not ours (a problem, not a field to correct)."""
    try:
        carried = json.loads(request.POST.get("yours_json", "{}"))
    except json.JSONDecodeError:
        carried = None
    if not isinstance(carried, dict):
        raise InvalidInput.for_field("yours_json", "is not valid")
    return carried
