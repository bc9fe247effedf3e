"""The clocks dashboard counts in the database exactly what `rules.Clock` says:
breached (not met and past due) and met late, per statutory timescale; closed
cases and other councils' cases are left out."""

from __future__ import annotations

import datetime as dt

from joinedup.safeguarding import rules
from joinedup.safeguarding.models import ChildCase, ChildProtectionPlan
from joinedup.safeguarding.selectors.cases import dashboard_get
from tests.conftest import actor_for
from tests.factories import OrganisationFactory, PersonFactory

TODAY = dt.date(2026, 3, 18)  # a Wednesday


def _case(area, *, council=None, status="s47", due, decided=None, icpc_due=None,
          icpc_held=None):  # fmt: skip
    return ChildCase.objects.create(
        person=PersonFactory(), council=council or area.children,
        referred_by=area.gp, referred_by_organisation=area.practice,
        received_on=due - dt.timedelta(days=1), reason="x", consent="given",
        status=status, decision_due_on=due, decided_on=decided,
        icpc_due_on=icpc_due, icpc_held_on=icpc_held,
    )  # fmt: skip


def test_dashboard_clocks(area):
    day = dt.timedelta(days=1)
    late_decision = _case(area, due=TODAY - 5 * day, decided=TODAY - 3 * day)
    undecided = _case(area, status="referred", due=TODAY - day)
    _case(area, status="referred", due=TODAY)  # due today: running
    _case(area, due=TODAY - 9 * day, decided=TODAY - 9 * day)  # met on time
    icpc_late = _case(area, due=TODAY - 30 * day, decided=TODAY - 30 * day,
                      icpc_due=TODAY - 8 * day, icpc_held=TODAY - 2 * day)  # fmt: skip
    icpc_missed = _case(area, due=TODAY - 30 * day, decided=TODAY - 30 * day,
                        icpc_due=TODAY - day)  # fmt: skip
    on_plan = _case(area, status="plan", due=TODAY - 200 * day,
                    decided=TODAY - 200 * day, icpc_due=TODAY - 180 * day,
                    icpc_held=TODAY - 180 * day)  # fmt: skip
    ChildProtectionPlan.objects.create(
        case=on_plan, person=on_plan.person, category="neglect",
        started_on=TODAY - 180 * day,
        next_review_due_on=rules.review_conference_due(TODAY - 180 * day, None),
    )  # fmt: skip
    _case(area, status="closed", due=TODAY - 50 * day)  # closed: not counted
    other = OrganisationFactory(type="council_childrens_services")
    _case(area, council=other, status="referred", due=TODAY - 50 * day)

    board = dashboard_get(actor=actor_for(area.csc_worker), today=TODAY)
    assert board.open_child == 7 and board.plans == 1
    assert board.counts == {"referral_decision": 2, "icpc": 2, "review_conference": 1}
    assert [(b.clock, b.case_id) for b in board.breaches] == [
        ("review_conference", on_plan.pk),
        ("icpc", icpc_late.pk),
        ("referral_decision", late_decision.pk),
        ("referral_decision", undecided.pk),  # due the same day: by case
        ("icpc", icpc_missed.pk),
    ]
    # The same as the rule, case by case.
    for case in ChildCase.objects.filter(council=area.children).exclude(
        status="closed"
    ):
        clock = rules.Clock("referral_decision", case.decision_due_on, case.decided_on)
        listed = ("referral_decision", case.pk) in {
            (b.clock, b.case_id) for b in board.breaches
        }
        assert clock.breached(TODAY) == listed
