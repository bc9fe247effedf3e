"""Reads of pooled budgets (DESIGN 4.6): plan against actual per scheme per
month, variance, forecast and the risk share per partner. Aggregates for
commissioners and finance leads (role `commissioner`); one audit entry per view.

Definitions:
- The financial year runs April to March; `year` is the year it starts.
- Actual spend of a scheme in a month = the cost of its care packages in that
  month (every day of the package in the month at cost per week / 7, whoever
  pays) + its journals of that month.
- Year to date = the months of the year that have ended (before the current
  month); for a past year, all twelve.
- Forecast outturn = actual year to date + the plan of the remaining months
  scaled by the year-to-date run rate (actual / plan year to date; 1 when
  nothing was planned so far).
- Variance = actual - plan (positive: overspend). The fund's forecast over- or
  underspend = forecast outturn - the pool; each partner bears it by the risk
  share rule: in proportion to their contribution, or their fixed percentage.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, Sum

from joinedup.errors import AccessRefused, InvalidInput, NotFound
from joinedup.funding.models import (
    CarePackage,
    FundYear,
    Journal,
    PooledFund,
    RiskShare,
    Scheme,
    SchemePlan,
)
from joinedup.funding.selectors.ledger import (
    SEVEN,
    ZERO,
    month_days,
    month_next,
    pence,
)
from joinedup.governance.access import Actor, Decision
from joinedup.governance.models import AccessCategory, Role
from joinedup.governance.services import audit_record

POOLED_ROLES = frozenset({Role.COMMISSIONER})


def fy_of(day: dt.date) -> int:
    return day.year if day.month >= 4 else day.year - 1


def fy_months(year: int) -> list[dt.date]:
    return [dt.date(year + (m < 4), m, 1) for m in (*range(4, 13), 1, 2, 3)]


def fy_label(year: int) -> str:
    return f"{year}/{(year + 1) % 100:02d}"


def _refuse(actor: Actor, action: str) -> AccessRefused:
    reason = "pooled budgets are for commissioners and finance leads"
    audit_record(
        actor=actor,
        person_id=None,
        action=action,
        category=AccessCategory.FINANCE,
        decision=Decision(False, reason),
    )
    return AccessRefused(f"You cannot see this page: {reason}.")


def pooled_audit(actor: Actor, action: str, reason: str) -> None:
    audit_record(
        actor=actor,
        person_id=None,
        action=action,
        category=AccessCategory.FINANCE,
        decision=Decision(True, reason),
    )


def pooled_allowed(actor: Actor) -> bool:
    return actor.role in POOLED_ROLES


def fund_list(*, actor: Actor) -> list[PooledFund]:
    if not pooled_allowed(actor):
        raise _refuse(actor, "pooled_list")
    funds = list(PooledFund.objects.select_related("host").order_by("name"))
    pooled_audit(actor, "pooled_list", f"{len(funds)} pooled funds")
    return funds


def fund_get(*, actor: Actor, fund_id: int) -> PooledFund:
    if not pooled_allowed(actor):
        raise _refuse(actor, "pooled_view")
    fund = PooledFund.objects.select_related("host").filter(pk=fund_id).first()
    if fund is None:
        raise NotFound(
            f"fund: there is no pooled fund with id {fund_id}",
            fields={"id": "no such fund"},
        )
    return fund


# --- pure ---------------------------------------------------------------------


@dataclass(frozen=True)
class SchemeFigures:
    scheme_id: int
    name: str
    kind: str
    months: list[dt.date]
    plan: list[Decimal]
    packages: list[Decimal]
    journals: list[Decimal]
    elapsed: int  # months of the year to date

    @property
    def actual(self) -> list[Decimal]:
        return [pence(a + b) for a, b in zip(self.packages, self.journals, strict=True)]

    @property
    def variance(self) -> list[Decimal]:
        return [a - p for a, p in zip(self.actual, self.plan, strict=True)]

    @property
    def plan_year(self) -> Decimal:
        return sum(self.plan, ZERO)

    @property
    def plan_ytd(self) -> Decimal:
        return sum(self.plan[: self.elapsed], ZERO)

    @property
    def actual_ytd(self) -> Decimal:
        return sum(self.actual[: self.elapsed], ZERO)

    @property
    def variance_ytd(self) -> Decimal:
        return self.actual_ytd - self.plan_ytd

    @property
    def forecast(self) -> Decimal:
        return forecast_outturn(self.plan, self.actual, self.elapsed)

    @property
    def forecast_variance(self) -> Decimal:
        return self.forecast - self.plan_year

    @property
    def rows(self) -> list[tuple[dt.date, Decimal, Decimal, Decimal, bool]]:
        return [
            (m, p, a, a - p, i < self.elapsed)
            for i, (m, p, a) in enumerate(
                zip(self.months, self.plan, self.actual, strict=True)
            )
        ]


def forecast_outturn(
    plan: list[Decimal], actual: list[Decimal], elapsed: int
) -> Decimal:
    """Pure: actual to date + the remaining plan scaled by the run rate."""
    plan_ytd = sum(plan[:elapsed], ZERO)
    actual_ytd = sum(actual[:elapsed], ZERO)
    rate = actual_ytd / plan_ytd if plan_ytd else Decimal(1)
    return pence(actual_ytd + sum(plan[elapsed:], ZERO) * rate)


@dataclass(frozen=True)
class PartnerShare:
    label: str
    source: str
    contribution: Decimal
    percent: Decimal
    risk: Decimal  # their part of the forecast over (+) or under (-) spend


def risk_shares(
    partners: list[tuple[str, str, Decimal, Decimal | None]],
    *,
    rule: str,
    overspend: Decimal,
) -> list[PartnerShare]:
    """Pure: each partner's part of the over/underspend. `partners` are (label,
    source, contribution, fixed percent or None)."""
    total = sum((c for _, _, c, _ in partners), ZERO)
    out = []
    for label, source, contribution, fixed in partners:
        if rule == RiskShare.FIXED:
            pct = fixed or ZERO
        else:
            pct = contribution * 100 / total if total else ZERO
        out.append(
            PartnerShare(
                label,
                source,
                contribution,
                pct.quantize(Decimal("0.01")),
                pence(overspend * pct / 100),
            )
        )
    return out


@dataclass(frozen=True)
class Dashboard:
    fund: PooledFund
    year: int
    years: list[int]
    months: list[dt.date]
    elapsed: int
    schemes: list[SchemeFigures]
    pool: Decimal | None
    partners: list[PartnerShare]

    @property
    def label(self) -> str:
        return fy_label(self.year)

    def _total(self, attr: str) -> Decimal:
        return sum((getattr(s, attr) for s in self.schemes), ZERO)

    @property
    def plan_year(self) -> Decimal:
        return self._total("plan_year")

    @property
    def plan_ytd(self) -> Decimal:
        return self._total("plan_ytd")

    @property
    def actual_ytd(self) -> Decimal:
        return self._total("actual_ytd")

    @property
    def variance_ytd(self) -> Decimal:
        return self._total("variance_ytd")

    @property
    def forecast(self) -> Decimal:
        return self._total("forecast")

    @property
    def overspend(self) -> Decimal:
        """Forecast outturn less the pool (or the plan when no pool is set)."""
        base = self.pool if self.pool is not None else self.plan_year
        return self.forecast - base

    @property
    def monthly(self) -> list[tuple[dt.date, Decimal, Decimal, Decimal, bool]]:
        """(month, plan, actual, variance, ended) of the whole fund."""
        out = []
        for i, m in enumerate(self.months):
            plan = sum((s.plan[i] for s in self.schemes), ZERO)
            actual = sum((s.actual[i] for s in self.schemes), ZERO)
            out.append((m, plan, actual, actual - plan, i < self.elapsed))
        return out


def package_month_costs(
    rows: Iterable[tuple[int, int | None, dt.date, dt.date | None, Decimal]],
    *,
    first: dt.date,
    last: dt.date,
) -> dict[tuple[int, dt.date], Decimal]:
    """Pure: (scheme, month) -> cost of the packages (pk, scheme, start, end,
    cost per week) in [first, last]."""
    out: dict[tuple[int, dt.date], Decimal] = defaultdict(lambda: ZERO)
    for _pk, scheme_id, start, end, cost in rows:
        lo = max(first, start)
        hi = min(last, end) if end else last
        if hi < lo or scheme_id is None:
            continue
        day = cost / SEVEN
        for m, days in month_days(lo, hi):
            out[(scheme_id, m)] += day * days
    return out


# --- the dashboard -------------------------------------------------------------


def fund_dashboard(
    *, actor: Actor, fund_id: int, year: int | None, today: dt.date
) -> Dashboard:
    """The fund's plan, actual, variance and forecast per scheme for one
    financial year, and the risk share per partner. A fixed number of queries."""
    fund = fund_get(actor=actor, fund_id=fund_id)
    years = sorted(
        set(FundYear.objects.filter(fund=fund).values_list("year", flat=True))
        | {fy_of(today)}
    )
    year = fy_of(today) if year is None else year
    if not 2000 <= year <= 2100:
        raise InvalidInput.for_field("year", "give the year the financial year starts")
    months = fy_months(year)
    first, last = months[0], month_next(months[-1]) - dt.timedelta(days=1)
    this_month = today.replace(day=1)
    elapsed = sum(1 for m in months if m < this_month)
    schemes = list(Scheme.objects.filter(fund=fund).order_by("name"))
    index = {m: i for i, m in enumerate(months)}
    plans: dict[int, list[Decimal]] = {s.pk: [ZERO] * 12 for s in schemes}
    for sid, m, amount in SchemePlan.objects.filter(
        scheme__fund=fund, month__gte=first, month__lte=last
    ).values_list("scheme_id", "month", "amount"):
        plans[sid][index[m.replace(day=1)]] += amount
    journals: dict[int, list[Decimal]] = {s.pk: [ZERO] * 12 for s in schemes}
    for sid, m, amount in (
        Journal.objects.filter(scheme__fund=fund, month__gte=first, month__lte=last)
        .values("scheme_id", "month")
        .annotate(total=Sum("amount"))
        .values_list("scheme_id", "month", "total")
    ):
        journals[sid][index[m.replace(day=1)]] += amount
    rows = list(
        CarePackage.objects.filter(scheme__fund=fund, start_on__lte=last)
        .filter(Q(end_on__isnull=True) | Q(end_on__gte=first))
        .values_list("pk", "scheme_id", "start_on", "end_on", "cost_per_week")
    )
    costs = package_month_costs(rows, first=first, last=last)
    figures = [
        SchemeFigures(
            s.pk,
            s.name,
            s.get_kind_display(),
            months,
            plans[s.pk],
            [costs.get((s.pk, m), ZERO) for m in months],
            journals[s.pk],
            elapsed,
        )
        for s in schemes
    ]
    fy = FundYear.objects.filter(fund=fund, year=year).first()
    pool = fy.total if fy else None
    contributions = (
        {c.partner_id: c.amount for c in fy.contributions.all()} if fy else {}
    )
    partners = [
        (
            f"{p.organisation.name} ({p.get_source_display()})",
            p.source,
            contributions.get(p.pk, ZERO),
            p.risk_percent,
        )
        for p in fund.partners.select_related("organisation")
    ]
    board = Dashboard(fund, year, years, months, elapsed, figures, pool, [])
    shares = risk_shares(partners, rule=fund.risk_share, overspend=board.overspend)
    pooled_audit(actor, "pooled_dashboard", f"fund {fund.pk} {fy_label(year)}")
    return Dashboard(fund, year, years, months, elapsed, figures, pool, shares)


def journals_list(*, actor: Actor, fund_id: int, limit: int = 50) -> list[Journal]:
    fund = fund_get(actor=actor, fund_id=fund_id)
    return list(
        Journal.objects.filter(scheme__fund=fund)
        .select_related("scheme")
        .order_by("-month", "-pk")[:limit]
    )
