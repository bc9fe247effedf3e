"""REST: pooled budgets (section 75 / Better Care Fund; DESIGN 4.6): the funds,
their dashboard figures, and manual journals. Aggregates for commissioners and
finance leads (role `commissioner`); others get 403. Money is a decimal string
in pounds."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.responses import codes_4xx

from joinedup.config.api import ErrorOut, RecordId, RecordRef
from joinedup.funding.selectors.pooled import fund_dashboard, fund_list
from joinedup.funding.services.pooled import journal_add

router = Router(tags=["pooled budgets"])


class FundOut(Schema):
    id: int
    name: str
    agreement: str
    host: str
    risk_share: str = Field(..., description="proportional or fixed")


class MonthOut(Schema):
    month: dt.date
    plan: Decimal
    actual: Decimal
    variance: Decimal
    ended: bool


class SchemeOut(Schema):
    id: int
    name: str
    kind: str
    plan_year: Decimal
    plan_to_date: Decimal
    actual_to_date: Decimal
    variance_to_date: Decimal
    forecast: Decimal
    forecast_variance: Decimal
    months: list[MonthOut]


class PartnerOut(Schema):
    partner: str
    source: str = Field(..., description="icb, council or dfg")
    contribution: Decimal
    risk_percent: Decimal
    risk_share: Decimal = Field(
        ..., description="their part of the forecast over (+) or under (-) spend"
    )


class DashboardOut(Schema):
    fund: FundOut
    year: int = Field(..., description="the year the financial year starts (April)")
    months_to_date: int
    pool: Decimal | None
    plan_year: Decimal
    actual_to_date: Decimal
    variance_to_date: Decimal
    forecast: Decimal
    overspend: Decimal = Field(..., description="forecast less the pool")
    partners: list[PartnerOut]
    schemes: list[SchemeOut]


class DashboardQuery(Schema):
    year: int | None = Field(None, ge=2000, le=2100)


class JournalIn(Schema):
    scheme_id: RecordRef
    month: dt.date = Field(..., description="any day of the month")
    amount: Decimal = Field(..., description="negative for a credit")
    description: str
    reference: str = ""


class JournalOut(Schema):
    id: int
    scheme_id: RecordRef
    month: dt.date
    amount: Decimal
    description: str
    reference: str


def _fund(f) -> dict[str, object]:
    return {
        "id": f.pk,
        "name": f.name,
        "agreement": f.agreement,
        "host": f.host.name,
        "risk_share": f.risk_share,
    }


@router.get(
    "", response={200: list[FundOut], codes_4xx: ErrorOut}, summary="Pooled funds"
)
def funds(request: HttpRequest) -> list[dict[str, object]]:
    return [_fund(f) for f in fund_list(actor=request.actor)]  # type: ignore[attr-defined]


@router.get(
    "/{fund_id}",
    response={200: DashboardOut, codes_4xx: ErrorOut},
    summary="A fund's plan, actual, variance, forecast and risk share for a year",
)
def dashboard(
    request: HttpRequest, fund_id: RecordId, query: Query[DashboardQuery]
) -> dict[str, object]:
    b = fund_dashboard(
        actor=request.actor,  # type: ignore[attr-defined]
        fund_id=fund_id,
        year=query.year,
        today=timezone.localdate(),
    )
    return {
        "fund": _fund(b.fund),
        "year": b.year,
        "months_to_date": b.elapsed,
        "pool": b.pool,
        "plan_year": b.plan_year,
        "actual_to_date": b.actual_ytd,
        "variance_to_date": b.variance_ytd,
        "forecast": b.forecast,
        "overspend": b.overspend,
        "partners": [
            {
                "partner": p.label,
                "source": p.source,
                "contribution": p.contribution,
                "risk_percent": p.percent,
                "risk_share": p.risk,
            }
            for p in b.partners
        ],
        "schemes": [
            {
                "id": s.scheme_id,
                "name": s.name,
                "kind": s.kind,
                "plan_year": s.plan_year,
                "plan_to_date": s.plan_ytd,
                "actual_to_date": s.actual_ytd,
                "variance_to_date": s.variance_ytd,
                "forecast": s.forecast,
                "forecast_variance": s.forecast_variance,
                "months": [
                    {"month": m, "plan": p, "actual": a, "variance": v, "ended": e}
                    for m, p, a, v, e in s.rows
                ],
            }
            for s in b.schemes
        ],
    }


@router.post(
    "/{fund_id}/journals",
    response={201: JournalOut, codes_4xx: ErrorOut},
    summary="Add a manual spend line to one of the fund's schemes",
)
def journal(request: HttpRequest, fund_id: RecordId, body: JournalIn) -> Status:
    j = journal_add(
        actor=request.actor,  # type: ignore[attr-defined]
        fund_id=fund_id,
        scheme_id=body.scheme_id,
        month=body.month,
        amount=body.amount,
        description=body.description,
        reference=body.reference,
    )
    return Status(
        201,
        {
            "id": j.pk,
            "scheme_id": j.scheme_id,
            "month": j.month,
            "amount": j.amount,
            "description": j.description,
            "reference": j.reference,
        },
    )
