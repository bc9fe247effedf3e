"""The demo's pooled budget seed: deterministic, consistent, idempotent."""

from __future__ import annotations

import datetime as dt

from joinedup.funding.models import CarePackage, FundYear, PooledFund
from joinedup.funding.selectors.ledger import ledger_get
from joinedup.funding.selectors.pooled import fund_dashboard
from joinedup.governance.models import Role
from joinedup.synth.demo_pooled import pooled_demo_seed, pooled_seed
from tests.conftest import actor_for
from tests.factories import PersonFactory, care_team_add, professional

TODAY = dt.date(2026, 11, 27)


def test_seeded_fund_adds_up_and_shows_a_shift(world):
    people = [world.person.pk] + [PersonFactory().pk for _ in range(9)]
    tally = pooled_seed(
        name="Test fund",
        host=world.council,
        icb=world.icb,
        commissioner=world.commissioner,
        social_worker=world.social_worker,
        person_ids=people,
        packages=120,
        schemes=8,
        today=TODAY,
    )
    assert tally.packages == 120 and tally.schemes == 8
    fund = PooledFund.objects.get(name="Test fund")
    for fy in FundYear.objects.filter(fund=fund):
        assert sum(c.amount for c in fy.contributions.all()) == fy.total
    comm = actor_for(world.commissioner)
    board = fund_dashboard(actor=comm, fund_id=fund.pk, year=2026, today=TODAY)
    assert len(board.schemes) == 8 and board.actual_ytd > 0
    ledger = ledger_get(
        actor=comm, start=dt.date(2023, 12, 1), end=dt.date(2026, 11, 30)
    )
    assert ledger.totals.shift_to_nhs > 0 and ledger.people_shifted > 0


def test_demo_seed_once(world):
    comm = professional(Role.COMMISSIONER, world.icb, username="commissioner")
    sw = professional(Role.SOCIAL_WORKER, world.council, username="social.worker")
    care_team_add(world.person, sw, world.council, Role.SOCIAL_WORKER)
    assert "seeded" in pooled_demo_seed(today=TODAY)
    assert CarePackage.objects.filter(person=world.person).exists()
    assert comm.pk
    assert pooled_demo_seed(today=TODAY) == "Pooled budget already seeded."
