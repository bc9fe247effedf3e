"""Notifications: an in-app row per professional, written with the change that
caused it (so a rolled-back change notifies no one), and an email sent once the
change has committed. The email holds no personal data: only that there is
something new in JoinedUp, and a link (ids only)."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import connection, transaction
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
    _emails_send([(user_ids, kind, url)])


def _emails_send(groups: Sequence[tuple[Sequence[int], str, str]]) -> None:
    """The emails of notifications: for each (users, kind, link), one email to
    each of the users (one read of all their addresses, one send)."""
    wanted = {u for user_ids, _, _ in groups for u in user_ids}
    addresses = dict(User.objects.filter(pk__in=wanted).values_list("pk", "email"))
    messages: list[tuple[str, str, None, list[str]]] = []
    for user_ids, kind, url in groups:
        label = NotificationKind(kind).label
        article = "an" if label[0] in "aeiouAEIOU" else "a"
        subject = f"JoinedUp: you have {article} {label}"
        body = (
            f"You have {article} {label} in JoinedUp.\n\n"
            f"Sign in to see it: {_absolute(url)}\n\n"
            "This email holds no personal information; the details are in JoinedUp."
        )
        messages.extend(
            (subject, body, None, [addresses[u]]) for u in user_ids if addresses.get(u)
        )
    if not messages:
        return
    try:
        send_mass_mail(messages, fail_silently=False)
    except Exception:  # a mail server down must not fail the change already made
        log.warning("notification email not sent to %d recipients", len(messages))


def _notice_check(kind: str, title: str, url: str) -> str:
    """The checks of a notification's kind, title and link. Returns the title."""
    if kind not in NotificationKind.values:
        raise InvalidInput.for_field("kind", f"unknown notification kind {kind!r}")
    title = title.strip()[:200]
    if not title:
        raise InvalidInput.for_field("title", "say what the notification is about")
    if not url.startswith("/"):
        raise InvalidInput.for_field("url", "must be a path in JoinedUp")
    return title


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
    title = _notice_check(kind, title, url)
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


@dataclass(frozen=True)
class TeamNotice:
    """A notification for the professionals in direct care in a team (or, with
    no team, in the organisation): those `team_user_ids` names."""

    organisation_id: int
    team_id: int | None
    kind: str
    person_id: int | None
    title: str
    url: str


_NOTICES_CHUNK = 500


def notify_teams(notices: Sequence[TeamNotice]) -> dict[tuple[str, str], list[int]]:
    """Tell the members of each notice's team, all notices in one statement that
    reads the members and writes their rows (the rows in the caller's
    transaction, the emails when it commits). One notice per (kind, link).
    Returns, for each (kind, link), the users told (sorted)."""
    checked = [(n, _notice_check(n.kind, n.title, n.url)) for n in notices]
    keys = [(str(n.kind), n.url) for n, _ in checked]
    if len(set(keys)) != len(keys):
        raise ValueError("notify_teams: one notice per kind and link")
    told: dict[tuple[str, str], list[int]] = {key: [] for key in keys}
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    for start in range(0, len(checked), _NOTICES_CHUNK):
        chunk = checked[start : start + _NOTICES_CHUNK]
        with connection.cursor() as cursor:
            cursor.execute(*_notices_insert(chunk, now))
            for user_id, kind, url in cursor.fetchall():
                told[(kind, url)].append(user_id)
    for users in told.values():
        users.sort()
    groups = [(users, kind, url) for (kind, url), users in told.items() if users]
    if groups:
        transaction.on_commit(lambda: _emails_send(groups))
    return told


def _notices_insert(
    notices: Sequence[tuple[TeamNotice, str]], now: Any
) -> tuple[str, list[Any]]:
    """INSERT ... SELECT: a notification row for every user with an active
    membership in direct care of each notice's team (or organisation), each
    user once per notice, in the order of the notices then of the users (the
    order `notify` writes them). Plain SQL: the ORM inserts only the rows it is
    given, and this reads and writes in one statement."""
    notification = Notification._meta.db_table
    membership = Membership._meta.db_table
    user = User._meta.db_table
    roles = sorted(str(r) for r in DIRECT_CARE_ROLES)
    one = (
        "(CAST(%s AS integer), CAST(%s AS bigint), CAST(%s AS bigint), "
        "CAST(%s AS varchar(30)), CAST(%s AS bigint), CAST(%s AS varchar(200)), "
        "CAST(%s AS varchar(300)))"
    )
    params: list[Any] = []
    for n, (notice, title) in enumerate(notices):
        params += [
            n,
            notice.organisation_id,
            notice.team_id,
            str(notice.kind),
            notice.person_id,
            title,
            notice.url,
        ]
    # Table names from the models; every value a parameter.
    sql = (
        "WITH notice (n, organisation_id, team_id, kind, person_id, title, url) "  # noqa: S608
        f"AS (VALUES {', '.join([one] * len(notices))}) "
        f"INSERT INTO {notification} "
        "(user_id, kind, person_id, title, url, created_at, read_at) "
        "SELECT u.id, notice.kind, notice.person_id, notice.title, notice.url, "
        "%s, NULL "
        f"FROM notice JOIN {user} u ON EXISTS (SELECT 1 FROM {membership} m "
        "WHERE m.user_id = u.id AND m.active = %s "
        "AND m.organisation_id = notice.organisation_id "
        "AND (notice.team_id IS NULL OR m.team_id = notice.team_id) "
        f"AND m.role IN ({', '.join(['%s'] * len(roles))})) "
        "ORDER BY notice.n, u.id "
        "RETURNING user_id, kind, url"
    )
    return sql, [*params, now, True, *roles]


def _task_notice_title(task: Task) -> str:
    return f"Task for you: {task.get_source_display().lower()}"


def task_team_notice(task: Task, url: str) -> TeamNotice | None:
    """What `task_notify` tells the members of the team holding a task that no
    one person holds, given by the system (no user to leave out), as a notice
    for `notify_teams`; None when it tells no team."""
    if task.assignee_user_id is not None or task.assignee_team_id is None:
        return None
    if task.source == TaskSource.REFERRAL:
        return None
    return TeamNotice(
        organisation_id=task.assignee_organisation_id,
        team_id=task.assignee_team_id,
        kind=NotificationKind.TASK_ASSIGNED,
        person_id=task.person_id,
        title=_task_notice_title(task),
        url=url,
    )


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
        title=_task_notice_title(task),
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
