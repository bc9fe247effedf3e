"""Reads in governance: who is acting, from a session or an API token."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from joinedup.governance.access import Actor
from joinedup.governance.models import (
    ApiToken,
    AuditEntry,
    AuditOutcome,
    Membership,
    User,
)


def membership_acting(
    *, user: User, membership_id: int | None = None
) -> Membership | None:
    """The membership the user acts in: the one chosen in the session, else their
    primary one, else any active one."""
    memberships = Membership.objects.select_related("organisation", "team").filter(
        user=user, active=True
    )
    chosen = None
    if membership_id is not None:
        chosen = next((m for m in memberships if m.pk == membership_id), None)
    if chosen is None:
        ordered = sorted(memberships, key=lambda m: (not m.is_primary, m.pk))
        chosen = ordered[0] if ordered else None
    return chosen


def actor_from_membership(
    membership: Membership, *, channel: str = "web", request_id: str = ""
) -> Actor:
    return Actor(
        user_id=membership.user_id,
        role=membership.role,
        organisation_id=membership.organisation_id,
        team_id=membership.team_id,
        channel=channel,
        request_id=request_id,
    )


def token_user_get(*, token: str) -> User | None:
    """The active user an API token belongs to, or None for an unknown or revoked
    token. Marks the token as used."""
    digest = ApiToken.digest_of(token)
    found = (
        ApiToken.objects.select_related("user")
        .filter(digest=digest, revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if found is None:
        return None
    ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
    return found.user


def audit_refused_recent(
    *, days: int = 7, limit: int = 50
) -> tuple[int, list[AuditEntry]]:
    """Refused accesses in the last `days` days, for the IG lead's home page."""
    since = timezone.now() - dt.timedelta(days=days)
    refused = AuditEntry.objects.filter(
        outcome=AuditOutcome.REFUSED, occurred_at__gte=since
    )
    return refused.count(), list(
        refused.select_related("actor", "organisation").order_by("-occurred_at")[:limit]
    )
