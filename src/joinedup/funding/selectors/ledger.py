"""Who pays what, day by day: the costing of care packages under their funding
splits, and the cost-shift ledger (DESIGN 4.3 outcomes, 4.6; issue 8 "who pays").

Definitions:
- A package costs `cost_per_week / 7` per day, every day from its start to its
  end inclusive (open-ended packages run to the end of the period asked for).
- On each day the split in force is the most recently recorded split among those
  effective on or before that day (see FundingSplit). Days before any split is
  effective are "unassigned".
- Of a day's cost: NHS CHC pays its share, NHS-funded nursing care its share and
  the council the rest, less the person's assessed contribution per week / 7
  (never more than the council's share that day), which the person pays.
- The **baseline** of a package is its first recorded split, applied to its
  whole life: who would have paid had the funding never changed. The **cost
  shift to the NHS** in a month is what the NHS pays under the splits in force
  less what it would have paid under the baselines; a negative shift is a shift
  to the council. So a CHC decision that moves a package from the council to
  the NHS shows as a positive shift from its effective date, and a dispute
  outcome that moves it back shows as the shift going away.

Pure functions first (tested without a database), then the queries that feed
them. Money is Decimal throughout, rounded to pence only in what is shown.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from joinedup.errors import AccessRefused, InvalidInput
from joinedup.governance.access import Actor, Decision
from joinedup.governance.models import DIRECT_CARE_ROLES, AccessCategory, Role
from joinedup.governance.services import audit_record

ZERO = Decimal(0)
HUNDRED = Decimal(100)
SEVEN = Decimal(7)
PENNY = Decimal("0.01")
STREAMS = ("nhs_chc", "nhs_fnc", "council", "person", "unassigned")
MAX_LEDGER_MONTHS = 120
# Aggregate ledger pages: commissioners and finance leads (role commissioner).
AGGREGATE_ROLES = frozenset({Role.COMMISSIONER})


def pence(value: Decimal) -> Decimal:
    return value.quantize(PENNY, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class SplitRow:
    seq: int  # the order it was recorded in (its id)
    effective_from: dt.date
    nhs_chc_percent: Decimal
    nhs_fnc_percent: Decimal
    council_percent: Decimal
    contribution_per_week: Decimal = ZERO


@dataclass(frozen=True)
class PackageRow:
    package_id: int
    person_id: int
    start_on: dt.date
    end_on: dt.date | None
    cost_per_week: Decimal
    splits: tuple[SplitRow, ...]
    scheme_id: int | None = None


@dataclass(frozen=True)
class Segment:
    """Days `first`..`last` inclusive of one package under one split."""

    first: dt.date
    last: dt.date
    split: SplitRow | None


def segments(package: PackageRow, *, start: dt.date, end: dt.date) -> list[Segment]:
    """Pure: the package's days within [start, end] cut where the split in force
    changes (the most recently recorded split effective on or before each day)."""
    first = max(start, package.start_on)
    last = min(end, package.end_on) if package.end_on else end
    if last < first:
        return []
    # Breakpoints: each effective date; in force from it = the highest seq
    # among splits effective on or before it.
    by_date = sorted(package.splits, key=lambda s: (s.effective_from, s.seq))
    changes: list[tuple[dt.date, SplitRow]] = []
    best: SplitRow | None = None
    for s in by_date:
        if best is None or s.seq > best.seq:
            best = s
        if changes and changes[-1][0] == s.effective_from:
            changes[-1] = (s.effective_from, best)
        elif not changes or changes[-1][1] is not best:
            changes.append((s.effective_from, best))
    out: list[Segment] = []
    current: SplitRow | None = None
    cursor = first
    for when, split in changes:
        if when <= first:
            current = split
            continue
        if when > last:
            break
        out.append(Segment(cursor, when - dt.timedelta(days=1), current))
        cursor, current = when, split
    out.append(Segment(cursor, last, current))
    return [s for s in out if s.last >= s.first]


def day_costs(cost_per_week: Decimal, split: SplitRow | None) -> dict[str, Decimal]:
    """Pure: one day's cost of a package by who pays it."""
    day = cost_per_week / SEVEN
    if split is None:
        return {"unassigned": day}
    council_gross = day * split.council_percent / HUNDRED
    person = min(split.contribution_per_week / SEVEN, council_gross)
    return {
        "nhs_chc": day * split.nhs_chc_percent / HUNDRED,
        "nhs_fnc": day * split.nhs_fnc_percent / HUNDRED,
        "council": council_gross - person,
        "person": person,
    }


