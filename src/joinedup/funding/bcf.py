"""Better Care Fund metrics (DESIGN 4.6) from the platform's own data, per month,
for the whole area or for the people a scheme served, as SPC charts with the
numbers behind them. Secondary use (planning): people with a national data
opt-out are left out and counts of 1 to 4 are suppressed (governance.secondary_use).

Definitions (a month is a calendar month; ages at the event):
- **Avoidable admissions**: emergency admissions (admission events with admission
  method "emergency") for a chronic ambulatory care sensitive condition (COPD,
  asthma, heart failure, diabetes: `AVOIDABLE_REASONS` / `AVOIDABLE_SNOMED`), per
  100,000 people of the cohort.
- **Falls admissions 65+**: emergency admissions of people aged 65 or over for a
  fall or a fracture of the neck of femur, per 100,000 people aged 65+.
- **Discharge to usual place of residence**: of the hospital stays that ended in
  the month, the percentage discharged to their usual residence (with or without
  support; by destination, else by pathway 0 or 1).
- **Permanent care home admissions 65+**: people aged 65+ whose first ever
  care-home placement (a residential or nursing service start in the record, or
  a residential/nursing placement package) starts in the month, per 100,000
  people aged 65+.
- **Still at home 91 days after reablement 65+**: of people aged 65+ discharged
  on pathway 1 in the month, the percentage still at home 91 days later (no
  admission, no care-home placement: `discharge.outcomes.at_home_at_91`); only
  months whose 91 days are over.

The denominators of the per-100,000 rates are the cohort's people alive now
(a fixed population; the register holds no mid-year estimates). For a scheme,
the cohort is the people with one of its care packages.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from joinedup.discharge.models import HospitalStay
from joinedup.discharge.outcomes import AT_HOME_WINDOW, at_home_at_91, later_events
from joinedup.funding.models import CarePackage, PackageKind
from joinedup.funding.selectors.ledger import month_first, months_between
from joinedup.governance.secondary_use import Purpose, opted_out_excluded, suppress
from joinedup.people.models import Person
from joinedup.record.models import Event, EventKind
from joinedup.web.charts.spc import Chart, chart_build

AVOIDABLE_REASONS = frozenset(
    {"copd_exacerbation", "asthma_attack", "heart_failure", "hypoglycaemia"}
)
AVOIDABLE_SNOMED = frozenset({"195951007", "281239006", "84114007", "302866003"})
FALL_REASONS = frozenset({"fall", "hip_fracture"})
FALL_SNOMED = frozenset({"1912002", "5913000"})
HOME_DESTINATIONS = frozenset({"usual_residence", "usual_residence_with_support"})
CARE_HOME_SERVICES = frozenset({"residential_care", "nursing_care"})
CARE_HOME_PACKAGES = frozenset({PackageKind.RESIDENTIAL, PackageKind.NURSING})
OLDER = 65


@dataclass(frozen=True)
class MetricDef:
    key: str
    title: str
    unit: str  # "per 100,000" or "%"
    better: str  # "lower" or "higher"


METRICS = (
    MetricDef("avoidable_admissions", "Avoidable admissions", "per 100,000", "lower"),
    MetricDef(
        "falls_65", "Emergency admissions due to falls, 65+", "per 100,000", "lower"
    ),
    MetricDef(
        "usual_residence", "Discharged to usual place of residence", "%", "higher"
    ),
    MetricDef(
        "care_home_65",
        "Permanent admissions to residential and nursing care, 65+",
        "per 100,000",
        "lower",
    ),
    MetricDef(
        "at_home_91", "Still at home 91 days after reablement, 65+", "%", "higher"
    ),
)


@dataclass(frozen=True)
class MonthFigure:
    month: dt.date
    count: int
    of: int
    value: float | None  # None when not computable or suppressed

    @property
    def count_shown(self) -> str:
        return suppress(self.count, purpose=Purpose.PLANNING)

    @property
    def of_shown(self) -> str:
        return suppress(self.of, purpose=Purpose.PLANNING)


@dataclass(frozen=True)
class Metric:
    definition: MetricDef
    figures: list[MonthFigure]
    chart: Chart

    @property
    def total_count(self) -> int:
        return sum(f.count for f in self.figures)


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _rate(count: int, of: int, per: int) -> float | None:
    if not of or 0 < count < 5 or 0 < of < 5:
        return None
    return per * count / of


def monthly(
    months: list[dt.date],
    numerator: dict[dt.date, int],
    denominator: dict[dt.date, int] | int,
    *,
    per: int,
) -> list[MonthFigure]:
    """Pure: a figure per month, the value suppressed when the count (or the
    denominator) is 1 to 4."""
    out = []
    for m in months:
        count = numerator.get(m, 0)
        of = denominator if isinstance(denominator, int) else denominator.get(m, 0)
        out.append(MonthFigure(m, count, of, _rate(count, of, per)))
    return out


def first_placements(
    starts: Iterable[tuple[int, dt.date]],
) -> dict[int, dt.date]:
    """Pure: each person's first care-home placement date."""
    first: dict[int, dt.date] = {}
    for pid, day in starts:
        if pid not in first or day < first[pid]:
            first[pid] = day
    return first


