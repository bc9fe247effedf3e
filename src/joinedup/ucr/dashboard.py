"""The urgent community response dashboard of a community team's organisation:
per day, the share of referrals reached within 2 hours and the admissions avoided
(the person stayed at home and was not admitted within 48 hours), as SPC charts.
Aggregates for the team's own operational use (direct care)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from joinedup.errors import AccessRefused, InvalidInput
from joinedup.governance.access import Actor, Decision
from joinedup.governance.models import AccessCategory
from joinedup.governance.services import audit_record
from joinedup.ucr import rules
from joinedup.ucr.models import UcrOutcome, UcrReferral
from joinedup.ucr.selectors import QUEUE_ROLES, admissions_by_person
from joinedup.web.charts.spc import Chart, chart_build

DAYS_DEFAULT = 28
DAYS_MAX = 366


@dataclass(frozen=True)
class DayFigures:
    day: dt.date
    referrals: int
    due: int  # referrals whose clock has run out or that were reached
    within_2h: int
    avoided: int

    @property
    def share(self) -> float:
        return 100.0 * self.within_2h / self.due if self.due else 0.0


@dataclass(frozen=True)
class UcrDashboard:
    days: list[DayFigures]
    share_chart: Chart
    avoided_chart: Chart

    @property
    def referrals(self) -> int:
        return sum(d.referrals for d in self.days)

    @property
    def within_2h(self) -> int:
        return sum(d.within_2h for d in self.days)

    @property
    def due(self) -> int:
        return sum(d.due for d in self.days)

    @property
    def share(self) -> str:
        return f"{100 * self.within_2h / self.due:.0f}%" if self.due else "-"

    @property
    def avoided(self) -> int:
        return sum(d.avoided for d in self.days)


def day_figures(
    referrals: list[UcrReferral],
    admissions: dict[int, list[dt.datetime]],
    *,
    days: list[dt.date],
    now: dt.datetime,
) -> list[DayFigures]:
    """Pure: the figures of each day from the referrals received in the period."""
    by_day: dict[dt.date, list[UcrReferral]] = {d: [] for d in days}
    for r in referrals:
        day = timezone.localdate(r.received_at)
        if day in by_day:
            by_day[day].append(r)
    out = []
    for day in days:
        rows = by_day[day]
        due = [r for r in rows if r.contact_at is not None or r.due_at <= now]
        within = [
            r for r in due if r.contact_at is not None and r.contact_at <= r.due_at
        ]
        avoided = [
            r
            for r in rows
            if r.outcome == UcrOutcome.REMAINED_AT_HOME
            and not rules.admitted_within(
                r.received_at, admissions.get(r.person_id, [])
            )
        ]
        out.append(DayFigures(day, len(rows), len(due), len(within), len(avoided)))
    return out


def ucr_dashboard(*, actor: Actor, days: int = DAYS_DEFAULT) -> UcrDashboard:
    if actor.role not in QUEUE_ROLES:
        raise AccessRefused(
            "The urgent community response dashboard is for the community team.",
            fields={"role": "not in a community team"},
        )
    if not 2 <= days <= DAYS_MAX:
        raise InvalidInput.for_field("days", f"must be between 2 and {DAYS_MAX}")
    now = timezone.now()
    today = timezone.localdate(now)
    period = [today - dt.timedelta(days=n) for n in range(days - 1, -1, -1)]
    start = dt.datetime.combine(
        period[0], dt.time.min, tzinfo=timezone.get_current_timezone()
    )
    referrals = list(
        UcrReferral.objects.filter(
            organisation_id=actor.organisation_id, received_at__gte=start
        ).only("person_id", "received_at", "due_at", "contact_at", "outcome")
    )
    admissions = admissions_by_person([r.person_id for r in referrals], since=start)
    figures = day_figures(referrals, admissions, days=period, now=now)
    audit_record(
        actor=actor,
        person_id=None,
        action="ucr_dashboard",
        category=AccessCategory.HEALTH,
        decision=Decision(True, "aggregate urgent community response figures"),
    )
    return UcrDashboard(
        days=figures,
        share_chart=chart_build(
            "Reached within 2 hours (%)",
            [(d.day, round(d.share, 1)) for d in figures],
            higher_is_better=True,
        ),
        avoided_chart=chart_build(
            "Admissions avoided",
            [(d.day, float(d.avoided)) for d in figures],
            higher_is_better=True,
        ),
    )
