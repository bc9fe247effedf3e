"""Outcomes, delay lengths and pathway mix for the discharge dashboard (DESIGN
4.2), for the actor's hospital and the people the actor may see. Direct care for a
discharge coordinator, so exact numbers (no small-number suppression). Pure
functions first; the queries that feed them last.

Definitions, from what the event store holds (hospital stays rebuilt from ADT
admission/discharge events, and council social care service events):

- A discharge "in the period" is a stay at the actor's hospital whose discharge
  date (local) falls between the period's first and last day inclusive.
- Emergency readmission within 30 days: the same person has a later stay, at any
  hospital in the record, with admission method "emergency", admitted after the
  discharge and no more than 30 days (30 x 24 hours) after it. Only discharges at
  least 30 days before today are counted (their 30 days are complete).
- Still at home 91 days after a pathway 1 (reablement) discharge: in the 91 days
  (91 x 24 hours) after the discharge, the person has
  (a) no hospital admission of any method, at any hospital in the record (so no
      readmission, and no later stay that could end in a care home), and
  (b) no "service_start" event for a care-home service (service_type
      "residential_care" or "nursing_care"), i.e. no care-home placement.
  Only discharges at least 91 days before today are counted (the denominator
  leaves out those whose 91 days are not over). Deaths are not recorded in the
  event store, so a person who died at home without an admission or placement
  counts as at home: the rate is an upper bound.
- Currently delayed: in hospital now, with a ready-for-discharge date before today
  (rules.delayed_days > 0), bucketed per DESIGN 4.2 (1-6, 7-13, 14-20, 21+ days).
  The reason and agency filters use the delay reason in force now.
- Pathway mix: discharges in the period by the pathway on the discharge event,
  against DESIGN 4.2's expected proportions; discharges without a pathway are
  shown apart and left out of the percentages.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q

from joinedup.discharge import rules
from joinedup.discharge.models import DelayReason, HospitalStay, Readiness
from joinedup.discharge.selectors import _latest
from joinedup.governance.access import Actor, people_visible_q
from joinedup.people.models import Person
from joinedup.record.models import Event, EventKind

READMISSION_WINDOW = dt.timedelta(days=30)
AT_HOME_WINDOW = dt.timedelta(days=91)
EMERGENCY = "emergency"
CARE_HOME_SERVICES = frozenset({"residential_care", "nursing_care"})
# DESIGN 4.2: expected share of discharges per pathway, in per cent.
DESIGN_MIX = {"0": 50, "1": 45, "2": 4, "3": 1}


def _within(times: list[dt.datetime], after: dt.datetime, window: dt.timedelta):
    """Whether any of `times` (sorted) is in (after, after + window]."""
    i = bisect_right(times, after)
    return i < len(times) and times[i] <= after + window


def readmitted_within_30(
    discharged_at: dt.datetime, emergency_admissions: list[dt.datetime]
) -> bool:
    """Pure: an emergency admission (sorted times) within 30 days after discharge."""
    return _within(emergency_admissions, discharged_at, READMISSION_WINDOW)


def at_home_at_91(
    discharged_at: dt.datetime,
    admissions: list[dt.datetime],
    placements: list[dt.datetime],
) -> bool:
    """Pure: no admission and no care-home placement (sorted times) within 91
    days after discharge."""
    return not _within(admissions, discharged_at, AT_HOME_WINDOW) and not _within(
        placements, discharged_at, AT_HOME_WINDOW
    )


@dataclass(frozen=True)
class Discharge:
    person_id: int
    discharged_at: dt.datetime
    pathway: str


@dataclass(frozen=True)
class Later:
    """A person's later events, each list sorted by time."""

    admissions: list[dt.datetime]
    emergency_admissions: list[dt.datetime]
    placements: list[dt.datetime]


NO_LATER = Later([], [], [])


@dataclass(frozen=True)
class RateRow:
    label: str
    count: int
    of: int

    @property
    def rate(self) -> float | None:
        return 100 * self.count / self.of if self.of else None


def _pathway_label(pathway: str) -> str:
    return f"Pathway {pathway}" if pathway in rules.PATHWAYS else "Not recorded"


def readmission_rows(
    discharges: Iterable[Discharge], later: dict[int, Later], *, now: dt.datetime
) -> list[RateRow]:
    """Pure: emergency readmissions within 30 days, per pathway then all, over
    discharges at least 30 days before `now`."""
    count: dict[str, int] = defaultdict(int)
    of: dict[str, int] = defaultdict(int)
    for d in discharges:
        if d.discharged_at > now - READMISSION_WINDOW:
            continue
        key = d.pathway if d.pathway in rules.PATHWAYS else ""
        of[key] += 1
        events = later.get(d.person_id, NO_LATER)
        count[key] += readmitted_within_30(d.discharged_at, events.emergency_admissions)
    rows = [
        RateRow(_pathway_label(k), count[k], of[k])
        for k in [*rules.PATHWAYS, ""]
        if k or of[k]
    ]
    rows.append(RateRow("All discharges", sum(count.values()), sum(of.values())))
    return rows


