"""MDT pages: meetings, scheduling, one meeting (attendees, people to discuss,
proposals), one person's item (discussion, decisions, actions), closing, and
the minutes as PDF or DOCX."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from joinedup.coordination.minutes import minutes_docx, minutes_pdf
from joinedup.coordination.models import ItemSource
from joinedup.coordination.selectors.mdt import (
    mdt_item_view,
    mdt_meeting_view,
    mdt_meetings_list,
    mdt_minutes,
)
from joinedup.coordination.services.mdt import (
    mdt_action_add,
    mdt_attendee_add,
    mdt_item_add,
    mdt_item_record,
    mdt_meeting_close,
    mdt_meeting_schedule,
)
from joinedup.coordination.views.tasks import assignee_parse, date_parse, int_parse
from joinedup.errors import AccessRefused, InvalidInput, NotFound
from joinedup.governance.access import Actor
from joinedup.governance.models import Team
from joinedup.web.actors import request_actor
from joinedup.web.problems import problem_pages, write_then_redirect

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def starts_at_parse(day: str, time: str) -> dt.datetime:
    on = date_parse(day, "starts_on", required=True)
    assert on is not None  # noqa: S101 - required above
    try:
        at = dt.datetime.strptime(time.strip(), "%H:%M").time()  # noqa: DTZ007
    except ValueError:
        raise InvalidInput.for_field("starts_time", "enter a time like 14:30") from None
    return dt.datetime.combine(on, at, tzinfo=timezone.get_current_timezone())


@login_required
@require_GET
@problem_pages
def meetings(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    return render(
        request,
        "coordination/mdt_list.html",
        {
            "meetings": mdt_meetings_list(actor=actor),
            "is_coordinator": actor.role == "mdt_coordinator",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@problem_pages
def meeting_new(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    teams = list(
        Team.objects.select_related("organisation").order_by(
            "organisation__name", "name"
        )
    )
    context: dict[str, object] = {"teams": teams, "form": {}, "errors": {}}
    if request.method == "POST":
        p = request.POST

        def form(errors: dict[str, str]) -> HttpResponse:
            context.update(errors=errors, form=p.dict())
            return render(request, "coordination/mdt_new.html", context)

        return write_then_redirect(
            lambda: mdt_meeting_schedule(
                actor=actor,
                team_id=int_parse(p.get("team"), "team"),
                title=p.get("title", ""),
                starts_at=starts_at_parse(
                    p.get("starts_on", ""), p.get("starts_time", "")
                ),
                place=p.get("place", ""),
                link=p.get("link", ""),
            ),
            to=lambda meeting: reverse("mdt_meeting", args=[meeting.pk]),
            form=form,
        )
    if actor.role != "mdt_coordinator":
        raise AccessRefused("Only an MDT coordinator can schedule MDT meetings.")
    return render(request, "coordination/mdt_new.html", context)


def _meeting_page(
    request: HttpRequest,
    meeting_id: int,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
) -> HttpResponse:
    view = mdt_meeting_view(actor=request_actor(request), meeting_id=meeting_id)
    return render(
        request,
        "coordination/mdt_meeting.html",
        {
            "v": view,
            "m": view.meeting,
            "errors": errors or {},
            "form": form or {},
            "sources": ItemSource.choices,
        },
        status=400 if errors else 200,
    )


@login_required
@require_GET
@problem_pages
def meeting(request: HttpRequest, meeting_id: int) -> HttpResponse:
    return _meeting_page(request, meeting_id)


def _change(
    request: HttpRequest,
    meeting_id: int,
    write: Callable[[Actor], object],
    *,
    back: Callable[[dict[str, str]], HttpResponse] | None = None,
    then: str = "",
) -> HttpResponse:
    return write_then_redirect(
        lambda: write(request_actor(request)),
        to=then or reverse("mdt_meeting", args=[meeting_id]),
        form=back
        or (
            lambda errors: _meeting_page(
                request, meeting_id, errors=errors, form=request.POST.dict()
            )
        ),
    )


@login_required
@require_POST
@problem_pages
def attendee_add(request: HttpRequest, meeting_id: int) -> HttpResponse:
    return _change(
        request,
        meeting_id,
        lambda actor: mdt_attendee_add(
            actor=actor,
            meeting_id=meeting_id,
            membership_id=int_parse(request.POST.get("attendee"), "attendee"),
        ),
    )


@login_required
@require_POST
@problem_pages
def item_add(request: HttpRequest, meeting_id: int) -> HttpResponse:
    def write(actor: Actor) -> object:
        raw = request.POST.get("candidate", "")
        source, _, rest = raw.partition(":")
        person_raw, _, ref = rest.partition(":")
        if not raw:  # a person added by hand, by their record number
            source, person_raw, ref = (
                ItemSource.MANUAL,
                request.POST.get("person", ""),
                "",
            )
        person_id = int_parse(person_raw, "person", required=True)
        assert person_id is not None  # noqa: S101 - required above
        return mdt_item_add(
            actor=actor,
            meeting_id=meeting_id,
            person_id=person_id,
            source=source,
            source_ref=ref,
        )

    return _change(request, meeting_id, write)


def _item_page(
    request: HttpRequest,
    meeting_id: int,
    item_id: int,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
) -> HttpResponse:
    view = mdt_item_view(
        actor=request_actor(request), meeting_id=meeting_id, item_id=item_id
    )
    return render(
        request,
        "coordination/mdt_item.html",
        {"v": view, "errors": errors or {}, "form": form or {}},
        status=400 if errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
@problem_pages
def item(request: HttpRequest, meeting_id: int, item_id: int) -> HttpResponse:
    """One person's item; POST records the discussion and decisions."""
    if request.method == "GET":
        return _item_page(request, meeting_id, item_id)
    return _change(
        request,
        meeting_id,
        lambda actor: mdt_item_record(
            actor=actor,
            item_id=item_id,
            meeting_id=meeting_id,
            discussion=request.POST.get("discussion", ""),
            decisions=request.POST.get("decisions", ""),
        ),
        back=lambda errors: _item_page(
            request, meeting_id, item_id, errors=errors, form=request.POST.dict()
        ),
        then=reverse("mdt_item", args=[meeting_id, item_id]),
    )


