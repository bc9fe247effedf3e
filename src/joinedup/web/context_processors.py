from __future__ import annotations

from django.http import HttpRequest

from joinedup.coordination.selectors.notifications import notifications_unread_count
from joinedup.governance.models import DIRECT_CARE_ROLES
from joinedup.web.actors import request_membership


def acting_as(request: HttpRequest) -> dict[str, object]:
    membership = request_membership(request)
    return {
        "acting": membership,
        "acting_direct_care": bool(membership and membership.role in DIRECT_CARE_ROLES),
        # The bell: one indexed count, only for a signed-in professional.
        "notifications_unread": (
            notifications_unread_count(user_id=membership.user_id)
            if membership is not None
            else 0
        ),
    }
