"""Pooled budgets: agreements, contributions, schemes, plan against actual,
forecast and the risk share (issue 8; DESIGN 4.6)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from joinedup.errors import AccessRefused, InvalidInput
from joinedup.funding.models import FundYear, Journal, PooledFund
from joinedup.funding.selectors.pooled import (
    forecast_outturn,
    fund_dashboard,
    fy_months,
    risk_shares,
)
from joinedup.funding.services.packages import package_create
from joinedup.funding.services.pooled import (
    fund_create,
    fund_year_set,
    journal_add,
    scheme_create,
    scheme_plan_set,
)
from joinedup.governance.models import AuditEntry
from joinedup.governance.services import token_create
from tests.conftest import actor_for
from tests.factories import PASSWORD

D = dt.date
TODAY = D(2026, 7, 15)  # financial year 2026/27, three months ended


@pytest.fixture
def comm(world):
    return actor_for(world.commissioner)


@pytest.fixture
def fund(world, comm):
    f = fund_create(
        actor=comm,
        name="Joinedup Better Care Fund",
        host_organisation_id=world.council.pk,
        risk_share="proportional",
        partners=[
            {"organisation_id": world.icb.pk, "source": "icb"},
            {"organisation_id": world.council.pk, "source": "council"},
            {"organisation_id": world.council.pk, "source": "dfg"},
        ],
    )
    icb, council, dfg = f.partners.order_by("pk")
    fund_year_set(
        actor=comm,
        fund_id=f.pk,
        year=2026,
        total="1200000",
        contributions={icb.pk: "600000", council.pk: "480000", dfg.pk: "120000"},
    )
    return f


def test_contributions_that_do_not_add_up_to_the_pool_are_refused(world, comm, fund):
    icb, council, dfg = fund.partners.order_by("pk")
    with pytest.raises(InvalidInput) as e:
        fund_year_set(
            actor=comm,
            fund_id=fund.pk,
            year=2027,
            total="1000000",
            contributions={icb.pk: "600000", council.pk: "300000", dfg.pk: "0"},
        )
    assert "must be equal" in e.value.fields["contributions"]
    assert not FundYear.objects.filter(year=2027).exists()


def test_fixed_risk_shares_must_add_up_to_100(world, comm):
    with pytest.raises(InvalidInput) as e:
        fund_create(
            actor=comm,
            name="Bad fund",
            host_organisation_id=world.council.pk,
            risk_share="fixed",
            partners=[
                {
                    "organisation_id": world.icb.pk,
                    "source": "icb",
                    "risk_percent": "60",
                },
                {
                    "organisation_id": world.council.pk,
                    "source": "council",
                    "risk_percent": "50",
                },
            ],
        )
    assert "exactly 100%" in e.value.fields["partners"]
    assert not PooledFund.objects.filter(name="Bad fund").exists()


def test_only_commissioners_change_pooled_budgets(world, fund):
    with pytest.raises(AccessRefused):
        scheme_create(
            actor=actor_for(world.social_worker),
            fund_id=fund.pk,
            name="Reablement",
            kind="reablement",
        )


def test_forecast_scales_the_remaining_plan_by_the_run_rate():
    plan = [Decimal(100)] * 12
    actual = [Decimal(110)] * 3 + [Decimal(0)] * 9
    assert forecast_outturn(plan, actual, 3) == Decimal("1320.00")
    assert forecast_outturn(plan, actual, 0) == Decimal("1200.00")


def test_risk_share_proportional_and_fixed():
    partners = [
        ("ICB", "icb", Decimal(600), Decimal(70)),
        ("Council", "council", Decimal(400), Decimal(30)),
    ]
    prop = risk_shares(partners, rule="proportional", overspend=Decimal(1000))
    assert [p.risk for p in prop] == [Decimal("600.00"), Decimal("400.00")]
    fixed = risk_shares(partners, rule="fixed", overspend=Decimal(-100))
    assert [p.risk for p in fixed] == [Decimal("-70.00"), Decimal("-30.00")]


def test_dashboard_plan_actual_variance_forecast_and_risk_share(world, comm, fund):
    sw = actor_for(world.social_worker)
    scheme = scheme_create(
        actor=comm, fund_id=fund.pk, name="Reablement", kind="reablement"
    )
    scheme_plan_set(
        actor=comm,
        scheme_id=scheme.pk,
        plans={m: "100000" for m in fy_months(2026)},
    )
    # A package of 700 a week (100 a day) in the scheme from 1 April.
    package_create(
        actor=sw,
        person_id=world.person.pk,
        kind="reablement",
        provider="Reablement team",
        cost_per_week="700",
        start_on=D(2026, 4, 1),
        scheme_id=scheme.pk,
    )
    journal_add(
        actor=comm,
        fund_id=fund.pk,
        scheme_id=scheme.pk,
        month="2026-05",
        amount="120000",
        description="Reablement staff",
    )
    board = fund_dashboard(actor=comm, fund_id=fund.pk, year=2026, today=TODAY)
    [s] = board.schemes
    assert board.elapsed == 3
    assert s.actual[:3] == [
        Decimal("3000.00"),
        Decimal("123100.00"),
        Decimal("3000.00"),
    ]
    assert s.plan_ytd == Decimal("300000")
    assert s.variance_ytd == Decimal("129100.00") - Decimal("300000")
    assert board.pool == Decimal("1200000.00")
    # Underspend forecast; partners share it 50 / 40 / 10.
    assert board.overspend < 0
    assert [p.percent for p in board.partners] == [
        Decimal("50.00"),
        Decimal("40.00"),
        Decimal("10.00"),
    ]
    assert sum(p.risk for p in board.partners) == pytest.approx(
        board.overspend, abs=Decimal("0.03")
    )


def test_journal_needs_a_description_and_a_month(world, comm, fund):
    scheme = scheme_create(
        actor=comm, fund_id=fund.pk, name="Equipment", kind="community_equipment"
    )
    with pytest.raises(InvalidInput) as e:
        journal_add(
            actor=comm,
            fund_id=fund.pk,
            scheme_id=scheme.pk,
            month="May",
            amount="x",
            description="",
        )
    assert {"month", "amount", "description"} <= set(e.value.fields)
    assert not Journal.objects.exists()


def test_dashboard_page_and_journal_form(client, world, comm, fund):
    scheme_create(actor=comm, fund_id=fund.pk, name="Carers", kind="carers_support")
    client.login(username="comm", password=PASSWORD)
    url = reverse("funding_pooled_dashboard", args=[fund.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Joinedup Better Care Fund" in page.content.decode()
    bad = client.post(
        url, {"scheme_id": "", "month": "", "amount": "", "description": ""}
    )
    assert bad.status_code == 400
    assert "There is a problem" in bad.content.decode()
    assert AuditEntry.objects.filter(action="pooled_dashboard").exists()


def test_social_workers_cannot_see_the_pooled_budget(client, world, fund):
    client.login(username="sw", password=PASSWORD)
    response = client.get(reverse("funding_pooled_dashboard", args=[fund.pk]))
    assert response.status_code == 403
    assert AuditEntry.objects.filter(action="pooled_view", outcome="refused").exists()


def test_quarterly_return_is_an_xlsx_with_the_schemes(client, world, comm, fund):
    from io import BytesIO

    from openpyxl import load_workbook

    scheme_create(actor=comm, fund_id=fund.pk, name="Carers", kind="carers_support")
    client.login(username="comm", password=PASSWORD)
    url = reverse("funding_pooled_return", args=[fund.pk])
    response = client.get(url, {"year": "2026", "quarter": "1"})
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == ["Summary", "Expenditure", "Risk share", "Metrics"]
    assert book["Expenditure"]["A2"].value == "Carers"
    assert client.get(url, {"quarter": "5"}).status_code == 400


def test_host_must_exist(world, comm):
    with pytest.raises(InvalidInput) as e:
        fund_create(
            actor=comm,
            name="X",
            host_organisation_id=99999,
            risk_share="proportional",
            partners=[{"organisation_id": world.icb.pk, "source": "icb"}],
        )
    assert "host_organisation_id" in e.value.fields


def test_dashboard_queries_do_not_grow_with_schemes_and_packages(
    world, comm, fund, django_assert_max_num_queries
):
    sw = actor_for(world.social_worker)
    for i in range(6):
        scheme = scheme_create(
            actor=comm, fund_id=fund.pk, name=f"Scheme {i}", kind="other"
        )
        scheme_plan_set(actor=comm, scheme_id=scheme.pk, plans={"2026-04": "1000"})
        journal_add(
            actor=comm,
            fund_id=fund.pk,
            scheme_id=scheme.pk,
            month="2026-04",
            amount="900",
            description="Staff",
        )
        package_create(
            actor=sw,
            person_id=world.person.pk,
            kind="equipment",
            provider="Store",
            cost_per_week="7",
            start_on=D(2026, 4, 1),
            scheme_id=scheme.pk,
        )
    with django_assert_max_num_queries(14):
        board = fund_dashboard(actor=comm, fund_id=fund.pk, year=2026, today=TODAY)
    assert len(board.schemes) == 6
    assert board.schemes[0].actual[0] == Decimal("930.00")


@pytest.fixture
def other_fund_scheme(world, comm):
    other = fund_create(
        actor=comm,
        name="Joinedup Mental Health Pool",
        host_organisation_id=world.icb.pk,
        risk_share="proportional",
        partners=[{"organisation_id": world.icb.pk, "source": "icb"}],
    )
    return scheme_create(actor=comm, fund_id=other.pk, name="Crisis beds", kind="other")


def test_a_journal_for_another_funds_scheme_is_refused_naming_the_scheme(
    world, comm, fund, other_fund_scheme
):
    with pytest.raises(InvalidInput) as e:
        journal_add(
            actor=comm,
            fund_id=fund.pk,
            scheme_id=other_fund_scheme.pk,
            month="2026-05",
            amount="500",
            description="Agency staff",
        )
    assert e.value.fields == {"scheme_id": "the fund has no such scheme"}
    assert not Journal.objects.exists()


def test_the_journals_form_refuses_another_funds_scheme(
    client, world, comm, fund, other_fund_scheme
):
    scheme_create(actor=comm, fund_id=fund.pk, name="Carers", kind="carers_support")
    client.login(username="comm", password=PASSWORD)
    url = reverse("funding_pooled_dashboard", args=[fund.pk])
    page = client.post(
        url,
        {
            "scheme_id": str(other_fund_scheme.pk),
            "month": "2026-05",
            "amount": "500",
            "description": "Agency staff",
        },
    )
    assert page.status_code == 400
    assert "the fund has no such scheme" in page.content.decode()
    assert not Journal.objects.exists()


def test_the_journals_api_refuses_another_funds_scheme(
    client, world, fund, other_fund_scheme
):
    token = token_create(username=world.commissioner.username)
    answer = client.post(
        f"/api/v1/pooled-budgets/{fund.pk}/journals",
        {
            "scheme_id": other_fund_scheme.pk,
            "month": "2026-05-01",
            "amount": "500.00",
            "description": "Agency staff",
        },
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert answer.status_code == 400
    assert answer.json()["fields"] == {"scheme_id": "the fund has no such scheme"}
    assert not Journal.objects.exists()
