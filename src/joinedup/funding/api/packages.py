"""REST: care packages and who pays (DESIGN 4.3 outcomes, 4.6). Thin: each
handler calls the same selectors and services as the pages, so the same access
policy and audit apply. Money is a decimal string in pounds (e.g. "450.00")."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.responses import codes_4xx

from joinedup.config.api import ErrorOut, RecordId, RecordRef
from joinedup.funding.selectors.packages import (
    PackageView,
    package_get,
    packages_for_person,
)
from joinedup.funding.services import packages as services

router = Router(tags=["care packages"])


class SplitOut(Schema):
    id: int
    effective_from: dt.date
    funder: str = Field(..., description="nhs_chc, nhs_fnc, council or joint")
    nhs_chc_percent: Decimal
    nhs_fnc_percent: Decimal
    council_percent: Decimal
    contribution_per_week: Decimal
    reason: str
    source_ref: str
    recorded_at: dt.datetime


class PaymentOut(Schema):
    id: int
    paid_on: dt.date
    amount: Decimal
    reference: str


class AccountOut(Schema):
    budget_to_date: Decimal
    paid: Decimal
    balance: Decimal
    payments: list[PaymentOut]


class PackageOut(Schema):
    id: int
    person_id: RecordRef
    kind: str = Field(
        ...,
        description="home_care, residential_placement, nursing_placement, "
        "equipment, reablement or direct_payment",
    )
    provider: str
    cost_per_week: Decimal
    hours_per_week: Decimal | None
    start_on: dt.date
    end_on: dt.date | None
    scheme_id: RecordRef | None
    funder_now: str | None
    splits: list[SplitOut] = Field(..., description="newest recorded first")
    direct_payment: AccountOut | None


class PersonPackagesOut(Schema):
    person_id: RecordRef
    withheld: str = Field(
        "", description="why packages are not shown, when the actor may not read them"
    )
    own_organisation_only: bool
    packages: list[PackageOut]
    cost_this_year: dict[str, Decimal] = Field(
        ..., description="by funder, from 1 April to today"
    )


class PackageIn(Schema):
    person_id: RecordRef
    kind: str
    provider: str
    cost_per_week: Decimal
    start_on: dt.date
    end_on: dt.date | None = None
    hours_per_week: Decimal | None = None
    scheme_id: RecordRef | None = None
    funder: str = Field("council", description="nhs_chc, nhs_fnc, council or joint")
    nhs_share_percent: Decimal | None = Field(
        None, description="the NHS share of a joint (or FNC) package"
    )
    contribution_per_week: Decimal = Decimal(0)
    reason: str = "package arranged"


class FundingIn(Schema):
    effective_from: dt.date
    funder: str = Field(..., description="nhs_chc, nhs_fnc, council or joint")
    nhs_chc_percent: Decimal
    nhs_fnc_percent: Decimal = Decimal(0)
    council_percent: Decimal
    contribution_per_week: Decimal | None = None
    reason: str
    source_ref: str = ""


class PaymentIn(Schema):
    paid_on: dt.date
    amount: Decimal
    reference: str = ""


def _split(s) -> dict[str, object]:
    return {
        "id": s.pk,
        "effective_from": s.effective_from,
        "funder": s.funder,
        "nhs_chc_percent": s.nhs_chc_percent,
        "nhs_fnc_percent": s.nhs_fnc_percent,
        "council_percent": s.council_percent,
        "contribution_per_week": s.contribution_per_week,
        "reason": s.reason,
        "source_ref": s.source_ref,
        "recorded_at": s.recorded_at,
    }


def _package(v: PackageView) -> dict[str, object]:
    p = v.package
    account = None
    if v.account is not None:
        account = {
            "budget_to_date": v.account.budget_to_date,
            "paid": v.account.paid,
            "balance": v.account.balance,
            "payments": [
                {
                    "id": x.pk,
                    "paid_on": x.paid_on,
                    "amount": x.amount,
                    "reference": x.reference,
                }
                for x in v.account.payments
            ],
        }
    return {
        "id": p.pk,
        "person_id": p.person_id,
        "kind": p.kind,
        "provider": p.provider,
        "cost_per_week": p.cost_per_week,
        "hours_per_week": p.hours_per_week,
        "start_on": p.start_on,
        "end_on": p.end_on,
        "scheme_id": p.scheme_id,
        "funder_now": v.in_force.funder if v.in_force else None,
        "splits": [_split(s) for s in v.splits],
        "direct_payment": account,
    }


def _read(request: HttpRequest, package_id: RecordId) -> dict[str, object]:
    return _package(
        package_get(
            actor=request.actor,  # type: ignore[attr-defined]
            package_id=package_id,
            today=timezone.localdate(),
        )
    )


@router.get(
    "/people/{person_id}",
    response={200: PersonPackagesOut, codes_4xx: ErrorOut},
    summary="A person's care packages and who pays",
)
def packages_list(request: HttpRequest, person_id: RecordId) -> dict[str, object]:
    found = packages_for_person(
        actor=request.actor,  # type: ignore[attr-defined]
        person_id=person_id,
        today=timezone.localdate(),
    )
    return {
        "person_id": person_id,
        "withheld": found.withheld,
        "own_organisation_only": found.own_organisation_only,
        "packages": [_package(v) for v in found.packages],
        "cost_this_year": found.this_year,
    }


@router.get(
    "/{package_id}",
    response={200: PackageOut, codes_4xx: ErrorOut},
    summary="A care package with its funding history",
)
def package_read(request: HttpRequest, package_id: RecordId) -> dict[str, object]:
    return _read(request, package_id)


@router.post(
    "",
    response={201: PackageOut, codes_4xx: ErrorOut},
    summary="Arrange a care package (social workers, CHC nurse assessors)",
)
def package_new(request: HttpRequest, body: PackageIn) -> Status:
    package = services.package_create(
        actor=request.actor,  # type: ignore[attr-defined]
        person_id=body.person_id,
        kind=body.kind,
        provider=body.provider,
        cost_per_week=body.cost_per_week,
        start_on=body.start_on,
        end_on=body.end_on,
        hours_per_week=body.hours_per_week,
        scheme_id=body.scheme_id,
        funder=body.funder,
        nhs_share_percent=body.nhs_share_percent,
        contribution_per_week=body.contribution_per_week,
        reason=body.reason,
    )
    return Status(201, _read(request, package.pk))


@router.post(
    "/{package_id}/funding",
    response={201: PackageOut, codes_4xx: ErrorOut},
    summary="Change who pays from a date (shares add up to exactly 100%)",
)
def package_funding(
    request: HttpRequest, package_id: RecordId, body: FundingIn
) -> Status:
    services.package_funding_change(
        actor=request.actor,  # type: ignore[attr-defined]
        package_id=package_id,
        effective_from=body.effective_from,
        funder=body.funder,
        nhs_chc_percent=body.nhs_chc_percent,
        nhs_fnc_percent=body.nhs_fnc_percent,
        council_percent=body.council_percent,
        contribution_per_week=body.contribution_per_week,
        reason=body.reason,
        source_ref=body.source_ref,
    )
    return Status(201, _read(request, package_id))


@router.post(
    "/{package_id}/payments",
    response={201: PackageOut, codes_4xx: ErrorOut},
    summary="Record a payment into a direct payment account",
)
def package_payment(
    request: HttpRequest, package_id: RecordId, body: PaymentIn
) -> Status:
    services.direct_payment_record(
        actor=request.actor,  # type: ignore[attr-defined]
        package_id=package_id,
        paid_on=body.paid_on,
        amount=body.amount,
        reference=body.reference,
    )
    return Status(201, _read(request, package_id))
