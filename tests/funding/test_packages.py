"""Care packages, funding splits and who pays (issue 8; DESIGN 4.3, 4.6)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from joinedup.errors import AccessRefused, InvalidInput, NotFound
from joinedup.funding.models import CarePackage, FundingSplit
from joinedup.funding.selectors.ledger import person_cost_by_funder
from joinedup.funding.services.packages import (
    FNC_WEEKLY_RATE,
    direct_payment_record,
    funding_change_for_person,
    package_create,
    package_end,
    package_funding_change,
)
from joinedup.governance.models import AuditEntry, Role
from tests.conftest import actor_for
from tests.factories import OrganisationFactory, care_team_add, professional

D = dt.date


@pytest.fixture
def sw(world):
    return actor_for(world.social_worker)


def _package(world, sw, **kw):
    args = {
        "actor": sw,
        "person_id": world.person.pk,
        "kind": "home_care",
        "provider": "Caring Hands Ltd",
        "cost_per_week": "700.00",
        "start_on": D(2026, 1, 1),
    }
    args.update(kw)
    return package_create(**args)


def test_a_package_starts_council_funded_with_the_persons_contribution(world, sw):
    p = _package(world, sw, contribution_per_week="70")
    split = p.splits.get()
    assert split.funder == "council"
    assert split.council_percent == 100
    # 10 weeks of 700 a week: the person pays 70 a week, the council the rest.
    cost = person_cost_by_funder(
        person_id=world.person.pk, start=D(2026, 1, 1), end=D(2026, 3, 11)
    )
    assert cost["total"] == Decimal("7000.00")
    assert cost["person"] == Decimal("700.00")
    assert cost["council"] == Decimal("6300.00")
    assert cost["nhs"] == Decimal("0.00")


def test_end_before_start_is_refused_and_nothing_is_saved(world, sw):
    with pytest.raises(InvalidInput) as e:
        _package(world, sw, end_on=D(2025, 12, 31))
    assert "end_on" in e.value.fields
    assert not CarePackage.objects.exists()


@pytest.mark.parametrize(
    ("shares", "message"),
    [
        (("60", "0", "50"), "over 100%"),
        (("30", "0", "50"), "exactly 100%"),
    ],
)
def test_shares_must_add_up_to_exactly_100(world, sw, shares, message):
    p = _package(world, sw)
    with pytest.raises(InvalidInput) as e:
        package_funding_change(
            actor=sw,
            package_id=p.pk,
            effective_from=D(2026, 2, 1),
            funder="joint",
            nhs_chc_percent=shares[0],
            nhs_fnc_percent=shares[1],
            council_percent=shares[2],
            reason="joint package agreed",
        )
    assert message in e.value.fields["shares"]
    assert p.splits.count() == 1


def test_chc_decision_moves_every_current_package_to_the_nhs(world, sw):
    home = _package(world, sw, contribution_per_week="70")
    kit = _package(world, sw, kind="equipment", cost_per_week="14")
    ended = _package(world, sw, start_on=D(2025, 6, 1), end_on=D(2025, 12, 31))
    splits = funding_change_for_person(
        actor=sw,
        person_id=world.person.pk,
        effective_from=D(2026, 2, 1),
        funder="nhs_chc",
        reason="ICB decision: eligible for CHC",
        source_ref="chc-case-1",
    )
    assert {s.package_id for s in splits} == {home.pk, kit.pk}
    assert all(
        s.nhs_chc_percent == 100 and s.contribution_per_week == 0 for s in splits
    )
    assert ended.splits.count() == 1
    # January council (less 70 a week from the person), February on NHS.
    jan = person_cost_by_funder(
        person_id=world.person.pk, start=D(2026, 1, 1), end=D(2026, 1, 31)
    )
    feb = person_cost_by_funder(
        person_id=world.person.pk, start=D(2026, 2, 1), end=D(2026, 2, 28)
    )
    assert jan["nhs_chc"] == 0 and jan["council"] == Decimal("2852.00")
    assert jan["person"] == Decimal("310.00")
    assert feb["nhs_chc"] == Decimal("2856.00")  # 4 weeks of 714
    assert feb["council"] == 0 and feb["person"] == 0


def test_a_later_decision_overrides_earlier_ones_from_its_date(world, sw):
    _package(world, sw, cost_per_week="700")
    funding_change_for_person(
        actor=sw,
        person_id=world.person.pk,
        effective_from=D(2026, 3, 1),
        funder="nhs_chc",
        reason="ICB decision",
    )
    # Interim funding while the council disputes, back-dated before the decision.
    funding_change_for_person(
        actor=sw,
        person_id=world.person.pk,
        effective_from=D(2026, 2, 1),
        funder="joint",
        nhs_share_percent=Decimal("50"),
        reason="interim funding",
    )
    march = person_cost_by_funder(
        person_id=world.person.pk, start=D(2026, 3, 1), end=D(2026, 3, 28)
    )
    assert march["nhs_chc"] == Decimal("1400.00")
    assert march["council"] == Decimal("1400.00")


def test_fnc_defaults_to_the_standard_weekly_rate(world, sw):
    _package(world, sw, kind="nursing_placement", cost_per_week="1000")
    [split] = funding_change_for_person(
        actor=sw,
        person_id=world.person.pk,
        effective_from=D(2026, 1, 1),
        funder="nhs_fnc",
        reason="nursing needs",
    )
    assert split.nhs_fnc_percent == (FNC_WEEKLY_RATE / 10).quantize(Decimal("0.01"))
    assert split.nhs_fnc_percent + split.council_percent == 100


@pytest.mark.parametrize(
    ("funder", "share", "field"),
    [
        ("joint", None, "nhs_share_percent"),
        ("joint", Decimal("100"), "nhs_share_percent"),
        ("joint", Decimal("120"), "nhs_share_percent"),
        ("council", Decimal("40"), "nhs_share_percent"),
        ("nobody", None, "funder"),
    ],
)
def test_bad_funding_changes_are_refused_and_change_nothing(
    world, sw, funder, share, field
):
    _package(world, sw)
    _package(world, sw, kind="equipment", cost_per_week="10")
    with pytest.raises(InvalidInput) as e:
        funding_change_for_person(
            actor=sw,
            person_id=world.person.pk,
            effective_from=D(2026, 2, 1),
            funder=funder,
            nhs_share_percent=share,
            reason="x",
        )
    assert field in e.value.fields
    assert FundingSplit.objects.count() == 2


def test_funding_change_needs_a_reason(world, sw):
    with pytest.raises(InvalidInput) as e:
        funding_change_for_person(
            actor=sw,
            person_id=world.person.pk,
            effective_from=D(2026, 2, 1),
            funder="council",
            reason=" ",
        )
    assert "reason" in e.value.fields


def test_strangers_and_commissioners_cannot_change_funding(world, sw):
    _package(world, sw)
    elsewhere = OrganisationFactory(code="XX-ASC", type="council_adult_social_care")
    other = actor_for(professional(Role.SOCIAL_WORKER, elsewhere, username="x"))
    with pytest.raises(AccessRefused):
        funding_change_for_person(
            actor=other,
            person_id=world.person.pk,
            effective_from=D(2026, 2, 1),
            funder="nhs_chc",
            reason="decision",
        )
    with pytest.raises(AccessRefused):
        funding_change_for_person(
            actor=actor_for(world.commissioner),
            person_id=world.person.pk,
            effective_from=D(2026, 2, 1),
            funder="nhs_chc",
            reason="decision",
        )
    assert FundingSplit.objects.count() == 1
    assert (
        AuditEntry.objects.filter(
            action="funding_change_for_person", outcome="refused"
        ).count()
        == 2
    )


def test_unknown_person_is_not_found(world, sw):
    with pytest.raises(NotFound):
        funding_change_for_person(
            actor=sw,
            person_id=999999,
            effective_from=D(2026, 2, 1),
            funder="council",
            reason="decision",
        )


def test_chc_assessor_in_the_care_team_can_record_the_decision(world, sw):
    _package(world, sw)
    assessor = professional(Role.CHC_ASSESSOR, world.icb, username="chc")
    care_team_add(world.person, assessor, world.icb, Role.CHC_ASSESSOR)
    splits = funding_change_for_person(
        actor=actor_for(assessor),
        person_id=world.person.pk,
        effective_from=D(2026, 2, 1),
        funder="nhs_chc",
        reason="ICB decision",
    )
    assert len(splits) == 1


def test_person_cost_period_must_be_in_order(world):
    with pytest.raises(InvalidInput):
        person_cost_by_funder(
            person_id=world.person.pk, start=D(2026, 2, 1), end=D(2026, 1, 1)
        )


def test_package_end_and_direct_payments(world, sw):
    dp = _package(world, sw, kind="direct_payment", cost_per_week="200")
    direct_payment_record(
        actor=sw, package_id=dp.pk, paid_on=D(2026, 1, 5), amount="800"
    )
    with pytest.raises(InvalidInput) as e:
        direct_payment_record(
            actor=sw, package_id=dp.pk, paid_on=D(2026, 1, 5), amount="0"
        )
    assert "amount" in e.value.fields
    with pytest.raises(InvalidInput):
        package_end(actor=sw, package_id=dp.pk, end_on=D(2025, 1, 1))
    package_end(actor=sw, package_id=dp.pk, end_on=D(2026, 1, 28))
    cost = person_cost_by_funder(
        person_id=world.person.pk, start=D(2026, 1, 1), end=D(2026, 12, 31)
    )
    assert cost["total"] == Decimal("800.00")
