"""Task pages: my tasks, my team's tasks, overdue (with filters), and one task
with its actions (reassign, start, complete, cancel). Thin: parse, call the
services and selectors, render."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from joinedup.coordination.models import TaskSource
from joinedup.coordination.selectors.tasks import (
    STATUSES,
    VIEWS,
    caseload_with_tasks,
    task_detail,
    task_filters_parse,
    task_list,
)
from joinedup.coordination.services.tasks import (
    task_assign,
    task_cancel,
    task_complete,
    task_start,
)
from joinedup.errors import InvalidInput
from joinedup.governance.access import Actor
from joinedup.web.actors import request_actor
from joinedup.web.problems import form_date, problem_pages, write_then_redirect


def date_parse(raw: str, field: str, *, required: bool = False) -> dt.date | None:
    return form_date(raw, field, required=required)


def int_parse(raw: str | None, field: str, *, required: bool = False) -> int | None:
    raw = (raw or "").strip()
    if not raw:
        if required:
            raise InvalidInput.for_field(field, "choose one")
        return None
    try:
        return int(raw)
    except ValueError:
        raise InvalidInput.for_field(field, "choose one from the list") from None


def assignee_parse(raw: str, field: str = "assignee") -> tuple[int | None, int | None]:
    """A holder chosen from one list: "user:12" or "team:3"."""
    kind, _, value = raw.partition(":")
    if kind not in ("user", "team") or not value.isdigit():
        raise InvalidInput.for_field(field, "choose who will do it")
    return (int(value), None) if kind == "user" else (None, int(value))


@login_required
@require_GET
@problem_pages
def tasks(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    context: dict[str, object] = {
        "views": VIEWS,
        "statuses": STATUSES,
        "sources": TaskSource.choices,
        "view": request.GET.get("view", "") or "mine",
        "filters": None,
        "result": None,
    }
    try:
        filters = task_filters_parse(request.GET.dict())
        context["result"] = task_list(actor=actor, filters=filters)
    except InvalidInput as exc:
        context["errors"] = exc.fields
        return render(request, "coordination/task_list.html", context, status=400)
    context["filters"] = filters
    return render(request, "coordination/task_list.html", context)


@login_required
@require_GET
@problem_pages
def caseload(request: HttpRequest) -> HttpResponse:
    """My caseload: everyone whose care team I am in, with my open tasks."""
    raw = request.GET.get("page", "") or "1"
    page = int(raw) if raw.isdigit() else 0
    result = caseload_with_tasks(actor=request_actor(request), page=page)
    return render(request, "coordination/task_caseload.html", {"result": result})


def _detail_page(
    request: HttpRequest,
    task_id: int,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
) -> HttpResponse:
    view = task_detail(actor=request_actor(request), task_id=task_id)
    return render(
        request,
        "coordination/task_detail.html",
        {"v": view, "errors": errors or {}, "form": form or {}},
        status=400 if errors else 200,
    )


@login_required
@require_GET
@problem_pages
def task(request: HttpRequest, task_id: int) -> HttpResponse:
    return _detail_page(request, task_id)


def _change(
    request: HttpRequest, task_id: int, write: Callable[[Actor], object]
) -> HttpResponse:
    return write_then_redirect(
        lambda: write(request_actor(request)),
        to=reverse("task_detail", args=[task_id]),
        form=lambda errors: _detail_page(
            request, task_id, errors=errors, form=request.POST.dict()
        ),
    )


@login_required
@require_POST
@problem_pages
def task_reassign(request: HttpRequest, task_id: int) -> HttpResponse:
    def write(actor: Actor) -> object:
        user_id, team_id = assignee_parse(request.POST.get("assignee", ""))
        return task_assign(
            actor=actor,
            task_id=task_id,
            assignee_user_id=user_id,
            assignee_team_id=team_id,
        )

    return _change(request, task_id, write)


@login_required
@require_POST
@problem_pages
def task_start_view(request: HttpRequest, task_id: int) -> HttpResponse:
    return _change(
        request, task_id, lambda actor: task_start(actor=actor, task_id=task_id)
    )


@login_required
@require_POST
@problem_pages
def task_complete_view(request: HttpRequest, task_id: int) -> HttpResponse:
    return _change(
        request,
        task_id,
        lambda actor: task_complete(
            actor=actor, task_id=task_id, outcome=request.POST.get("outcome", "")
        ),
    )


@login_required
@require_POST
@problem_pages
def task_cancel_view(request: HttpRequest, task_id: int) -> HttpResponse:
    return _change(
        request,
        task_id,
        lambda actor: task_cancel(
            actor=actor, task_id=task_id, reason=request.POST.get("reason", "")
        ),
    )
