"""The notifications page: a professional's own notifications, marked read."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from joinedup.coordination.selectors.notifications import (
    notification_url,
    notifications_list,
)
from joinedup.coordination.services.notifications import notifications_mark_read
from joinedup.errors import NotFound
from joinedup.web.actors import request_actor


def _user_id(request: HttpRequest) -> int:
    user_id = request.user.pk
    assert isinstance(user_id, int)  # noqa: S101 - behind login_required
    return user_id


@login_required
@require_GET
def notifications(request: HttpRequest) -> HttpResponse:
    request_actor(request)  # a professional with a role
    return render(
        request,
        "coordination/notification_list.html",
        {"notifications": notifications_list(user_id=_user_id(request))},
    )


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    """Mark one notification read and go to it, or mark them all read."""
    raw = request.POST.get("notification", "")
    if raw.isdigit():
        try:
            notifications_mark_read(
                user_id=_user_id(request), notification_ids=[int(raw)]
            )
        except NotFound:
            return HttpResponseRedirect(reverse("notifications"))
        target = notification_url(user_id=_user_id(request), notification_id=int(raw))
        if target and target.startswith("/") and not target.startswith("//"):
            return HttpResponseRedirect(target)
        return HttpResponseRedirect(reverse("notifications"))
    notifications_mark_read(user_id=_user_id(request))
    return HttpResponseRedirect(reverse("notifications"))
