"""Who is acting in a web request: the signed-in user in their chosen role."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from joinedup.governance.access import Actor
from joinedup.governance.models import Membership, User
from joinedup.governance.selectors import actor_from_membership, membership_acting

SESSION_KEY = "acting_membership_id"


def request_membership(request: HttpRequest) -> Membership | None:
    user = getattr(request, "user", None)  # absent when a request fails early
    if not isinstance(user, User) or not user.is_authenticated:
        return None
    if not hasattr(request, "_acting_membership"):
        request._acting_membership = membership_acting(  # type: ignore[attr-defined]
            user=user,
            membership_id=request.session.get(SESSION_KEY),
        )
    return request._acting_membership  # type: ignore[attr-defined]


def request_actor(request: HttpRequest) -> Actor:
    membership = request_membership(request)
    if membership is None:
        raise PermissionDenied(
            "Your account has no role in any organisation. Ask your administrator."
        )
    return actor_from_membership(
        membership, channel="web", request_id=getattr(request, "id", "")
    )
