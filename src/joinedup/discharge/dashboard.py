"""The discharge dashboard (DESIGN 4.2; NHS "Making Data Count"): for the actor's
hospital, delayed patients and delayed days per day as XmR charts, filterable by
delay reason and responsible agency. Aggregates over the people the actor may
see; one audit entry per view.

Per day D, as the records stood at the end of D (so the figures agree with the
sitrep of that day):
- delayed patients: still in hospital at the end of D and ready for discharge
  before D (so already delayed; DESIGN 4.2 "from the day after");
- delayed days: patients for whom D is a delayed day (rules.is_delayed_on:
  after the ready date, up to and including the day they leave).
The reason and agency filters use the delay reason in force at the end of D.

Below the charts: outcomes of the period's discharges (30-day emergency
readmission, pathway 1 still at home at 91 days), the length-of-delay buckets of
people delayed now and the pathway mix; defined in `outcomes`.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass

from django.utils import timezone

from joinedup.discharge import rules
from joinedup.discharge.models import DelayReason, HospitalStay, Readiness
from joinedup.discharge.outcomes import Outcomes, outcomes_get
from joinedup.discharge.selectors import _refuse
from joinedup.discharge.spc import Chart, chart_build
from joinedup.errors import InvalidInput
from joinedup.governance.access import Actor, Decision, people_visible_q
from joinedup.governance.models import AccessCategory, Role
from joinedup.governance.services import audit_record
from joinedup.people.models import Person

PERIODS = {"30": 30, "90": 90, "180": 180, "365": 365, "730": 730}
DEFAULT_PERIOD = "90"


@dataclass(frozen=True)
class DashboardFilters:
    reason: str = ""
    agency: str = ""
    days: int = PERIODS[DEFAULT_PERIOD]


def dashboard_filters_parse(params: dict[str, str]) -> DashboardFilters:
    """Parse the dashboard's GET parameters; raises InvalidInput on bad ones."""
    reason = (params.get("reason") or "").strip().upper()
    if reason and reason not in rules.REASONS:
        raise InvalidInput.for_field(
            "reason", "choose one of: " + ", ".join(rules.REASONS)
        )
    agency = (params.get("agency") or "").strip()
    if agency and agency not in rules.AGENCIES:
        raise InvalidInput.for_field(
            "agency", "choose one of: " + ", ".join(rules.AGENCIES)
        )
    period = params.get("days") or DEFAULT_PERIOD
    if period not in PERIODS:
        raise InvalidInput.for_field("days", "choose 30, 90, 180, 365 or 730 days")
    return DashboardFilters(reason=reason, agency=agency, days=PERIODS[period])


@dataclass(frozen=True)
class StayHistory:
    """What is needed of one stay: the day it ended, and its readiness and delay
    reason records as (recorded_at, value) in time order."""

    left_on: dt.date | None
    readiness: list[tuple[dt.datetime, dt.date]]
    reasons: list[tuple[dt.datetime, tuple[str, str]]]


def _in_force(times: list[dt.datetime], records: list, moment: dt.datetime):
    i = bisect_right(times, moment)
    return records[i - 1][1] if i else None


def daily_counts(
    stays: list[StayHistory],
    *,
    days: list[dt.date],
    end_of_day: dict[dt.date, dt.datetime],
    filters: DashboardFilters,
) -> tuple[list[int], list[int]]:
    """Pure: (delayed patients, delayed days) per day of `days` (ascending)."""
    patients = [0] * len(days)
    delayed_days = [0] * len(days)
    for stay in stays:
        if not stay.readiness:
            continue
        ready_times = [r[0] for r in stay.readiness]
        reason_times = [r[0] for r in stay.reasons]
        earliest = min(r[1] for r in stay.readiness)
        # Only days after the earliest ready date and up to the day they left.
        lo = bisect_right(days, earliest)
        hi = len(days) if stay.left_on is None else bisect_right(days, stay.left_on)
        for i in range(lo, hi):
            day = days[i]
            end = end_of_day[day]
            ready_on = _in_force(ready_times, stay.readiness, end)
            if ready_on is None:
                continue
            if filters.reason or filters.agency:
                current = _in_force(reason_times, stay.reasons, end)
                if current is None:
                    continue
                reason, agency = current
                if filters.reason and reason != filters.reason:
                    continue
                if filters.agency and agency != filters.agency:
                    continue
            if rules.is_delayed_on(day, ready_on=ready_on, left_on=stay.left_on):
                delayed_days[i] += 1
                if stay.left_on is None or stay.left_on > day:
                    patients[i] += 1
    return patients, delayed_days


