"""Notifications: an in-app row per professional, written with the change that
caused it (so a rolled-back change notifies no one), and an email sent once the
change has committed. The email holds no personal data: only that there is
something new in JoinedUp, and a link (ids only)."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import timezone

from joinedup.coordination.models import (
    CareTeamMember,
    Notification,
    NotificationKind,
    Task,
    TaskSource,
)
from joinedup.errors import InvalidInput, NotFound
from joinedup.governance.models import DIRECT_CARE_ROLES, Membership, User

log = logging.getLogger(__name__)


def _absolute(url: str) -> str:
    base = getattr(settings, "JOINEDUP_BASE_URL", "") or ""
    return base.rstrip("/") + url if base else url


def _email_send(user_ids: list[int], kind: str, url: str) -> None:
    label = NotificationKind(kind).label
    article = "an" if label[0] in "aeiouAEIOU" else "a"
    subject = f"JoinedUp: you have {article} {label}"
    body = (
        f"You have {article} {label} in JoinedUp.\n\n"
        f"Sign in to see it: {_absolute(url)}\n\n"
        "This email holds no personal information; the details are in JoinedUp."
    )
    addresses = [
        e for e in User.objects.filter(pk__in=user_ids).values_list("email", flat=True)
    ]
    messages = [(subject, body, None, [a]) for a in addresses if a]
    if not messages:
        return
    try:
        send_mass_mail(messages, fail_silently=False)
    except Exception:  # a mail server down must not fail the change already made
        log.warning("notification email not sent to %d recipients", len(messages))


def notify(
    *,
    user_ids: Iterable[int],
    kind: str,
    person_id: int | None,
    title: str,
    url: str,
) -> list[Notification]:
    """Tell these professionals that something needs them. The rows are written
    in the caller's transaction; the emails go when it commits."""
    if kind not in NotificationKind.values:
        raise InvalidInput.for_field("kind", f"unknown notification kind {kind!r}")
    title = title.strip()[:200]
    if not title:
        raise InvalidInput.for_field("title", "say what the notification is about")
    if not url.startswith("/"):
        raise InvalidInput.for_field("url", "must be a path in JoinedUp")
    ids = sorted({int(u) for u in user_ids if u is not None})
    if not ids:
        return []
    now = timezone.now()
    rows = Notification.objects.bulk_create(
        [
            Notification(
                user_id=u,
                kind=kind,
                person_id=person_id,
                title=title,
                url=url,
                created_at=now,
            )
            for u in ids
        ]
    )
    transaction.on_commit(lambda: _email_send(ids, kind, url))
    return rows


def notify_care_team(
    *,
    person_id: int,
    exclude_user_id: int | None,
    kind: str,
    title: str,
    url: str,
) -> list[Notification]:
    """Tell the person's current care team (except whoever made the change)."""
    user_ids = [
        u
        for u in CareTeamMember.objects.filter(
            person_id=person_id, ended_on__isnull=True
        ).values_list("user_id", flat=True)
        if u != exclude_user_id
    ]
    return notify(
        user_ids=user_ids, kind=kind, person_id=person_id, title=title, url=url
    )


def team_user_ids(*, team_id: int | None, organisation_id: int) -> list[int]:
    """The professionals in direct care in a team (or, with no team, in the
    organisation) who should hear about work given to it."""
    members = Membership.objects.filter(
        organisation_id=organisation_id, active=True, role__in=DIRECT_CARE_ROLES
    )
    if team_id is not None:
        members = members.filter(team_id=team_id)
    return sorted(set(members.values_list("user_id", flat=True)))


def task_notify(*, task: Task, actor_user_id: int | None) -> list[Notification]:
    """A task was given to someone: tell its holder (the professional, or the
    members of the team when no one person holds it), not whoever gave it."""
    from django.urls import reverse

    if task.source == TaskSource.REFERRAL and task.assignee_user_id is None:
        return []  # the referral itself tells the receiving team
    if task.assignee_user_id is not None:
        user_ids = [task.assignee_user_id]
    elif task.assignee_team_id is not None:
        user_ids = team_user_ids(
            team_id=task.assignee_team_id, organisation_id=task.assignee_organisation_id
        )
    else:
        return []
    user_ids = [u for u in user_ids if u != actor_user_id]
    return notify(
        user_ids=user_ids,
        kind=NotificationKind.TASK_ASSIGNED,
        person_id=task.person_id,
        title=f"Task for you: {task.get_source_display().lower()}",
        url=reverse("task_detail", args=[task.pk]),
    )


def notifications_mark_read(
    *, user_id: int, notification_ids: Iterable[int] | None = None
) -> int:
    """Mark some (or, with None, all) of a professional's notifications read.
    Returns how many changed."""
    rows = Notification.objects.filter(user_id=user_id, read_at__isnull=True)
    if notification_ids is not None:
        ids = list(notification_ids)
        if not ids:
            return 0
        if Notification.objects.filter(pk__in=ids).exclude(user_id=user_id).exists():
            raise NotFound(
                "notification: no such notification of yours",
                fields={"notification": "no such notification"},
            )
        rows = rows.filter(pk__in=ids)
    return rows.update(read_at=timezone.now())