def month_first(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_next(month: dt.date) -> dt.date:
    return (month + dt.timedelta(days=32)).replace(day=1)


def months_between(start: dt.date, end: dt.date) -> list[dt.date]:
    months, m = [], month_first(start)
    while m <= end:
        months.append(m)
        m = month_next(m)
    return months


def month_days(first: dt.date, last: dt.date) -> Iterable[tuple[dt.date, int]]:
    """(month, days of [first, last] in it)."""
    m = month_first(first)
    while m <= last:
        nxt = month_next(m)
        lo, hi = max(m, first), min(nxt - dt.timedelta(days=1), last)
        yield m, (hi - lo).days + 1
        m = nxt


def _add(into: dict[str, Decimal], costs: dict[str, Decimal], days: int) -> None:
    for k, v in costs.items():
        into[k] = into.get(k, ZERO) + v * days


def cost_by_funder(
    packages: Iterable[PackageRow], *, start: dt.date, end: dt.date
) -> dict[str, Decimal]:
    """Pure: what each stream paid (or should pay) over [start, end] inclusive,
    in pence; also "nhs" (CHC + FNC) and "total"."""
    totals: dict[str, Decimal] = {k: ZERO for k in STREAMS}
    for p in packages:
        for seg in segments(p, start=start, end=end):
            _add(
                totals,
                day_costs(p.cost_per_week, seg.split),
                (seg.last - seg.first).days + 1,
            )
    out = {k: pence(v) for k, v in totals.items()}
    out["nhs"] = pence(totals["nhs_chc"] + totals["nhs_fnc"])
    out["total"] = pence(sum(totals.values(), ZERO))
    return out


@dataclass
class LedgerLine:
    """One month (of one person, or of everyone)."""

    month: dt.date
    nhs: Decimal = ZERO
    council: Decimal = ZERO
    person: Decimal = ZERO
    unassigned: Decimal = ZERO
    baseline_nhs: Decimal = ZERO
    changes: int = 0  # funding changes effective in the month

    @property
    def total(self) -> Decimal:
        return self.nhs + self.council + self.person + self.unassigned

    @property
    def shift_to_nhs(self) -> Decimal:
        return self.nhs - self.baseline_nhs

    def rounded(self) -> LedgerLine:
        return LedgerLine(
            self.month,
            pence(self.nhs),
            pence(self.council),
            pence(self.person),
            pence(self.unassigned),
            pence(self.baseline_nhs),
            self.changes,
        )


def _nhs(costs: dict[str, Decimal]) -> Decimal:
    return costs.get("nhs_chc", ZERO) + costs.get("nhs_fnc", ZERO)


class _Acc:
    """Running sums per month (lists indexed by month), for speed."""

    __slots__ = ("baseline", "changes", "council", "nhs", "person", "unassigned")

    def __init__(self, n: int) -> None:
        self.nhs = [ZERO] * n
        self.council = [ZERO] * n
        self.person = [ZERO] * n
        self.unassigned = [ZERO] * n
        self.baseline = [ZERO] * n
        self.changes = [0] * n

    def lines(self, months: list[dt.date]) -> list[LedgerLine]:
        return [
            LedgerLine(
                m,
                pence(self.nhs[i]),
                pence(self.council[i]),
                pence(self.person[i]),
                pence(self.unassigned[i]),
                pence(self.baseline[i]),
                self.changes[i],
            )
            for i, m in enumerate(months)
        ]

    def shift(self) -> Decimal:
        return sum(self.nhs, ZERO) - sum(self.baseline, ZERO)


def ledger_lines(
    packages: Iterable[PackageRow],
    *,
    start: dt.date,
    end: dt.date,
    by_person: bool = True,
) -> tuple[list[LedgerLine], dict[int, list[LedgerLine]], dict[int, Decimal]]:
    """Pure: per month of [start, end], the total ledger, each person's (when
    `by_person`) and each person's cost shift to the NHS over the period, with
    what the NHS would have paid under the baselines."""
    months = months_between(start, end)
    bounds = [*months, month_next(months[-1])]
    base = months[0].year * 12 + months[0].month - 1
    n = len(months)
    total = _Acc(n)
    people: dict[int, _Acc] = {}
    shifts: dict[int, Decimal] = defaultdict(lambda: ZERO)
    one_day = dt.timedelta(days=1)
    for p in packages:
        if not p.splits:
            base_nhs_day = ZERO
        else:
            baseline = min(p.splits, key=lambda s: s.seq)
            base_nhs_day = _nhs(day_costs(p.cost_per_week, baseline))
        accs = [total]
        if by_person:
            mine = people.get(p.person_id)
            if mine is None:
                mine = people[p.person_id] = _Acc(n)
            accs.append(mine)
        shift = ZERO
        for seg in segments(p, start=start, end=end):
            costs = day_costs(p.cost_per_week, seg.split)
            nhs, council = _nhs(costs), costs.get("council", ZERO)
            person, unassigned = (
                costs.get("person", ZERO),
                costs.get("unassigned", ZERO),
            )
            i0 = seg.first.year * 12 + seg.first.month - 1 - base
            i1 = seg.last.year * 12 + seg.last.month - 1 - base
            seg_days = 0
            for i in range(i0, i1 + 1):
                lo = bounds[i] if bounds[i] > seg.first else seg.first
                hi = bounds[i + 1] - one_day
                hi = hi if hi < seg.last else seg.last
                days = (hi - lo).days + 1
                seg_days += days
                for acc in accs:
                    if nhs:
                        acc.nhs[i] += nhs * days
                    if council:
                        acc.council[i] += council * days
                    if person:
                        acc.person[i] += person * days
                    if unassigned:
                        acc.unassigned[i] += unassigned * days
                    if base_nhs_day:
                        acc.baseline[i] += base_nhs_day * days
            shift += (nhs - base_nhs_day) * seg_days
        if shift:
            shifts[p.person_id] += shift
        # Changes after the first split, counted in the month they take effect.
        first_seq = min((s.seq for s in p.splits), default=0)
        for s in p.splits:
            if s.seq != first_seq and start <= s.effective_from <= end:
                i = s.effective_from.year * 12 + s.effective_from.month - 1 - base
                for acc in accs:
                    acc.changes[i] += 1
    return (
        total.lines(months),
        {pid: acc.lines(months) for pid, acc in people.items()},
        {pid: v for pid, v in shifts.items() if pence(v)},
    )


@dataclass(frozen=True)
class PersonShift:
    person_id: int
    label: str  # shown to direct-care roles only
    nhs: Decimal
    council: Decimal
    shift_to_nhs: Decimal
    changes: int


@dataclass(frozen=True)
class Ledger:
    start: dt.date
    end: dt.date
    lines: list[LedgerLine]
    people: list[PersonShift] = field(default_factory=list)  # direct care only
    people_shifted: int = 0  # how many people's funding shifted (aggregate)

    @property
    def totals(self) -> LedgerLine:
        t = LedgerLine(self.end)
        for line in self.lines:
            t.nhs += line.nhs
            t.council += line.council
            t.person += line.person
            t.unassigned += line.unassigned
            t.baseline_nhs += line.baseline_nhs
            t.changes += line.changes
        return t


def ledger_period_parse(
    params: dict[str, str], *, today: dt.date
) -> tuple[dt.date, dt.date]:
    """The ledger's period from GET parameters `from` and `to` (YYYY-MM), by
    default the 36 months to the end of this month."""

    def month(name: str, default: dt.date) -> dt.date:
        raw = (params.get(name) or "").strip()
        if not raw:
            return default
        try:
            return (
                dt.date.fromisoformat(raw + "-01")
                if len(raw) == 7
                else month_first(dt.date.fromisoformat(raw))
            )
        except ValueError:
            raise InvalidInput.for_field(name, "give a month as YYYY-MM") from None

    this_month = month_first(today)
    first_default = this_month.replace(year=this_month.year - 3)
    first_default = month_next(first_default)
    first = month("from", first_default)
    last_month = month("to", this_month)
    if last_month < first:
        raise InvalidInput.for_field(
            "to", "the last month must not be before the first"
        )
    if len(months_between(first, last_month)) > MAX_LEDGER_MONTHS:
        raise InvalidInput.for_field("from", f"at most {MAX_LEDGER_MONTHS} months")
    return first, month_next(last_month) - dt.timedelta(days=1)


# --- queries -------------------------------------------------------------------


def package_rows(packages_qs) -> list[PackageRow]:
    """PackageRows for a CarePackage queryset: two queries."""
    from joinedup.funding.models import FundingSplit

    found = list(
        packages_qs.values_list(
            "pk", "person_id", "start_on", "end_on", "cost_per_week", "scheme_id"
        )
    )
    splits: dict[int, list[SplitRow]] = defaultdict(list)
    ids = [r[0] for r in found]
    for chunk_start in range(0, len(ids), 5000):
        chunk = ids[chunk_start : chunk_start + 5000]
        for row in FundingSplit.objects.filter(package_id__in=chunk).values_list(
            "package_id",
            "pk",
            "effective_from",
            "nhs_chc_percent",
            "nhs_fnc_percent",
            "council_percent",
            "contribution_per_week",
        ):
            splits[row[0]].append(SplitRow(*row[1:]))
    return [
        PackageRow(pk, person_id, start_on, end_on, cost, tuple(splits[pk]), scheme_id)
        for pk, person_id, start_on, end_on, cost, scheme_id in found
    ]


def person_cost_by_funder(
    *, person_id: int, start: dt.date, end: dt.date
) -> dict[str, Decimal]:
    """What each partner paid (or should pay) for the person's care packages over
    [start, end] inclusive, in pounds to the penny: keys "nhs_chc", "nhs_fnc",
    "council", "person" (assessed contributions), "unassigned" (no split in
    force), "nhs" (CHC + FNC) and "total". For retrospective reimbursement
    after a CHC decision or dispute. Holds no access check: the caller has
    opened the person's record (or is a service acting on a decision)."""
    from joinedup.funding.models import CarePackage

    if end < start:
        raise InvalidInput.for_field("end", "the end must not be before the start")
    return cost_by_funder(
        package_rows(CarePackage.objects.filter(person_id=person_id)),
        start=start,
        end=end,
    )


def _refuse(actor: Actor, action: str, reason: str) -> AccessRefused:
    audit_record(
        actor=actor,
        person_id=None,
        action=action,
        category=AccessCategory.FINANCE,
        decision=Decision(False, reason),
    )
    return AccessRefused(f"You cannot see this page: {reason}.")


def ledger_get(*, actor: Actor, start: dt.date, end: dt.date) -> Ledger:
    """The cost-shift ledger of every care package over [start, end]: totals per
    month for commissioners and finance leads (aggregates; no person named), and
    the count of people whose funding shifted. One audit entry."""
    from joinedup.funding.models import CarePackage

    if actor.role not in AGGREGATE_ROLES:
        raise _refuse(
            actor, "ledger", "the ledger totals are for commissioners and finance leads"
        )
    qs = CarePackage.objects.filter(start_on__lte=end).exclude(end_on__lt=start)
    lines, _, shifts = ledger_lines(
        package_rows(qs), start=start, end=end, by_person=False
    )
    shifted = len(shifts)
    audit_record(
        actor=actor,
        person_id=None,
        action="ledger",
        category=AccessCategory.FINANCE,
        decision=Decision(True, f"aggregate ledger, {len(lines)} months"),
    )
    return Ledger(start, end, lines, [], shifted)


PEOPLE_MAX = 500


def ledger_people(*, actor: Actor, start: dt.date, end: dt.date) -> Ledger:
    """Per-person ledger lines for a direct-care professional: the people with
    care packages whom the access policy lets the actor see, with their finance
    and social care records in full (people whose records are limited to the
    actor's organisation by an objection are left out). At most PEOPLE_MAX
    people; one audit entry."""
    from joinedup.funding.models import CarePackage
    from joinedup.governance.access import (
        Scope,
        decide,
        facts_annotations,
        facts_gather,
        people_visible_q,
    )
    from joinedup.people.models import Person

    if actor.role not in DIRECT_CARE_ROLES:
        raise _refuse(
            actor, "ledger_people", "per-person ledger lines are for direct care"
        )
    candidates = (
        Person.objects.filter(people_visible_q(actor))
        .filter(pk__in=CarePackage.objects.values("person_id"))
        .annotate(**facts_annotations(actor))
        .order_by("pk")[:PEOPLE_MAX]
    )
    by_id = {}
    for person in candidates:
        facts = facts_gather(actor, person)
        decisions = [
            decide(actor, person, "ledger_people", c, facts)
            for c in (AccessCategory.FINANCE, AccessCategory.SOCIAL_CARE)
        ]
        if all(d.allowed and d.scope == Scope.ALL for d in decisions):
            by_id[person.pk] = person
    qs = CarePackage.objects.filter(
        person_id__in=list(by_id), start_on__lte=end
    ).exclude(end_on__lt=start)
    lines, per_person, _ = ledger_lines(package_rows(qs), start=start, end=end)
    rows = []
    for pid, ls in per_person.items():
        p = by_id[pid]
        rows.append(
            PersonShift(
                pid,
                p.display_name,
                sum((x.nhs for x in ls), ZERO),
                sum((x.council for x in ls), ZERO),
                sum((x.shift_to_nhs for x in ls), ZERO),
                sum(x.changes for x in ls),
            )
        )
    rows.sort(key=lambda r: (-abs(r.shift_to_nhs), r.label))
    audit_record(
        actor=actor,
        person_id=None,
        action="ledger_people",
        category=AccessCategory.FINANCE,
        decision=Decision(True, f"{len(rows)} people's ledger lines"),
    )
    shifted = sum(1 for r in rows if r.shift_to_nhs)
    return Ledger(start, end, lines, rows, shifted)


def ledger_csv(ledger: Ledger) -> str:
    """The ledger's monthly totals as CSV (no person data)."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(
        [
            "month",
            "nhs",
            "council",
            "person_contributions",
            "unassigned",
            "total",
            "nhs_had_funding_not_changed",
            "shift_to_nhs",
            "funding_changes",
        ]
    )
    for line in ledger.lines:
        w.writerow(
            [
                line.month.strftime("%Y-%m"),
                line.nhs,
                line.council,
                line.person,
                line.unassigned,
                line.total,
                line.baseline_nhs,
                line.shift_to_nhs,
                line.changes,
            ]
        )
    return out.getvalue()