@dataclass(frozen=True)
class Dashboard:
    filters: DashboardFilters
    first_day: dt.date
    last_day: dt.date
    patients: Chart
    delayed_days: Chart
    outcomes: Outcomes


def _histories(actor: Actor, first: dt.datetime, last: dt.datetime) -> list:
    stays = (
        HospitalStay.objects.filter(
            organisation_id=actor.organisation_id,
            admitted_at__lt=last,
            readiness__isnull=False,
        )
        .exclude(discharged_at__lt=first)
        .filter(person__in=Person.objects.filter(people_visible_q(actor)))
        .distinct()
    )
    ids = dict(stays.values_list("pk", "discharged_at"))
    readiness: dict[int, list] = defaultdict(list)
    for stay_id, at, ready_on in (
        Readiness.objects.filter(stay_id__in=ids)
        .order_by("recorded_at", "id")
        .values_list("stay_id", "recorded_at", "ready_on")
    ):
        readiness[stay_id].append((at, ready_on))
    reasons: dict[int, list] = defaultdict(list)
    for stay_id, at, reason, agency in (
        DelayReason.objects.filter(stay_id__in=ids)
        .order_by("recorded_at", "id")
        .values_list("stay_id", "recorded_at", "reason", "agency")
    ):
        reasons[stay_id].append((at, (reason, agency)))
    return [
        StayHistory(
            left_on=timezone.localdate(left) if left else None,
            readiness=readiness[pk],
            reasons=reasons[pk],
        )
        for pk, left in ids.items()
    ]


def dashboard_get(
    *, actor: Actor, filters: DashboardFilters, today: dt.date
) -> Dashboard:
    """The dashboard up to yesterday (the last whole day). One audit entry."""
    if actor.role != Role.DISCHARGE_COORDINATOR:
        raise _refuse(
            actor, "discharge_dashboard", "the dashboard is for discharge coordinators"
        )
    last_day = today - dt.timedelta(days=1)
    days = [last_day - dt.timedelta(days=n) for n in range(filters.days - 1, -1, -1)]
    tz = timezone.get_current_timezone()
    end_of_day = {
        d: dt.datetime.combine(d + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        for d in days
    }
    first = dt.datetime.combine(days[0], dt.time.min, tzinfo=tz)
    stays = _histories(actor, first, end_of_day[last_day])
    patients, delayed = daily_counts(
        stays, days=days, end_of_day=end_of_day, filters=filters
    )
    outcomes = outcomes_get(
        actor=actor,
        first=first,
        end=end_of_day[last_day],
        now=end_of_day[last_day],
        today=today,
        reason=filters.reason,
        agency=filters.agency,
    )
    audit_record(
        actor=actor,
        person_id=None,
        action="discharge_dashboard",
        category=AccessCategory.HEALTH,
        decision=Decision(True, "aggregate delay figures for the actor's hospital"),
    )
    return Dashboard(
        filters=filters,
        first_day=days[0],
        last_day=last_day,
        patients=chart_build(
            "Delayed patients", list(zip(days, patients, strict=True))
        ),
        delayed_days=chart_build("Delayed days", list(zip(days, delayed, strict=True))),
        outcomes=outcomes,
    )
