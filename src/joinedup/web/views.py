"""Home, account and error pages. Thin: parse, call selectors, render."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from joinedup.coordination.selectors import caseload_list
from joinedup.governance.models import DIRECT_CARE_ROLES, Membership, Role
from joinedup.governance.selectors import audit_refused_recent
from joinedup.people.selectors import area_figures
from joinedup.record.models import EventKind
from joinedup.record.selectors import events_recent_list
from joinedup.web.actors import SESSION_KEY, request_actor, request_membership

HOSPITAL_KINDS = [EventKind.ADMISSION, EventKind.DISCHARGE, EventKind.AE_ATTENDANCE]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    now = timezone.now()
    context: dict[str, object] = {"direct_care": actor.role in DIRECT_CARE_ROLES}
    if actor.role in DIRECT_CARE_ROLES:
        context["caseload"] = caseload_list(actor=actor)
    if actor.role == Role.DISCHARGE_COORDINATOR:
        context["recent_events_title"] = (
            "Admissions to your hospital in the last 7 days"
        )
        context["recent_events"] = events_recent_list(
            actor=actor,
            kinds=[EventKind.ADMISSION],
            since=now - dt.timedelta(days=7),
            at_actor_organisation=True,
        )
    elif actor.role == Role.GP:
        context["recent_events_title"] = (
            "Your practice's patients in hospital or A&E in the last 14 days"
        )
        context["recent_events"] = events_recent_list(
            actor=actor,
            kinds=HOSPITAL_KINDS,
            since=now - dt.timedelta(days=14),
            registered_with_actor_practice=True,
        )
    elif actor.role == Role.COMMISSIONER:
        context["figures"] = area_figures(actor=actor, today=timezone.localdate())
    elif actor.role == Role.IG_LEAD:
        context["refused_count"], context["refused"] = audit_refused_recent()
    return render(request, "web/home.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def role_choose(request: HttpRequest) -> HttpResponse:
    """Switch between the roles a user holds (e.g. a GP who is also an MDT
    coordinator)."""
    memberships = list(
        Membership.objects.select_related("organisation")
        .filter(user_id=request.user.pk or 0, active=True)
        .order_by("organisation__name", "role")
    )
    error = ""
    if request.method == "POST":
        chosen = request.POST.get("membership", "")
        match = next((m for m in memberships if str(m.pk) == chosen), None)
        if match is None:
            error = "Select the role you want to act in"
        else:
            request.session[SESSION_KEY] = match.pk
            return HttpResponseRedirect(reverse("home"))
    current = request_membership(request)
    return render(
        request,
        "web/role.html",
        {"memberships": memberships, "current": current, "error": error},
        status=400 if error else 200,
    )


def _problem(
    request: HttpRequest, status: int, title: str, detail: str
) -> HttpResponse:
    return render(
        request, "web/problem.html", {"title": title, "detail": detail}, status=status
    )


def bad_request(
    request: HttpRequest, exception: Exception | None = None
) -> HttpResponse:
    return _problem(request, 400, "Sorry, there is a problem with that request", "")


def permission_denied(
    request: HttpRequest, exception: Exception | None = None
) -> HttpResponse:
    detail = str(exception) if exception and str(exception) else ""
    return _problem(request, 403, "You cannot see this page", detail)


def page_not_found(
    request: HttpRequest, exception: Exception | None = None
) -> HttpResponse:
    return _problem(
        request,
        404,
        "Page not found",
        "If you typed the web address, check it is correct.",
    )


def server_error(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/problem.html",
        {
            "title": "Sorry, there is a problem with the service",
            "detail": "Try again later. Nothing you entered has been saved "
            "half-way: either it was saved completely or not at all.",
        },
        status=500,
    )
