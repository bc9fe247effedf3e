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
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import accumulate
from typing import TypeVar

from django.db import connection, transaction
from django.db.models import DateTimeField, ExpressionWrapper, F, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from joinedup.discharge import rules
from joinedup.discharge.models import DelayReason, Readiness
from joinedup.discharge.outcomes import (
    Outcomes,
    VisiblePatients,
    outcomes_get,
    visible_patients,
)
from joinedup.discharge.selectors import refusal_audited
from joinedup.errors import InvalidInput
from joinedup.governance.access import Actor, Decision
from joinedup.governance.models import AccessCategory, Role
from joinedup.governance.services import audit_record
from joinedup.web.charts.spc import Chart, chart_build

V = TypeVar("V")

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
    reason records as (when, value) in (recorded_at, id) order. `when` is the
    recorded_at time for daily_counts; for daily_counts_by_day, the first day
    at whose end the record is in force (the local date of a moment before
    recorded_at, so a record made at midnight is in force at the end of the
    day before)."""

    left_on: dt.date | None
    # dt.datetime is a dt.date: either kind, never both.
    readiness: list[tuple[dt.date, dt.date]]
    reasons: list[tuple[dt.date, tuple[str, str]]]


def _segments(
    records: list[tuple[dt.date, V]], ends: list[dt.date]
) -> list[tuple[V, int, int]]:
    """Pure: for records (when, value) in time order, the value and the range
    [a, b) of indexes of `ends` (ascending) at which it is the record in force
    (the last one with `when` at or before that end; of records with the same
    `when`, the last in the list)."""
    found = []
    for k, (at, value) in enumerate(records):
        a = bisect_left(ends, at)
        b = len(ends) if k + 1 == len(records) else bisect_left(ends, records[k + 1][0])
        if a < b:
            found.append((value, a, b))
    return found


def daily_counts(
    stays: list[StayHistory],
    *,
    days: list[dt.date],
    end_of_day: dict[dt.date, dt.datetime],
    filters: DashboardFilters,
) -> tuple[list[int], list[int]]:
    """Pure: (delayed patients, delayed days) per day of `days` (ascending),
    from records with their recorded_at times, as they stood at `end_of_day`."""
    return _daily(stays, days, [end_of_day[d] for d in days], filters)


def daily_counts_by_day(
    stays: list[StayHistory], *, days: list[dt.date], filters: DashboardFilters
) -> tuple[list[int], list[int]]:
    """Pure: as daily_counts, from records with the first day at whose end each
    is in force (what the database gives without sending every time)."""
    return _daily(stays, days, days, filters)


def _daily(
    stays: list[StayHistory],
    days: list[dt.date],
    ends: list[dt.date],
    filters: DashboardFilters,
) -> tuple[list[int], list[int]]:
    """(delayed patients, delayed days) per day of `days`, the records' `when`
    compared with `ends` (one per day).

    Each stay's readiness (and, with a filter, delay reason) records are in force
    over a run of consecutive days, and within such a run the stay is delayed
    over another run (after the ready date, up to the day they leave: see
    rules.is_delayed_on); so each stay adds 1 over a few ranges of days, summed
    with a difference array: the work is per record, not per stay and day."""
    n = len(days)
    add_patients = [0] * (n + 1)
    add_days = [0] * (n + 1)
    everything = [(0, n)]
    for stay in stays:
        if not stay.readiness:
            continue
        # Delayed days run up to and including the day they leave; delayed
        # patients are counted at the end of days before it.
        last_day = n if stay.left_on is None else bisect_right(days, stay.left_on)
        last_patient = n if stay.left_on is None else bisect_left(days, stay.left_on)
        if filters.reason or filters.agency:
            allowed = [
                (a, b)
                for (reason, agency), a, b in _segments(stay.reasons, ends)
                if (not filters.reason or reason == filters.reason)
                and (not filters.agency or agency == filters.agency)
            ]
        else:
            allowed = everything
        for ready_on, a, b in _segments(stay.readiness, ends):
            # Only days after the ready date in force.
            start = max(a, bisect_right(days, ready_on))
            for fa, fb in allowed:
                lo = max(start, fa)
                hi = min(b, fb, last_day)
                if lo < hi:
                    add_days[lo] += 1
                    add_days[hi] -= 1
                hi = min(b, fb, last_patient)
                if lo < hi:
                    add_patients[lo] += 1
                    add_patients[hi] -= 1
    return list(accumulate(add_patients[:n])), list(accumulate(add_days[:n]))


@dataclass(frozen=True)
class Dashboard:
    filters: DashboardFilters
    first_day: dt.date
    last_day: dt.date
    patients: Chart
    delayed_days: Chart
    outcomes: Outcomes


def _histories(
    actor: Actor,
    first: dt.datetime,
    last: dt.datetime,
    visible: VisiblePatients,
    *,
    with_reasons: bool,
) -> list[StayHistory]:
    """The stays at the actor's hospital in [first, last) with readiness, of the
    people the actor may see, each with its records in time order (the delay
    reasons only `with_reasons`: the filters need them). Two queries."""
    in_period = Q(
        visible.q("stay__person_id"),
        stay__organisation_id=actor.organisation_id,
        stay__admitted_at__lt=last,
    ) & (Q(stay__discharged_at__isnull=True) | Q(stay__discharged_at__gte=first))
    # The first day at whose end a record is in force, and the day the stay
    # ended, as local dates computed by the database.
    from_day = TruncDate(
        ExpressionWrapper(
            F("recorded_at") - dt.timedelta(microseconds=1),
            output_field=DateTimeField(),
        )
    )
    left: dict[int, dt.date | None] = {}
    readiness: dict[int, list] = defaultdict(list)
    for stay_id, left_on, on, ready_on in (
        Readiness.objects.filter(in_period)
        .annotate(left_on=TruncDate("stay__discharged_at"), on=from_day)
        .order_by("recorded_at", "id")
        .values_list("stay_id", "left_on", "on", "ready_on")
    ):
        left[stay_id] = left_on
        readiness[stay_id].append((on, ready_on))
    reasons: dict[int, list] = defaultdict(list)
    if with_reasons:
        for stay_id, on, reason, agency in (
            DelayReason.objects.filter(in_period)
            .annotate(on=from_day)
            .order_by("recorded_at", "id")
            .values_list("stay_id", "on", "reason", "agency")
        ):
            if stay_id in left:
                reasons[stay_id].append((on, (reason, agency)))
    return [
        StayHistory(left_on=left_on, readiness=readiness[pk], reasons=reasons[pk])
        for pk, left_on in left.items()
    ]


@contextmanager
def _without_jit() -> Iterator[None]:
    """One read-only transaction for the dashboard's queries, without
    PostgreSQL's JIT compilation: their plans (an EXISTS per discharge over 2
    years) look costly enough to the planner to compile, which took longer (0.4
    s at 1,000,000 people) than running them."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        yield


def dashboard_get(
    *, actor: Actor, filters: DashboardFilters, today: dt.date
) -> Dashboard:
    """The dashboard up to yesterday (the last whole day). One audit entry."""
    if actor.role != Role.DISCHARGE_COORDINATOR:
        raise refusal_audited(
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
    with _without_jit():
        # The access decision once for the request: which of the hospital's
        # patients the actor may see.
        visible = visible_patients(actor, since=first)
        stays = _histories(
            actor,
            first,
            end_of_day[last_day],
            visible,
            with_reasons=bool(filters.reason or filters.agency),
        )
        outcomes = outcomes_get(
            actor=actor,
            first=first,
            end=end_of_day[last_day],
            now=end_of_day[last_day],
            today=today,
            reason=filters.reason,
            agency=filters.agency,
            visible=visible,
        )
    patients, delayed = daily_counts_by_day(stays, days=days, filters=filters)
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
