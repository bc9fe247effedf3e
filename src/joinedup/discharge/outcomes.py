"""Outcomes, delay lengths and pathway mix for the discharge dashboard (DESIGN
4.2), for the actor's hospital and the people the actor may see. Direct care for a
discharge coordinator, so exact numbers (no small-number suppression). Pure
functions first (the definitions, kept as the tests' reference and for the BCF
metrics); then `outcomes_get`, which has the database count the same things (one
GROUP BY over the period's discharges, EXISTS for the later events).

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

from django.db.models import (
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
)

from joinedup.discharge import rules
from joinedup.discharge.models import DelayReason, HospitalStay, Readiness
from joinedup.discharge.selectors import latest_for_stay
from joinedup.governance.access import DIRECT_CARE_ROLES, Actor, people_visible_q
from joinedup.people.models import Involvement, Person
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
    return _rate_rows(count, of)


def _rate_rows(count: dict[str, int], of: dict[str, int]) -> list[RateRow]:
    """Rows per pathway ("" for none recorded, shown only when there are some),
    then all discharges."""
    rows = [
        RateRow(_pathway_label(k), count.get(k, 0), of.get(k, 0))
        for k in [*rules.PATHWAYS, ""]
        if k or of.get(k, 0)
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
    counts: dict[str, int] = defaultdict(int)
    for p in pathways:
        counts[p] += 1
    return pathway_mix_counts(counts)


def pathway_mix_counts(by_pathway: dict[str, int]) -> tuple[list[MixRow], int]:
    """Pure: as pathway_mix, from the number of discharges per pathway value."""
    counts = {p: by_pathway.get(p, 0) for p in rules.PATHWAYS}
    unrecorded = sum(n for p, n in by_pathway.items() if p not in counts)
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


# Above this many hidden patients the dashboard's queries test visibility in SQL
# instead of leaving out a list of ids.
HIDDEN_LISTED_MAX = 500


@dataclass(frozen=True)
class VisiblePatients:
    """Which of a hospital's patients the actor may see, decided once for a
    request: either the few hidden ones by id, or (when many are hidden) the
    access policy as a subquery."""

    hidden: tuple[int, ...] = ()
    visible: QuerySet | None = None

    def q(self, field: str = "person_id") -> Q:
        """A filter keeping rows whose `field` is a person the actor may see."""
        if self.visible is not None:
            return Q(**{f"{field}__in": self.visible})
        return ~Q(**{f"{field}__in": self.hidden}) if self.hidden else Q()


def visible_patients(actor: Actor, *, since: dt.datetime) -> VisiblePatients:
    """The access decision for the actor's hospital's patients discharged since
    `since` or still in, in one query: those the access policy
    (people_visible_q) does not let the actor see. People involved with the
    actor's own organisation are visible under that policy for direct-care
    roles, so only the others are put to it (most of a hospital's patients are
    involved with it: its records about them make the involvement)."""
    patients = HospitalStay.objects.filter(
        Q(discharged_at__isnull=True) | Q(discharged_at__gte=since),
        organisation_id=actor.organisation_id,
    ).values("person_id")
    candidates = patients
    if actor.role in DIRECT_CARE_ROLES:
        # On the stays, so that the database leaves the involved out (a hash
        # anti-join) before it puts anyone to the policy.
        candidates = patients.exclude(
            Exists(
                Involvement.objects.filter(
                    person=OuterRef("person_id"), organisation_id=actor.organisation_id
                )
            )
        )
    hidden = tuple(
        Person.objects.filter(pk__in=candidates)
        .exclude(people_visible_q(actor))
        .values_list("pk", flat=True)[: HIDDEN_LISTED_MAX + 1]
    )
    if len(hidden) <= HIDDEN_LISTED_MAX:
        return VisiblePatients(hidden=hidden)
    return VisiblePatients(
        visible=Person.objects.filter(pk__in=patients)
        .filter(people_visible_q(actor))
        .values("pk")
    )


def later_events(people, since: dt.datetime) -> dict[int, Later]:
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
    actor: Actor, *, visible: VisiblePatients, reason: str, agency: str, today: dt.date
) -> list[int]:
    stays = HospitalStay.objects.filter(
        visible.q(),
        organisation_id=actor.organisation_id,
        discharged_at__isnull=True,
    ).annotate(
        r_ready_on=latest_for_stay(Readiness, "ready_on"),
        d_reason=latest_for_stay(DelayReason, "reason"),
        d_agency=latest_for_stay(DelayReason, "agency"),
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


def _after(window: dt.timedelta):
    """The outer discharge's time plus `window`, inside a subquery."""
    return ExpressionWrapper(
        OuterRef("discharged_at") + window, output_field=DateTimeField()
    )


