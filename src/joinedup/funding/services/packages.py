"""Writes of care packages and who pays for them (DESIGN 4.3 outcomes, 4.6).
Every write opens the person's record through the access policy (one audit
entry; a refusal leaves its entry too) and is atomic: nothing is saved half-way.

The shares of a funding split add up to exactly 100 per cent:
- `nhs_chc`: NHS continuing healthcare pays all (100 / 0 / 0);
- `nhs_fnc`: NHS-funded nursing care pays the nursing part, the council the rest;
  by default the FNC standard weekly rate as a share of the package's cost;
- `council`: the council pays all, less the person's assessed contribution;
- `joint`: the NHS and the council each pay a share (the NHS share given).
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from joinedup.errors import AccessRefused, InvalidInput, NotFound
from joinedup.funding.models import (
    CarePackage,
    DirectPayment,
    Funder,
    FundingSplit,
    PackageKind,
    Scheme,
)
from joinedup.governance.access import Actor, Decision
from joinedup.governance.models import AccessCategory, Role
from joinedup.governance.services import audit_record
from joinedup.people.models import Person
from joinedup.people.selectors import person_access_open

# NHS-funded nursing care standard weekly rate, England, 2025/26 (Department of
# Health and Social Care): used when an FNC split is given without a share.
FNC_WEEKLY_RATE = Decimal("254.06")
HUNDRED = Decimal(100)
ZERO = Decimal(0)
MAX_MONEY = Decimal("1000000")
# Who arranges packages and records funding decisions: council social workers
# and the ICB's CHC nurse assessors (on the ICB's decision).
FUNDING_ROLES = frozenset({Role.SOCIAL_WORKER, Role.CHC_ASSESSOR})


def _errors(errors: dict[str, str]) -> None:
    if errors:
        raise InvalidInput(
            "; ".join(f"{k}: {v}" for k, v in errors.items()), fields=errors
        )


def _decimal(
    value: object, field: str, errors: dict[str, str], *, maximum: Decimal
) -> Decimal | None:
    try:
        d = Decimal(str(value).strip().replace(",", "").lstrip("£"))
    except (InvalidOperation, ValueError):
        errors[field] = "give an amount, like 450.00"
        return None
    if not d.is_finite():
        errors[field] = "give an amount, like 450.00"
        return None
    if d < 0:
        errors[field] = "must not be negative"
        return None
    if d > maximum:
        errors[field] = f"must not be more than {maximum:,}"
        return None
    if d != d.quantize(Decimal("0.01")):
        errors[field] = "give pounds and pence (at most 2 decimal places)"
        return None
    return d


def shares_validate(
    *, funder: str, nhs_chc: Decimal, nhs_fnc: Decimal, council: Decimal
) -> None:
    """Pure: the shares suit the funder and add up to exactly 100 per cent."""
    errors: dict[str, str] = {}
    if funder not in Funder.values:
        errors["funder"] = "choose one of: " + ", ".join(Funder.values)
    for name, v in (
        ("nhs_chc_percent", nhs_chc),
        ("nhs_fnc_percent", nhs_fnc),
        ("council_percent", council),
    ):
        if v < 0 or v > HUNDRED:
            errors[name] = "must be between 0 and 100"
    total = nhs_chc + nhs_fnc + council
    if not errors and total != HUNDRED:
        errors["shares"] = (
            f"the shares add up to {total.normalize():f}%, which is over 100%"
            if total > HUNDRED
            else f"the shares add up to {total.normalize():f}%; they must add up "
            "to exactly 100%"
        )
    if not errors:
        if funder == Funder.NHS_CHC and nhs_chc != HUNDRED:
            errors["funder"] = "NHS continuing healthcare pays 100%"
        elif funder == Funder.COUNCIL and council != HUNDRED:
            errors["funder"] = "a council-funded package has a council share of 100%"
        elif funder == Funder.NHS_FNC and (nhs_fnc <= 0 or nhs_chc != 0):
            errors["funder"] = "NHS-funded nursing care needs an FNC share (no CHC)"
        elif funder == Funder.JOINT and (nhs_chc + nhs_fnc <= 0 or council <= 0):
            errors["funder"] = "a joint package has an NHS and a council share"
    _errors(errors)


def shares_for(
    *, funder: str, nhs_share_percent: Decimal | None, cost_per_week: Decimal
) -> tuple[Decimal, Decimal, Decimal]:
    """Pure: (CHC, FNC, council) percentages for a funder and, where it needs one,
    the NHS share."""
    errors: dict[str, str] = {}
    if funder not in Funder.values:
        errors["funder"] = "choose one of: " + ", ".join(Funder.values)
        _errors(errors)
    share = nhs_share_percent
    if share is not None:
        share = _decimal(share, "nhs_share_percent", errors, maximum=HUNDRED)
        _errors(errors)
    if funder == Funder.NHS_CHC:
        if share is not None and share != HUNDRED:
            errors["nhs_share_percent"] = "NHS continuing healthcare pays 100%"
        chc, fnc, council = HUNDRED, ZERO, ZERO
    elif funder == Funder.COUNCIL:
        if share not in (None, ZERO):
            errors["nhs_share_percent"] = "a council-funded package has no NHS share"
        chc, fnc, council = ZERO, ZERO, HUNDRED
    elif funder == Funder.JOINT:
        if share is None:
            errors["nhs_share_percent"] = "give the NHS share of a joint package"
            share = ZERO
        elif not ZERO < share < HUNDRED:
            errors["nhs_share_percent"] = "must be more than 0 and less than 100"
        chc, fnc, council = share, ZERO, HUNDRED - share
    else:  # NHS-funded nursing care
        if share is None:
            if cost_per_week <= 0:
                share = HUNDRED
            else:
                share = min(
                    HUNDRED,
                    (FNC_WEEKLY_RATE * HUNDRED / cost_per_week).quantize(
                        Decimal("0.01"), rounding=ROUND_HALF_UP
                    ),
                )
        elif not ZERO < share <= HUNDRED:
            errors["nhs_share_percent"] = "must be more than 0 and at most 100"
        chc, fnc, council = ZERO, share, HUNDRED - share
    _errors(errors)
    return chc, fnc, council


def _open_for_write(*, actor: Actor, person_id: int, action: str) -> None:
    """Check the role, then open the person's record (audited) and check that
    the actor may read their finance and social care records."""
    if actor.role not in FUNDING_ROLES:
        reason = "only social workers and CHC nurse assessors record care funding"
        audit_record(
            actor=actor,
            person_id=person_id,
            action=action,
            category=AccessCategory.FINANCE,
            decision=Decision(False, reason),
        )
        raise AccessRefused(f"You cannot record this: {reason}.")
    access = person_access_open(actor=actor, person_id=person_id, action=action)
    for category in (AccessCategory.FINANCE, AccessCategory.SOCIAL_CARE):
        if not access.may_read(category):
            raise AccessRefused(
                f"You cannot record this: {category} information is not shared with you"
            )


def _split_in_force(package: CarePackage, day: dt.date) -> FundingSplit | None:
    return (
        package.splits.filter(effective_from__lte=day).order_by("-pk").first()
        or package.splits.order_by("pk").first()
    )


def package_create(
    *,
    actor: Actor,
    person_id: int,
    kind: str,
    provider: str,
    cost_per_week: Decimal | str,
    start_on: dt.date,
    end_on: dt.date | None = None,
    hours_per_week: Decimal | str | None = None,
    scheme_id: int | None = None,
    funder: str = Funder.COUNCIL,
    nhs_share_percent: Decimal | None = None,
    contribution_per_week: Decimal | str = ZERO,
    reason: str = "package arranged",
    check_access: bool = True,
) -> CarePackage:
    """Arrange a care package with its first funding split (from its start)."""
    if check_access:
        _open_for_write(actor=actor, person_id=person_id, action="package_create")
    errors: dict[str, str] = {}
    if kind not in PackageKind.values:
        errors["kind"] = "choose one of: " + ", ".join(PackageKind.values)
    provider = (provider or "").strip()
    if not provider:
        errors["provider"] = "give the provider"
    elif len(provider) > 200:
        errors["provider"] = "use 200 characters or fewer"
    cost = _decimal(cost_per_week, "cost_per_week", errors, maximum=MAX_MONEY)
    hours = None
    if hours_per_week not in (None, ""):
        hours = _decimal(hours_per_week, "hours_per_week", errors, maximum=Decimal(168))
    contribution = _decimal(
        contribution_per_week, "contribution_per_week", errors, maximum=MAX_MONEY
    )
    if not isinstance(start_on, dt.date):
        errors["start_on"] = "give the start date"
    if end_on is not None and isinstance(start_on, dt.date) and end_on < start_on:
        errors["end_on"] = "the end date must not be before the start date"
    reason = (reason or "").strip()
    if not reason or len(reason) > 200:
        errors["reason"] = "give a reason of 200 characters or fewer"
    if scheme_id is not None and not Scheme.objects.filter(pk=scheme_id).exists():
        errors["scheme_id"] = "there is no such scheme"
    _errors(errors)
    assert cost is not None and contribution is not None  # noqa: S101
    chc, fnc, council = shares_for(
        funder=funder, nhs_share_percent=nhs_share_percent, cost_per_week=cost
    )
    shares_validate(funder=funder, nhs_chc=chc, nhs_fnc=fnc, council=council)
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        raise NotFound(
            f"person: there is no person with id {person_id}",
            fields={"person_id": "no such person"},
        )
    now = timezone.now()
    with transaction.atomic():
        package = CarePackage.objects.create(
            person=person,
            kind=kind,
            provider=provider,
            cost_per_week=cost,
            hours_per_week=hours,
            start_on=start_on,
            end_on=end_on,
            scheme_id=scheme_id,
            organisation_id=actor.organisation_id,
            created_by_id=actor.user_id,
            created_at=now,
        )
        FundingSplit.objects.create(
            package=package,
            effective_from=start_on,
            funder=funder,
            nhs_chc_percent=chc,
            nhs_fnc_percent=fnc,
            council_percent=council,
            contribution_per_week=ZERO if funder == Funder.NHS_CHC else contribution,
            reason=reason,
            recorded_by_id=actor.user_id,
            recorded_at=now,
        )
    return package


def _package_get(package_id: int) -> CarePackage:
    package = CarePackage.objects.filter(pk=package_id).first()
    if package is None:
        raise NotFound(
            f"package: there is no care package with id {package_id}",
            fields={"id": "no such care package"},
        )
    return package


def package_funding_change(
    *,
    actor: Actor,
    package_id: int,
    effective_from: dt.date,
    funder: str,
    nhs_chc_percent: Decimal | str,
    nhs_fnc_percent: Decimal | str,
    council_percent: Decimal | str,
    contribution_per_week: Decimal | str | None = None,
    reason: str,
    source_ref: str = "",
) -> FundingSplit:
    """Change who pays one package from a date, with explicit shares (they must
    add up to exactly 100%). The person's assessed contribution is kept unless
    given (none under NHS continuing healthcare)."""
    package = _package_get(package_id)
    _open_for_write(
        actor=actor, person_id=package.person_id, action="package_funding_change"
    )
    errors: dict[str, str] = {}
    chc = _decimal(nhs_chc_percent, "nhs_chc_percent", errors, maximum=Decimal(1000))
    fnc = _decimal(nhs_fnc_percent, "nhs_fnc_percent", errors, maximum=Decimal(1000))
    council = _decimal(
        council_percent, "council_percent", errors, maximum=Decimal(1000)
    )
    contribution = None
    if contribution_per_week not in (None, ""):
        contribution = _decimal(
            contribution_per_week, "contribution_per_week", errors, maximum=MAX_MONEY
        )
    _check_change(package, effective_from, reason, source_ref, errors)
    _errors(errors)
    assert chc is not None and fnc is not None and council is not None  # noqa: S101
    shares_validate(funder=funder, nhs_chc=chc, nhs_fnc=fnc, council=council)
    with transaction.atomic():
        return _split_add(
            actor=actor,
            package=package,
            effective_from=effective_from,
            funder=funder,
            shares=(chc, fnc, council),
            contribution=contribution,
            reason=reason.strip(),
            source_ref=source_ref.strip(),
        )


def _check_change(
    package: CarePackage | None,
    effective_from: object,
    reason: str,
    source_ref: str,
    errors: dict[str, str],
) -> None:
    if not isinstance(effective_from, dt.date):
        errors["effective_from"] = "give the date the change takes effect"
    elif package is not None and package.end_on and effective_from > package.end_on:
        errors["effective_from"] = "the package ended before this date"
    if not (reason or "").strip():
        errors["reason"] = "give the reason for the change"
    elif len(reason.strip()) > 200:
        errors["reason"] = "use 200 characters or fewer"
    if len(source_ref or "") > 100:
        errors["source_ref"] = "use 100 characters or fewer"


def _split_add(
    *,
    actor: Actor,
    package: CarePackage,
    effective_from: dt.date,
    funder: str,
    shares: tuple[Decimal, Decimal, Decimal],
    contribution: Decimal | None,
    reason: str,
    source_ref: str,
) -> FundingSplit:
    when = max(effective_from, package.start_on)
    if contribution is None:
        before = _split_in_force(package, when)
        contribution = before.contribution_per_week if before else ZERO
    if funder == Funder.NHS_CHC:
        contribution = ZERO  # CHC is free at the point of delivery
    chc, fnc, council = shares
    return FundingSplit.objects.create(
        package=package,
        effective_from=when,
        funder=funder,
        nhs_chc_percent=chc,
        nhs_fnc_percent=fnc,
        council_percent=council,
        contribution_per_week=contribution,
        reason=reason,
        source_ref=source_ref,
        recorded_by_id=actor.user_id,
        recorded_at=timezone.now(),
    )


def funding_change_for_person(
    *,
    actor: Actor,
    person_id: int,
    effective_from: dt.date,
    funder: str,
    nhs_share_percent: Decimal | None = None,
    reason: str,
    source_ref: str = "",
    check_access: bool = True,
) -> list[FundingSplit]:
    """Move every current care package of the person (not ended before
    `effective_from`) to a new funding split from `effective_from`: a CHC
    decision, a dispute outcome or interim funding. `funder` is "nhs_chc",
    "nhs_fnc", "council" or "joint" (with `nhs_share_percent`, the NHS share;
    for "nhs_fnc" optional, by default the FNC weekly rate as a share of each
    package's cost). Returns the new splits (none when the person has no
    current package). All or nothing. `check_access=False` only for a service
    that has already opened the record for this decision."""
    errors: dict[str, str] = {}
    _check_change(None, effective_from, reason, source_ref, errors)
    if funder not in Funder.values:
        errors["funder"] = "choose one of: " + ", ".join(Funder.values)
    _errors(errors)
    if check_access:
        _open_for_write(
            actor=actor, person_id=person_id, action="funding_change_for_person"
        )
    elif not Person.objects.filter(pk=person_id).exists():
        raise NotFound(
            f"person: there is no person with id {person_id}",
            fields={"person_id": "no such person"},
        )
    with transaction.atomic():
        packages = list(
            CarePackage.objects.select_for_update()
            .filter(person_id=person_id)
            .filter(Q(end_on__isnull=True) | Q(end_on__gte=effective_from))
            .order_by("pk")
        )
        created = []
        for package in packages:
            shares = shares_for(
                funder=funder,
                nhs_share_percent=nhs_share_percent,
                cost_per_week=package.cost_per_week,
            )
            shares_validate(
                funder=funder, nhs_chc=shares[0], nhs_fnc=shares[1], council=shares[2]
            )
            created.append(
                _split_add(
                    actor=actor,
                    package=package,
                    effective_from=effective_from,
                    funder=funder,
                    shares=shares,
                    contribution=None,
                    reason=reason.strip(),
                    source_ref=(source_ref or "").strip(),
                )
            )
        if not packages:
            # Validate the funder and share even with nothing to move.
            shares_for(
                funder=funder,
                nhs_share_percent=nhs_share_percent,
                cost_per_week=Decimal(1000),
            )
    return created


def package_end(*, actor: Actor, package_id: int, end_on: dt.date) -> CarePackage:
    """End a care package on a date (its last day)."""
    package = _package_get(package_id)
    _open_for_write(actor=actor, person_id=package.person_id, action="package_end")
    if not isinstance(end_on, dt.date):
        raise InvalidInput.for_field("end_on", "give the end date")
    if end_on < package.start_on:
        raise InvalidInput.for_field(
            "end_on", "the end date must not be before the start date"
        )
    with transaction.atomic():
        package.end_on = end_on
        package.save(update_fields=["end_on"])
    return package


def direct_payment_record(
    *,
    actor: Actor,
    package_id: int,
    paid_on: dt.date,
    amount: Decimal | str,
    reference: str = "",
) -> DirectPayment:
    """Record a payment into a person's direct payment account."""
    package = _package_get(package_id)
    _open_for_write(
        actor=actor, person_id=package.person_id, action="direct_payment_record"
    )
    errors: dict[str, str] = {}
    if package.kind != PackageKind.DIRECT_PAYMENT:
        errors["package_id"] = "payments are recorded against a direct payment"
    value = _decimal(amount, "amount", errors, maximum=MAX_MONEY)
    if value is not None and value <= 0:
        errors["amount"] = "must be more than 0"
    if not isinstance(paid_on, dt.date):
        errors["paid_on"] = "give the date paid"
    elif paid_on < package.start_on:
        errors["paid_on"] = "the direct payment had not started"
    if len(reference or "") > 100:
        errors["reference"] = "use 100 characters or fewer"
    _errors(errors)
    assert value is not None  # noqa: S101 - checked above
    with transaction.atomic():
        return DirectPayment.objects.create(
            package=package,
            paid_on=paid_on,
            amount=value,
            reference=(reference or "").strip(),
            recorded_by_id=actor.user_id,
            recorded_at=timezone.now(),
        )
