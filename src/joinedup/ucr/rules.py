"""Urgent community response rules as pure functions: the 2-hour clock and
admission within 48 hours."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

# NHS England: urgent community response within 2 hours of the referral.
RESPONSE_STANDARD = dt.timedelta(hours=2)
# An admission within 48 hours of the referral means it was not avoided.
ADMISSION_WINDOW = dt.timedelta(hours=48)


def due_at(received_at: dt.datetime) -> dt.datetime:
    return received_at + RESPONSE_STANDARD


def minutes_left(due: dt.datetime, now: dt.datetime) -> int:
    """Whole minutes until the 2-hour standard is breached (negative: overdue)."""
    seconds = (due - now).total_seconds()
    return int(seconds // 60) if seconds >= 0 else -int(-seconds // 60)


def clock_label(due: dt.datetime, now: dt.datetime) -> str:
    left = minutes_left(due, now)
    if left < 0:
        late = -left
        return f"Overdue by {late // 60} h {late % 60:02d} min"
    return f"{left // 60} h {left % 60:02d} min left"


def admitted_within(
    received_at: dt.datetime, admissions: Iterable[dt.datetime]
) -> bool:
    """Whether any admission falls from the referral to 48 hours after it."""
    end = received_at + ADMISSION_WINDOW
    return any(received_at <= a <= end for a in admissions)
