"""Reads of a person's care packages, who pays for them and their direct
payments. Package details are person data in the `finance` and `social_care`
categories: each read opens the record through the access policy (one audit
entry, refusals included).

Direct payments: the person's budget to date is the package's cost per week / 7
for every day from its start to today (or its end); the balance is that budget
less the payments made (positive: still owed to the person; negative: paid in
advance)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from joinedup.errors import AccessRefused, NotFound
from joinedup.funding.models import (
    CarePackage,
    DirectPayment,
    FundingSplit,
    PackageKind,
)
from joinedup.funding.selectors.ledger import (
    SEVEN,
    ZERO,
    cost_by_funder,
    package_rows,
    pence,
)
from joinedup.governance.access import Actor
from joinedup.governance.models import AccessCategory
from joinedup.people.selectors import PersonAccess, person_access_open

CATEGORIES = (AccessCategory.FINANCE, AccessCategory.SOCIAL_CARE)


def finance_access_open(*, actor: Actor, person_id: int, action: str) -> PersonAccess:
    """Open the person's record (audited) and check that the actor may read their
    finance and social care records."""
    access = person_access_open(actor=actor, person_id=person_id, action=action)
    for category in CATEGORIES:
        if not access.may_read(category):
            raise AccessRefused(
                f"You cannot see this person's care packages: {category} "
                "information is not shared with you."
            )
    return access


@dataclass(frozen=True)
class DirectPaymentAccount:
    budget_to_date: Decimal
    paid: Decimal
    payments: list[DirectPayment]

    @property
    def balance(self) -> Decimal:
        return self.budget_to_date - self.paid


@dataclass(frozen=True)
class PackageView:
    package: CarePackage
    splits: list[FundingSplit]  # newest recorded first
    in_force: FundingSplit | None
    active: bool
    account: DirectPaymentAccount | None


def split_in_force(splits: list[FundingSplit], day: dt.date) -> FundingSplit | None:
    """Pure: the most recently recorded split effective on or before `day`."""
    candidates = [s for s in splits if s.effective_from <= day]
    return max(candidates, key=lambda s: s.pk) if candidates else None


def direct_payment_account(
    package: CarePackage, payments: list[DirectPayment], *, today: dt.date
) -> DirectPaymentAccount:
    last = min(today, package.end_on) if package.end_on else today
    days = max(0, (last - package.start_on).days + 1)
    budget = pence(package.cost_per_week / SEVEN * days)
    paid = sum((p.amount for p in payments), ZERO)
    return DirectPaymentAccount(
        budget, paid, sorted(payments, key=lambda p: (p.paid_on, p.pk), reverse=True)
    )


def _view(package: CarePackage, *, today: dt.date) -> PackageView:
    splits = sorted(package.splits.all(), key=lambda s: s.pk, reverse=True)
    account = None
    if package.kind == PackageKind.DIRECT_PAYMENT:
        account = direct_payment_account(
            package, list(package.payments.all()), today=today
        )
    return PackageView(
        package,
        splits,
        split_in_force(splits, min(today, package.end_on or today)),
        package.start_on <= today
        and (package.end_on is None or package.end_on >= today),
        account,
    )


@dataclass(frozen=True)
class PersonPackages:
    access: PersonAccess
    packages: list[PackageView]
    this_year: dict[str, Decimal]  # cost by funder, financial year to date
    year_start: dt.date
    withheld: str = ""  # why packages are not shown, when they are not
    own_organisation_only: bool = False

    @property
    def weekly_total(self) -> Decimal:
        return sum((p.package.cost_per_week for p in self.packages if p.active), ZERO)


def packages_for_person(
    *, actor: Actor, person_id: int, today: dt.date
) -> PersonPackages:
    """The person's care packages, newest first, with who pays and what they
    cost this financial year. When the actor may open the record but not read
    its finance or social care information, nothing of the packages is shown
    (`withheld` says why); when the person objects to sharing with the actor's
    organisation, only the packages it arranged are shown."""
    access = person_access_open(
        actor=actor, person_id=person_id, action="view_care_packages"
    )
    year_start = dt.date(today.year if today.month >= 4 else today.year - 1, 4, 1)
    for category in CATEGORIES:
        if not access.may_read(category):
            return PersonPackages(
                access,
                [],
                {},
                year_start,
                withheld=f"{category.replace('_', ' ')} information is not "
                "shared with you",
            )
    found = CarePackage.objects.filter(person_id=person_id)
    own_only = any(c in access.own_organisation_categories for c in CATEGORIES)
    if own_only:
        found = found.filter(organisation_id=actor.organisation_id)
    packages = list(
        found.select_related("scheme")
        .prefetch_related("splits", "payments")
        .order_by("-start_on", "-pk")
    )
    costs = cost_by_funder(package_rows(found), start=year_start, end=today)
    return PersonPackages(
        access,
        [_view(p, today=today) for p in packages],
        costs,
        year_start,
        own_organisation_only=own_only,
    )


def package_person_id(*, package_id: int) -> int:
    """The person a package belongs to (an id only); the caller then opens the
    record through the access policy."""
    pid = (
        CarePackage.objects.filter(pk=package_id)
        .values_list("person_id", flat=True)
        .first()
    )
    if pid is None:
        raise NotFound(
            f"package: there is no care package with id {package_id}",
            fields={"id": "no such care package"},
        )
    return pid


def package_get(*, actor: Actor, package_id: int, today: dt.date) -> PackageView:
    person_id = package_person_id(package_id=package_id)
    access = finance_access_open(
        actor=actor, person_id=person_id, action="view_care_package"
    )
    package = (
        CarePackage.objects.select_related("scheme", "person")
        .prefetch_related("splits", "payments")
        .get(pk=package_id)
    )
    own_only = any(c in access.own_organisation_categories for c in CATEGORIES)
    if own_only and package.organisation_id != actor.organisation_id:
        raise AccessRefused(
            "You cannot see this care package: the person objects to sharing it "
            "with your organisation."
        )
    return _view(package, today=today)