def _cohort(scheme_id: int | None) -> QuerySet[Person]:
    people = opted_out_excluded(
        Person.objects.filter(merged_into__isnull=True), purpose=Purpose.PLANNING
    )
    if scheme_id is not None:
        people = people.filter(
            pk__in=CarePackage.objects.filter(scheme_id=scheme_id).values("person_id")
        )
    return people


def _local(at: dt.datetime) -> dt.date:
    return timezone.localdate(at)


def metrics_compute(
    *, start: dt.date, end: dt.date, today: dt.date, scheme_id: int | None = None
) -> list[Metric]:
    """Every BCF metric per month of [start, end] for the area (or a scheme's
    cohort). The caller checks the role and writes the audit entry."""
    months = months_between(start, end)
    tz = timezone.get_current_timezone()
    lo = dt.datetime.combine(months[0], dt.time.min, tzinfo=tz)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    cohort = _cohort(scheme_id)
    births = dict(
        cohort.filter(deceased_on__isnull=True).values_list("pk", "birth_date")
    )
    population = len(births)
    older = sum(1 for b in births.values() if age_on(b, today) >= OLDER)
    all_births = dict(cohort.values_list("pk", "birth_date"))

    avoidable: dict[dt.date, int] = defaultdict(int)
    falls: dict[dt.date, int] = defaultdict(int)
    admissions = Event.objects.filter(
        kind=EventKind.ADMISSION,
        occurred_at__gte=lo,
        occurred_at__lt=hi,
        person__in=cohort,
    ).filter(Q(detail__admission_method="emergency"))
    for pid, at, code, detail in admissions.values_list(
        "person_id", "occurred_at", "code", "detail"
    ):
        d = detail or {}
        if d.get("cancelled") == "true":
            continue
        reason = str(d.get("reason") or "")
        m = month_first(_local(at))
        if reason in AVOIDABLE_REASONS or code in AVOIDABLE_SNOMED:
            avoidable[m] += 1
        birth = all_births.get(pid)
        is_fall = reason in FALL_REASONS or code in FALL_SNOMED
        if is_fall and birth and age_on(birth, _local(at)) >= OLDER:
            falls[m] += 1

    home: dict[dt.date, int] = defaultdict(int)
    discharged: dict[dt.date, int] = defaultdict(int)
    reablement: list[tuple[int, dt.datetime]] = []
    for pid, left_at, pathway, destination in HospitalStay.objects.filter(
        discharged_at__gte=lo, discharged_at__lt=hi, person__in=cohort
    ).values_list(
        "person_id", "discharged_at", "discharge_pathway", "discharge_destination"
    ):
        if left_at is None:
            continue
        at = left_at
        m = month_first(_local(at))
        discharged[m] += 1
        if destination in HOME_DESTINATIONS or (
            not destination and pathway in ("0", "1")
        ):
            home[m] += 1
        birth = all_births.get(pid)
        if pathway == "1" and birth and age_on(birth, _local(at)) >= OLDER:
            reablement.append((pid, at))

    now = timezone.now()
    at_home: dict[dt.date, int] = defaultdict(int)
    reabled: dict[dt.date, int] = defaultdict(int)
    due = [(pid, at) for pid, at in reablement if at <= now - AT_HOME_WINDOW]
    if due:
        later = later_events(
            Person.objects.filter(pk__in={pid for pid, _ in due}).values("pk"),
            min(at for _, at in due),
        )
        for pid, at in due:
            m = month_first(_local(at))
            reabled[m] += 1
            ev = later.get(pid)
            if ev is None or at_home_at_91(at, ev.admissions, ev.placements):
                at_home[m] += 1
    # Months whose 91 days are not over have no denominator.
    for m in months:
        reabled.setdefault(m, 0)

    starts: list[tuple[int, dt.date]] = [
        (pid, _local(at))
        for pid, at in Event.objects.filter(
            Q(detail__service_type="residential_care")
            | Q(detail__service_type="nursing_care"),
            kind=EventKind.SERVICE_START,
            person__in=cohort,
        ).values_list("person_id", "occurred_at")
    ]
    starts += list(
        CarePackage.objects.filter(
            kind__in=CARE_HOME_PACKAGES, person__in=cohort
        ).values_list("person_id", "start_on")
    )
    placements: dict[dt.date, int] = defaultdict(int)
    for pid, day in first_placements(starts).items():
        birth = all_births.get(pid)
        if start <= day <= end and birth and age_on(birth, day) >= OLDER:
            placements[month_first(day)] += 1

    series = {
        "avoidable_admissions": monthly(months, avoidable, population, per=100_000),
        "falls_65": monthly(months, falls, older, per=100_000),
        "usual_residence": monthly(months, home, discharged, per=100),
        "care_home_65": monthly(months, placements, older, per=100_000),
        "at_home_91": monthly(months, at_home, reabled, per=100),
    }
    out = []
    for definition in METRICS:
        figures = series[definition.key]
        chart = chart_build(
            f"{definition.title} ({definition.unit})",
            [(f.month, f.value) for f in figures if f.value is not None],
            period="month",
            higher_is_better=definition.better == "higher",
        )
        out.append(Metric(definition, figures, chart))
    return out


