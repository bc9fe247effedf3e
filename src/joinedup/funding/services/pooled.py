"""Writes of pooled budgets (DESIGN 4.6): the section 75 agreement with its
partners and risk-share rule, the pool of each year (contributions that add up
to it exactly), schemes with their planned spend per month, and manual journals.
Pooled budgets hold no person data: only commissioners and finance leads (role
`commissioner`) change them. Every write is atomic."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from joinedup.errors import AccessRefused, Conflict, InvalidInput, NotFound
from joinedup.funding.models import (
    Contribution,
    ContributionSource,
    FundPartner,
    FundYear,
    Journal,
    PooledFund,
    RiskShare,
    Scheme,
    SchemeKind,
    SchemePlan,
)
from joinedup.governance.access import Actor
from joinedup.governance.models import Organisation, Role

HUNDRED = Decimal(100)
MAX_AMOUNT = Decimal("1000000000")
POOLED_ROLES = frozenset({Role.COMMISSIONER})


def _errors(errors: dict[str, str]) -> None:
    if errors:
        raise InvalidInput(
            "; ".join(f"{k}: {v}" for k, v in errors.items()), fields=errors
        )


def _role(actor: Actor) -> None:
    if actor.role not in POOLED_ROLES:
        raise AccessRefused(
            "You cannot change pooled budgets: they are for commissioners and "
            "finance leads."
        )


def money(
    value: object,
    field: str,
    errors: dict[str, str],
    *,
    negative: bool = False,
) -> Decimal | None:
    """An amount in pounds to the penny, or an error for `field`."""
    try:
        d = Decimal(str(value).strip().replace(",", "").lstrip("£"))
    except (InvalidOperation, ValueError):
        errors[field] = "give an amount in pounds, like 125000.00"
        return None
    if not d.is_finite():
        errors[field] = "give an amount in pounds, like 125000.00"
        return None
    if d < 0 and not negative:
        errors[field] = "must not be negative"
        return None
    if abs(d) > MAX_AMOUNT:
        errors[field] = f"must not be more than {MAX_AMOUNT:,}"
        return None
    if d != d.quantize(Decimal("0.01")):
        errors[field] = "give pounds and pence (at most 2 decimal places)"
        return None
    return d


def _month(value: object, field: str, errors: dict[str, str]) -> dt.date | None:
    if isinstance(value, dt.date):
        return value.replace(day=1)
    try:
        return dt.date.fromisoformat(str(value).strip()[:7] + "-01")
    except ValueError:
        errors[field] = "give a month as YYYY-MM"
        return None


def fund_create(
    *,
    actor: Actor,
    name: str,
    host_organisation_id: int,
    risk_share: str,
    partners: Sequence[Mapping[str, object]],
    agreement: str = "s75",
) -> PooledFund:
    """A pooled fund with its partners: each {"organisation_id", "source" (icb,
    council, dfg), "risk_percent" (fixed rule only; they add up to 100)}."""
    _role(actor)
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name or len(name) > 200:
        errors["name"] = "give a name of 200 characters or fewer"
    elif PooledFund.objects.filter(name=name).exists():
        errors["name"] = "a fund with this name exists"
    if agreement not in ("s75", "s33"):
        errors["agreement"] = "choose s75 or s33"
    if risk_share not in RiskShare.values:
        errors["risk_share"] = "choose one of: " + ", ".join(RiskShare.values)
    if not Organisation.objects.filter(pk=host_organisation_id).exists():
        errors["host_organisation_id"] = "there is no such organisation"
    if not partners:
        errors["partners"] = "name at least one partner"
    seen, fixed_total = set(), Decimal(0)
    rows: list[tuple[Any, Any, Decimal | None]] = []
    for i, p in enumerate(partners):
        org, source = p.get("organisation_id"), p.get("source")
        if not Organisation.objects.filter(pk=org).exists():  # type: ignore[misc]
            errors[f"partners.{i}.organisation_id"] = "there is no such organisation"
        if source not in ContributionSource.values:
            errors[f"partners.{i}.source"] = "choose one of: " + ", ".join(
                ContributionSource.values
            )
        if (org, source) in seen:
            errors[f"partners.{i}"] = "this partner and source are named twice"
        seen.add((org, source))
        pct = None
        if risk_share == RiskShare.FIXED:
            pct = money(p.get("risk_percent"), f"partners.{i}.risk_percent", errors)
            if pct is not None:
                if pct > HUNDRED:
                    errors[f"partners.{i}.risk_percent"] = "must be at most 100"
                fixed_total += pct
        rows.append((org, source, pct))
    if risk_share == RiskShare.FIXED and not errors and fixed_total != HUNDRED:
        errors["partners"] = (
            f"the fixed risk shares add up to {fixed_total.normalize():f}%; they "
            "must add up to exactly 100%"
        )
    _errors(errors)
    with transaction.atomic():
        fund = PooledFund.objects.create(
            name=name,
            agreement=agreement,
            host_id=host_organisation_id,
            risk_share=risk_share,
            created_by_id=actor.user_id,
            created_at=timezone.now(),
        )
        FundPartner.objects.bulk_create(
            FundPartner(fund=fund, organisation_id=o, source=s, risk_percent=pct)
            for o, s, pct in rows
        )
    return fund


def _fund(fund_id: int) -> PooledFund:
    fund = PooledFund.objects.filter(pk=fund_id).first()
    if fund is None:
        raise NotFound(
            f"fund: there is no pooled fund with id {fund_id}",
            fields={"id": "no such fund"},
        )
    return fund


def fund_year_set(
    *,
    actor: Actor,
    fund_id: int,
    year: int,
    total: Decimal | str,
    contributions: Mapping[int, Decimal | str],
) -> FundYear:
    """Set the pool of a financial year (April `year` to March `year + 1`) and
    each partner's contribution (partner id -> amount). The contributions must
    add up to the pool exactly. Replaces that year's figures."""
    _role(actor)
    fund = _fund(fund_id)
    errors: dict[str, str] = {}
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        errors["year"] = "give the year the financial year starts, like 2025"
    pool = money(total, "total", errors)
    partner_ids = set(fund.partners.values_list("pk", flat=True))
    amounts: dict[int, Decimal] = {}
    for pid, value in contributions.items():
        if pid not in partner_ids:
            errors[f"contributions.{pid}"] = "not a partner of this fund"
            continue
        amount = money(value, f"contributions.{pid}", errors)
        if amount is not None:
            amounts[pid] = amount
    if not errors and pool is not None:
        added = sum(amounts.values(), Decimal(0))
        if added != pool:
            errors["contributions"] = (
                f"the contributions add up to £{added:,.2f} but the pool is "
                f"£{pool:,.2f}; they must be equal"
            )
    _errors(errors)
    assert pool is not None  # noqa: S101 - checked above
    with transaction.atomic():
        fy, _ = FundYear.objects.update_or_create(
            fund=fund, year=year, defaults={"total": pool}
        )
        fy.contributions.all().delete()
        Contribution.objects.bulk_create(
            Contribution(fund_year=fy, partner_id=pid, amount=a)
            for pid, a in amounts.items()
        )
    return fy


