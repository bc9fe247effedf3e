"""Reads of a professional's own notifications. They hold no personal data
(titles never name anyone), so reading them is not a read of a record."""

from __future__ import annotations

from joinedup.coordination.models import Notification


def notifications_unread_count(*, user_id: int) -> int:
    """One cheap indexed query, for the bell in the header."""
    return Notification.objects.filter(user_id=user_id, read_at__isnull=True).count()


def notifications_list(*, user_id: int, limit: int = 100) -> list[Notification]:
    return list(
        Notification.objects.filter(user_id=user_id).order_by("-created_at", "-id")[
            :limit
        ]
    )


def notification_url(*, user_id: int, notification_id: int) -> str | None:
    """Where one of the professional's own notifications points, if it is theirs."""
    return (
        Notification.objects.filter(user_id=user_id, pk=notification_id)
        .values_list("url", flat=True)
        .first()
    )