def at_home_row(
    discharges: Iterable[Discharge], later: dict[int, Later], *, now: dt.datetime
) -> RateRow:
    """Pure: pathway 1 discharges at least 91 days before `now`, and how many of
    them were still at home 91 days after discharge."""
    count = of = 0
    for d in discharges:
        if d.pathway != "1" or d.discharged_at > now - AT_HOME_WINDOW:
            continue
        of += 1
        events = later.get(d.person_id, NO_LATER)
        count += at_home_at_91(d.discharged_at, events.admissions, events.placements)
    return RateRow("Pathway 1 (reablement)", count, of)


def delay_buckets(delays: Iterable[int]) -> list[tuple[str, int]]:
    """Pure: how many of these delays (in days) fall in each DESIGN 4.2 bucket;
    delays of 0 days (not delayed) are left out."""
    counts = {label: 0 for label, _, _ in rules.DELAY_BUCKETS}
    for days in delays:
        label = rules.delay_bucket(days)
        if label:
            counts[label] += 1
    return list(counts.items())


@dataclass(frozen=True)
class MixRow:
    pathway: str
    label: str
    count: int
    percent: float | None
    expected: int

    @property
    def difference(self) -> float | None:
        return None if self.percent is None else self.percent - self.expected


def pathway_mix(pathways: Iterable[str]) -> tuple[list[MixRow], int]:
    """Pure: discharges per pathway with their share and DESIGN's expected share,
    and the number without a recorded pathway (left out of the shares)."""
    counts = {p: 0 for p in rules.PATHWAYS}
    unrecorded = 0
    for p in pathways:
        if p in counts:
            counts[p] += 1
        else:
            unrecorded += 1
    total = sum(counts.values())
    rows = [
        MixRow(
            p,
            rules.PATHWAYS[p],
            n,
            100 * n / total if total else None,
            DESIGN_MIX[p],
        )
        for p, n in counts.items()
    ]
    return rows, unrecorded


@dataclass(frozen=True)
class Outcomes:
    readmissions: list[RateRow]
    at_home: RateRow
    buckets: list[tuple[str, int]]
    currently_delayed: int
    mix: list[MixRow]
    mix_unrecorded: int


def _visible(actor: Actor):
    return Person.objects.filter(people_visible_q(actor))


def _later_events(people, since: dt.datetime) -> dict[int, Later]:
    """Admissions and care-home placements after `since` of the people that the
    `people` query (of person ids) selects."""
    admissions: dict[int, list] = defaultdict(list)
    emergency: dict[int, list] = defaultdict(list)
    placements: dict[int, list] = defaultdict(list)
    for pid, at, method in (
        HospitalStay.objects.filter(person_id__in=people, admitted_at__gt=since)
        .order_by("admitted_at")
        .values_list("person_id", "admitted_at", "admission_method")
    ):
        admissions[pid].append(at)
        if method == EMERGENCY:
            emergency[pid].append(at)
    care_home = Q(detail__service_type="residential_care") | Q(
        detail__service_type="nursing_care"
    )
    for pid, at in (
        Event.objects.filter(
            care_home,
            person_id__in=people,
            kind=EventKind.SERVICE_START,
            occurred_at__gt=since,
        )
        .order_by("occurred_at")
        .values_list("person_id", "occurred_at")
    ):
        placements[pid].append(at)
    return {
        pid: Later(admissions[pid], emergency[pid], placements[pid])
        for pid in admissions.keys() | placements.keys()
    }


def _current_delays(
    actor: Actor, *, reason: str, agency: str, today: dt.date
) -> list[int]:
    stays = HospitalStay.objects.filter(
        organisation_id=actor.organisation_id,
        discharged_at__isnull=True,
        person__in=_visible(actor),
    ).annotate(
        r_ready_on=_latest(Readiness, "ready_on"),
        d_reason=_latest(DelayReason, "reason"),
        d_agency=_latest(DelayReason, "agency"),
    )
    stays = stays.filter(r_ready_on__isnull=False)
    if reason:
        stays = stays.filter(d_reason=reason)
    if agency:
        stays = stays.filter(d_agency=agency)
    return [
        rules.delayed_days(ready_on, left_on=None, today=today)
        for ready_on in stays.values_list("r_ready_on", flat=True)
    ]


def outcomes_get(
    *,
    actor: Actor,
    first: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
    today: dt.date,
    reason: str = "",
    agency: str = "",
) -> Outcomes:
    """The figures for discharges in [first, end) and people delayed now. The
    caller checks the role and writes the audit entry."""
    here = HospitalStay.objects.filter(
        organisation_id=actor.organisation_id,
        discharged_at__gte=first,
        discharged_at__lt=end,
        person__in=_visible(actor),
    )
    discharges = [
        Discharge(pid, at, pathway)
        for pid, at, pathway in here.values_list(
            "person_id", "discharged_at", "discharge_pathway"
        )
        if at is not None
    ]
    since = min((d.discharged_at for d in discharges), default=end)
    later = _later_events(here.values("person_id"), since) if discharges else {}
    delays = _current_delays(actor, reason=reason, agency=agency, today=today)
    mix, unrecorded = pathway_mix(d.pathway for d in discharges)
    return Outcomes(
        readmissions=readmission_rows(discharges, later, now=now),
        at_home=at_home_row(discharges, later, now=now),
        buckets=delay_buckets(delays),
        currently_delayed=sum(1 for d in delays if d > 0),
        mix=mix,
        mix_unrecorded=unrecorded,
    )
