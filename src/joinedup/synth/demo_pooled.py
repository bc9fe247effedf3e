"""Demo pooled budget and care packages (DESIGN 4.6, section 5): a Better Care
Fund with its partners, schemes with a monthly plan, care packages for people
known to social care (some moved to NHS funding by CHC decisions, some joint,
some with NHS-funded nursing care, some direct payments with payments), and
monthly journals, over three financial years up to today.

Deterministic: seeded draws; idempotent: nothing is added when the fund exists.
Written with bulk inserts (a seed, not a professional's action), so no audit
entries and no access checks; the pages read it through the access policy."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from joinedup.funding.models import (
    CarePackage,
    Contribution,
    DirectPayment,
    Funder,
    FundingSplit,
    FundPartner,
    FundYear,
    Journal,
    PackageKind,
    PooledFund,
    RiskShare,
    Scheme,
    SchemeKind,
    SchemePlan,
)
from joinedup.funding.selectors.ledger import month_next
from joinedup.funding.selectors.pooled import fy_months, fy_of
from joinedup.governance.models import Organisation, OrganisationType, User

FUND_NAME = "Joinedup Better Care Fund"
# (scheme name, kind, package kind or None, monthly journal base)
SCHEMES = (
    ("Reablement at home", SchemeKind.REABLEMENT, PackageKind.REABLEMENT, 60_000),
    (
        "Intermediate care beds",
        SchemeKind.INTERMEDIATE_CARE_BEDS,
        PackageKind.NURSING,
        45_000,
    ),
    (
        "Community equipment service",
        SchemeKind.COMMUNITY_EQUIPMENT,
        PackageKind.EQUIPMENT,
        30_000,
    ),
    ("Carers' support", SchemeKind.CARERS_SUPPORT, PackageKind.DIRECT_PAYMENT, 12_000),
    ("Home care after discharge", SchemeKind.HOME_CARE, PackageKind.HOME_CARE, 25_000),
    ("Disabled Facilities Grant adaptations", SchemeKind.ADAPTATIONS, None, 40_000),
)
WEEKLY_COST = {
    PackageKind.HOME_CARE: (180, 650),
    PackageKind.RESIDENTIAL: (850, 1200),
    PackageKind.NURSING: (1000, 1600),
    PackageKind.EQUIPMENT: (5, 40),
    PackageKind.REABLEMENT: (300, 700),
    PackageKind.DIRECT_PAYMENT: (150, 450),
}
# Typical length in days (reablement is up to six weeks).
LENGTH = {
    PackageKind.HOME_CARE: 400,
    PackageKind.RESIDENTIAL: 700,
    PackageKind.NURSING: 500,
    PackageKind.EQUIPMENT: 300,
    PackageKind.REABLEMENT: 42,
    PackageKind.DIRECT_PAYMENT: 500,
}
KIND_WEIGHTS = (
    (PackageKind.HOME_CARE, 35),
    (PackageKind.REABLEMENT, 20),
    (PackageKind.EQUIPMENT, 15),
    (PackageKind.RESIDENTIAL, 10),
    (PackageKind.NURSING, 8),
    (PackageKind.DIRECT_PAYMENT, 12),
)


@dataclass
class SeedTally:
    packages: int = 0
    splits: int = 0
    journals: int = 0
    schemes: int = 0


def _money(x: float) -> Decimal:
    return Decimal(str(round(x, 2))).quantize(Decimal("0.01"))


def pooled_seed(
    *,
    name: str,
    host: Organisation,
    icb: Organisation,
    commissioner: User,
    social_worker: User,
    person_ids: list[int],
    packages: int,
    schemes: int = len(SCHEMES),
    today: dt.date,
    seed: int = 8,
) -> SeedTally:
    """A fund with `schemes` schemes (the demo's six, repeated as needed),
    `packages` care packages spread over `person_ids`, and 36 months of plans,
    journals and package history up to the end of the current financial year."""
    rnd = random.Random(seed)
    now = timezone.now()
    tally = SeedTally()
    first_year = fy_of(today) - 2
    start = dt.date(first_year, 4, 1)
    months = [m for y in range(first_year, first_year + 3) for m in fy_months(y)]
    with transaction.atomic():
        fund = PooledFund.objects.create(
            name=name,
            agreement="s75",
            host=host,
            risk_share=RiskShare.PROPORTIONAL,
            created_by=commissioner,
            created_at=now,
        )
        icb_p = FundPartner.objects.create(fund=fund, organisation=icb, source="icb")
        council_p = FundPartner.objects.create(
            fund=fund, organisation=host, source="council"
        )
        dfg_p = FundPartner.objects.create(fund=fund, organisation=host, source="dfg")
        made = []
        for i in range(schemes):
            label, skind, pkind, base = SCHEMES[i % len(SCHEMES)]
            suffix = f" {i // len(SCHEMES) + 1}" if i >= len(SCHEMES) else ""
            made.append(
                (
                    Scheme.objects.create(fund=fund, name=label + suffix, kind=skind),
                    pkind,
                    base,
                )
            )
        tally.schemes = len(made)
        # Packages: start spread over the three years (and some before).
        kinds = [k for k, w in KIND_WEIGHTS for _ in range(w)]
        rows: list[CarePackage] = []
        for i in range(packages):
            kind = rnd.choice(kinds)
            lo, hi = WEEKLY_COST[kind]
            begin = start + dt.timedelta(days=rnd.randrange(-120, 3 * 365))
            length = int(rnd.expovariate(1 / LENGTH[kind])) + 7
            end = begin + dt.timedelta(days=length)
            schemes_of_kind = [s for s, pk, _ in made if pk == kind]
            rows.append(
                CarePackage(
                    person_id=person_ids[i % len(person_ids)],
                    kind=kind,
                    provider=rnd.choice(
                        [
                            "Caring Hands Ltd",
                            "Riverside Care",
                            "Oak House",
                            "Community equipment store",
                            "Reablement team",
                            "Direct payment account",
                            "Willow Nursing Home",
                        ]
                    ),
                    cost_per_week=_money(rnd.uniform(lo, hi)),
                    hours_per_week=(
                        _money(rnd.uniform(3, 25))
                        if kind in (PackageKind.HOME_CARE, PackageKind.REABLEMENT)
                        else None
                    ),
                    start_on=begin,
                    end_on=end if end < today or rnd.random() < 0.5 else None,
                    scheme=(
                        rnd.choice(schemes_of_kind)
                        if schemes_of_kind and rnd.random() < 0.8
                        else None
                    ),
                    organisation=host,
                    created_by=social_worker,
                    created_at=now,
                )
            )
        CarePackage.objects.bulk_create(rows, batch_size=1000)
        tally.packages = len(rows)
        splits: list[FundingSplit] = []
        payments: list[DirectPayment] = []
        hundred, zero = Decimal(100), Decimal(0)
        later: list[FundingSplit] = []
        for p in rows:
            contribution = _money(rnd.uniform(0, 120)) if rnd.random() < 0.6 else zero
            splits.append(
                FundingSplit(
                    package=p,
                    effective_from=p.start_on,
                    funder=Funder.COUNCIL,
                    nhs_chc_percent=zero,
                    nhs_fnc_percent=zero,
                    council_percent=hundred,
                    contribution_per_week=contribution,
                    reason="package arranged",
                    recorded_by=social_worker,
                    recorded_at=now,
                )
            )
            last = p.end_on or today
            span = (last - p.start_on).days
            u = rnd.random()
            if span > 30 and u < 0.22:
                when = p.start_on + dt.timedelta(days=rnd.randrange(14, span))
                if p.kind == PackageKind.NURSING and u < 0.12:
                    fnc = min(
                        hundred,
                        (Decimal("254.06") * 100 / p.cost_per_week).quantize(
                            Decimal("0.01")
                        ),
                    )
                    shares = (Funder.NHS_FNC, zero, fnc, hundred - fnc, contribution)
                elif u < 0.15:
                    shares = (Funder.NHS_CHC, hundred, zero, zero, zero)
                else:
                    nhs = Decimal(rnd.choice([30, 40, 50, 60]))
                    shares = (Funder.JOINT, nhs, zero, hundred - nhs, contribution)
                funder, chc, fnc_pct, council, contrib = shares
                later.append(
                    FundingSplit(
                        package=p,
                        effective_from=when,
                        funder=funder,
                        nhs_chc_percent=chc,
                        nhs_fnc_percent=fnc_pct,
                        council_percent=council,
                        contribution_per_week=contrib,
                        reason="ICB decision"
                        if funder == Funder.NHS_CHC
                        else "joint funding agreed",
                        source_ref="demo",
                        recorded_by=social_worker,
                        recorded_at=now,
                    )
                )
            if p.kind == PackageKind.DIRECT_PAYMENT:
                day = p.start_on
                while day <= min(last, today):
                    payments.append(
                        DirectPayment(
                            package=p,
                            paid_on=day,
                            amount=_money(
                                float(p.cost_per_week) * 4 * rnd.uniform(0.9, 1.0)
                            ),
                            reference="4-weekly",
                            recorded_by=social_worker,
                            recorded_at=now,
                        )
                    )
                    day += dt.timedelta(days=28)
        FundingSplit.objects.bulk_create(splits, batch_size=2000)
        FundingSplit.objects.bulk_create(later, batch_size=2000)
        DirectPayment.objects.bulk_create(payments, batch_size=2000)
        tally.splits = len(splits) + len(later)
        # Plans and journals: the journal base plus the expected package spend.
        package_month: dict[tuple[int, dt.date], float] = {}
        for p in rows:
            if p.scheme is None:
                continue
            m = p.start_on.replace(day=1)
            last = p.end_on or months[-1]
            while m <= last and m <= months[-1]:
                nxt = month_next(m)
                days = (
                    min(nxt - dt.timedelta(days=1), last) - max(m, p.start_on)
                ).days + 1
                key = (p.scheme.pk, m)
                package_month[key] = (
                    package_month.get(key, 0.0) + float(p.cost_per_week) / 7 * days
                )
                m = nxt
        plans, journals = [], []
        this_month = today.replace(day=1)
        for scheme, _pkind, base in made:
            drift = rnd.uniform(-0.08, 0.12)
            for i, m in enumerate(months):
                expected = package_month.get((scheme.pk, m), 0.0)
                plan = base + expected * rnd.uniform(0.9, 1.05)
                plans.append(SchemePlan(scheme=scheme, month=m, amount=_money(plan)))
                if m < this_month:
                    actual = base * (1 + drift * i / 12 + rnd.uniform(-0.06, 0.06))
                    journals.append(
                        Journal(
                            scheme=scheme,
                            month=m,
                            amount=_money(actual),
                            description="Staff and contracts",
                            reference=f"GL-{m:%Y%m}",
                            recorded_by=commissioner,
                            recorded_at=now,
                        )
                    )
        SchemePlan.objects.bulk_create(plans, batch_size=2000)
        Journal.objects.bulk_create(journals, batch_size=2000)
        tally.journals = len(journals)
        # The pool of each year: the plan, rounded; 55% ICB, 35% council, DFG rest.
        for y in range(first_year, first_year + 3):
            total = sum(
                (p.amount for p in plans if fy_of(p.month) == y), Decimal(0)
            ).quantize(Decimal("1000"))
            fy = FundYear.objects.create(fund=fund, year=y, total=total)
            icb_amount = (total * Decimal("0.55")).quantize(Decimal("0.01"))
            council_amount = (total * Decimal("0.35")).quantize(Decimal("0.01"))
            Contribution.objects.bulk_create(
                [
                    Contribution(fund_year=fy, partner=icb_p, amount=icb_amount),
                    Contribution(
                        fund_year=fy, partner=council_p, amount=council_amount
                    ),
                    Contribution(
                        fund_year=fy,
                        partner=dfg_p,
                        amount=total - icb_amount - council_amount,
                    ),
                ]
            )
    return tally


def pooled_demo_seed(*, today: dt.date | None = None) -> str:
    """The demo's fund and packages (once); returns a line to show."""
    from joinedup.coordination.models import CareTeamMember
    from joinedup.people.models import InvolvementKind, Person

    if PooledFund.objects.filter(name=FUND_NAME).exists():
        return "Pooled budget already seeded."
    host = (
        Organisation.objects.filter(type=OrganisationType.COUNCIL_ADULT_SOCIAL_CARE)
        .order_by("code")
        .first()
    )
    icb = (
        Organisation.objects.filter(type=OrganisationType.ICB).order_by("code").first()
    )
    commissioner = User.objects.filter(username="commissioner").first()
    social_worker = User.objects.filter(username="social.worker").first()
    if not (host and icb and commissioner and social_worker):
        return (
            "Pooled budget not seeded: the demo organisations or accounts are missing."
        )
    caseload = list(
        CareTeamMember.objects.filter(user=social_worker, ended_on__isnull=True)
        .order_by("pk")
        .values_list("person_id", flat=True)
    )
    known = list(
        Person.objects.filter(
            involvements__kind=InvolvementKind.SOCIAL_CARE_CLIENT,
            deceased_on__isnull=True,
        )
        .exclude(pk__in=caseload)
        .order_by("birth_date", "pk")
        .values_list("pk", flat=True)
        .distinct()[:400]
    )
    people = caseload + known
    if not people:
        return "Pooled budget not seeded: no one is known to social care."
    tally = pooled_seed(
        name=FUND_NAME,
        host=host,
        icb=icb,
        commissioner=commissioner,
        social_worker=social_worker,
        person_ids=people,
        packages=max(len(people), min(600, 2 * len(people))),
        today=today or timezone.localdate(),
    )
    return (
        f"Pooled budget seeded: {tally.schemes} schemes, {tally.packages:,} care "
        f"packages, {tally.splits:,} funding splits, {tally.journals:,} journals."
    )
