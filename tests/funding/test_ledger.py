"""The cost-shift ledger (issue 8): per month, per person and in total, what the
NHS and the council pay and the shift between them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from joinedup.errors import AccessRefused, InvalidInput
from joinedup.funding.selectors.ledger import (
    PackageRow,
    SplitRow,
    ledger_get,
    ledger_lines,
    ledger_period_parse,
    segments,
)
from joinedup.funding.services.packages import funding_change_for_person, package_create
from joinedup.governance.models import AuditEntry
from tests.conftest import actor_for
from tests.factories import PASSWORD

D = dt.date
H, Z = Decimal(100), Decimal(0)


def _split(seq, day, chc=Z, council=H, contribution=Z):
    return SplitRow(seq, day, chc, Z, council, contribution)


def test_segments_follow_the_most_recently_recorded_split():
    council = _split(1, D(2026, 1, 1))
    chc = _split(2, D(2026, 3, 1), chc=H, council=Z)
    interim = _split(3, D(2026, 2, 1), chc=Decimal(50), council=Decimal(50))
    p = PackageRow(1, 1, D(2026, 1, 1), None, Decimal(700), (council, chc, interim))
    found = segments(p, start=D(2026, 1, 1), end=D(2026, 4, 30))
    assert [(s.first, s.last, s.split.seq) for s in found] == [
        (D(2026, 1, 1), D(2026, 1, 31), 1),
        (D(2026, 2, 1), D(2026, 4, 30), 3),
    ]


def test_segments_before_any_split_are_unassigned_and_end_with_the_package():
    p = PackageRow(
        1, 1, D(2026, 1, 1), D(2026, 1, 10), Decimal(70), (_split(1, D(2026, 1, 5)),)
    )
    found = segments(p, start=D(2025, 12, 1), end=D(2026, 12, 31))
    assert [(s.first, s.last, s.split is None) for s in found] == [
        (D(2026, 1, 1), D(2026, 1, 4), True),
        (D(2026, 1, 5), D(2026, 1, 10), False),
    ]


def test_ledger_lines_show_the_shift_to_the_nhs_from_the_decision_month():
    p = PackageRow(
        1,
        7,
        D(2026, 1, 1),
        None,
        Decimal(700),
        (_split(1, D(2026, 1, 1)), _split(2, D(2026, 2, 1), chc=H, council=Z)),
    )
    total, people, shifts = ledger_lines([p], start=D(2026, 1, 1), end=D(2026, 3, 31))
    jan, feb, mar = total
    assert (jan.nhs, jan.council, jan.shift_to_nhs) == (Z, Decimal("3100.00"), Z)
    assert (feb.nhs, feb.council, feb.shift_to_nhs) == (
        Decimal("2800.00"),
        Z,
        Decimal("2800.00"),
    )
    assert feb.changes == 1 and jan.changes == 0
    assert mar.shift_to_nhs == Decimal("3100.00")
    assert people[7][1].shift_to_nhs == Decimal("2800.00")
    assert shifts[7] == Decimal("5900.00")


def test_period_parse():
    today = D(2026, 11, 27)
    assert ledger_period_parse({}, today=today) == (D(2023, 12, 1), D(2026, 11, 30))
    assert ledger_period_parse({"from": "2026-01", "to": "2026-02"}, today=today) == (
        D(2026, 1, 1),
        D(2026, 2, 28),
    )
    with pytest.raises(InvalidInput) as e:
        ledger_period_parse({"from": "2026-03", "to": "2026-02"}, today=today)
    assert "to" in e.value.fields
    with pytest.raises(InvalidInput):
        ledger_period_parse({"from": "March"}, today=today)


@pytest.fixture
def shifted(world):
    sw = actor_for(world.social_worker)
    package_create(
        actor=sw,
        person_id=world.person.pk,
        kind="nursing_placement",
        provider="Oak House",
        cost_per_week="1400",
        start_on=D(2026, 1, 1),
    )
    funding_change_for_person(
        actor=sw,
        person_id=world.person.pk,
        effective_from=D(2026, 2, 1),
        funder="nhs_chc",
        reason="ICB decision",
    )


def test_commissioners_see_totals_without_people(world, shifted):
    ledger = ledger_get(
        actor=actor_for(world.commissioner), start=D(2026, 1, 1), end=D(2026, 2, 28)
    )
    assert ledger.totals.shift_to_nhs == Decimal("5600.00")
    assert ledger.people == [] and ledger.people_shifted == 1
    with pytest.raises(AccessRefused):
        ledger_get(
            actor=actor_for(world.social_worker),
            start=D(2026, 1, 1),
            end=D(2026, 2, 28),
        )


def test_ledger_page_and_csv_for_the_finance_lead(client, world, shifted):
    client.login(username="comm", password=PASSWORD)
    url = reverse("funding_ledger")
    page = client.get(url, {"from": "2026-01", "to": "2026-03"})
    body = page.content.decode()
    assert page.status_code == 200
    assert "5,600.00" in body  # February's shift
    assert "THORNTON" not in body and "Margaret" not in body
    csv = client.get(url, {"from": "2026-01", "to": "2026-03", "format": "csv"})
    assert csv["Content-Type"] == "text/csv"
    rows = csv.content.decode().splitlines()
    assert rows[0].startswith("month,nhs,council")
    assert rows[2].startswith("2026-02,5600.00,0.00")
    assert client.get(url, {"from": "nonsense"}).status_code == 400


def test_social_worker_sees_their_peoples_lines(client, world, shifted):
    client.login(username="sw", password=PASSWORD)
    page = client.get(reverse("funding_ledger"), {"from": "2026-01", "to": "2026-03"})
    assert page.status_code == 200
    assert "THORNTON" in page.content.decode()
    assert AuditEntry.objects.filter(action="ledger_people").exists()


def test_ig_leads_see_no_ledger(client, world, shifted):
    client.login(username="ig", password=PASSWORD)
    page = client.get(reverse("funding_ledger"))
    assert page.status_code == 403