@dataclass(frozen=True)
class Outcomes:
    fund_id: int
    scheme_id: int | None
    scheme_name: str
    start: dt.date
    end: dt.date
    metrics: list[Metric]


def fund_outcomes(
    *,
    actor,
    fund_id: int,
    scheme_id: int | None,
    start: dt.date,
    end: dt.date,
    today: dt.date,
) -> Outcomes:
    """The BCF metrics of a fund's area or of one of its schemes' cohorts, for
    commissioners and finance leads (aggregates; one audit entry)."""
    from joinedup.errors import NotFound
    from joinedup.funding.models import Scheme
    from joinedup.funding.selectors.pooled import fund_get, pooled_audit

    fund = fund_get(actor=actor, fund_id=fund_id)
    name = ""
    if scheme_id is not None:
        scheme = Scheme.objects.filter(pk=scheme_id, fund=fund).first()
        if scheme is None:
            raise NotFound(
                f"scheme: the fund has no scheme with id {scheme_id}",
                fields={"scheme": "no such scheme in this fund"},
            )
        name = scheme.name
    metrics = metrics_compute(start=start, end=end, today=today, scheme_id=scheme_id)
    pooled_audit(
        actor,
        "pooled_outcomes",
        f"fund {fund.pk} BCF metrics, opt-outs excluded, small numbers suppressed",
    )
    return Outcomes(fund.pk, scheme_id, name, start, end, metrics)