def _admitted_within(window: dt.timedelta, **only) -> Exists:
    """A later admission of the discharged person, at any hospital in the
    record, within `window` after the discharge (readmitted_within_30)."""
    return Exists(
        HospitalStay.objects.filter(
            person_id=OuterRef("person_id"),
            admitted_at__gt=OuterRef("discharged_at"),
            admitted_at__lte=_after(window),
            **only,
        )
    )


def _placed_within(window: dt.timedelta) -> Exists:
    """A care-home placement of the discharged person within `window` after the
    discharge (at_home_at_91)."""
    return Exists(
        Event.objects.filter(
            Q(detail__service_type="residential_care")
            | Q(detail__service_type="nursing_care"),
            person_id=OuterRef("person_id"),
            kind=EventKind.SERVICE_START,
            occurred_at__gt=OuterRef("discharged_at"),
            occurred_at__lte=_after(window),
        )
    )


def outcomes_get(
    *,
    actor: Actor,
    first: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
    today: dt.date,
    reason: str = "",
    agency: str = "",
    visible: VisiblePatients | None = None,
) -> Outcomes:
    """The figures for discharges in [first, end) and people delayed now, as
    readmission_rows, at_home_row and pathway_mix define them, counted by the
    database (one GROUP BY over the period's discharges). `visible` is the
    request's visible_patients when the caller has it. The caller checks the
    role and writes the audit entry."""
    if visible is None:
        visible = visible_patients(actor, since=first)
    here = HospitalStay.objects.filter(
        visible.q(),
        organisation_id=actor.organisation_id,
        discharged_at__gte=first,
        discharged_at__lt=end,
    )
    complete_30 = Q(discharged_at__lte=now - READMISSION_WINDOW)
    complete_91 = Q(discharge_pathway="1", discharged_at__lte=now - AT_HOME_WINDOW)
    counts = (
        here.order_by()
        .values("discharge_pathway")
        .annotate(
            n=Count("pk"),
            of_30=Count("pk", filter=complete_30),
            readmitted=Count(
                "pk",
                filter=complete_30
                & Q(_admitted_within(READMISSION_WINDOW, admission_method=EMERGENCY)),
            ),
            of_91=Count("pk", filter=complete_91),
            at_home=Count(
                "pk",
                filter=complete_91
                & ~Q(_admitted_within(AT_HOME_WINDOW))
                & ~Q(_placed_within(AT_HOME_WINDOW)),
            ),
        )
    )
    by_pathway: dict[str, int] = defaultdict(int)
    readmitted: dict[str, int] = defaultdict(int)
    of_30: dict[str, int] = defaultdict(int)
    home = home_of = 0
    for row in counts:
        pathway = row["discharge_pathway"] or ""
        key = pathway if pathway in rules.PATHWAYS else ""
        by_pathway[pathway] += row["n"]
        readmitted[key] += row["readmitted"]
        of_30[key] += row["of_30"]
        home += row["at_home"]
        home_of += row["of_91"]
    delays = _current_delays(
        actor, visible=visible, reason=reason, agency=agency, today=today
    )
    mix, unrecorded = pathway_mix_counts(by_pathway)
    return Outcomes(
        readmissions=_rate_rows(readmitted, of_30),
        at_home=RateRow("Pathway 1 (reablement)", home, home_of),
        buckets=delay_buckets(delays),
        currently_delayed=sum(1 for d in delays if d > 0),
        mix=mix,
        mix_unrecorded=unrecorded,
    )