def scheme_create(*, actor: Actor, fund_id: int, name: str, kind: str) -> Scheme:
    _role(actor)
    fund = _fund(fund_id)
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name or len(name) > 200:
        errors["name"] = "give a name of 200 characters or fewer"
    if kind not in SchemeKind.values:
        errors["kind"] = "choose one of: " + ", ".join(SchemeKind.values)
    _errors(errors)
    try:
        with transaction.atomic():
            return Scheme.objects.create(fund=fund, name=name, kind=kind)
    except IntegrityError:
        raise Conflict(
            "name: the fund already has a scheme with this name",
            fields={"name": "already used in this fund"},
        ) from None


def _scheme(scheme_id: int) -> Scheme:
    scheme = Scheme.objects.filter(pk=scheme_id).first()
    if scheme is None:
        raise NotFound(
            f"scheme: there is no scheme with id {scheme_id}",
            fields={"scheme_id": "no such scheme"},
        )
    return scheme


def scheme_plan_set(
    *, actor: Actor, scheme_id: int, plans: Mapping[object, Decimal | str]
) -> int:
    """Set a scheme's planned spend for months (month -> amount); returns how
    many months were set."""
    _role(actor)
    scheme = _scheme(scheme_id)
    errors: dict[str, str] = {}
    rows: dict[dt.date, Decimal] = {}
    for key, value in plans.items():
        month = _month(key, f"plans.{key}", errors)
        amount = money(value, f"plans.{key}", errors)
        if month and amount is not None:
            rows[month] = amount
    _errors(errors)
    with transaction.atomic():
        SchemePlan.objects.filter(scheme=scheme, month__in=list(rows)).delete()
        SchemePlan.objects.bulk_create(
            SchemePlan(scheme=scheme, month=m, amount=a) for m, a in rows.items()
        )
    return len(rows)


def journal_add(
    *,
    actor: Actor,
    fund_id: int,
    scheme_id: int,
    month: dt.date | str,
    amount: Decimal | str,
    description: str,
    reference: str = "",
) -> Journal:
    """A manual spend line of one of the fund's schemes in a month (negative for a
    credit). A scheme of another fund is refused naming scheme_id, wherever the
    line comes from (the journals form or the REST API)."""
    _role(actor)
    _fund(fund_id)
    errors: dict[str, str] = {}
    scheme = Scheme.objects.filter(pk=scheme_id).first()
    if scheme is None:
        errors["scheme_id"] = "there is no such scheme"
    elif scheme.fund_id != fund_id:
        errors["scheme_id"] = "the fund has no such scheme"
    when = _month(month, "month", errors)
    value = money(amount, "amount", errors, negative=True)
    if value == 0:
        errors["amount"] = "must not be zero"
    description = (description or "").strip()
    if not description or len(description) > 200:
        errors["description"] = "describe the spend in 200 characters or fewer"
    if len(reference or "") > 100:
        errors["reference"] = "use 100 characters or fewer"
    _errors(errors)
    assert scheme and when and value is not None  # noqa: S101 - checked above
    with transaction.atomic():
        return Journal.objects.create(
            scheme=scheme,
            month=when,
            amount=value,
            description=description,
            reference=(reference or "").strip(),
            recorded_by_id=actor.user_id,
            recorded_at=timezone.now(),
        )