@login_required
@require_POST
@problem_pages
def action_add(request: HttpRequest, meeting_id: int, item_id: int) -> HttpResponse:
    def write(actor: Actor) -> object:
        user_id, team_id = assignee_parse(request.POST.get("assignee", ""))
        return mdt_action_add(
            actor=actor,
            item_id=item_id,
            meeting_id=meeting_id,
            title=request.POST.get("title", ""),
            detail=request.POST.get("detail", ""),
            assignee_user_id=user_id,
            assignee_team_id=team_id,
            due_on=date_parse(request.POST.get("due_on", ""), "due_on"),
        )

    return _change(
        request,
        meeting_id,
        write,
        back=lambda errors: _item_page(
            request, meeting_id, item_id, errors=errors, form=request.POST.dict()
        ),
        then=reverse("mdt_item", args=[meeting_id, item_id]),
    )


@login_required
@require_POST
@problem_pages
def meeting_close(request: HttpRequest, meeting_id: int) -> HttpResponse:
    return _change(
        request,
        meeting_id,
        lambda actor: mdt_meeting_close(actor=actor, meeting_id=meeting_id),
    )


@login_required
@require_GET
@problem_pages
def minutes(request: HttpRequest, meeting_id: int, fmt: str) -> HttpResponse:
    if fmt not in ("pdf", "docx"):
        raise NotFound("minutes: choose pdf or docx")
    data = mdt_minutes(actor=request_actor(request), meeting_id=meeting_id)
    day = timezone.localtime(data.meeting.starts_at)
    name = f"mdt-minutes-{meeting_id}-{day:%Y-%m-%d}"
    if fmt == "pdf":
        response = HttpResponse(minutes_pdf(data), content_type="application/pdf")
    else:
        response = HttpResponse(minutes_docx(data), content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response
